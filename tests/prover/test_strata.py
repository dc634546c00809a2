"""Held-out statistics by stratum (D8): the strata, pass@1 with a two-level bootstrap interval, solved
within n with an exact McNemar test, and the measurement of strata with the real Dafny."""

from __future__ import annotations

import shutil

import pytest

from verifier_core.records import Task
from prover.train import strata


def test_assign_strata():
    got = strata.assign(["a", "b", "c"], trivial=["a"], portfolio=["a", "b"])
    assert got == {"a": "trivial", "b": "portfolio", "c": "hard"}


def test_two_level_bootstrap_counts_the_noise_within_tasks():
    # every task solved 1 time in 2: a task-only bootstrap sees no spread at all, the two-level one does
    run = {f"t{i}": (1, 2) for i in range(30)}
    ids = sorted(run)
    lo, hi = strata.bootstrap(run, ids)
    assert lo < 0.45 and hi > 0.55
    assert lo <= strata.pass1(run, ids) <= hi
    from prover.train.metrics import bootstrap_ci

    tlo, thi, _, _ = bootstrap_ci(run, run)
    assert tlo == thi == 0.5  # the task-only interval claims certainty


def test_paired_difference_interval_and_its_sign():
    base = {f"t{i}": (0, 8) for i in range(40)}
    better = {f"t{i}": (4 if i < 20 else 0, 8) for i in range(40)}
    ids = sorted(base)
    lo, hi = strata.bootstrap(better, ids, base=base)
    assert 0 < lo < 0.25 < hi  # +25 points on average
    lo0, hi0 = strata.bootstrap(base, ids, base=base)
    assert lo0 == hi0 == 0.0


def test_exact_mcnemar():
    ids = [f"t{i}" for i in range(10)]
    assert strata.mcnemar_exact(set(), set(ids[:5]), ids) == pytest.approx(2 / 32)  # 5 gained, 0 lost
    assert strata.mcnemar_exact(set(ids[:3]), set(ids[:3]), ids) == 1.0  # nothing changed
    assert strata.mcnemar_exact({"t0"}, {"t1"}, ids) == 1.0


def test_report_line_per_stratum():
    labels = {"a": "trivial", "b": "hard", "c": "hard"}
    base = {"a": (4, 4), "b": (0, 4), "c": (0, 4)}
    run = {"a": (4, 4), "b": (2, 4), "c": (0, 4)}
    reps = {r.name: r for r in strata.by_stratum(labels, base, run)}
    assert reps["hard"].tasks == 2 and reps["hard"].pass1 == 0.25 and reps["hard"].solved == 1
    assert "solved within 4: 0/2 -> 1/2" in reps["hard"].line(4)
    assert reps["trivial"].base_pass1 == 1.0


@pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")
def test_measure_strata_with_the_real_verifier(tmp_path):
    from dafny_env.verifier import DafnyVerifier

    trivial = Task("triv", "dafny", "lemma AddComm(a: nat, b: nat)\n  ensures a + b == b + a\n")
    # with Dafny's automatic induction off, the portfolio's induction template proves it, `{}` does not
    port = Task("port", "dafny", "function Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
                "lemma {:induction false} SumFormula(n: nat)\n  ensures 2 * Sum(n) == n * (n + 1)\n")
    hard = Task("hard", "dafny", "lemma Bounded(n: nat)\n  ensures n < 100\n")  # false: nothing proves it
    path = tmp_path / "strata.jsonl"
    with DafnyVerifier(workers=1, timeout=60) as v:
        got = strata.measure([trivial, port, hard], v, portfolio_k=8, path=path)
    assert got == {"triv": "trivial", "port": "portfolio", "hard": "hard"}
    assert strata.measure([trivial, port, hard], None, path=path) == got  # a rerun checks nothing again
