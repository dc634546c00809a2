// A persistent Dafny 2.x driver: runs the `dafny` CLI's own pipeline (DafnyDriver.Main) once per
// request inside one warm mono process, so a check costs no mono start-up or JIT.
//
// Protocol (one request per line on stdin):
//   verify<TAB><file name><TAB><base64 of the UTF-8 program><TAB><arg><TAB><arg>...
//   quit
// The program is written to <file name> in the current directory and checked exactly as
// `dafny <args> <file name>` would check it. Everything Dafny prints (stdout and stderr) is
// captured and sent back, followed by a line `[SUCCESS] [[DAFNY-SERVER: EOM]]` (the end marker
// DafnyServer uses, so one reader serves both), or `[FAILURE] [[DAFNY-SERVER: EOM]]` when the
// pipeline threw: the process then exits, because its static state can no longer be trusted.
//
// Why the resets: Dafny 2.3 and Boogie keep counters and caches in static fields (skolem ids,
// type-proxy ids, quantifier ids, a shared Translator, ...). They name things in the SMT that z3
// receives, and z3's search depends on those names, so a counter left over from an earlier
// program can change the verdict on this one. Before every request each such field is put back
// to the value it had in a fresh process; tests compare the SMT sent to z3 with the CLI's.
using System;
using System.Collections;
using System.IO;
using System.Reflection;
using System.Text;

public static class DafnyDriverServer {
  const string Eom = "[[DAFNY-SERVER: EOM]]";
  const BindingFlags Statics = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

  // (assembly-qualified type, field): the static state that outlives a run. Counters go back to
  // their fresh-process value, collections are cleared, lazily built objects are dropped.
  static readonly string[][] Resettable = {
    new[] {"Microsoft.Boogie.QuantifierExpr, BoogieCore", "SkolemIds"},
    new[] {"Microsoft.Boogie.TypeProxy, BoogieCore", "proxies"},
    new[] {"Microsoft.Boogie.Absy, BoogieCore", "CurrentAbsyNodeId"},
    new[] {"Microsoft.Boogie.Helpers, BoogieCore", "sequenceId"},
    new[] {"Microsoft.Boogie.ExecutionEngine, BoogieExecutionEngine", "autoRequestIdCount"},
    new[] {"Microsoft.Boogie.ExecutionEngine, BoogieExecutionEngine", "Checkers"},
    new[] {"Microsoft.Boogie.ExecutionEngine, BoogieExecutionEngine", "TimePerRequest"},
    new[] {"Microsoft.Boogie.ExecutionEngine, BoogieExecutionEngine", "StatisticsPerRequest"},
    new[] {"Microsoft.Boogie.ExecutionEngine, BoogieExecutionEngine", "ImplIdToCancellationTokenSource"},
    new[] {"Microsoft.Boogie.ExecutionEngine, BoogieExecutionEngine", "RequestIdToCancellationTokenSource"},
    new[] {"VC.RenameVCExprLabels, BoogieVCGeneration", "counter"},
    new[] {"VC.VCGen+Split, BoogieVCGeneration", "current_id"},
    new[] {"VC.StratifiedVCGen, BoogieVCGeneration", "newVarCnt"},
    new[] {"VC.StratifiedVCGen+FCallHandler, BoogieVCGeneration", "candidateCount"},
    new[] {"Microsoft.Boogie.FixedpointVC, BoogieVCGeneration", "ConjectureFileCounter"},
    new[] {"Microsoft.Dafny.TypeProxy, DafnyPipeline", "_id"},
    new[] {"Microsoft.Dafny.QuantifierExpr, DafnyPipeline", "currentQuantId"},
    new[] {"Microsoft.Dafny.VisibilityScope, DafnyPipeline", "maxScopeID"},
    new[] {"Microsoft.Dafny.RevealableTypeDeclHelper, DafnyPipeline", "tsdMap"},
    new[] {"Microsoft.Dafny.Resolver, DafnyPipeline", "translator"},
    new[] {"Microsoft.Dafny.Method, DafnyPipeline", "emptyBody"},
  };

  static FieldInfo[] fields;
  static object[] fresh;

  // Run every listed class's static constructor and remember the values a fresh process starts with.
  static void CaptureFreshState() {
    fields = new FieldInfo[Resettable.Length];
    fresh = new object[Resettable.Length];
    for (int i = 0; i < Resettable.Length; i++) {
      var type = Type.GetType(Resettable[i][0], true);
      var f = type.GetField(Resettable[i][1], Statics);
      if (f == null) throw new MissingFieldException(Resettable[i][0], Resettable[i][1]);
      System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(type.TypeHandle);
      fields[i] = f;
      var v = f.GetValue(null);
      fresh[i] = (v == null || v.GetType().IsValueType) ? v : null;  // objects: reset below, not copied
    }
  }

  static void ResetState() {
    for (int i = 0; i < fields.Length; i++) {
      var f = fields[i];
      if (f.FieldType.IsValueType) { f.SetValue(null, fresh[i]); continue; }
      var v = f.GetValue(null);
      var dict = v as IDictionary;
      var list = v as IList;
      if (dict != null) dict.Clear();
      else if (list != null) list.Clear();
      else if (v != null) f.SetValue(null, null);  // lazily built (translator, emptyBody): rebuilt on use
    }
  }

  static string Verify(string[] parts, out bool ok) {
    string file = parts[1];
    File.WriteAllBytes(file, Convert.FromBase64String(parts[2]));
    var args = new string[parts.Length - 3 + 1];
    Array.Copy(parts, 3, args, 0, parts.Length - 3);
    args[args.Length - 1] = file;
    var buffer = new StringWriter();
    var stdout = Console.Out;
    var stderr = Console.Error;
    ok = true;
    ResetState();
    Console.SetOut(buffer);
    Console.SetError(buffer);
    try {
      Microsoft.Dafny.DafnyDriver.Main(args);
    } catch (Exception e) {
      buffer.WriteLine("*** driver: unhandled exception: " + e);
      ok = false;
    } finally {
      Console.SetOut(stdout);
      Console.SetError(stderr);
      try { File.Delete(file); } catch (IOException) { }
    }
    return buffer.ToString();
  }

  public static int Main(string[] argv) {
    CaptureFreshState();
    var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
    var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
    stdout.AutoFlush = false;
    Console.SetOut(stdout);
    string line;
    while ((line = stdin.ReadLine()) != null) {
      if (line == "quit") break;
      var parts = line.Split('\t');
      bool ok = false;
      string output;
      if (parts.Length < 3 || parts[0] != "verify") {
        output = "*** driver: malformed request";
      } else {
        try { output = Verify(parts, out ok); }
        catch (Exception e) { output = "*** driver: " + e.Message; }  // bad base64, unwritable file
      }
      // A program cannot end the reply early by making Dafny print the end marker.
      stdout.Write(output.Replace(Eom, "[[DAFNY-SERVER: EOM (quoted)]]"));
      stdout.Write("\n" + (ok ? "[SUCCESS] " : "[FAILURE] ") + Eom + "\n");
      stdout.Flush();
      if (!ok) return 1;
    }
    return 0;
  }
}
