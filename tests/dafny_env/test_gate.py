"""The Dafny soundness gate and the syntax helpers: each rule with an exploit and a look-alike."""

from __future__ import annotations

import os
import re
import shutil
import tempfile

import pytest

from dafny_env import syntax
from dafny_env.soundness import gate
from verifier_core.records import Task
from verifier_core.jsonl import read_records

from tests.helpers.datasets import dafnybench_sample, dataset

SPEC = """predicate IsMax(m: int, a: int, b: int) { m >= a && m >= b && (m == a || m == b) }

lemma MaxOk(a: int, b: int)
  ensures IsMax(if a > b then a else b, a, b)
"""

IMPL_SPEC = """method Max(a: int, b: int) returns (m: int)
  ensures m >= a && m >= b
"""

GOOD_PROOF = SPEC + "{\n}\n"


def prove(spec: str = SPEC, **meta) -> Task:
    return Task("t", "dafny", spec, kind="prove", meta=meta)


def implement(spec: str = IMPL_SPEC) -> Task:
    return Task("t", "dafny", spec, kind="implement")


def check(task: Task, cand: str, rule: str | None) -> None:
    res = gate(task, cand)
    if rule is None:
        assert res.ok, (res.rule, res.detail)
        assert res.program
    else:
        assert not res.ok and res.rule == rule, (res.rule, res.detail)


# --- lexer / parser ---------------------------------------------------------------------------


def test_lexer_comments_strings_chars():
    src = 'var s := "a // not /* a comment"; /* outer /* nested */ still */ var c := \'"\'; var v := @"x""y"; // end'
    kinds = [(t.kind, t.text) for t in syntax.tokenize(src)]
    assert ("string", '"a // not /* a comment"') in kinds
    assert ("comment", "/* outer /* nested */ still */") in kinds
    assert ("char", "'\"'") in kinds
    assert ("string", '@"x""y"') in kinds
    assert kinds[-1] == ("comment", "// end")
    assert [t.text for t in syntax.tokenize("x' := x'' + 1")][:2] == ["x'", ":="]


def test_parser_kinds_bodies_and_nesting():
    src = """
module M {
  class C {
    var f: int
    constructor () { f := 0; }
    ghost function {:opaque} G(x: int): set<int> reads this ensures {} <= G(x) { {x} }
    function method H(): int { 1 }
    least predicate P(x: nat) { x == 0 || P(x - 1) }
    twostate lemma L() ensures true
  }
  function F(x: int): int { x } by method { return x; }
  method Loop(a: array<int>) modifies a ensures |{1}| == 1 decreases * { }
}
"""
    prog = syntax.parse(src)
    assert not prog.junk and not prog.errors
    got = {d.qualname: (d.kind, d.has_body) for d in prog.walk()}
    assert got["M.C._ctor"] == ("constructor", True)
    assert got["M.C.G"] == ("ghost function", True)
    assert got["M.C.H"] == ("function method", True)
    assert got["M.C.P"] == ("least predicate", True)
    assert got["M.C.L"] == ("twostate lemma", False)
    assert got["M.C.f"] == ("var", False)
    assert got["M.Loop"] == ("method", True)
    f = next(d for d in prog.walk() if d.qualname == "M.F")
    assert f.body(src).endswith("return x; }")  # `by method` belongs to the body
    g = next(d for d in prog.walk() if d.qualname == "M.C.G")
    assert [a.name for a in g.attributes] == ["opaque"] and g.header(src).endswith("ensures {} <= G(x)")


def _check_strip_bodies(rows):
    for r in rows:
        ref = r["reference"]
        spec = syntax.strip_bodies(ref)
        prog = syntax.parse(spec)
        assert not prog.junk and not prog.errors, r["id"]
        ref_decls = {d.qualname: d for d in syntax.parse(ref).walk()}
        for d in prog.walk():
            assert d.has_body == (d.base not in ("method", "lemma") and ref_decls[d.qualname].has_body), (r["id"], d.qualname)
            # headers are kept byte for byte
            assert d.header(spec) == ref_decls[d.qualname].header(ref)


