"""Validation and selection on a hand-made Dafny conjecture set, checked by the real Dafny.

The set: an ill-formed conjecture (unresolved name), a duplicate of the seed (other whitespace and
name), a near-duplicate (renamed variables), a vacuous one (`requires x > 0 && x < 0`), a trivial one
(every attempt verifies) and a barely provable one (1 of 5 real attempts verifies).
"""

from __future__ import annotations

import random
import shutil
from collections import Counter

import pytest

from conjecturer.config import SelectionConfig, ValidationConfig
from conjecturer.records import Conjecture
from conjecturer.select import select_conjectures, task_stats
from conjecturer.validate import Deduper, dedup_text, validate
from dafny_env.conjecture_checks import DafnyChecks
from verifier_core.records import Candidate

pytestmark = pytest.mark.skipif(shutil.which("dafny") is None, reason="needs the dafny verifier")

SUM = "function Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
SEED = SUM + "lemma {:induction false} SumFormula(n: nat)\n  ensures 2 * Sum(n) == n * (n + 1)"


def conj(cid: str, lemma: str, target: str) -> Conjecture:
    return Conjecture(cid, "dafny", SUM + lemma, "seed", "hand", target=target)


SET = [
    conj("ill", "lemma Ill(n: nat)\n  ensures Sum(n) >= Foo(n)", "Ill"),
    conj("dup", "lemma {:induction false}   Again(n: nat)\n    ensures 2 * Sum(n)  == n * (n + 1)", "Again"),
    conj("near", "lemma {:induction false} Renamed(m: nat)\n  ensures 2 * Sum(m) == m * (m + 1)", "Renamed"),
    conj("vacuous", "lemma Vac(x: int)\n  requires x > 0 && x < 0\n  ensures x == 7", "Vac"),
    # easy, not a tautology (issue 23: `ensures Sum(n) >= 0` holds with no requires and `{ }`, so it is
    # now `tautology`); the portfolio proves it every time, so selection drops it as too easy
    conj("trivial", "lemma Triv(n: nat)\n  requires n > 2\n  ensures Sum(n) >= 3", "Triv"),
    conj("barely", "lemma {:induction false} Barely(n: nat)\n  ensures 2 * Sum(n) == n * (n + 1)\n"
                   "  ensures Sum(n) >= n", "Barely"),
]


@pytest.fixture(scope="module")
def verifier():
    from prover.verifiers import get_verifier

    v = get_verifier("dafny", cache=False, workers=2, timeout=30)
    yield v
    v.close()


@pytest.fixture(scope="module")
def validated(verifier):
    checks = DafnyChecks(verifier.check_many, ValidationConfig(vacuity_proofs=2))
    dedup = Deduper("dafny")
    seed = Conjecture("seed", "dafny", SEED, "seed", "original", target="SumFormula")
    dedup.register(dedup_text(seed), "SumFormula")
    recorded = []
    results = validate(SET, checks, dedup, {}, recorded.append, workers=2)
    return {r.id: r for r in results}, recorded


def test_each_rejection_has_its_reason(validated):
    results, recorded = validated
    got = {cid: r.status for cid, r in results.items()}
    assert got == {"ill": "ill_formed", "dup": "duplicate", "near": "near_duplicate", "vacuous": "vacuous",
                   "trivial": "valid", "barely": "valid"}
    assert "Foo" in results["ill"].detail
    assert "prove false" in results["vacuous"].detail
    assert sorted(r.id for r in recorded) == sorted(got)  # every verdict was reported once
    assert Counter(got.values())["valid"] == 2


def test_resumed_validation_reuses_recorded_verdicts(validated, verifier):
    results, _ = validated

    class NoChecks(DafnyChecks):
        def well_formed(self, c):
            raise AssertionError(f"{c.id} was checked again")

    checks = NoChecks(verifier.check_many, ValidationConfig())
    dedup = Deduper("dafny")
    dedup.register(dedup_text(Conjecture("seed", "dafny", SEED, "seed", "o", target="SumFormula")), "SumFormula")
    again = validate(SET, checks, dedup, dict(results), lambda r: None)
    assert [r.status for r in again] == [results[c.id].status for c in SET]


