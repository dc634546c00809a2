"""`prover verify --jsonl` for scripts (issue 22, item 4): a rerun resumes by id (or --overwrite), a
repeated input id is refused, --ordered keeps input order, the exit status says whether every line
verified, and a candidate in a fenced ```dafny block is checked as that block's code. Real Dafny."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dafny_env import doctor

pytestmark = pytest.mark.skipif(not doctor()["found"], reason="no Dafny installed (see `prover doctor`)")

REPO = Path(__file__).resolve().parents[2]
SPEC = "method Inc(x: int) returns (y: int)\n  ensures y > x\n"


def _verify(tmp_path, *args):
    # A verdict cache of the test's own: a rerun (--overwrite) answers from it instead of Dafny.
    env = {k: v for k, v in os.environ.items() if k != "PROVER_NO_CACHE"}
    env["PROVER_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.run([sys.executable, "-m", "prover.cli", "verify", "--lang", "dafny", "--no-progress", *args],
                          capture_output=True, text=True, timeout=300, cwd=REPO, env=env)


def _write(tmp_path, rows, name="in.jsonl"):
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return str(path)


def _lines(path):
    return [json.loads(x) for x in Path(path).read_text().splitlines()]


def test_rerun_resumes_by_id_and_overwrite_starts_afresh(tmp_path):
    src = _write(tmp_path, [{"id": "a", "statement": SPEC, "candidate": "{ y := x + 1; }"},
                            {"id": "b", "statement": SPEC, "candidate": "{ y := x; }"}])
    out = str(tmp_path / "out.jsonl")
    first = _verify(tmp_path, "--jsonl", src, "--out", out)
    assert first.returncode == 1 and len(_lines(out)) == 2, first.stderr
    again = _verify(tmp_path, "--jsonl", src, "--out", out)
    assert again.returncode == 1 and "2 of 2 inputs already have a verdict" in again.stderr
    assert sorted(r["id"] for r in _lines(out)) == ["a", "b"]  # nothing appended twice
    fresh = _verify(tmp_path, "--jsonl", src, "--out", out, "--overwrite")
    assert fresh.returncode == 1 and sorted(r["id"] for r in _lines(out)) == ["a", "b"]


def test_a_repeated_id_is_refused_before_any_work(tmp_path):
    src = _write(tmp_path, [{"id": "a", "statement": SPEC, "candidate": "{ y := x + 1; }"},
                            {"id": "a", "statement": SPEC, "candidate": "{ y := x + 2; }"}])
    out = tmp_path / "out.jsonl"
    res = _verify(tmp_path, "--jsonl", src, "--out", str(out))
    assert res.returncode == 2 and "'a'" in res.stderr and "line 2" in res.stderr and "line 1" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and not out.exists()


def test_ordered_output_follows_the_input(tmp_path):
    rows = [{"id": "slow", "statement": SPEC, "candidate": "{ y := x + 1; }"}, "{not json",
            {"id": "bad", "statement": SPEC, "candidate": "{ y := x; }"},
            {"id": "nocand", "statement": SPEC}]
    res = _verify(tmp_path, "--jsonl", _write(tmp_path, rows), "--ordered", "--workers", "2")
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == ["slow", None, "bad", "nocand"]


def test_exit_status_says_whether_every_line_verified(tmp_path):
    good = _write(tmp_path, [{"id": "a", "statement": SPEC, "candidate": "{ y := x + 1; }"}], "good.jsonl")
    assert _verify(tmp_path, "--jsonl", good).returncode == 0
    malformed = _write(tmp_path, ["{not json", "[1, 2]"], "bad.jsonl")
    res = _verify(tmp_path, "--jsonl", malformed)
    assert res.returncode == 1 and len(res.stdout.splitlines()) == 2


def test_a_fenced_dafny_block_is_checked_as_its_code(tmp_path):
    answer = "Here is the body:\n```dafny\n{\n  y := x + 1;\n}\n```\nIt adds one."
    rows = [{"id": "fenced", "statement": SPEC, "candidate": answer},
            {"id": "empty-fence", "statement": SPEC, "candidate": "```dafny\n```\n"}]
    res = _verify(tmp_path, "--jsonl", _write(tmp_path, rows))
    recs = {r["id"]: r for r in map(json.loads, res.stdout.splitlines())}
    assert recs["fenced"]["status"] == "verified", recs["fenced"]
    assert recs["empty-fence"]["status"] == "failed" and recs["empty-fence"]["reason"].startswith("extract:")
