"""Conjecture generation and selection logic without a verifier: Dafny mutation operators, the
conjecturer prompt and the parsing of a model's output, STP's input pairing, canaries, and the
selection rules (elegance filter, per-lemma cap, re-weighting, originals kept)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from conjecturer.canaries import CanaryVerified, canary_tasks, check_canaries
from conjecturer.config import ConjecturerConfig, SelectionConfig
from dafny_env.lemma import parse_lemma
from dafny_env.mutation import dafny_compose, dafny_mutants
from conjecturer.generate import conjecture_completion, conjecturer_inputs, conjecturer_prompt, parse_output
from conjecturer.mutate import mutation_conjectures
from conjecturer.records import Conjecture, Seed
from conjecturer.select import Selected, TaskStats, _cap, _elegance, _reweight, originals_to_prove, select_conjectures
from verifier_core.records import Task

FIB = "function Fib(n: nat): nat\n{\n  if n < 2 then n else Fib(n - 1) + Fib(n - 2)\n}\n\n"
SPEC = FIB + "lemma {:induction false} FibGe(n: nat)\n  requires n >= 5\n  ensures Fib(n) >= n"
SEQ = "lemma SortedHead(s: seq<int>)\n  requires |s| > 0 && s[0] >= 0\n  ensures forall i :: 0 <= i < |s| ==> s[i] == s[i]"


def headers(op: str, spec: str = SPEC) -> list[str]:
    return [m.header() for m in dafny_mutants(parse_lemma(spec), op)]


def test_dafny_operators():
    assert "lemma {:induction false} FibGe(n: nat)\n  requires n >= 6\n  ensures Fib(n) >= n" in headers("constant")
    assert "lemma {:induction false} FibGe(n: nat)\n  requires n > 5\n  ensures Fib(n) >= n" in headers("bound")
    assert "lemma {:induction false} FibGe(n: nat)\n  requires n >= 5\n  ensures Fib(n) > n" in headers("bound")
    assert headers("drop_hypothesis") == ["lemma {:induction false} FibGe(n: nat)\n  ensures Fib(n) >= n"]
    dropped = headers("drop_hypothesis", SEQ)
    assert "lemma SortedHead(s: seq<int>)\n  requires s[0] >= 0\n  ensures forall i :: 0 <= i < |s| ==> s[i] == s[i]" in dropped
    ranges = headers("quantifier_range", SEQ)
    assert any(":: 1 <= i < |s|" in h for h in ranges) and any(":: 0 <= i <= |s|" in h for h in ranges)
    swaps = headers("swap", FIB + "lemma L(a: nat, b: nat)\n  ensures Fib(a + b) >= Fib(a) - b")
    assert any("Fib(b + a)" in h for h in swaps) and any("b - Fib(a)" in h for h in swaps)


def test_compose_adds_the_other_lemma_as_a_proved_helper():
    other = parse_lemma(FIB + "lemma FibPos(n: nat)\n  requires n >= 1\n  ensures Fib(n) >= 1")
    c = dafny_compose(parse_lemma(SPEC), other, "{\n  if n >= 3 { FibPos(n - 1); }\n}")
    text = c.render()
    assert text.count("function Fib") == 1 and "lemma FibPos(n: nat)\n  requires n >= 1\n  ensures Fib(n) >= 1\n{" in text
    assert c.params == ["n: nat", "n2: nat"] and c.requires == ["n >= 5", "n2 >= 1"] and c.ensures[-1] == "Fib(n2) >= 1"
    # another context is joined when no name is declared in both; a clash (two `Fib`s) gives nothing
    joined = dafny_compose(parse_lemma(SPEC), parse_lemma("function G(): int { 1 }\n\nlemma X()\n  ensures G() == 1"), "{ }")
    assert joined.context.startswith(FIB.rstrip() + "\n\nfunction G(): int { 1 }\n\nlemma X()")
    # the seed's automatic induction would prove the helper's fact for free: it is turned off
    auto = parse_lemma(FIB + "lemma FibGe1(n: nat)\n  requires n >= 1\n  ensures Fib(n) >= 1")
    assert dafny_compose(auto, parse_lemma(SPEC), "{ }").keyword == "lemma {:induction false}"
    assert dafny_compose(auto, other, "{ }").keyword == "lemma"
    clash = parse_lemma("function Fib(n: nat): nat { n }\n\nlemma Y(n: nat)\n  ensures Fib(n) == n")
    assert dafny_compose(parse_lemma(SPEC), clash, "{ }") is None


def seed(spec=SPEC, tid="fib_ge", lemmas=(), proof="{\n  if n > 5 { FibGe(n - 1); }\n}") -> Seed:
    return Seed(Task(tid, "dafny", spec, meta={"target": parse_lemma(spec).name}), proof, list(lemmas), 0.5)


def test_compose_only_with_lemmas_whose_proof_does_work():
    """A lemma with an empty proof is a fact z3 finds by itself: conjoining it needs no call."""
    cfg = ConjecturerConfig(operators=["compose"], per_seed=5, max_per_round=100)
    pos = FIB + "lemma FibPos(n: nat)\n  requires n >= 1\n  ensures Fib(n) >= 1"
    empty = seed(pos, "fib_pos", proof="{\n  // nothing to do\n}")
    assert [c.seed_id for c in mutation_conjectures([seed(), empty], cfg, random.Random(0), 0, "dafny")] == ["fib_pos"]
    worked = seed(pos, "fib_pos", proof="{\n  if n >= 3 { FibPos(n - 1); }\n}")
    got = mutation_conjectures([seed(), worked], cfg, random.Random(0), 0, "dafny")
    assert sorted((c.seed_id, c.lemma) for c in got) == [("fib_ge", "FibPos"), ("fib_pos", "FibGe")]


def test_portfolio_pass_rate_is_weighted_by_its_own_prior():
    """Counted, a 3-template list's pass rate is never below 1/3; weighted by the portfolio's Zipf
    prior it is the chance that one draw from it verifies, and the plain count stays for i.i.d. samples."""
    from conjecturer.select import task_stats
    from prover.policies.portfolio import _zipf_logprob

    rows = [{"task_id": "t", "sample": i, "status": st, "text": f"p{i}", "logprob": _zipf_logprob(i, 3)}
            for i, st in enumerate(["failed", "failed", "verified"])]
    assert task_stats(rows)["t"].pass_rate == pytest.approx(1 / 3)
    assert task_stats(rows, prior_weighted=True)["t"].pass_rate == pytest.approx((1 / 3) / (1 + 1 / 2 + 1 / 3))
    rows[0]["status"] = "verified"  # the first template (an empty body) verifies: easy
    assert task_stats(rows, prior_weighted=True)["t"].pass_rate > 0.7
    with pytest.raises(ValueError, match="logprob"):
        task_stats([dict(rows[0], logprob=None)], prior_weighted=True)


def test_mutation_conjectures_are_fresh_deterministic_and_capped():
    cfg = ConjecturerConfig(per_seed=3, max_per_round=100)
    a = mutation_conjectures([seed()], cfg, random.Random(1), 0, "dafny")
    b = mutation_conjectures([seed()], cfg, random.Random(1), 0, "dafny")
    assert [c.statement for c in a] == [c.statement for c in b] and len(a) == 3
    assert len({c.origin for c in a}) == 3  # operators taken in turn
    for c in a:
        assert c.statement.startswith(FIB) and c.target.startswith("FibGe_") and parse_lemma(c.statement).name == c.target
    capped = mutation_conjectures([seed(), seed(tid="other")], ConjecturerConfig(per_seed=3, max_per_round=4),
                                  random.Random(1), 0, "dafny")
    assert len(capped) == 4


def test_dafny_prompt_and_parsing_of_model_output():
    prompt, context = conjecturer_prompt(seed(), "")
    assert prompt.endswith(f"```dafny\n{FIB.rstrip()}\n\nlemma") and "if n > 5 { FibGe(n - 1); }" in prompt
    assert prompt.count("<hard theorem>") == 2  # the worked example's and the one to write
    raw = " {:induction false} FibGe2(n: nat)\n  requires n >= 6\n  ensures Fib(n) >= 2 * n - 3\n{\n  FibGe2(n - 1);\n}\n```"
    stmt, name, err = parse_output(raw, seed(), context)
    assert err == "" and name == "FibGe2"
    assert stmt == FIB + "lemma {:induction false} FibGe2(n: nat)\n  requires n >= 6\n  ensures Fib(n) >= 2 * n - 3"
    c = Conjecture("c", "dafny", stmt, "fib_ge", "policy:m", target=name, prompt=prompt)
    assert prompt + conjecture_completion(c) == prompt + raw[:raw.index("{\n")].rstrip() + "\n```"
    assert conjecture_completion(c) == " {:induction false} FibGe2(n: nat)\n  requires n >= 6\n  ensures Fib(n) >= 2 * n - 3\n```"
    assert parse_output("the answer is 42", seed(), context)[2]  # no lemma: an unparsed conjecture
    assert parse_output("X(n: nat)\n  requires n > 0\n</hard theorem>", seed(), context)[2]  # no ensures


def test_inputs_pair_seeds_with_lemmas_under_a_cap():
    seeds = [seed(tid=f"s{i}", lemmas=["Helper"]) for i in range(20)]
    pairs = conjecturer_inputs(seeds, ConjecturerConfig(empty_lemma_prob=0.0, lemma_max_share=0.1), random.Random(0))
    assert Counter(lem for _, lem in pairs)["Helper"] == 2  # 10% of 20 inputs
    pairs = conjecturer_inputs([seed()], ConjecturerConfig(empty_lemma_prob=0.0), random.Random(0))
    assert [lem for _, lem in pairs] == [""]  # no lemma: always the empty one


def test_canaries_rotate_and_a_verified_one_stops_the_round():
    r0 = [t.id for t in canary_tasks("dafny", 2, 0)]
    r1 = [t.id for t in canary_tasks("dafny", 2, 1)]
    assert len(r0) == 2 and r0 != r1 and all(t.startswith("canary/") for t in r0 + r1)
    assert all(t.header for t in canary_tasks("lean", 2, 0))
    ok = {("canary/even", 0): {"task_id": "canary/even", "status": "failed", "text": "{ }"},
          ("x", 0): {"task_id": "x", "status": "verified", "text": "{ }"}}
    check_canaries(ok, 0)
    ok[("canary/even", 1)] = {"task_id": "canary/even", "status": "verified", "text": "{ assume false; }"}
    with pytest.raises(CanaryVerified, match="canary/even"):
        check_canaries(ok, 3)


def sel(cid, ratio, lemma=""):
    return Selected(cid, "p", 0.2, ratio, lemma)


def test_elegance_filter_and_per_lemma_cap():
    rejected = Counter()
    kept = _elegance([sel("a", 0.1, "L"), sel("b", 1.0, "L"), sel("c", 2.0, "L"), sel("d", 3.0, "L"), sel("e", 0.01)],
                     SelectionConfig(elegance_quantile=0.5), rejected)
    assert [s.conjecture_id for s in kept] == ["c", "d", "e"] and rejected == Counter({"inelegant": 2})
    kept = _cap([sel(str(i), 1.0, "L") for i in range(5)] + [sel("n", 1.0)], SelectionConfig(per_lemma_cap=2),
                random.Random(0), rejected)
    assert len(kept) == 3 and rejected["lemma_cap"] == 3 and "n" in {s.conjecture_id for s in kept}


def test_reweighting_favours_conjectures_near_unproved_targets():
    cands = [sel("near", 1.0), sel("far", 1.0), sel("mid", 1.0)]
    texts = {"near": "Fib(n) >= n * n", "far": "|s| == |t|", "mid": "Fib(n) >= 0"}
    rejected = Counter()
    out = _reweight(cands, texts, ["Fib(n) >= n * n + 1"], SelectionConfig(match_top_k=1, unmatched_weight=0.5), rejected)
    w = {s.conjecture_id: s.weight for s in out}
    assert w["near"] == 3.0 and w["far"] == w["mid"] == 0.5
    out = _reweight([sel("near", 1.0), sel("far", 1.0)], texts, ["Fib(n) >= n * n + 1"],
                    SelectionConfig(match_top_k=1, keep_unmatched=False), rejected)
    assert [s.conjecture_id for s in out] == ["near"] and rejected["unmatched"] == 1


def test_barely_provable_threshold_and_originals_kept():
    conjs = [Conjecture(c, "dafny", SPEC, "s", "m", target="FibGe") for c in ("zero", "one", "two")]
    stats = {"zero": TaskStats("zero", 5, 0), "one": TaskStats("one", 5, 1, [("{ }", 1.0)]),
             "two": TaskStats("two", 4, 1, [("{ }", 1.0)])}  # 1/4 = 0.25 is not below 0.25
    chosen, rejected = select_conjectures(conjs, stats, SelectionConfig(), [], random.Random(0))
    assert [s.conjecture_id for s in chosen] == ["one"]
    assert rejected == Counter({"not_proved": 1, "too_easy": 1})
    originals = {"unproved": {"proved": False}, "hard": {"proved": True, "pass_rate": 0.2}}
    originals.update({f"easy{i}": {"proved": True, "pass_rate": 0.9} for i in range(200)})
    kept = originals_to_prove(originals, SelectionConfig(keep_proved_original_prob=0.05), random.Random(0), False)
    assert {"unproved", "hard"} <= set(kept) and 2 < len(kept) - 2 < 25  # about 5% of 200
    assert len(originals_to_prove(originals, SelectionConfig(), random.Random(0), True)) == 202