def test_strip_bodies_on_shipped_dafnybench_references():
    _check_strip_bodies(dafnybench_sample())


def test_strip_bodies_on_every_mbpp_reference():
    _check_strip_bodies(read_records(dataset("dafny/mbpp_dfy/mbpp_dfy.jsonl")))


def _same_after_remove_hints(r) -> bool:
    ws = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    return ws(syntax.remove_hints(r["reference"])) == ws(r["spec_only"])


def test_remove_hints_matches_shipped_dafnybench_rows():
    rows = dafnybench_sample()
    assert [r["id"] for r in rows if not _same_after_remove_hints(r)] == []


def test_remove_hints_matches_dafnybench_mostly():
    rows = read_records(dataset("dafny/dafnybench/dafnybench.jsonl"))
    same = sum(map(_same_after_remove_hints, rows))
    # 681/782 measured; the rest are DafnyBench's line-based artefacts (see the report)
    assert same >= 650, same


def test_remove_hints_exact_lines():
    src = "method M(n: nat)\n{\n  var i := 0;\n  while i < n\n    invariant i <= n // keep?\n    decreases n - i\n  {\n    assert i < n;\n    i := i + 1;\n  }\n  assert var k := 1; k == 1;\n}\n"
    assert syntax.remove_hints(src) == "method M(n: nat)\n{\n  var i := 0;\n  while i < n\n  {\n    i := i + 1;\n  }\n}\n"


# --- gate: rules with an exploit and a legitimate look-alike ----------------------------------


def test_full_program_and_body_only_forms():
    check(prove(), GOOD_PROOF, None)
    res = gate(prove(), "{\n  // assume nothing\n}")
    assert res.ok and res.members == ["MaxOk"]
    lines = res.program.splitlines()
    assert lines[2 + res.line_offset - 1].strip() == "// assume nothing"  # candidate line 2, 1-based
    assert gate(implement(), "{ m := if a > b then a else b; }").ok


def test_input_rules():
    check(prove(), GOOD_PROOF + "\x00", "input:binary")
    check(prove(), GOOD_PROOF + "// stray \x05 byte in a comment\n", None)
    check(prove(), GOOD_PROOF + "//" + "x" * 1_000_001, "input:too-large")
    check(Task("t", "dafny", "lemma L( {", kind="prove"), GOOD_PROOF, "task:unparsable")


def test_bodyless_lemma_rules():
    check(prove(), SPEC, "body:missing")
    check(prove(), SPEC + "\nlemma Helper() ensures 1 == 2\n", "body:missing")
    check(prove(), "lemma Helper() ensures 1 == 2\n" + SPEC + "{ Helper(); }\n", "added:bodyless")
    check(prove(), "function Magic(): int ensures Magic() == 0 && Magic() == 1\n" + GOOD_PROOF, "added:bodyless")
    check(prove(), "lemma Helper() ensures 1 + 1 == 2 { }\n" + SPEC + "{ Helper(); }\n", None)


def test_spec_integrity_rules():
    check(prove(), SPEC.replace("ensures IsMax", "requires a == b\n  ensures IsMax") + "{}", "spec:changed")
    check(prove(), SPEC.replace("m >= a && m >= b", "true") + "{}", "spec:changed")  # predicate body
    check(prove(), "lemma MaxOk(a: int, b: int) ensures a == a {}", "spec:missing")
    check(prove(), GOOD_PROOF + "\nlemma MaxOk() {}\n", "duplicate")
    # comments and layout inside the spec may change; proof attributes may be added
    check(prove(), GOOD_PROOF.replace("lemma MaxOk(a: int, b: int)", "lemma {:induction false} MaxOk(a: int,\n b: int) // ok"), None)
    check(prove(), GOOD_PROOF.replace("predicate IsMax", "predicate {:opaque} IsMax"), "spec:changed")


def test_assume_expect_free():
    check(prove(), SPEC + "{ assume false; }", "assume")
    check(prove(), SPEC + '{ var assume_ok := "assume false"; // assume\n }', None)
    check(implement(), "{ expect false; m := a; }", "expect")
    check(implement(IMPL_SPEC.replace("returns", "returns")), "{ var expected := a; m := if a > b then a else b; }", None)
    check(prove(), SPEC.replace("  ensures", "  free ensures") + "{}", "free")


