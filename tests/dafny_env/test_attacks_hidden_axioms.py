"""Red team: fresh cheating candidates against the team's Dafny tasks, checked by the real Dafny.

Every attack keeps the task's spec text (or, for `hints`, only inserts lines) and would be accepted
by plain Dafny 2.3, or means something else in Dafny 4 than on 2.3; none may come back `verified`.
Each honest look-alike (same syntax, no cheat) must verify: a gate that refuses them is no gate.
`bench`-style numbers for the report: `python tests/dafny_env/test_attacks_hidden_axioms.py [--main]` prints how many
attacks each gate lets through.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dafny_env import DafnyVerifier
from dafny_env.toolchain import DafnyNotFound, detect
from verifier_core.records import Candidate, Task
from tests.dafny_env.test_gate import HINTS_SPEC, KEEP  # `hints` tasks (the team set has none)

try:
    TC = detect()
except DafnyNotFound:  # pragma: no cover - depends on the machine
    TC = None
needs_dafny = pytest.mark.skipif(TC is None, reason="no Dafny installed (see `prover doctor`)")

TEAM = {d["id"]: d for d in map(json.loads, (Path(__file__).resolve().parents[2] / "dafny_env" / "tasks" / "team.jsonl")
                                 .read_text(encoding="utf-8").splitlines()) if d}

SUMF = "team/prove/sum_formula"      # lemma {:induction false} SumFormula(n: nat) ensures 2 * Sum(n) == n * (n + 1)
FIB = "team/prove/fib_ge_n"          # lemma FibGe(n: nat) requires n >= 5 ensures Fib(n) >= n
FIND = "team/implement/linear_search"  # method Find(a: array<int>, x: int) returns (idx: int)
MUL = "team/implement/multiply_by_addition"  # method Multiply(a: nat, b: nat) returns (r: nat) ensures r == a * b
SQRT = "team/implement/integer_sqrt"  # method ISqrt(n: nat) returns (r: nat)

HINTS_GOOD = HINTS_SPEC.replace("  while i < n\n", "  while i < n\n    invariant i <= n\n    invariant s == i * (i + 1) / 2\n")
KEEP_GOOD = KEEP.replace("  while i < 10\n", "  while i < 10\n    invariant r == x\n")
GOAL = "2 * Sum(n) == n * (n + 1)"


def full(tid: str, body: str, before: str = "", after: str = "") -> str:
    """The task's statement with `body` as the target's body, plus extra declarations."""
    return f"{before}{TEAM[tid]['statement']}\n{{\n{body}\n}}\n{after}"


# (name, task id, candidate, cause). Causes: 1 set display read as a body, 2 bodyless forall,
# 3 for-bridge order, 4 non-ASCII literal, 5 hints insertion, 6 lexer (\r ends a // comment),
# 0 classic forbidden construct (must stay rejected).
ATTACKS: list[tuple[str, str, str, int]] = [
    ("setdisp-ensures-lemma", SUMF, full(SUMF, "H(n);", f"lemma H(n: nat) ensures {GOAL} && {{1}} > {{}}\n"), 1),
    ("setdisp-requires-lemma", SUMF, full(SUMF, "H(n);", f"lemma H(n: nat) requires {{1}} > {{}} ensures {GOAL} && {{1}} > {{}}\n"), 1),
    ("setdisp-requires-only", SUMF, full(SUMF, "H(n);", f"lemma H(n: nat) ensures {GOAL} requires {{1}} > {{}}\n"), 1),
    ("setdisp-empty-lt", SUMF, full(SUMF, "H(n);", f"lemma H(n: nat) ensures {GOAL} && {{}} < {{1}}\n"), 1),
    ("setdisp-multiset", SUMF, full(SUMF, "H(n);", f"lemma H(n: nat) ensures {GOAL} && multiset{{}} < multiset{{1}}\n"), 1),
    ("setdisp-function", SUMF, full(SUMF, "var k := F(n);", f"function F(n: nat): nat ensures {GOAL} && {{1}} > {{}}\n"), 1),
    ("setdisp-predicate", SUMF, full(SUMF, "var k := P(n);", f"predicate P(n: nat) ensures {GOAL} && {{1}} > {{}}\n"), 1),
    ("setdisp-function-method", MUL, "function method F(a: nat, b: nat): nat ensures F(a, b) == a * b && {1} > {}\n"
     + TEAM[MUL]["statement"] + "\n{ r := F(a, b); }\n", 1),
    ("setdisp-ghost-method", SUMF, full(SUMF, "G(n);", f"ghost method G(n: nat) ensures {GOAL} && {{}} < {{1}}\n"), 1),
    ("setdisp-method", FIND, full(FIND, "M(); idx := -1;", "method M() ensures false && {1} > {}\n"), 1),
    ("setdisp-constructor", FIND, full(FIND, "var c := new C(); idx := -1;", "class C { constructor () ensures false && {1} > {} }\n"), 1),
    ("setdisp-trait-static", SUMF, full(SUMF, "T.H(n);", f"trait T {{ static lemma H(n: nat) ensures {GOAL} && {{1}} > {{}} }}\n"), 1),
    ("setdisp-class-static", SUMF, full(SUMF, "K.H();", "class K { static lemma H() ensures false && {1} > {} }\n"), 1),
    ("setdisp-generic", SUMF, full(SUMF, "H<int>();", "lemma H<T>() ensures false && {1} > {}\n"), 1),
    ("setdisp-attribute", SUMF, full(SUMF, "H();", "lemma {:induction false} H() ensures false && {1} > {}\n"), 1),
    ("setdisp-multiline", SUMF, full(SUMF, "H();", "lemma H()\n  ensures 0 == 1\n  ensures {1} > {}\n"), 1),
    ("setdisp-decreases", SUMF, full(SUMF, "H(0);", "lemma H(k: nat) ensures 0 == 1 decreases {k}\n"), 1),
    ("setdisp-reads", SUMF, full(SUMF, "var k := F();", "function F(): int ensures 0 == 1 reads {}\n"), 1),
    ("setdisp-calc-hint", SUMF, full(SUMF, f"calc {{ 2 * Sum(n); == {{ H(n); }} n * (n + 1); }}",
                                     f"lemma H(n: nat) ensures {GOAL} && {{1}} > {{}}\n"), 1),
    ("setdisp-assert-by", SUMF, full(SUMF, f"assert {GOAL} by {{ H(n); }}", f"lemma H(n: nat) ensures {GOAL} && {{1}} > {{}}\n"), 1),
    ("loop-guard-brace", SQRT, full(SQRT, "r := 0;\n  while {(r + 1) * (r + 1) <= n} == {true}\n    invariant r * r <= n"), 1),
    ("loop-guard-star-brace", SQRT, full(SQRT, "r := 0;\n  while |{r} * {r}| == 0 || (r + 1) * (r + 1) <= n\n    invariant r * r <= n"), 1),
    ("loop-ghost-brace", SUMF, full(SUMF, f"var k := 0;\n  while {{k}} != {{n}}\n    invariant 0 <= k <= n && 2 * Sum(k) == k * (k + 1)"), 1),
    ("loop-bodyless-plain", SQRT, full(SQRT, "r := 0;\n  while (r + 1) * (r + 1) <= n\n    invariant r * r <= n\n    decreases n - r * r"), 0),
    ("forall-after-label", SUMF, full(SUMF, "label L: forall k | k == n ensures 2 * Sum(k) == k * (k + 1)"), 2),
    ("forall-after-case", SUMF, full(SUMF, "if { case true => forall k | k == n ensures 2 * Sum(k) == k * (k + 1) }"), 2),
    ("forall-quantifier-ensures", SUMF, full(SUMF, "forall k | k == n ensures forall j: int :: j == j ==> 2 * Sum(k) == k * (k + 1)"), 2),
    ("forall-quantifier-range", SUMF, full(SUMF, "forall k | k == n && forall j: int :: j == j ensures 2 * Sum(k) == k * (k + 1)"), 2),
    ("forall-plain", SUMF, full(SUMF, "forall k | k == n ensures 2 * Sum(k) == k * (k + 1);"), 0),
    ("for-downto-outer-bound", MUL, full(MUL, "r := 0; var i := 0;\n  for i := a downto i invariant r == 0 { r := r + 1; }\n  r := a * b;"), 3),
    ("for-to-outer-bound", MUL, full(MUL, "r := 0; var i := 5;\n  for i := 0 to i invariant r == 0 { r := r + 1; }\n  r := a * b;"), 3),
    ("nonascii-string-length", MUL, full(MUL, 'r := a * b + |"é"| - 2;'), 4),
    ("nonascii-emoji", MUL, full(MUL, 'r := a * b + |"😀"| - 4;'), 4),
    ("nonascii-verbatim", MUL, full(MUL, 'r := a * b + |@"é"| - 2;'), 4),
    ("cr-ends-line-comment", SUMF, full(SUMF, "H();", "// helper\rlemma H() ensures 0 == 1\n"), 6),
    ("cr-comment-in-spec-function", FIB, TEAM[FIB]["statement"].replace(
        "Fib(n - 1) + Fib(n - 2)", "Fib(n - 1) + Fib(n - 2) //\r - Fib(n - 1) - Fib(n - 2) + n\n") + "\n{\n}\n", 6),
    ("axiom-attribute", SUMF, full(SUMF, "H();", "lemma {:axiom} H() ensures false\n"), 0),
    ("verify-false", SUMF, TEAM[SUMF]["statement"].replace("lemma {:induction false}", "lemma {:induction false} {:verify false}") + "\n{\n}\n", 0),
    ("assume-false", SUMF, full(SUMF, "assume false;"), 0),
    ("assume-attribute", SUMF, full(SUMF, "assume {:axiom} false;"), 0),
    ("include", SUMF, 'include "other.dfy"\n' + full(SUMF, ""), 0),
    ("extern", SUMF, full(SUMF, "H();", "lemma {:extern} H() ensures false\n"), 0),
    ("refinement-module", SUMF, full(SUMF, "B.H();", "abstract module A { lemma H() ensures false }\nmodule B refines A { }\n"), 0),
    ("spec-function-redefined", FIB, TEAM[FIB]["statement"].replace("if n < 2 then n else Fib(n - 1) + Fib(n - 2)", "n") + "\n{\n}\n", 0),
    ("spec-ensures-weakened", SUMF, TEAM[SUMF]["statement"].replace(GOAL, f"{GOAL} || true") + "\n{\n}\n", 0),
    ("target-still-bodyless", SUMF, TEAM[SUMF]["statement"] + "\n", 0),
    ("divergent-recursion", FIB, full(FIB, "H(n);", "lemma H(n: nat) ensures 0 == 1 decreases n { H(n); }\n"), 0),
    ("opaque-bodyless", SUMF, full(SUMF, "var k := F();", "function {:opaque} F(): int ensures 0 == 1\n"), 0),
    ("reads-star-spec", SUMF, TEAM[SUMF]["statement"].replace("function Sum(n: nat): nat", "function Sum(n: nat): nat reads *") + "\n{\n}\n", 0),
    ("hints-comment-out-ensures", "hints", HINTS_SPEC.replace("  ensures", "/*\n  ensures").replace("{\n  s := 0;", "*/\n{\n  s := 0;", 1), 5),
    ("hints-comment-out-loop", "keep", KEEP.replace("  while i < 10\n", "  /*\n  while i < 10\n").replace("  }\n}", "  }\n  */\n}"), 5),
    ("hints-crlf-drift", "keep", KEEP.replace("  }\n}", "  }\n" + "\n" * 30 + "  r := x;\n}").replace("\n", "\r\n"), 5),
    ("hints-crlf-inserted-code", "hints", HINTS_SPEC.replace("  }\n}", "  }\n  s := n * (n + 1) / 2;\n}").replace("\n", "\r\n"), 5),
]

HONEST: list[tuple[str, str, str]] = [
    ("reference-sum", SUMF, full(SUMF, "if n > 0 {\n    SumFormula(n - 1);\n  }")),
    ("helper-with-display-and-body", SUMF, full(SUMF, "if n > 0 {\n    SumFormula(n - 1);\n  }", "lemma H()\n  ensures {1} > {}\n{\n}\n")),
    ("requires-set-gt-empty", SUMF, full(SUMF, "if n > 0 {\n    SumFormula(n - 1);\n  }",
                                        "lemma NonEmpty(s: set<int>)\n  requires s > {}\n  ensures s != {}\n{\n}\n")),
    ("ensures-match-no-braces", SUMF, full(SUMF, "if n > 0 {\n    SumFormula(n - 1);\n  }",
                                          "datatype T = A | B\nfunction F(t: T): int { match t case A => 0 case B => 1 }\n"
                                          "lemma M(t: T)\n  ensures match t case A => F(t) == 0 case B => F(t) == 1\n{\n}\n")),
    ("loop-guard-brace-with-body", MUL, full(MUL, "r := 0;\n  var i := 0;\n  while {i} != {a}\n    invariant i <= a && r == i * b\n"
                                              "    decreases a - i\n  {\n    r := r + b;\n    i := i + 1;\n  }")),
    ("forall-after-label-with-body", SUMF, full(SUMF, "if n > 0 {\n    label L: forall k | k == n - 1 ensures 2 * Sum(k) == k * (k + 1) {\n"
                                                     "      SumFormula(k);\n    }\n  }")),
    ("for-to", MUL, full(MUL, "r := 0;\n  for i := 0 to a\n    invariant r == i * b\n  {\n    r := r + b;\n  }")),
    ("for-to-outer-bound", MUL, full(MUL, "var i := a;\n  r := 0;\n  for i := 0 to i\n    invariant r == i * b\n  {\n    r := r + b;\n  }")),
    ("for-downto-outer-bound", MUL, full(MUL, "r := 0;\n  var i := 0;\n  for i := a downto i\n    invariant r == (a - i) * b\n  {\n    r := r + b;\n  }")),
    ("nonascii-string-length", MUL, full(MUL, 'r := a * b + |"é"| - 1;')),
    ("crlf-program", SUMF, full(SUMF, "if n > 0 {\n    SumFormula(n - 1);\n  }").replace("\n", "\r\n")),
    ("opaque-reveal-fuel", SUMF, full(SUMF, "if n > 0 {\n    SumFormula(n - 1);\n  }",
                                      "function {:opaque} Twice(x: int): int { 2 * x }\n"
                                      "lemma {:fuel Twice, 2} T(x: int) ensures Twice(x) == x + x { reveal Twice(); }\n")),
    ("hints", "hints", HINTS_GOOD),
    ("hints-crlf", "hints", HINTS_GOOD.replace("\n", "\r\n")),
    ("hints-keep-crlf", "keep", KEEP_GOOD.replace("\n", "\r\n")),
]

# A representative subset runs by default (one per cause and kind); the rest is `slow`.
FAST_ATTACKS = {"setdisp-ensures-lemma", "setdisp-function", "setdisp-constructor", "loop-guard-brace",
                "loop-guard-star-brace", "forall-after-label", "forall-quantifier-ensures", "for-downto-outer-bound",
                "nonascii-string-length", "cr-ends-line-comment", "cr-comment-in-spec-function", "axiom-attribute",
                "hints-comment-out-loop", "hints-crlf-drift"}
FAST_HONEST = {"requires-set-gt-empty", "ensures-match-no-braces", "for-to-outer-bound", "nonascii-string-length", "hints-crlf"}


def task_for(tid: str) -> Task:
    if tid in ("hints", "keep"):
        return Task(f"redteam/{tid}", "dafny", HINTS_SPEC if tid == "hints" else KEEP, kind="hints")
    d = TEAM[tid]
    return Task(d["id"], "dafny", d["statement"], kind=d["kind"])


@pytest.fixture(scope="module")
def verifier():
    with DafnyVerifier(workers=2, timeout=60) as v:
        yield v


def _mark(name: str, fast: set[str]):
    return () if name in fast else (pytest.mark.slow,)


@needs_dafny
@pytest.mark.parametrize("name, tid, cand", [pytest.param(n, t, c, id=n, marks=_mark(n, FAST_ATTACKS)) for n, t, c, _ in ATTACKS])
def test_no_attack_is_verified(verifier, name, tid, cand):
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status in ("rejected", "failed"), (v.status, v.reason)


@needs_dafny
@pytest.mark.parametrize("name, tid, cand", [pytest.param(n, t, c, id=n, marks=_mark(n, FAST_HONEST)) for n, t, c in HONEST])
def test_honest_look_alikes_verify(verifier, name, tid, cand):
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status == "verified", (v.status, v.reason, [m.text for m in v.messages][:3])


# Attacks the scanner catches today, replayed with the scanner's construct and spec rules switched
# off: Dafny's own reading (its symbols and warnings) must still refuse every one.
BLIND = ["setdisp-ensures-lemma", "setdisp-constructor", "setdisp-function", "setdisp-trait-static",
         "forall-after-label", "loop-bodyless-plain", "cr-ends-line-comment", "spec-function-redefined",
         "spec-ensures-weakened", "target-still-bodyless", "cr-comment-in-spec-function", "verify-false",
         "axiom-attribute", "opaque-bodyless"]
FAST_BLIND = {"setdisp-ensures-lemma", "forall-after-label", "spec-function-redefined", "target-still-bodyless",
              "verify-false"}


@needs_dafny
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=_mark(n, FAST_BLIND)) for n in BLIND])
def test_dafnys_reading_decides_when_the_scanner_is_blind(verifier, monkeypatch, name):
    from dafny_env import soundness

    monkeypatch.setattr(soundness, "_check_constructs", lambda spec, cand, allow_star: None)
    monkeypatch.setattr(soundness, "_check_spec", lambda spec, cand, hints: None)
    _, tid, cand, _ = next(a for a in ATTACKS if a[0] == name)
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status == "rejected" and v.reason.startswith("dafny:"), (v.status, v.reason)


def main() -> None:
    """Print each attack's and look-alike's verdict (run with PYTHONPATH at the gate to measure)."""
    with DafnyVerifier(workers=2, timeout=60) as v:
        attacks = v.check_many([(task_for(t), Candidate(t, c)) for _, t, c, _ in ATTACKS])
        honest = v.check_many([(task_for(t), Candidate(t, c)) for _, t, c in HONEST])
    for (name, _, _, cause), r in zip(ATTACKS, attacks):
        print(f"attack cause={cause} {name:32s} {r.status:9s} {r.reason[:110]}")
    for (name, _, _), r in zip(HONEST, honest):
        print(f"honest {name:40s} {r.status:9s} {r.reason[:110]}")
    print(f"attacks verified: {sum(r.status == 'verified' for r in attacks)} of {len(attacks)}; "
          f"honest verified: {sum(r.status == 'verified' for r in honest)} of {len(honest)}")


if __name__ == "__main__":
    main()
