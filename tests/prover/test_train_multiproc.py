"""`prover train` GRPO in two processes through `accelerate launch` (gloo): the command README
documents for several GPUs, run for real on the CPU with the tiny model and the real Dafny."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.fixtures_models import tiny_model_dir  # noqa: F401  (pytest fixture)

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("trl")
pytest.importorskip("accelerate")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_grpo_two_processes_through_accelerate(tiny_model_dir, tmp_path):  # noqa: F811
    cfg = tmp_path / "grpo.json"
    cfg.write_text(json.dumps({
        "method": "grpo",
        "model": {"path": str(tiny_model_dir), "prompt_style": "completion", "max_new_tokens": 8, "batch_size": 8},
        "tasks": {"train": ["dafny-team"], "limit": 4, "heldout_limit": 1, "test_benchmarks": []},
        "verifier": {"workers": 1, "timeout": 60},
        "grpo": {"steps": 1, "prompts_per_step": 1, "num_generations": 2, "learning_rate": 1e-3, "curriculum": False},
        "heldout_samples": 1, "skip_trivial": False,
    }), encoding="utf-8")
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "PROVER_CACHE_DIR": str(tmp_path / "cache")}
    # `--cpu` would start ONE process (accelerate runs several CPU processes only through mpirun);
    # `--multi_gpu` goes through torchrun, and with no GPU TRL's `use_cpu` makes it gloo on the CPU
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           "--main_process_port", str(_free_port()),
           "-m", "prover.cli", "train", "--config", str(cfg), "--out", str(out), "--no-progress"]
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-4000:]
    done = sorted(line for line in r.stderr.splitlines() if line.startswith("rank ") and line.endswith(" finished"))
    assert done == ["rank 0/2 finished", "rank 1/2 finished"], r.stderr[-4000:]
    metrics = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines() if x.strip()]
    grpo = [m for m in metrics if m["phase"] == "grpo"]
    assert [m["step"] for m in grpo] == [1]  # one line per step, from rank 0 only
    # the verdict counts cover both ranks' samples: 2 processes x 1 prompt x 2 generations
    assert sum(grpo[0]["verdicts"].values()) == 4
    assert [m["label"] for m in metrics if m["phase"] == "eval"] == ["base", "grpo"]
    assert (out / "grpo" / "trainer" / "checkpoint-1" / "trainer_state.json").exists()
    assert (out / "grpo" / "final" / "grpo_done.json").exists() and (out / "report.md").exists()
