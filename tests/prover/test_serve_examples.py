"""The examples run as written: plain TRL `GRPOTrainer` with `ProverReward` against `prover serve` on
loopback (a tiny model, two steps), and verl's way of loading `compute_score` by file path."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("fastapi", reason="the `serve` extra is not installed (pip install -e '.[serve]')")

import httpx  # noqa: E402 (after the guard)

from verifier_core.languages import language
from tests.helpers.fixtures_models import tiny_model_dir  # noqa: F401 (a fixture)
from prover.serve.launcher import ROOT, Server

needs_dafny = pytest.mark.skipif(not language("dafny").doctor()["found"], reason="no Dafny installed (see `prover doctor`)")


@needs_dafny
@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_trl_grpo_example_trains_against_prover_serve(tiny_model_dir, tmp_path, mode):  # noqa: F811
    pytest.importorskip("trl")
    s = Server("--no-cache")
    try:
        cmd = [sys.executable, str(ROOT / "examples" / "trl_grpo_serve.py"), "--server", s.url, "--model",
               str(tiny_model_dir), "--steps", "2", "--max-completion-length", "24", "--out", str(tmp_path / "out")]
        r = subprocess.run(cmd + (["--async"] if mode == "async" else []), capture_output=True, text=True, cwd=tmp_path,
                           env=dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1"), timeout=900)
        assert r.returncode == 0, r.stderr[-3000:]
        out = json.loads(r.stdout.strip().splitlines()[-1])
        assert out["steps"] == 2 and len(out["rewards"]) == 2 and all(0.0 <= x <= 1.0 for x in out["rewards"])
        assert sum(out["statuses"].values()) == 4  # one batch: 4 generations of one prompt
        metrics = httpx.get(s.url + "/metrics").text
        served = sum(float(line.split()[-1]) for line in metrics.splitlines()
                     if line.startswith('prover_requests_total{code="200",route="/v1/verify"}'))
        assert served >= 2  # every reward call went through the server
    finally:
        s.stop()


def test_verl_loads_compute_score_by_its_path():
    # verl's `custom_reward_function.path`: the file is imported on its own, outside the package.
    spec = importlib.util.spec_from_file_location("custom_module", ROOT / "prover" / "rewards" / "verl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.compute_score("x", "no code here", "lemma L()\n  ensures true\n", {}, workers=1, cache=False) == 0.0