def test_gate_refuses_an_unsound_statement(verifier):
    bad = conj("axiom", "lemma {:axiom} Ax(n: nat)\n  ensures Sum(n) == 0", "Ax")
    results = validate([bad], DafnyChecks(verifier.check_many, ValidationConfig()), Deduper("dafny"), {}, lambda r: None)
    assert results[0].status == "gate" and "axiom" in results[0].detail


BARELY_PROOFS = [
    "{\n}",  # fails: {:induction false}
    "{\n  assert Sum(n) >= 0;\n}",  # fails
    "{\n  Barely(n);\n}",  # fails: does not terminate
    "{\n  if n > 0 { Barely(n - 1); }\n}",  # the proof
    "{\n  if n > 0 { Barely(n + 1); }\n}",  # fails: does not terminate
]
TRIVIAL_PROOFS = ["{\n}", "{\n  assert Sum(n) >= 0;\n}", "{\n  assert true;\n}", "{\n}\n"]


def test_selection_keeps_only_the_barely_provable_and_it_re_verifies(validated, verifier):
    from conjecturer.audit import fresh_checker

    results, _ = validated
    valid = [c for c in SET if results[c.id].status == "valid"]
    by_id = {c.id: c for c in valid}
    pairs = [(by_id["barely"].task(), Candidate("barely", p, sample=i)) for i, p in enumerate(BARELY_PROOFS)]
    pairs += [(by_id["trivial"].task(), Candidate("trivial", p, sample=i)) for i, p in enumerate(TRIVIAL_PROOFS)]
    verdicts = verifier.check_many(pairs)
    attempts = [{"task_id": t.id, "sample": c.sample, "status": v.status, "text": c.text, "seconds": v.seconds}
                for (t, c), v in zip(pairs, verdicts)]
    stats = task_stats(attempts)
    assert stats["barely"].verified == 1 and stats["barely"].pass_rate == pytest.approx(0.2)
    assert stats["trivial"].pass_rate == 1.0
    selected, rejected = select_conjectures(valid, stats, SelectionConfig(), [], random.Random(0))
    assert [s.conjecture_id for s in selected] == ["barely"]
    assert rejected == Counter({"too_easy": 1})
    assert "Barely(n - 1)" in selected[0].proof
    # the audit: a fresh `dafny` process, no cache
    check = fresh_checker("dafny", 30)
    v = check(by_id["barely"].task(), selected[0].proof)
    assert v.status == "verified", v.reason
    # a second audit with the same checker gets its own process (it once got `error`: closed verifier)
    v = check(by_id["trivial"].task(), TRIVIAL_PROOFS[0])
    assert v.status == "verified", v.reason


def test_lemma_must_be_used_when_given(validated):
    c = Conjecture("withlemma", "dafny", SEED, "seed", "hand", target="SumFormula", lemma="SumHelper")
    attempts = [{"task_id": "withlemma", "sample": i, "status": s, "text": t, "seconds": 1.0}
                for i, (s, t) in enumerate([("verified", "{\n  if n > 0 { SumFormula(n - 1); }\n}"),
                                            ("failed", "{ }"), ("failed", "{ }"), ("failed", "{ }"), ("failed", "{ }")])]
    stats = task_stats(attempts)
    sel, rej = select_conjectures([c], stats, SelectionConfig(), [], random.Random(0))
    assert sel == [] and rej == Counter({"lemma_unused": 1})
    sel, rej = select_conjectures([c], stats, SelectionConfig(require_lemma_use=False), [], random.Random(0))
    assert [s.conjecture_id for s in sel] == ["withlemma"]
