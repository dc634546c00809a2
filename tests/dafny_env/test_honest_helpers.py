"""Issue 23, honest proofs the gate refused on d038b22, with the real Dafny.

* A helper whose `ensures` is `false` under a contradictory `requires` (ex falso), or `true`, is
  proved like any other helper: `ensures:trivial` is for the statement's own clauses only.
* `datatype Palette = Palette(cs: iset<Color>)` over a plain `Color` cannot reach itself through the
  `iset` (Russell's construction needs that): only a datatype on such a cycle is refused.
* A trait's bodyless instance member is abstract, not an axiom, when a class of the program extends
  the trait (decided here): Dafny 2.3 refuses a class that extends the trait without implementing
  it and verifies each implementation against the trait's contract. So a trait function implemented
  by a class verifies; a class whose implementation breaks the trait's `ensures` fails. With no class
  extending the trait it stays `added:bodyless`: 2.3 lets a lemma use an uninitialised `var t: T;`,
  so `t.L()` of a bodyless `L` proves anything (found against this change), and so does a `static`
  member, which no class implements.
"""

from __future__ import annotations

import pytest

from dafny_env import DafnyVerifier, soundness
from verifier_core.records import Candidate
from tests.dafny_env.test_attacks_hidden_axioms import SUMF, full, needs_dafny, task_for

SUM_PROOF = "if n > 0 {\n    SumFormula(n - 1);\n  }"
EX_FALSO = "lemma Absurd(k: int)\n  requires k < 0 && k > 0\n  ensures false\n{\n}\n"
TRUE = "lemma Nothing()\n  ensures true\n{\n}\n"
PALETTE = "datatype Color = Red | Blue\ndatatype Palette = Palette(cs: iset<Color>)\nfunction All(): Palette { Palette(iset c: Color | true) }\n"
TRAIT = ("trait Shape {\n  function Area(): int\n    ensures Area() >= 0\n}\n"
         "class Square extends Shape {\n  var side: int\n  function Area(): int\n    ensures Area() >= 0\n  { 4 }\n}\n")


@pytest.fixture(scope="module")
def verifier():
    with DafnyVerifier(workers=1, timeout=60.0) as v:
        yield v


@needs_dafny
@pytest.mark.parametrize("extra", [EX_FALSO, TRUE, PALETTE, TRAIT], ids=["ex-falso", "ensures-true", "palette", "trait"])
def test_honest_helpers_verify(verifier, extra):
    verdict = verifier.check(task_for(SUMF), Candidate("c", full(SUMF, SUM_PROOF, after=extra)))
    assert verdict.status == "verified", verdict


@needs_dafny
def test_an_ex_falso_helper_proves_nothing_it_cannot(verifier):
    use = "Absurd(-1);"  # its requires does not hold: Dafny refuses the call
    verdict = verifier.check(task_for(SUMF), Candidate("c", full(SUMF, use, after=EX_FALSO)))
    assert verdict.status == "failed", verdict


@needs_dafny
def test_trait_members_stay_checked(verifier):
    broken = TRAIT.replace("{ 4 }", "{ -1 }")
    verdict = verifier.check(task_for(SUMF), Candidate("c", full(SUMF, SUM_PROOF, after=broken)))
    assert verdict.status == "failed", verdict
    unimplemented = TRAIT.replace("  function Area(): int\n    ensures Area() >= 0\n  { 4 }\n", "")
    verdict = verifier.check(task_for(SUMF), Candidate("c", full(SUMF, SUM_PROOF, after=unimplemented)))
    assert verdict.status == "failed" and "resolution" in verdict.reason, verdict
    no_class = "trait T {\n  lemma L()\n    ensures 0 == 1\n}\n"
    verdict = verifier.check(task_for(SUMF), Candidate("c", full(SUMF, "var t: T;\n  t.L();", after=no_class)))
    assert verdict.status == "rejected" and "added:bodyless" in verdict.reason, verdict


def test_the_statement_still_may_not_gain_a_trivial_ensures():
    task = task_for(SUMF)
    cand = full(SUMF, SUM_PROOF).replace("ensures 2 * Sum(n)", "ensures true\n  ensures 2 * Sum(n)")
    assert soundness.gate(task, cand).rule == "ensures:trivial"


STATIC = "trait T {\n  static lemma L()\n    ensures 0 == 1\n}\n"  # no instance needed, no class implements it


@needs_dafny
def test_a_static_bodyless_trait_member_is_an_axiom(verifier):
    """Found against this change itself: a `static` trait member needs no value of the trait and no
    class overrides it, so bodyless it is an axiom (`T.L()` proves anything)."""
    verdict = verifier.check(task_for(SUMF), Candidate("c", full(SUMF, "T.L();", after=STATIC)))
    assert verdict.status == "rejected" and "added:bodyless" in verdict.reason, verdict


@needs_dafny
def test_dafnys_reading_refuses_a_static_trait_axiom_too(verifier):
    from dafny_env import evidence
    from dafny_env.messages import parse_output, parse_symbols

    spec = task_for(SUMF).statement
    program = full(SUMF, "T.L();", after=STATIC)
    symbols = parse_symbols(verifier.run_program(program, command="symbols").output)
    spec_symbols = parse_symbols(verifier.run_program(spec, command="symbols").output)
    impls = parse_output(verifier.run_program(program).output, 2).impls
    finding = evidence.check(program, symbols, spec, spec_symbols, impls)
    assert finding is not None and finding.rule == "added:bodyless" and "L" in finding.detail
    program = full(SUMF, "var t: T;\n  t.L();", after=STATIC.replace("static ", ""))  # no class extends T
    symbols = parse_symbols(verifier.run_program(program, command="symbols").output)
    impls = parse_output(verifier.run_program(program).output, 2).impls
    assert impls and all(i.outcome == "verified" for i in impls)  # Dafny 2.3 itself proves it
    finding = evidence.check(program, symbols, spec, spec_symbols, impls)
    assert finding is not None and finding.rule == "added:bodyless"
    honest = full(SUMF, SUM_PROOF, after=TRAIT)
    assert evidence.check(honest, parse_symbols(verifier.run_program(honest, command="symbols").output),
                          spec, spec_symbols, parse_output(verifier.run_program(honest).output, 2).impls) is None
