"""Verdicts through `prover serve` equal `prover verify`'s on the repository's red-team sets and the
DafnyBench fixture (status, reason, messages, toolchain): the fast subsets by default, all of them slow."""

from __future__ import annotations

import gzip
import json

import pytest

pytest.importorskip("fastapi", reason="the `serve` extra is not installed (pip install -e '.[serve]')")

import httpx  # noqa: E402 (after the guard)

from verifier_core.languages import language
from tests.dafny_env import test_attacks_hidden_axioms as red1
from tests.dafny_env import test_attacks_dafny23_semantics as red2
from prover.serve.launcher import ROOT, Server
from tests.prover.test_serve_api import prover_verify

pytestmark = pytest.mark.skipif(not language("dafny").doctor()["found"], reason="no Dafny installed (see `prover doctor`)")
COMPARED = ("status", "reason", "messages", "toolchain", "cached")


def redteam_items(fast_only: bool) -> list[dict]:
    out = []
    for mod, tag in ((red1, "r1"), (red2, "r2")):
        cases = [("attack", n, t, c) for n, t, c, *_ in mod.ATTACKS] + [("honest", *h) for h in mod.HONEST]
        for what, name, tid, cand in cases:
            if fast_only and name not in (mod.FAST_ATTACKS if what == "attack" else mod.FAST_HONEST):
                continue
            task = red1.task_for(tid)
            out.append({"id": f"{tag}/{what}/{name}", "lang": "dafny", "statement": task.statement, "candidate": cand,
                        "kind": task.kind})
    return out


def dafnybench_items() -> list[dict]:
    with gzip.open(ROOT / "tests" / "fixtures" / "dafnybench_sample.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [{"id": f"dafnybench/{r['id']}", "lang": "dafny", "statement": r["spec_only"], "candidate": r["reference"],
             "kind": "hints"} for r in rows]


def compare(items: list[dict], tmp_path) -> None:
    local = prover_verify(items, "dafny", tmp_path, 60)
    s = Server("--no-cache", "--timeout", "60", "--max-items", "64", "--max-queue", "256")
    try:
        got = []
        for i in range(0, len(items), 64):
            r = httpx.post(s.url + "/v1/verify", json={"items": items[i : i + 64]}, timeout=3600)
            assert r.status_code == 200, r.text[:500]
            got += r.json()["results"]
    finally:
        s.stop()
    assert [g["id"] for g in got] == [i["id"] for i in items]
    differ = [(g["id"], {k: (g[k], local[g["id"]][k]) for k in COMPARED if g[k] != local[g["id"]][k]})
              for g in got if any(g[k] != local[g["id"]][k] for k in COMPARED)]
    assert not differ, differ[:3]
    assert {g["status"] for g in got} >= {"verified", "rejected"}


def test_fast_redteam_subset(tmp_path):
    compare(redteam_items(fast_only=True), tmp_path)


@pytest.mark.slow
def test_every_redteam_case_and_the_dafnybench_fixture(tmp_path):
    compare(redteam_items(fast_only=False) + dafnybench_items(), tmp_path)
