"""Source of the team's own Dafny task set, and the checker that writes `team.jsonl` beside it.

Every task is written in the subset that Dafny 2.3 and Dafny 4 both accept (plain `function` only in
specs and lemmas, `while` loops). A task is a spec program whose last declaration, the target, ends
after its spec clauses; the reference is that statement followed by the target's body and, where
needed, helper lemmas. `--check` verifies every reference with the real Dafny and measures whether
the empty body `{}` already verifies (recorded as `meta.empty_body_verifies`), then writes the JSONL.

    python -m dafny_env.tasks.team_source --check --workers 2

`tests/test_dafny_team_tasks.py` regenerates the file from this source (with the recorded
`empty_body_verifies` flags) and compares it byte for byte, so an edit here without `--check` fails.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "team.jsonl"


@dataclass
class Spec:
    name: str
    kind: str  # prove | implement
    difficulty: int
    topic: str
    target: str
    statement: str
    body: str
    helpers: str = ""

    @property
    def id(self) -> str:
        return f"team/{self.kind}/{self.name}"

    def full(self, body: str, helpers: str = "") -> str:
        text = self.statement + "\n{\n" + textwrap.indent(body.strip("\n"), "  ") + "\n}\n" if body.strip() \
            else self.statement + "\n{\n}\n"
        return text + ("\n" + helpers.strip("\n") + "\n" if helpers.strip() else "")

    @property
    def reference(self) -> str:
        return self.full(self.body, self.helpers)


def d(s: str) -> str:
    return textwrap.dedent(s).strip("\n")


SUM = "function Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}"
FIB = "function Fib(n: nat): nat\n{\n  if n < 2 then n else Fib(n - 1) + Fib(n - 2)\n}"
FACT = "function Fact(n: nat): nat\n{\n  if n == 0 then 1 else n * Fact(n - 1)\n}"
POW2 = "function Pow2(n: nat): nat\n{\n  if n == 0 then 1 else 2 * Pow2(n - 1)\n}"
POW = "function Pow(b: int, n: nat): int\n{\n  if n == 0 then 1 else b * Pow(b, n - 1)\n}"
ABS = "function Abs(x: int): int\n{\n  if x < 0 then -x else x\n}"
MAX = "function Max(a: int, b: int): int\n{\n  if a >= b then a else b\n}"
REV = "function Reverse(s: seq<int>): seq<int>\n{\n  if |s| == 0 then [] else Reverse(s[1..]) + [s[0]]\n}"
COUNT = ("function Count(s: seq<int>, x: int): nat\n{\n  if |s| == 0 then 0\n"
         "  else (if s[0] == x then 1 else 0) + Count(s[1..], x)\n}")
# Defined from the back so that a left-to-right loop extends it one element at a time.
COUNT_BACK = ("function CountB(s: seq<int>, x: int): nat\n{\n  if |s| == 0 then 0\n"
              "  else CountB(s[..|s| - 1], x) + (if s[|s| - 1] == x then 1 else 0)\n}")
SUMSEQ = "function SumSeq(s: seq<int>): int\n{\n  if |s| == 0 then 0 else s[0] + SumSeq(s[1..])\n}"
SUMSEQ_BACK = "function SumB(s: seq<int>): int\n{\n  if |s| == 0 then 0 else SumB(s[..|s| - 1]) + s[|s| - 1]\n}"
MUL = "function Mul(a: nat, b: nat): nat\n{\n  if a == 0 then 0 else b + Mul(a - 1, b)\n}"
SORTED = "predicate Sorted(s: seq<int>)\n{\n  forall i, j :: 0 <= i < j < |s| ==> s[i] <= s[j]\n}"
SORTED_ADJ = "predicate SortedAdj(s: seq<int>)\n{\n  forall i :: 0 <= i < |s| - 1 ==> s[i] <= s[i + 1]\n}"
SEQMAX = ("function SeqMax(s: seq<int>): int\n  requires |s| > 0\n{\n  if |s| == 1 then s[0]\n"
          "  else Max(s[0], SeqMax(s[1..]))\n}")
REPEAT = "function Repeat(x: int, n: nat): seq<int>\n{\n  if n == 0 then [] else [x] + Repeat(x, n - 1)\n}"
EVEN = "function IsEven(n: nat): bool\n{\n  if n == 0 then true else !IsEven(n - 1)\n}"
DOUBLE_ALL = "function DoubleAll(s: seq<int>): seq<int>\n{\n  if |s| == 0 then [] else [2 * s[0]] + DoubleAll(s[1..])\n}"
POSITIVES = ("function Positives(s: seq<int>): seq<int>\n{\n  if |s| == 0 then []\n"
             "  else (if s[0] > 0 then [s[0]] else []) + Positives(s[1..])\n}")


def lemma(name: str, sig: str, *clauses: str, attrs: str = "") -> str:
    head = f"lemma {attrs + ' ' if attrs else ''}{name}{sig}"
    return "\n".join([head] + ["  " + c for c in clauses])


def method(name: str, sig: str, *clauses: str) -> str:
    return "\n".join([f"method {name}{sig}"] + ["  " + c for c in clauses])


def decls(*parts: str) -> str:
    return "\n\n".join(parts)


P, I = "prove", "implement"

TASKS: list[Spec] = [
    # ------------------------------------------------------------------ prove, difficulty 1
    Spec("add_comm", P, 1, "nat arithmetic", "AddComm",
         lemma("AddComm", "(a: nat, b: nat)", "ensures a + b == b + a"), ""),
    Spec("abs_nonneg", P, 1, "int arithmetic", "AbsNonneg",
         decls(ABS, lemma("AbsNonneg", "(x: int)", "ensures Abs(x) >= 0", "ensures Abs(x) == x || Abs(x) == -x")), ""),
    Spec("max_upper_bound", P, 1, "int arithmetic", "MaxUpper",
         decls(MAX, lemma("MaxUpper", "(a: int, b: int)", "ensures Max(a, b) >= a && Max(a, b) >= b",
                          "ensures Max(a, b) == a || Max(a, b) == b")), ""),
    Spec("concat_length", P, 1, "sequences", "ConcatLength",
         lemma("ConcatLength", "(s: seq<int>, t: seq<int>)", "ensures |s + t| == |s| + |t|",
               "ensures forall i :: 0 <= i < |t| ==> (s + t)[|s| + i] == t[i]"), ""),
    Spec("slice_length", P, 1, "sequences", "SliceLength",
         lemma("SliceLength", "(s: seq<int>, i: int, j: int)", "requires 0 <= i <= j <= |s|",
               "ensures |s[i..j]| == j - i", "ensures s[i..j] + s[j..] == s[i..]"), ""),
    Spec("set_union_member", P, 1, "sets", "UnionMember",
         lemma("UnionMember", "(a: set<int>, b: set<int>, x: int)", "requires x in a",
               "ensures x in a + b && (x !in b ==> x in a - b)"), ""),
    Spec("fib_small", P, 1, "recursion", "FibSmall",
         decls(FIB, lemma("FibSmall", "()", "ensures Fib(5) == 5 && Fib(6) == 8")), ""),
    Spec("sorted_tail", P, 1, "sequences", "SortedTail",
         decls(SORTED, lemma("SortedTail", "(s: seq<int>)", "requires Sorted(s) && |s| > 0",
                             "ensures Sorted(s[1..])", "ensures forall k :: 0 <= k < |s| ==> s[0] <= s[k]")), ""),
    Spec("div_mod_two", P, 1, "int arithmetic", "DivModTwo",
         lemma("DivModTwo", "(n: int)", "ensures n % 2 == 0 || n % 2 == 1", "ensures n == 2 * (n / 2) + n % 2"), ""),
    Spec("array_update_other", P, 1, "sequences", "UpdateOther",
         lemma("UpdateOther", "(s: seq<int>, i: int, j: int, v: int)", "requires 0 <= i < |s| && 0 <= j < |s| && i != j",
               "ensures s[i := v][j] == s[j] && s[i := v][i] == v && |s[i := v]| == |s|"), ""),
    # One unfolding suffices (Fib(n + 1) == Fib(n) + Fib(n - 1)): no induction, hence difficulty 1.
    Spec("fib_monotone", P, 1, "recursion", "FibMono",
         decls(FIB, lemma("FibMono", "(n: nat)", "ensures Fib(n) <= Fib(n + 1)")), ""),
    Spec("pow2_positive", P, 1, "recursion", "Pow2Positive",
         decls(POW2, lemma("Pow2Positive", "(n: nat)", "ensures Pow2(n) >= 1")), ""),
    Spec("sum_seq_pair", P, 2, "sequences", "SumPair",
         decls(SUMSEQ, lemma("SumPair", "(x: int, y: int)", "ensures SumSeq([x]) == x && SumSeq([x, y]) == x + y")),
         "assert [x, y][1..] == [y];\nassert [y][1..] == [];"),
    # ------------------------------------------------------------------ prove, difficulty 2 (induction)
    Spec("sum_formula", P, 2, "recursion", "SumFormula",
         decls(SUM, lemma("SumFormula", "(n: nat)", "ensures 2 * Sum(n) == n * (n + 1)")),
         "if n > 0 {\n  SumFormula(n - 1);\n}"),
    Spec("sum_odd_squares", P, 2, "recursion", "SumOddSquare",
         decls("function SumOdd(n: nat): nat\n{\n  if n == 0 then 0 else (2 * n - 1) + SumOdd(n - 1)\n}",
               lemma("SumOdd", "(n: nat)", "ensures SumOdd(n) == n * n").replace("lemma SumOdd", "lemma SumOddSquare")),
         "if n > 0 {\n  SumOddSquare(n - 1);\n}"),
    Spec("mul_by_addition", P, 2, "recursion", "MulIsTimes",
         decls(MUL, lemma("MulIsTimes", "(a: nat, b: nat)", "ensures Mul(a, b) == a * b")),
         "if a > 0 {\n  MulIsTimes(a - 1, b);\n}"),
    Spec("fact_ge_n", P, 2, "recursion", "FactGe",
         decls(FACT, lemma("FactGe", "(n: nat)", "ensures Fact(n) >= 1 && Fact(n) >= n")),
         "if n > 0 {\n  FactGe(n - 1);\n}"),

    Spec("pow2_gt_n", P, 2, "recursion", "Pow2Gt",
         decls(POW2, lemma("Pow2Gt", "(n: nat)", "ensures Pow2(n) > n")),
         "if n > 0 {\n  Pow2Gt(n - 1);\n}"),
    Spec("reverse_length", P, 2, "sequences", "ReverseLength",
         decls(REV, lemma("ReverseLength", "(s: seq<int>)", "ensures |Reverse(s)| == |s|")),
         "if |s| > 0 {\n  ReverseLength(s[1..]);\n}"),
    Spec("count_le_length", P, 2, "sequences", "CountLe",
         decls(COUNT, lemma("CountLe", "(s: seq<int>, x: int)", "ensures Count(s, x) <= |s|")),
         "if |s| > 0 {\n  CountLe(s[1..], x);\n}"),
    Spec("seqmax_is_upper_bound", P, 2, "sequences", "SeqMaxUpper",
         decls(MAX, SEQMAX, lemma("SeqMaxUpper", "(s: seq<int>)", "requires |s| > 0",
                                  "ensures forall i :: 0 <= i < |s| ==> s[i] <= SeqMax(s)")),
         "if |s| > 1 {\n  SeqMaxUpper(s[1..]);\n  assert forall i :: 1 <= i < |s| ==> s[i] == s[1..][i - 1];\n}"),
    Spec("seqmax_member", P, 2, "sequences", "SeqMaxIn",
         decls(MAX, SEQMAX, lemma("SeqMaxIn", "(s: seq<int>)", "requires |s| > 0", "ensures SeqMax(s) in s")),
         "if |s| > 1 {\n  SeqMaxIn(s[1..]);\n  assert s == [s[0]] + s[1..];\n}"),
    Spec("repeat_count", P, 2, "sequences", "RepeatCount",
         decls(COUNT, REPEAT, lemma("RepeatCount", "(x: int, n: nat)", "ensures |Repeat(x, n)| == n",
                                    "ensures Count(Repeat(x, n), x) == n")),
         "if n > 0 {\n  RepeatCount(x, n - 1);\n  assert Repeat(x, n)[1..] == Repeat(x, n - 1);\n}"),
    Spec("is_even_parity", P, 2, "recursion", "IsEvenParity",
         decls(EVEN, lemma("IsEvenParity", "(n: nat)", "ensures IsEven(n) <==> n % 2 == 0", attrs="{:induction false}")),
         "if n > 0 {\n  IsEvenParity(n - 1);\n}"),
    Spec("double_all_spec", P, 2, "sequences", "DoubleAllSpec",
         decls(DOUBLE_ALL, lemma("DoubleAllSpec", "(s: seq<int>)", "ensures |DoubleAll(s)| == |s|",
                                 "ensures forall i :: 0 <= i < |s| ==> DoubleAll(s)[i] == 2 * s[i]")),
         "if |s| > 0 {\n  DoubleAllSpec(s[1..]);\n}"),
    Spec("positives_shorter", P, 2, "sequences", "PositivesShorter",
         decls(POSITIVES, lemma("PositivesShorter", "(s: seq<int>)", "ensures |Positives(s)| <= |s|",
                                "ensures forall x :: x in Positives(s) ==> x > 0")),
         "if |s| > 0 {\n  PositivesShorter(s[1..]);\n}"),
    Spec("pow_nonneg_base", P, 2, "recursion", "PowPositive",
         decls(POW, lemma("PowPositive", "(b: int, n: nat)", "requires b >= 1", "ensures Pow(b, n) >= 1")),
         "if n > 0 {\n  PowPositive(b, n - 1);\n  assert Pow(b, n) == b * Pow(b, n - 1);\n}"),
    Spec("sum_nonneg_seq", P, 2, "sequences", "SumNonneg",
         decls(SUMSEQ, lemma("SumNonneg", "(s: seq<int>)", "requires forall i :: 0 <= i < |s| ==> s[i] >= 0",
                             "ensures SumSeq(s) >= 0")),
         "if |s| > 0 {\n  SumNonneg(s[1..]);\n}"),
    Spec("sum_monotone", P, 2, "recursion", "SumMono",
         decls(SUM, lemma("SumMono", "(m: nat, n: nat)", "requires m <= n", "ensures Sum(m) <= Sum(n)")),
         "if m < n {\n  SumMono(m, n - 1);\n}"),
    # ------------------------------------------------------------------ prove, difficulty 3 (calc/asserts)
    Spec("pow2_add", P, 3, "recursion", "Pow2Add",
         decls(POW2, lemma("Pow2Add", "(a: nat, b: nat)", "ensures Pow2(a + b) == Pow2(a) * Pow2(b)")),
         d("""
           if a > 0 {
             calc {
               Pow2(a + b);
               2 * Pow2(a - 1 + b);
               { Pow2Add(a - 1, b); }
               2 * (Pow2(a - 1) * Pow2(b));
               (2 * Pow2(a - 1)) * Pow2(b);
               Pow2(a) * Pow2(b);
             }
           }
           """)),
    Spec("count_append", P, 3, "sequences", "CountAppend",
         decls(COUNT, lemma("CountAppend", "(s: seq<int>, t: seq<int>, x: int)",
                            "ensures Count(s + t, x) == Count(s, x) + Count(t, x)")),
         d("""
           if |s| > 0 {
             assert (s + t)[1..] == s[1..] + t;
             CountAppend(s[1..], t, x);
           } else {
             assert s + t == t;
           }
           """)),
    Spec("sum_seq_append", P, 3, "sequences", "SumAppend",
         decls(SUMSEQ, lemma("SumAppend", "(s: seq<int>, t: seq<int>)", "ensures SumSeq(s + t) == SumSeq(s) + SumSeq(t)")),
         d("""
           if |s| > 0 {
             assert (s + t)[1..] == s[1..] + t;
             SumAppend(s[1..], t);
           } else {
             assert s + t == t;
           }
           """)),
    Spec("reverse_append", P, 3, "sequences", "ReverseAppend",
         decls(REV, lemma("ReverseAppend", "(s: seq<int>, t: seq<int>)", "ensures Reverse(s + t) == Reverse(t) + Reverse(s)")),
         d("""
           if |s| == 0 {
             assert s + t == t;
           } else {
             assert (s + t)[1..] == s[1..] + t;
             ReverseAppend(s[1..], t);
           }
           """)),
    Spec("reverse_involutive", P, 3, "sequences", "ReverseReverse",
         decls(REV, lemma("ReverseAppend", "(s: seq<int>, t: seq<int>)", "ensures Reverse(s + t) == Reverse(t) + Reverse(s)")
               + "\n{\n  if |s| == 0 {\n    assert s + t == t;\n  } else {\n    assert (s + t)[1..] == s[1..] + t;\n"
                 "    ReverseAppend(s[1..], t);\n  }\n}",
               lemma("ReverseReverse", "(s: seq<int>)", "ensures Reverse(Reverse(s)) == s")),
         d("""
           if |s| > 0 {
             calc {
               Reverse(Reverse(s));
               Reverse(Reverse(s[1..]) + [s[0]]);
               { ReverseAppend(Reverse(s[1..]), [s[0]]); }
               Reverse([s[0]]) + Reverse(Reverse(s[1..]));
               { ReverseReverse(s[1..]); assert Reverse([s[0]]) == [s[0]]; }
               [s[0]] + s[1..];
               s;
             }
           }
           """)),
    Spec("mul_comm", P, 3, "recursion", "MulComm",
         decls(MUL, lemma("MulComm", "(a: nat, b: nat)", "ensures Mul(a, b) == Mul(b, a)")),
         "MulIsProduct(a, b);\nMulIsProduct(b, a);",
         lemma("MulIsProduct", "(a: nat, b: nat)", "ensures Mul(a, b) == a * b") + "\n{\n  if a > 0 {\n    MulIsProduct(a - 1, b);\n  }\n}"),
    Spec("fib_ge_n", P, 3, "recursion", "FibGe",
         decls(FIB, lemma("FibGe", "(n: nat)", "requires n >= 5", "ensures Fib(n) >= n")),
         d("""
           if n == 5 {
             assert Fib(5) == 5;
           } else if n == 6 {
             assert Fib(6) == 8;
           } else {
             FibGe(n - 1);
             FibGe(n - 2);
           }
           """)),
    Spec("sorted_adjacent_to_pairwise", P, 3, "sequences", "AdjToPairwise",
         decls(SORTED, SORTED_ADJ, lemma("AdjToPairwise", "(s: seq<int>)", "requires SortedAdj(s)", "ensures Sorted(s)")),
         d("""
           forall i, j | 0 <= i < j < |s|
             ensures s[i] <= s[j]
           {
             var k := i;
             while k < j
               invariant i <= k <= j
               invariant s[i] <= s[k]
             {
               k := k + 1;
             }
           }
           """)),
    Spec("count_back_append", P, 3, "sequences", "CountBSnoc",
         decls(COUNT, COUNT_BACK, lemma("CountBSnoc", "(s: seq<int>, x: int)", "ensures CountB(s, x) == Count(s, x)")),
         d("""
           if |s| > 0 {
             var init := s[..|s| - 1];
             CountBSnoc(init, x);
             assert s == init + [s[|s| - 1]];
             CountAppendHelper(init, [s[|s| - 1]], x);
           }
           """),
         lemma("CountAppendHelper", "(s: seq<int>, t: seq<int>, x: int)",
               "ensures Count(s + t, x) == Count(s, x) + Count(t, x)")
         + "\n{\n  if |s| > 0 {\n    assert (s + t)[1..] == s[1..] + t;\n    CountAppendHelper(s[1..], t, x);\n"
           "  } else {\n    assert s + t == t;\n  }\n}"),
    Spec("sum_cubes", P, 3, "recursion", "SumCubesSquare",
         decls(SUM, "function SumCubes(n: nat): nat\n{\n  if n == 0 then 0 else n * n * n + SumCubes(n - 1)\n}",
               lemma("SumCubesSquare", "(n: nat)", "ensures SumCubes(n) == Sum(n) * Sum(n)")),
         d("""
           if n > 0 {
             SumCubesSquare(n - 1);
             SumFormula(n - 1);
             SumFormula(n);
             assert Sum(n) == n + Sum(n - 1);
             assert Sum(n) * Sum(n) == n * n + 2 * n * Sum(n - 1) + Sum(n - 1) * Sum(n - 1);
             assert 2 * Sum(n - 1) == (n - 1) * n;
             assert 2 * n * Sum(n - 1) == n * ((n - 1) * n);
           }
           """),
         lemma("SumFormula", "(n: nat)", "ensures 2 * Sum(n) == n * (n + 1)") + "\n{\n  if n > 0 {\n    SumFormula(n - 1);\n  }\n}"),
    Spec("sumseq_front_back", P, 3, "sequences", "SumFrontBack",
         decls(SUMSEQ, SUMSEQ_BACK, lemma("SumFrontBack", "(s: seq<int>)", "ensures SumB(s) == SumSeq(s)")),
         d("""
           if |s| > 0 {
             var init := s[..|s| - 1];
             SumFrontBack(init);
             assert s == init + [s[|s| - 1]];
             SumAppendHelper(init, [s[|s| - 1]]);
           }
           """),
         lemma("SumAppendHelper", "(s: seq<int>, t: seq<int>)", "ensures SumSeq(s + t) == SumSeq(s) + SumSeq(t)")
         + "\n{\n  if |s| > 0 {\n    assert (s + t)[1..] == s[1..] + t;\n    SumAppendHelper(s[1..], t);\n"
           "  } else {\n    assert s + t == t;\n  }\n}"),
]

TASKS += [
    # ------------------------------------------------------------------ implement
    Spec("max_of_two", I, 1, "int arithmetic", "MaxOfTwo",
         method("MaxOfTwo", "(a: int, b: int) returns (m: int)", "ensures m >= a && m >= b", "ensures m == a || m == b"),
         "if a >= b {\n  m := a;\n} else {\n  m := b;\n}"),
    Spec("swap_array", I, 1, "arrays", "Swap",
         method("Swap", "(a: array<int>, i: int, j: int)", "requires 0 <= i < a.Length && 0 <= j < a.Length",
                "modifies a", "ensures a[i] == old(a[j]) && a[j] == old(a[i])",
                "ensures forall k :: 0 <= k < a.Length && k != i && k != j ==> a[k] == old(a[k])"),
         "var t := a[i];\na[i] := a[j];\na[j] := t;"),
    Spec("sum_to_n", I, 2, "loops", "SumTo",
         decls(SUM, method("SumTo", "(n: nat) returns (s: nat)", "ensures s == Sum(n)")),
         d("""
           s := 0;
           var i := 0;
           while i < n
             invariant 0 <= i <= n
             invariant s == Sum(i)
           {
             i := i + 1;
             s := s + i;
           }
           """)),
    Spec("fill_zero", I, 2, "arrays", "FillZero",
         method("FillZero", "(a: array<int>)", "modifies a", "ensures forall k :: 0 <= k < a.Length ==> a[k] == 0"),
         d("""
           var i := 0;
           while i < a.Length
             invariant 0 <= i <= a.Length
             invariant forall k :: 0 <= k < i ==> a[k] == 0
           {
             a[i] := 0;
             i := i + 1;
           }
           """)),
    Spec("array_max", I, 2, "arrays", "ArrayMax",
         method("ArrayMax", "(a: array<int>) returns (m: int)", "requires a.Length > 0",
                "ensures forall k :: 0 <= k < a.Length ==> a[k] <= m", "ensures exists k :: 0 <= k < a.Length && a[k] == m"),
         d("""
           m := a[0];
           var i := 1;
           while i < a.Length
             invariant 1 <= i <= a.Length
             invariant forall k :: 0 <= k < i ==> a[k] <= m
             invariant exists k :: 0 <= k < i && a[k] == m
           {
             if a[i] > m {
               m := a[i];
             }
             i := i + 1;
           }
           """)),
    Spec("linear_search", I, 2, "arrays", "Find",
         method("Find", "(a: array<int>, x: int) returns (idx: int)", "ensures -1 <= idx < a.Length",
                "ensures idx >= 0 ==> a[idx] == x", "ensures idx == -1 ==> forall k :: 0 <= k < a.Length ==> a[k] != x"),
         d("""
           idx := 0;
           while idx < a.Length
             invariant 0 <= idx <= a.Length
             invariant forall k :: 0 <= k < idx ==> a[k] != x
           {
             if a[idx] == x {
               return;
             }
             idx := idx + 1;
           }
           idx := -1;
           """)),
    Spec("min_index", I, 2, "arrays", "MinIndex",
         method("MinIndex", "(a: array<int>) returns (r: int)", "requires a.Length > 0", "ensures 0 <= r < a.Length",
                "ensures forall k :: 0 <= k < a.Length ==> a[r] <= a[k]"),
         d("""
           r := 0;
           var i := 1;
           while i < a.Length
             invariant 1 <= i <= a.Length
             invariant 0 <= r < i
             invariant forall k :: 0 <= k < i ==> a[r] <= a[k]
           {
             if a[i] < a[r] {
               r := i;
             }
             i := i + 1;
           }
           """)),
    Spec("copy_array", I, 2, "arrays", "Copy",
         method("Copy", "(a: array<int>) returns (b: array<int>)", "ensures fresh(b)", "ensures b.Length == a.Length",
                "ensures b[..] == a[..]"),
         d("""
           b := new int[a.Length];
           var i := 0;
           while i < a.Length
             invariant 0 <= i <= a.Length
             invariant forall k :: 0 <= k < i ==> b[k] == a[k]
           {
             b[i] := a[i];
             i := i + 1;
           }
           assert forall k :: 0 <= k < a.Length ==> b[k] == a[k];
           """)),
    Spec("contains_seq", I, 2, "sequences", "Contains",
         method("Contains", "(s: seq<int>, x: int) returns (found: bool)", "ensures found <==> x in s"),
         d("""
           found := false;
           var i := 0;
           while i < |s|
             invariant 0 <= i <= |s|
             invariant found <==> x in s[..i]
           {
             if s[i] == x {
               found := true;
             }
             assert s[..i + 1] == s[..i] + [s[i]];
             i := i + 1;
           }
           assert s[..|s|] == s;
           """)),
    Spec("all_positive", I, 2, "arrays", "AllPositive",
         method("AllPositive", "(a: array<int>) returns (ok: bool)", "ensures ok <==> forall k :: 0 <= k < a.Length ==> a[k] > 0"),
         d("""
           ok := true;
           var i := 0;
           while i < a.Length
             invariant 0 <= i <= a.Length
             invariant ok <==> forall k :: 0 <= k < i ==> a[k] > 0
           {
             if a[i] <= 0 {
               ok := false;
             }
             i := i + 1;
           }
           """)),
    Spec("multiply_by_addition", I, 2, "loops", "Multiply",
         method("Multiply", "(a: nat, b: nat) returns (r: nat)", "ensures r == a * b"),
         d("""
           r := 0;
           var i := 0;
           while i < a
             invariant 0 <= i <= a
             invariant r == i * b
           {
             r := r + b;
             i := i + 1;
           }
           """)),
    Spec("div_by_subtraction", I, 2, "loops", "DivMod",
         method("DivMod", "(n: nat, d: nat) returns (q: nat, r: nat)", "requires d > 0", "ensures q * d + r == n && r < d"),
         d("""
           q := 0;
           r := n;
           while r >= d
             invariant q * d + r == n
             decreases r
           {
             q := q + 1;
             r := r - d;
           }
           """)),
    Spec("abs_array", I, 2, "arrays", "AbsAll",
         decls(ABS, method("AbsAll", "(a: array<int>) returns (b: array<int>)", "ensures b.Length == a.Length",
                           "ensures forall k :: 0 <= k < a.Length ==> b[k] == Abs(a[k])")),
         d("""
           b := new int[a.Length];
           var i := 0;
           while i < a.Length
             invariant 0 <= i <= a.Length
             invariant forall k :: 0 <= k < i ==> b[k] == Abs(a[k])
           {
             if a[i] < 0 {
               b[i] := -a[i];
             } else {
               b[i] := a[i];
             }
             i := i + 1;
           }
           """)),
    Spec("factorial_iter", I, 2, "loops", "Factorial",
         decls(FACT, method("Factorial", "(n: nat) returns (r: nat)", "ensures r == Fact(n)")),
         d("""
           r := 1;
           var i := 0;
           while i < n
             invariant 0 <= i <= n
             invariant r == Fact(i)
           {
             i := i + 1;
             r := r * i;
           }
           """)),
    Spec("power_iter", I, 2, "loops", "Power",
         decls(POW, method("Power", "(b: int, n: nat) returns (r: int)", "ensures r == Pow(b, n)")),
         d("""
           r := 1;
           var i := 0;
           while i < n
             invariant 0 <= i <= n
             invariant r == Pow(b, i)
           {
             r := b * r;
             i := i + 1;
           }
           """)),
    Spec("fib_iter", I, 3, "loops", "FibIter",
         decls(FIB, method("FibIter", "(n: nat) returns (r: nat)", "ensures r == Fib(n)")),
         d("""
           var prev, cur := 0, 1;
           var i := 0;
           while i < n
             invariant 0 <= i <= n
             invariant prev == Fib(i) && cur == Fib(i + 1)
           {
             prev, cur := cur, prev + cur;
             i := i + 1;
           }
           r := prev;
           """)),
    Spec("is_sorted_check", I, 3, "arrays", "IsSorted",
         decls(SORTED_ADJ, method("IsSorted", "(a: array<int>) returns (ok: bool)", "ensures ok <==> SortedAdj(a[..])")),
         d("""
           ok := true;
           var i := 0;
           while i + 1 < a.Length
             invariant 0 <= i <= a.Length
             invariant ok <==> forall k :: 0 <= k < i && k + 1 < a.Length ==> a[k] <= a[k + 1]
           {
             if a[i] > a[i + 1] {
               ok := false;
             }
             i := i + 1;
           }
           """)),
    Spec("count_occurrences", I, 3, "arrays", "CountOcc",
         decls(COUNT_BACK, method("CountOcc", "(a: array<int>, x: int) returns (c: nat)", "ensures c == CountB(a[..], x)")),
         d("""
           c := 0;
           var i := 0;
           while i < a.Length
             invariant 0 <= i <= a.Length
             invariant c == CountB(a[..i], x)
           {
             assert a[..i + 1][..i] == a[..i];
             if a[i] == x {
               c := c + 1;
             }
             i := i + 1;
           }
           assert a[..a.Length] == a[..];
           """)),
    Spec("array_sum", I, 3, "arrays", "ArraySum",
         decls(SUMSEQ_BACK, method("ArraySum", "(a: array<int>) returns (s: int)", "ensures s == SumB(a[..])")),
         d("""
           s := 0;
           var i := 0;
           while i < a.Length
             invariant 0 <= i <= a.Length
             invariant s == SumB(a[..i])
           {
             assert a[..i + 1][..i] == a[..i];
             s := s + a[i];
             i := i + 1;
           }
           assert a[..a.Length] == a[..];
           """)),
    Spec("reverse_in_place", I, 3, "arrays", "ReverseInPlace",
         method("ReverseInPlace", "(a: array<int>)", "modifies a",
                "ensures forall k :: 0 <= k < a.Length ==> a[k] == old(a[a.Length - 1 - k])"),
         d("""
           var i := 0;
           while i < a.Length / 2
             invariant 0 <= i <= a.Length / 2
             invariant forall k :: 0 <= k < i ==> a[k] == old(a[a.Length - 1 - k]) && a[a.Length - 1 - k] == old(a[k])
             invariant forall k :: i <= k < a.Length - i ==> a[k] == old(a[k])
           {
             a[i], a[a.Length - 1 - i] := a[a.Length - 1 - i], a[i];
             i := i + 1;
           }
           """)),
    Spec("integer_sqrt", I, 3, "loops", "ISqrt",
         method("ISqrt", "(n: nat) returns (r: nat)", "ensures r * r <= n < (r + 1) * (r + 1)"),
         d("""
           r := 0;
           while (r + 1) * (r + 1) <= n
             invariant r * r <= n
             decreases n - r * r
           {
             r := r + 1;
           }
           """)),
    Spec("count_positive_seq", I, 3, "sequences", "CountPositive",
         decls(POSITIVES, method("CountPositive", "(s: seq<int>) returns (c: nat)", "ensures c == |Positives(s)|")),
         d("""
           c := 0;
           var i := |s|;
           while i > 0
             invariant 0 <= i <= |s|
             invariant c == |Positives(s[i..])|
           {
             i := i - 1;
             assert s[i..][1..] == s[i + 1..];
             if s[i] > 0 {
               c := c + 1;
             }
           }
           assert s[0..] == s;
           """)),
]


# Dafny proves many one-step inductions on its own (automatic induction on lemma parameters). The
# induction and calc tasks switch that off on the target lemma, so that the candidate has to write the
# induction itself; helper lemmas inside references keep the default.
for _t in TASKS:
    if _t.kind == P and _t.difficulty >= 2 and "{:induction" not in _t.statement:
        _t.statement = re.sub(rf"^lemma {_t.target}\b", f"lemma {{:induction false}} {_t.target}", _t.statement, flags=re.M)


def records(empty: dict[str, bool] | None = None) -> list[dict]:
    out = []
    for t in TASKS:
        meta = {"difficulty": t.difficulty, "topic": t.topic, "target": t.target}
        if empty is not None:
            meta["empty_body_verifies"] = empty[t.id]
        out.append({"id": t.id, "lang": "dafny", "kind": t.kind, "statement": t.statement,
                    "reference": t.reference, "meta": meta})
    return out


def write(path: str | Path, empty: dict[str, bool] | None) -> None:
    """Replace `path` with the task set (the format `team.jsonl` is kept in)."""
    from verifier_core.jsonl import JsonlWriter

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).unlink(missing_ok=True)
    with JsonlWriter(path) as w:
        for rec in records(empty):
            w.write(rec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="verify references with real Dafny and measure empty bodies")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    from dafny_env.cli_backend import verify_program

    ids = [t.id for t in TASKS]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate task ids")
    if not args.check:
        empty = None
    else:
        from tqdm import tqdm

        jobs = [(t.id, "ref", t.reference) for t in TASKS] + [(t.id, "empty", t.full("")) for t in TASKS]
        with ThreadPoolExecutor(args.workers) as pool:
            # An empty body that runs past 30 s counts as not verifying (it is a task to be solved).
            results = list(tqdm(pool.map(lambda j: (j[0], j[1], verify_program(j[2], timeout=120 if j[1] == "ref" else 30)), jobs),
                                total=len(jobs), file=sys.stderr, desc="dafny"))
        bad = [(tid, r.status, r.output[-600:]) for tid, kind, r in results if kind == "ref" and r.status != "verified"]
        for tid, status, out in bad:
            print(f"REFERENCE FAILS {tid}: {status}\n{out}", file=sys.stderr)
        empty = {tid: r.status == "verified" for tid, kind, r in results if kind == "empty"}
        if bad:
            return 1
    write(args.out, empty)
    counts = {k: sum(t.kind == k for t in TASKS) for k in (P, I)}
    print(f"wrote {len(TASKS)} tasks ({counts}) to {args.out}", file=sys.stderr)
    if empty is not None:
        for t in TASKS:
            if t.difficulty >= 2 and empty[t.id]:
                print(f"note: {t.id} (difficulty {t.difficulty}) verifies with an empty body", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