def test_attribute_rules():
    check(prove(), "lemma {:axiom} Ax() ensures false\n" + SPEC + "{ Ax(); }", "attr:axiom")
    check(prove(), SPEC.replace("lemma MaxOk", "lemma {:verify false} MaxOk") + "{}", "attr:verify-false")
    check(prove(), SPEC.replace("lemma MaxOk", "lemma {:verify true} MaxOk") + "{}", None)
    check(prove(), "method {:extern} E() ensures false\n" + GOOD_PROOF, "attr:extern")
    check(prove(), "lemma {:only} H() {}\n" + GOOD_PROOF, "attr:only")
    check(prove(), "lemma {:weird} H() {}\n" + GOOD_PROOF, "attr:unknown")
    check(prove(), SPEC + '{ var s := "{:axiom}"; assert forall x {:trigger x + 1} :: x + 1 > x; }', None)


def test_module_include_rules():
    check(prove(), 'include "other.dfy"\n' + GOOD_PROOF, "include")
    check(prove(), "module Evil { lemma X() ensures false {} }\n" + GOOD_PROOF, "added:module")
    check(prove(), "import opened Evil\n" + GOOD_PROOF, "added:module")
    spec = "module A {\n  lemma L(x: nat) ensures x >= 0\n}\n"
    check(prove(spec), "module A {\n  lemma L(x: nat) ensures x >= 0 {}\n  lemma Aux() {}\n}\n", None)
    check(prove(spec), "module A refines B {\n  lemma L(x: nat) ensures x >= 0 {}\n}\n", "added:module")


def test_decreases_star():
    spec = "method Spin(n: int) returns (r: int)\n  ensures r == 0\n"
    body = "{\n  r := n;\n  while r != 0\n    decreases *\n  { r := r - 1; }\n}"
    check(implement(spec), body, "decreases-star")
    assert gate(Task("t", "dafny", spec, kind="implement", meta={"allow_decreases_star": True}), body).ok
    check(implement(spec), body.replace("decreases *", "decreases if r > 0 then r else -r // not decreases *"), None)


def test_bodyless_loop_and_forall():
    check(implement(), "{\n  m := a;\n  while m < b\n    invariant true\n}", "loop:bodyless")
    check(implement(), "{\n  m := a;\n  while m < b\n    invariant m <= b || m == a;\n    decreases b - m;\n  { m := m + 1; }\n}", None)
    spec = "method F(s: set<int>) ensures forall x :: x in s ==> x > 100\n"
    check(implement(spec), "{\n  forall x | x in s\n    ensures x > 100\n}", "forall:bodyless")
    check(implement(spec.replace("> 100", ">= x")), "{\n  forall x | x in s ensures x >= x { }\n}", None)


def test_trivial_ensures():
    # issue 23: a helper's `ensures false` is proved like any other helper (Dafny refuses this one's
    # non-terminating call); the rule holds for the statement's own clauses
    check(prove(), "lemma H() ensures false { H(); }\n" + GOOD_PROOF, None)
    check(prove(), GOOD_PROOF.replace("  ensures IsMax", "  ensures false\n  ensures IsMax"), "ensures:trivial")
    check(prove(), "lemma H() ensures truely() { }\nfunction truely(): bool { true }\n" + GOOD_PROOF, None)


def test_parser_confusion_fails_closed():
    # Dafny reads `{1}` as part of the ensures (bodyless lemma); the gate must not think it a body
    check(prove(), GOOD_PROOF + "lemma X() ensures multiset{1} == multiset{1} {}\n", None)
    check(prove(), GOOD_PROOF + "lemma X() ensures |{1}| == 1 {}\n", None)
    # `>` before a brace is a comparison unless it closes type arguments: `{ }` is the body here
    check(prove(), GOOD_PROOF + "lemma X() ensures {1} > {}\n{ }\n", None)
    check(prove(), GOOD_PROOF + "lemma X() ensures {1} > {}\n", "added:bodyless")
    check(prove(), GOOD_PROOF + "function F(): seq<int> { [] }\n", None)
    check(prove(), GOOD_PROOF + "/* unterminated", "parse:unterminated")
    check(prove(), "{ } lemma Bad() ensures false", "parse:unrecognized")


