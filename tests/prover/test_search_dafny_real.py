"""Portfolio sampling through the real Dafny verifier on one of the team's tasks (a few seconds)."""

import shutil

import pytest

from verifier_core.records import Task
from prover.policies import load_policy
from prover.search.sampling import sample_search

pytestmark = pytest.mark.skipif(shutil.which("dafny") is None, reason="no dafny binary on PATH")

SPEC = ("function Sum(s: seq<int>): int { if |s| == 0 then 0 else s[0] + Sum(s[1..]) }\n"
        "lemma SumAppend(s: seq<int>, t: seq<int>)\n  ensures Sum(s + t) == Sum(s) + Sum(t)\n")


def test_portfolio_proves_an_append_lemma_with_the_real_verifier():
    from prover.verifiers import get_verifier

    verifier = get_verifier("dafny", cache=False, workers=2)
    try:
        res = sample_search(Task("sum_append", "dafny", SPEC), load_policy("portfolio"), verifier, k=64, batch=4)
    finally:
        verifier.close()
    assert res.status == "verified", [(a.status, a.reason) for a in res.attempts]
    assert "SumAppend(s[1..], t);" in res.program and res.program.startswith("function Sum")
    assert any(a.status == "failed" for a in res.attempts)  # the empty body alone does not verify
    assert res.toolchain.startswith("dafny")
