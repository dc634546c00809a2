"""`prover train` killed with SIGKILL mid-run, then `--resume`: it finishes, and no finished GRPO step,
EI round or sample is done again. Real processes, the tiny model, the real Dafny (most of the tiny
model's outputs are unreadable, so few checks reach it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.fixtures_models import tiny_model_dir  # noqa: F401  (pytest fixture)

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("trl")


def _config(path: Path, model: Path, method: str) -> Path:
    path.write_text(json.dumps({
        "method": method,
        "model": {"path": str(model), "prompt_style": "completion", "max_new_tokens": 8, "batch_size": 8},
        "tasks": {"train": ["dafny-team"], "limit": 3, "heldout_limit": 1, "test_benchmarks": []},
        "verifier": {"workers": 1, "timeout": 60},
        "ei": {"rounds": 3, "samples_per_task": 2, "eval_every": 3},
        "sft": {"learning_rate": 1e-3, "batch_size": 2, "max_length": 128, "warmup_steps": 0},
        "grpo": {"steps": 5, "prompts_per_step": 1, "num_generations": 2, "learning_rate": 1e-3, "curriculum": False},
        "heldout_samples": 1, "skip_trivial": False,
    }), encoding="utf-8")
    return path


def _cmd(cfg: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "prover.cli", "train", "--config", str(cfg), "--out", str(out), "--no-progress",
            *extra]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
            "PROVER_CACHE_DIR": str(tmp_path / "cache")}


def _kill_when(cmd, env, ready, timeout=900) -> float:
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            if p.poll() is not None:
                raise AssertionError(f"finished before the kill point: {p.stderr.read()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("never reached the kill point")
            time.sleep(0.2)
        killed = time.time()
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return killed
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)


def _metrics(out: Path) -> list[dict]:
    f = out / "metrics.jsonl"
    return [json.loads(x) for x in f.read_text().splitlines() if x.strip()] if f.exists() else []


@pytest.mark.slow
def test_grpo_sigkill_mid_run_then_resume(tiny_model_dir, tmp_path):  # noqa: F811
    cfg = _config(tmp_path / "grpo.json", tiny_model_dir, "grpo")
    out = tmp_path / "run"
    env = _env(tmp_path)
    killed = _kill_when(_cmd(cfg, out), env, lambda: sum(r["phase"] == "grpo" for r in _metrics(out)) >= 2)
    before = [r for r in _metrics(out) if r["phase"] == "grpo"]
    r = subprocess.run(_cmd(cfg, out, "--resume"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    steps = [r for r in _metrics(out) if r["phase"] == "grpo"]
    assert [s["step"] for s in steps] == [1, 2, 3, 4, 5]  # each step once
    # the steps checkpointed before the kill kept their original lines: they were not run again
    kept = [s for s in steps if s["time"] < killed]
    assert len(kept) >= 1 and kept == before[: len(kept)]
    assert all(set(s["verdicts"]) == {"verified", "failed", "rejected", "timeout", "error"} for s in steps)
    assert all({"generation", "verification", "update"} <= set(s["seconds"]) for s in steps)
    assert (out / "grpo" / "final" / "grpo_done.json").exists() and (out / "report.md").exists()
    # running it again does nothing new
    again = subprocess.run(_cmd(cfg, out, "--resume"), cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=900)
    assert again.returncode == 0 and len(_metrics(out)) == len(_metrics(out))
    assert [s["step"] for s in _metrics(out) if s["phase"] == "grpo"] == [1, 2, 3, 4, 5]


@pytest.mark.slow
def test_expert_iteration_sigkill_mid_round_then_resume(tiny_model_dir, tmp_path):  # noqa: F811
    cfg = _config(tmp_path / "ei.json", tiny_model_dir, "ei")
    out = tmp_path / "run"
    env = _env(tmp_path)
    # kill in round 2, once some of its samples are written
    cands = out / "ei" / "round_002" / "samples" / "candidates.jsonl"
    _kill_when(_cmd(cfg, out), env, lambda: cands.exists() and cands.stat().st_size > 0)
    r = subprocess.run(_cmd(cfg, out, "--resume"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    rounds = [m["step"] for m in _metrics(out) if m["phase"] == "ei"]
    assert rounds == [1, 2, 3]
    for rnd in (1, 2, 3):
        recs = [json.loads(x) for x in (out / "ei" / f"round_{rnd:03d}" / "samples" / "candidates.jsonl")
                .read_text().splitlines() if x.strip()]
        samples = [(c["task_id"], c["sample"]) for c in recs if "sample" in c]
        assert len(samples) == len(set(samples)) == 3 * 2  # nothing sampled twice
        assert (out / "ei" / f"round_{rnd:03d}" / "ckpt" / "sft_done.json").exists()
    assert [m["label"] for m in _metrics(out) if m["phase"] == "eval"] == ["base", "ei-round-3"]
