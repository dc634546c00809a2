"""Without Lean, a Lean command says so once on stderr and exits 2 before any work (issue 22,
item 7): no search budget spent on `error` attempts, no eval report, no JSONL of repeated errors."""

import json

import pytest

from lean_env import doctor
from prover.cli import main

pytestmark = pytest.mark.skipif(doctor()["found"], reason="a Lean REPL is installed here")


def _one_line(capsys):
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "no lean verifier" in lines[0] and "setup-lean" in lines[0], err
    return lines[0]


def test_search(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PROVER_RUNS_DIR", str(tmp_path / "runs"))
    thm = tmp_path / "thm.lean"
    thm.write_text("theorem t (n : Nat) : n + 0 = n := by\n")
    rc = main(["search", "--lang", "lean", "--statement-file", str(thm), "--policy", "portfolio", "--no-progress"])
    assert rc == 2
    _one_line(capsys)
    assert not (tmp_path / "runs").exists()


def test_eval(tmp_path, capsys):
    bench = tmp_path / "lean.jsonl"
    bench.write_text(json.dumps({"id": "t", "lang": "lean", "statement": "theorem t (n : Nat) : n + 0 = n := by",
                                 "header": "import Mathlib\n"}) + "\n")
    out = tmp_path / "run"
    rc = main(["eval", "--bench", str(bench), "--policy", "portfolio", "--samples", "1", "--out", str(out),
               "--no-progress"])
    assert rc == 2
    _one_line(capsys)
    assert not out.exists()


def test_verify_jsonl(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"t{i}", "statement": "theorem t (n : Nat) : n + 0 = n := by",
                                       "candidate": "\n  simp"}) + "\n" for i in range(3)))
    out = tmp_path / "out.jsonl"
    rc = main(["verify", "--lang", "lean", "--jsonl", str(src), "--out", str(out), "--no-progress"])
    assert rc == 2
    _one_line(capsys)
    assert not out.exists()
