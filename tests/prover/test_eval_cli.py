"""`prover eval` as a subprocess: SIGKILL mid-run and resume, refusal of other settings, --compare,
and one real small eval (portfolio policy, real Dafny, the team's tasks)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from verifier_core.jsonl import read_records

REPO = Path(__file__).resolve().parents[2]

# The real CLI with fakes of our own interfaces (verifier and policy) swapped in, so that the test is
# deterministic and fast; the verifier behaviour it fakes is only "slow, then a verdict".
DRIVER = r'''
import sys, time
import prover.policies, prover.verifiers
from verifier_core.records import Verdict
from prover.policies.base import Sample

class SlowVerifier:
    lang = "dafny"
    def toolchain(self): return "fake-1"
    def check(self, task, cand):
        time.sleep(0.08)
        ok = int(cand.text.rsplit("-s", 1)[1]) % 3 == 0 and task.id != "t5"
        return Verdict("verified" if ok else "failed", seconds=0.08, toolchain="fake-1")
    def check_many(self, pairs): return [self.check(t, c) for t, c in pairs]
    def close(self): pass

class CountingPolicy:
    name = "fake"
    samples_iid = True
    def generate(self, requests):
        return [[Sample(f"{r.task.id}-s{i}") for i in range(r.n)] for r in requests]
    def close(self): pass

prover.verifiers.get_verifier = lambda lang, **kw: SlowVerifier()
prover.policies.load_policy = lambda spec, **kw: CountingPolicy()
import dafny_env.statement_check
dafny_env.statement_check.dafny_statement_check = lambda *a, **kw: None  # no real Dafny here either
from prover.cli import main
sys.exit(main(sys.argv[1:]))
'''


def _bench(tmp_path, n=8):
    f = tmp_path / "tasks.jsonl"
    f.write_text("".join(json.dumps({"id": f"t{i}", "lang": "dafny", "statement": f"lemma L{i}() ensures true",
                                     "kind": "prove"}) + "\n" for i in range(n)))
    return f


def _cmd(tmp_path, bench, out, *extra):
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    return [sys.executable, str(driver), "eval", "--bench", str(bench), "--policy", "fake", "--samples", "6",
            "--k", "1,3,6", "--out", str(out), "--workers", "2", "--gen-batch", "1", "--no-progress", *extra]


def _run(cmd, timeout=60):
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def _attempt_set(out):
    rows = read_records(out / "attempts.jsonl")
    keys = [(r["task_id"], r["sample"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate attempts"
    return {(r["task_id"], r["sample"], r["status"], r["text"]) for r in rows}


def test_sigkill_mid_run_then_resume_gives_the_same_attempts(tmp_path):
    bench = _bench(tmp_path)
    ref_out, out = tmp_path / "ref", tmp_path / "killed"
    ref = _run(_cmd(tmp_path, bench, ref_out))
    assert ref.returncode == 0, ref.stderr
    expected = _attempt_set(ref_out)
    assert len(expected) == 8 * 6

    proc = subprocess.Popen(_cmd(tmp_path, bench, out), cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        f = out / "attempts.jsonl"
        if f.exists() and f.read_bytes().count(b"\n") >= 10:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = (out / "attempts.jsonl").read_bytes().count(b"\n")
    assert 10 <= partial < 48, "the kill did not land mid-run"

    again = _run(_cmd(tmp_path, bench, out))
    assert again.returncode == 0, again.stderr
    assert _attempt_set(out) == expected  # no duplicates (checked inside), no gaps, same verdicts
    summary = json.loads((out / "summary.json").read_text())
    ref_summary = json.loads((ref_out / "summary.json").read_text())
    assert summary["pass_at_k"] == ref_summary["pass_at_k"] and summary["complete"]
    assert summary["pass_at_k"]["6"] == pytest.approx(7 / 8)  # every task but t5 has a verified sample
    assert (out / "report.md").exists() and (out / "pass_at_k.png").exists()

    # a resume with other settings is refused, and nothing is appended
    before = (out / "attempts.jsonl").read_bytes()
    other = _run(_cmd(tmp_path, bench, out, "--limit", "3"))
    assert other.returncode == 2 and "different settings" in other.stderr and "limit" in other.stderr
    assert (out / "attempts.jsonl").read_bytes() == before


def test_compare_two_runs(tmp_path):
    bench_a = _bench(tmp_path, n=4)
    a, b = tmp_path / "a", tmp_path / "b"
    assert _run(_cmd(tmp_path, bench_a, a)).returncode == 0
    assert _run(_cmd(tmp_path, bench_a, b, "--limit", "2")).returncode == 0
    cmp = _run([sys.executable, "-m", "prover.cli", "eval", "--compare", str(a), str(b)])
    assert cmp.returncode == 0, cmp.stderr
    assert "| pass@1 |" in cmp.stdout and "Solved by A only (0)" in cmp.stdout
    missing = _run([sys.executable, "-m", "prover.cli", "eval", "--compare", str(a), str(tmp_path / "nope")])
    assert missing.returncode == 2 and "not found" in missing.stderr


@pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")
def test_real_small_eval_portfolio_on_team_tasks(tmp_path):
    out = tmp_path / "run"
    t0 = time.monotonic()
    res = _run([sys.executable, "-m", "prover.cli", "eval", "--bench", "dafny-team", "--policy", "portfolio",
                "--samples", "4", "--k", "1,4", "--limit", "3", "--workers", "2", "--out", str(out), "--no-progress"],
               timeout=120)
    assert res.returncode == 0, res.stderr
    assert time.monotonic() - t0 < 60
    rows = read_records(out / "attempts.jsonl")
    assert rows and all(r["status"] in ("verified", "failed", "rejected", "timeout") for r in rows)
    assert all(r["toolchain"] and r["policy"] == "portfolio" for r in rows)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["tasks"] == 3 and summary["toolchain"] and summary["data_revision"].startswith("file:dafny_env/tasks/team.jsonl")
    assert summary["counts"]["error"] == 0
    # the portfolio proposes templates in a fixed order: its score is no pass@k
    assert summary["samples_iid"] is False and "pass_at_k" not in summary and summary["solved_within_k"]["4"] is not None
    assert "pass@" not in res.stderr and "solved within 4 attempts" in res.stderr


@pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")
def test_a_task_whose_statement_dafny_cannot_read_is_excluded(tmp_path):
    """Real Dafny, portfolio policy: one statement with a syntax error Dafny reports (our scanner does
    not see it), one that leaves our scanner unable to read it, one that does not resolve, a good one."""
    rows = [{"id": "good", "lang": "dafny", "statement": "lemma Good(x: int)\n  ensures x + 1 > x\n"},
            {"id": "syntax", "lang": "dafny", "statement": "lemma Bad(x: int)\n  ensures x + 1 > x )\n"},
            {"id": "unclosed", "lang": "dafny", "statement": "lemma Open(x: int)\n  ensures x > 0\n{\n"},
            {"id": "unresolved", "lang": "dafny", "statement": "lemma Unres(x: int)\n  ensures y > x\n"}]
    bench = tmp_path / "tasks.jsonl"
    bench.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "prover.cli", "eval", "--bench", str(bench), "--policy", "portfolio",
           "--samples", "2", "--k", "1", "--workers", "2", "--out", str(out), "--no-progress"]
    res = _run(cmd, timeout=240)
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    excluded = {e["task_id"]: e["reason"] for e in summary["excluded"]}
    assert set(excluded) == {"syntax", "unclosed", "unresolved"}, excluded
    assert excluded["syntax"].startswith("task:parse") and "line 2" in excluded["syntax"]
    assert excluded["unresolved"].startswith("task:resolution") and "unresolved identifier: y" in excluded["unresolved"]
    assert excluded["unclosed"].startswith("task:")
    assert summary["tasks"] == 1 and summary["counts"]["error"] == 0 and summary["complete"]
    assert {r["task_id"] for r in read_records(out / "attempts.jsonl")} == {"good"}
    settings = json.loads((out / "run.json").read_text())["settings"]
    assert settings["verifier"]["timeout"] > 0 and settings["verifier"]["memory_mb"] > 0
    # a resume with another timeout is refused
    other = _run([*cmd, "--timeout", "7"], timeout=60)
    assert other.returncode == 2 and "verifier" in other.stderr and "timeout" in other.stderr
