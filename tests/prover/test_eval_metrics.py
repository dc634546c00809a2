"""pass@k and STP block pass@k against values computed by hand."""

import math
from fractions import Fraction

import pytest

from prover.evaluation.metrics import Outcome, block_pass_at_k, pass_at_k, score, solved_within_k


@pytest.mark.parametrize("n,c,k,expected", [
    (5, 2, 1, 0.4),            # c/n
    (5, 2, 2, 0.7),            # 1 - C(3,2)/C(5,2) = 1 - 3/10
    (5, 2, 3, 0.9),            # 1 - C(3,3)/C(5,3) = 1 - 1/10
    (5, 2, 4, 1.0),            # n - c < k: every 4-subset holds a correct sample
    (10, 0, 5, 0.0),
    (10, 10, 10, 1.0),
    (4, 1, 2, 0.5),            # 1 - C(3,2)/C(4,2) = 1 - 3/6
    (3200, 1, 1, 1 / 3200),
])
def test_pass_at_k_hand_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_stable_for_large_n():
    # Exact rational value with Python's big integers; C(3200, 32) overflows a float.
    n, c, k = 3200, 100, 32
    exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
    assert pass_at_k(n, c, k) == pytest.approx(float(exact), rel=1e-9)
    assert 0.0 < pass_at_k(3200, 3, 3200 - 2) <= 1.0


def test_pass_at_k_rejects_too_few_samples():
    with pytest.raises(ValueError):
        pass_at_k(4, 1, 8)
    with pytest.raises(ValueError):
        pass_at_k(4, 5, 1)


def test_block_pass_at_k_by_hand():
    # problem 1 solved in block 0 only, problem 2 in block 1 only: 50% in each block
    assert block_pass_at_k([[True, False, False, False], [False, False, False, True]], 2) == (0.5, 0.0, 2)
    # block 0: 1/2 solved, block 1: 0/2 -> mean 0.25, population std 0.25
    assert block_pass_at_k([[True, False, False, False], [False, False, False, False]], 2) == (0.25, 0.25, 2)
    # only complete blocks of the shortest problem count; none at all -> None
    assert block_pass_at_k([[True] * 5, [False] * 3], 2) == (0.5, 0.0, 1)
    assert block_pass_at_k([[True], [False]], 2) is None


def test_score_excludes_errors_from_n_and_reports_them():
    outs = [
        Outcome("a", 0, "verified", seconds=1.0, gen_seconds=0.5), Outcome("a", 1, "error"),
        Outcome("b", 0, "failed", seconds=2.0), Outcome("b", 1, "timeout", seconds=3.0),
    ]
    s = score(["a", "b", "c"], outs, [1, 2], samples_iid=True)
    rows = {r.task_id: r for r in s.problems}
    assert (rows["a"].n, rows["a"].correct) == (1, 1)      # the error is not a failed sample
    assert rows["a"].at_k[1] == 1.0 and rows["a"].at_k[2] is None
    assert s.pass_at_k[1] == pytest.approx(0.5)            # a: 1, b: 0; c has no samples yet
    assert s.pass_at_k_problems == {1: 2, 2: 1}
    assert s.pass_at_k[2] == 0.0
    assert s.counts["error"] == 1 and s.errors_excluded == 1 and s.counts["timeout"] == 1
    assert s.solved == 1 and s.tasks == 3
    assert s.time["verification"] == pytest.approx(6.0) and s.time["generation"] == pytest.approx(0.5)


def test_score_counts_unproduced_samples_as_failures():
    # the policy produced 1 of 4 requested samples for "a" (it ran out of ideas)
    s = score(["a"], [Outcome("a", 0, "verified")], [1, 4], unanswered={"a": 3}, samples_iid=True)
    assert s.pass_at_k[1] == pytest.approx(0.25)
    assert s.pass_at_k[4] == 1.0
    assert s.unanswered == 3


def test_a_policy_that_does_not_sample_is_scored_by_its_first_k_attempts():
    # "a" verifies at its 2nd attempt, "b" at its 4th: a fixed order, so no pass@k is computed
    outs = [Outcome("a", i, "verified" if i == 1 else "failed") for i in range(4)]
    outs += [Outcome("b", i, "verified" if i == 3 else "failed") for i in range(4)]
    s = score(["a", "b"], outs, [1, 2, 4], samples_iid=False)
    assert s.solved_within_k == {1: 0.0, 2: 0.5, 4: 1.0} and s.solved_within_k_problems == {1: 2, 2: 2, 4: 2}
    assert s.pass_at_k == {} and s.block_pass_at_k == {}
    d = s.to_dict(with_problems=True)
    assert not any("pass_at" in key for key in d) and d["samples_iid"] is False
    assert all("solved_within_k" in p and "pass_at_k" not in p for p in d["problems"])
    # the same verdicts as i.i.d. samples: pass@1 is 1/4 per problem, whatever the order
    assert score(["a", "b"], outs, [1], samples_iid=True).pass_at_k[1] == pytest.approx(0.25)
    assert solved_within_k([False, True], 2) == 1.0
    with pytest.raises(ValueError):
        solved_within_k([True], 2)