# --- hints ------------------------------------------------------------------------------------

HINTS_SPEC = """method Sum(n: nat) returns (s: nat)
  ensures s == n * (n + 1) / 2
{
  s := 0;
  var i := 0;
  while i < n
  {
    i := i + 1;
    s := s + i;
  }
}
"""


def hints(spec: str = HINTS_SPEC) -> Task:
    return Task("t", "dafny", spec, kind="hints")


def test_hints_insertions():
    good = HINTS_SPEC.replace("  while i < n\n", "  while i < n\n    invariant i <= n\n    invariant s == i * (i + 1) / 2 // assume\n    decreases n - i\n")
    check(hints(), good, None)
    check(hints(), good.replace("  s := 0;\n", "  s := 0;\n  assert s == 0 by { assert 0 == 0; }\n"), None)
    check(hints(), "lemma Helper(n: nat) ensures n * 0 == 0 { }\n\n" + good, None)
    check(hints(), good.replace("s := s + i;", "s := s + i + 0;"), "hints:not-insertion")
    check(hints(), good.replace("  s := 0;\n", "  s := 0;\n  s := 1;\n"), "hints:not-hint")
    check(hints(), good.replace("  s := 0;\n", "  s := 0;\n  assume s == 0;\n"), "assume")
    check(hints(), "lemma Helper(n: nat) ensures n == n + 1\n\n" + good, "hints:not-hint")
    # a clause inserted inside a statement clause would change the spec
    spec = HINTS_SPEC.replace("  ensures s == n * (n + 1) / 2\n", "  ensures s == n * (n + 1) / 2 ||\n    s == 0\n")
    check(hints(spec), spec.replace("/ 2 ||\n", "/ 2 ||\n    decreases n\n"), "hints:not-hint")


# --- real Dafny: why the gate exists ----------------------------------------------------------

DAFNY = shutil.which("dafny") or ("/usr/bin/dafny" if os.path.exists("/usr/bin/dafny") else None)


def _dafny_verifies(program: str) -> bool:
    from verifier_core.procs import run_limited

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "p.dfy")
        with open(path, "w") as f:
            f.write(program)
        r = run_limited([DAFNY, "/compile:0", "/nologo", path], timeout=60, memory_mb=4096)
    assert not r.timed_out
    out = r.stdout + r.stderr
    return bool(re.search(r"finished with \d+ verified, 0 errors", out)) and "parse errors" not in out


@pytest.mark.skipif(DAFNY is None, reason="no dafny binary installed")
@pytest.mark.parametrize(
    "spec, exploit, rule",
    [
        ("lemma False()\n  ensures false\n", "lemma False()\n  ensures false\n", "body:missing"),
        (
            "method Ten(x: int) returns (y: int)\n  ensures y == 10\n",
            "{\n  y := x;\n  while y != 10\n    invariant true\n}",
            "loop:bodyless",
        ),
    ],
    ids=["bodyless-lemma", "bodyless-loop"],
)
def test_real_dafny_accepts_what_the_gate_rejects(spec, exploit, rule):
    task = prove(spec) if spec.startswith("lemma") else implement(spec)
    program = exploit if exploit.startswith("lemma") else spec + exploit
    assert _dafny_verifies(program), "Dafny 2.3 no longer accepts this exploit: the test premise changed"
    check(task, exploit, rule)


# --- issue 9: set displays, bodyless statements, hints insertions, the lexer ------------------


