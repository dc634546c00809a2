"""Ctrl-C (issue 22, item 5): an eval stops within 2 s with its verifier processes dead, says how to
continue, and records no attempt for a check it cut off (no `infra:closed` error). Real Dafny."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")
def test_ctrl_c_stops_an_eval_at_once_and_records_nothing_cut_off(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "prover.cli", "eval", "--bench", "dafny-team", "--policy",
                             "portfolio", "--samples", "4", "--k", "1", "--workers", "2", "--out", str(out),
                             "--no-progress"], cwd=REPO, stderr=subprocess.PIPE, text=True,
                            env={k: v for k, v in os.environ.items() if k != "PROVER_CACHE_DIR"})
    attempts = out / "attempts.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and not (attempts.exists() and attempts.stat().st_size > 0):
        time.sleep(0.2)
    assert attempts.exists(), "no attempt within 120 s"
    time.sleep(1.0)  # checks in flight on both servers
    verifiers = [p for p in _children(proc.pid) if "Dafny" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")
                 or "dafny" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
    assert verifiers, "no verifier process found to watch"
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=30)[1]
    took = time.monotonic() - t0
    assert proc.returncode == 130 and took < 2.0, (proc.returncode, took, err)
    assert "Traceback" not in err and "rerun the same command" in err, err
    time.sleep(0.5)
    assert not [p for p in verifiers if _alive(p)], "verifier processes outlived the command"
    records = [json.loads(line) for line in attempts.read_text().splitlines()]
    assert records and not [r for r in records if r["status"] == "error"], [r["reason"] for r in records]
