"""A run that cannot start leaves OUT unclaimed, and a run that did no work starts again without
--resume (issue 22, item 2): `train` checks its model and verifier, `selfplay` its seeds and
policies, before either writes OUT."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prover.rundir import did_no_work

REPO = Path(__file__).resolve().parents[2]
needs_dafny = pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")


def _prover(*argv):
    return subprocess.run([sys.executable, "-m", "prover.cli", *argv], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


@needs_dafny
def test_train_without_its_model_claims_nothing(tmp_path):
    cfg = tmp_path / "train.yaml"
    cfg.write_text(f"method: grpo\nmodel:\n  path: {tmp_path / 'no-model'}\ntasks:\n  train: [dafny-team]\n")
    out = tmp_path / "run"
    res = _prover("train", "--config", str(cfg), "--out", str(out), "--no-progress")
    assert res.returncode == 2 and "model.path" in res.stderr and "Traceback" not in res.stderr, res.stderr
    assert not out.exists()


@needs_dafny
@pytest.mark.parametrize("change, expect", [
    ({"seeds": {"benchmarks": ["nosuch"]}}, "nosuch"),
    ({"prover": {"policy": "hf:/nonexistent/model"}}, "prover.policy"),
    ({"conjecturer": {"kind": "policy", "policy": "vllm:/nonexistent/model"}}, "conjecturer.policy"),
])
def test_selfplay_with_a_bad_seed_or_policy_claims_nothing(tmp_path, change, expect):
    cfg = {"lang": "dafny", "rounds": 1, "seeds": {"benchmarks": ["dafny-team"]}, "train": {"enabled": False}}
    for key, value in change.items():
        cfg[key] = {**cfg.get(key, {}), **value}
    path = tmp_path / "sp.yaml"
    path.write_text(json.dumps(cfg))
    out = tmp_path / "run"
    res = _prover("selfplay", "--config", str(path), "--out", str(out), "--no-progress")
    assert res.returncode == 2 and expect in res.stderr and "Traceback" not in res.stderr, res.stderr
    assert not out.exists()


def test_train_restarts_a_run_that_did_no_work(tmp_path):
    from prover.train.config import TrainConfig
    from prover.train.pipeline import RunDirError, Training

    out = tmp_path / "run"
    (out / "tensorboard").mkdir(parents=True)
    (out / "tensorboard" / "events.out").write_bytes(b"header")
    (out / "config.json").write_text(json.dumps({"method": "something else"}))  # a failed start's claim
    assert did_no_work(out)
    Training(TrainConfig(), out, factory=None, progress=False)  # no --resume needed
    assert json.loads((out / "config.json").read_text())["method"] == TrainConfig().method
    (out / "metrics.jsonl").write_text('{"phase": "eval"}\n')  # now it has done work
    with pytest.raises(RunDirError, match="--resume"):
        Training(TrainConfig(), out, factory=None, progress=False)


def test_selfplay_restarts_a_run_that_did_no_work(tmp_path):
    from conjecturer.rundir import RunDirMismatch, open_run_dir

    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text(json.dumps({"old": 1}))
    open_run_dir(out, {"new": 2}, resume=False)
    assert json.loads((out / "config.json").read_text()) == {"new": 2}
    (out / "rounds" / "000").mkdir(parents=True)
    (out / "rounds" / "000" / "conjectures.jsonl").write_text("{}\n")
    with pytest.raises(RunDirMismatch, match="--resume"):
        open_run_dir(out, {"new": 2}, resume=False)
