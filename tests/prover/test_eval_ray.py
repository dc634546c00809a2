"""`prover eval --ray`: verifier workers as actors of a local ray (about 5 s and 640 MB to start)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from verifier_core.jsonl import read_records

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.ray
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")
def test_eval_with_ray_actors_matches_local_run(tmp_path):
    base = [sys.executable, "-m", "prover.cli", "eval", "--bench", "dafny-team", "--policy", "portfolio",
            "--samples", "2", "--k", "1,2", "--limit", "2", "--workers", "1", "--no-progress"]
    local = subprocess.run(base + ["--out", str(tmp_path / "local")], cwd=REPO, capture_output=True, text=True,
                           timeout=300)
    assert local.returncode == 0, local.stderr
    ray = subprocess.run(base + ["--out", str(tmp_path / "ray"), "--ray"], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert ray.returncode == 0, ray.stderr
    verdicts = lambda d: {(r["task_id"], r["sample"], r["status"]) for r in read_records(tmp_path / d / "attempts.jsonl")}
    assert verdicts("ray") == verdicts("local") and verdicts("ray")
    assert json.loads((tmp_path / "ray" / "summary.json").read_text())["counts"]["error"] == 0