@pytest.mark.parametrize("helper, rule", [
    ("lemma H() ensures 1 == 2 && {1} > {}\n", "added:bodyless"),
    ("lemma H() requires {1} > {}\n", "added:bodyless"),
    ("lemma H()\n  ensures {} < {1}\n", "added:bodyless"),
    ("function F(): int ensures 1 == 2 reads {}\n", "added:bodyless"),
    ("class C { constructor () ensures 1 == 2 && {1} > {} }\n", "added:bodyless"),
    ("method M(n: nat) { var i := 0; while {i} != {n} invariant i <= n }\n", "loop:bodyless"),
    ("method M(n: nat) { var i := 0; while |{i} * {n}| == 0 invariant i <= n }\n", "loop:bodyless"),
    ("lemma M(n: nat) { label L: forall k | k == n ensures k == 0 }\n", "forall:bodyless"),
    ("lemma M(n: nat) { if { case true => forall k | k == n ensures k == 0 } }\n", "forall:bodyless"),
    ("lemma M(n: nat) { match n { case _ => forall k | k == n ensures k == 0 } }\n", "forall:bodyless"),
], ids=["ensures-display", "requires-display", "display-own-line", "reads-display", "constructor", "guard-starts-brace",
        "guard-star-brace", "forall-after-label", "forall-after-if-case", "forall-after-match-case"])
def test_set_displays_and_labels_hide_no_bodyless_member(helper, rule):
    check(prove(), helper + GOOD_PROOF, rule)


@pytest.mark.parametrize("helper", [
    "lemma R(s: set<int>)\n  requires s > {}\n  ensures s != {}\n{\n}\n",
    "datatype T = A | B\nlemma M(t: T)\n  ensures match t case A => true case B => 1 == 1\n{\n}\n",
    "method W(n: nat) { var i := 0; while {i} != {n} invariant i <= n decreases n - i { i := i + 1; } }\n",
    "lemma F(n: nat) { label L: forall k | k == n ensures k >= 0 { } }\n",
    "function G(): seq<int> { [] }\nfunction H(): map<int, int> { map[] }\n",
], ids=["requires-set-gt-empty", "ensures-match-without-braces", "guard-brace-with-body", "label-forall-with-body", "generic-return-type"])
def test_honest_clauses_with_set_displays_pass(helper):
    check(prove(), helper + GOOD_PROOF, None)


KEEP = """method Keep(x: int) returns (r: int)
  ensures r == x
{
  r := x;
  var i := 0;
  while i < 10
  {
    r := r + 1;
    r := r - 1;
    i := i + 1;
  }
}
"""


def test_hints_may_not_comment_out_statement_lines():
    commented = KEEP.replace("  while i < 10\n", "  /*\n  while i < 10\n").replace("  }\n}", "  }\n  */\n}")
    check(hints(KEEP), commented, "hints:not-insertion")
    ensures_out = KEEP.replace("  ensures", "/*\n  ensures").replace("{\n  r := x;", "*/\n{\n  r := x;")
    check(hints(KEEP), ensures_out, "hints:not-insertion")
    check(hints(KEEP), KEEP.replace("  while i < 10\n", "  while i < 10\n    /* the loop keeps r */\n    invariant r == x\n"), None)


def test_hints_with_crlf_line_endings_are_checked_line_by_line():
    good = KEEP.replace("  while i < 10\n", "  while i < 10\n    invariant r == x\n")
    check(hints(KEEP), good.replace("\n", "\r\n"), None)
    check(hints(KEEP.replace("\n", "\r\n")), good, None)
    drift = KEEP.replace("  }\n}", "  }\n" + "\n" * 30 + "  r := x;\n}").replace("\n", "\r\n")
    check(hints(KEEP), drift, "hints:not-hint")


def test_a_carriage_return_ends_a_line_comment_as_in_dafny():
    toks = syntax.code_tokens("// note\rlemma H() ensures false\n")
    assert [t.text for t in toks[:2]] == ["lemma", "H"]
    check(prove(), "// helper\rlemma H() ensures 1 == 2\n" + GOOD_PROOF, "added:bodyless")


def test_garbage_rules_are_failed_and_cheats_rejected():
    assert gate(prove(), "Sure, here is the proof.").status == "failed"
    assert gate(prove(), "").rule == "spec:absent" and gate(prove(), "").status == "failed"
    assert gate(prove(), GOOD_PROOF + "/* open").status == "failed"
    assert gate(prove(), GOOD_PROOF.replace("{\n}", "{ assume false; }")).status == "rejected"
    assert gate(prove(), "lemma MaxOk(a: int, b: int)\n  ensures true\n{\n}\n").status == "rejected"
