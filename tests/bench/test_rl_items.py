"""bench/dafny_rl_throughput.py's candidate kinds, the stored SmolLM2 samples included."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import dafny_rl_throughput as rl  # noqa: E402

from prover.benchmarks import load_benchmark  # noqa: E402


def test_the_stored_smollm2_samples_say_how_they_were_made():
    data = json.loads(rl.SMOLLM2_SAMPLES.read_text(encoding="utf-8"))
    assert "prover.cli eval" in data["command"] and "smollm2-135m" in data["command"]
    assert data["model"] and data["samples"]
    assert all({"task_id", "sample", "text"} <= set(row) for row in data["samples"])


def test_items_hold_the_five_kinds_portfolio_and_smollm2_samples(tmp_path):
    tasks = load_benchmark("dafny-team")[:2]
    path = tmp_path / "samples.json"
    path.write_text(json.dumps({"command": "x", "model": "m", "samples": [
        {"task_id": tasks[0].id, "sample": 0, "text": "{\n  assert true;\n}"},
        {"task_id": tasks[0].id, "sample": 1, "text": ""},  # nothing extractable: never reaches a verifier
        {"task_id": tasks[1].id, "sample": 0, "text": "lemma garbage"}]}), encoding="utf-8")
    got = {i: c for i, _, c in rl.items(tasks, 1, rl.smollm2_samples(path))}
    for t in tasks:
        for kind in ("reference", "empty", "true-assert", "true-assert-2", "false-assert", "portfolio-0"):
            assert f"{t.id}#{kind}" in got
    assert got[f"{tasks[0].id}#smollm2-0"] == "{\n  assert true;\n}" and f"{tasks[0].id}#smollm2-1" not in got
    assert got[f"{tasks[1].id}#smollm2-0"] == "lemma garbage"
    assert rl.stock_program(tasks[1], "lemma garbage") is None  # the gate refuses it: excluded, not timed
