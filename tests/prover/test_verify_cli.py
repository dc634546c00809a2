"""`prover verify` end to end: JSONL and file modes, bad input, flushing, exit codes (real Dafny)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dafny_env import doctor

pytestmark = pytest.mark.skipif(not doctor()["found"], reason="no Dafny installed (see `prover doctor`)")

SPEC = "method Inc(x: int) returns (y: int)\n  ensures y > x\n"
FIELDS = {"id", "status", "reason", "messages", "seconds", "cached", "toolchain"}


def prover(args: list[str], tmp_path) -> subprocess.CompletedProcess:
    # A cache of our own in tmp_path (conftest turns the user's cache off with PROVER_NO_CACHE).
    env = {k: v for k, v in os.environ.items() if k != "PROVER_NO_CACHE"}
    env["PROVER_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.run([sys.executable, "-m", "prover.cli", "verify", "--no-progress", *args],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)


def test_jsonl_mode_answers_every_line_and_keeps_going(tmp_path):
    lines = [
        json.dumps({"id": "good", "statement": SPEC, "candidate": "{ y := x + 1; }"}),
        "{not json",
        json.dumps({"id": "nocand", "statement": SPEC}),
        json.dumps({"id": "huge", "spec": SPEC, "proof": "{ y := x + 1; }" + " " * 1_100_000}),
        json.dumps({"id": "nul", "spec": SPEC, "proof": "{ y := x + 1; }\u0000"}),
        json.dumps({"id": "bad", "spec": SPEC, "proof": "{ y := x; }", "kind": "implement"}),
        json.dumps({"id": "kind", "spec": SPEC, "proof": "{}", "kind": "guess"}),
    ]
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe garbage\n")
    r = prover(["--lang", "dafny", "--jsonl", str(inp), "--out", str(tmp_path / "out.jsonl"), "--workers", "2",
                "--timeout", "30"], tmp_path)
    assert r.returncode == 1, r.stderr  # not every line verified
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert all(FIELDS <= set(o) for o in out)
    by_id = {o["id"]: o for o in out if o["id"] is not None}
    assert by_id["good"]["status"] == "verified" and by_id["good"]["toolchain"].startswith("dafny ")
    assert by_id["bad"]["status"] == "failed"
    assert by_id["huge"]["status"] == "rejected" and by_id["huge"]["reason"].startswith("input:too-large")
    assert by_id["nul"]["status"] == "rejected" and by_id["nul"]["reason"].startswith("input:binary")
    assert by_id["nocand"]["status"] == "error" and "missing candidate" in by_id["nocand"]["reason"]
    assert by_id["kind"]["status"] == "error"
    anonymous = [o for o in out if o["id"] is None]
    assert sorted(o["line"] for o in anonymous) == [2, 8]  # malformed JSON, then not UTF-8
    assert len(out) == 8


def test_spec_mode_exit_status(tmp_path):
    (tmp_path / "spec.dfy").write_text(SPEC)
    (tmp_path / "ok.dfy").write_text("{ y := x + 1; }\n")
    (tmp_path / "no.dfy").write_text("{ y := x; }\n")
    (tmp_path / "bin.dfy").write_bytes(b"\x00\xff\xfe")
    ok = prover(["--lang", "dafny", "--spec", "spec.dfy", "ok.dfy"], tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "verified"
    mixed = prover(["--lang", "dafny", "--spec", "spec.dfy", "ok.dfy", "no.dfy", "bin.dfy"], tmp_path)
    assert mixed.returncode == 1
    statuses = {o["id"]: o["status"] for o in map(json.loads, mixed.stdout.splitlines())}
    assert statuses == {"ok.dfy": "verified", "no.dfy": "failed", "bin.dfy": "rejected"}
    again = prover(["--lang", "dafny", "--spec", "spec.dfy", "ok.dfy"], tmp_path)
    assert json.loads(again.stdout)["cached"] is True
