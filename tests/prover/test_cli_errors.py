"""Ordinary mistakes get one clear line on stderr and exit status 2, never a traceback (issue 22,
item 3): each command runs as a user would run it, `python -m prover.cli ...` from the repository."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _files(tmp: Path) -> dict[str, str]:
    (tmp / "empty.jsonl").write_text("")
    (tmp / "nolang.jsonl").write_text('{"id": "a", "statement": "lemma L() ensures true"}\n')
    (tmp / "bad-train.yaml").write_text("tasks:\n  train: [nosuch]\n")
    (tmp / "binary.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    (tmp / "in.jsonl").write_text('{"id": "a", "statement": "lemma L() ensures true", "candidate": "{}"}\n')
    (tmp / "outdir").mkdir()
    return {k: str(tmp / k) for k in ("empty.jsonl", "nolang.jsonl", "bad-train.yaml", "binary.yaml", "in.jsonl",
                                      "outdir")}


CASES = {
    "verify-missing-input": ["verify", "--lang", "dafny", "--jsonl", "nope.jsonl"],
    "verify-input-is-dir": ["verify", "--lang", "dafny", "--jsonl", "."],
    "verify-out-is-dir": ["verify", "--lang", "dafny", "--jsonl", "{in.jsonl}", "--out", "{outdir}"],
    "eval-empty-bench": ["eval", "--bench", "{empty.jsonl}", "--out", "{outdir}/run"],
    "eval-task-without-lang": ["eval", "--bench", "{nolang.jsonl}", "--out", "{outdir}/run"],
    "eval-out-is-file": ["eval", "--bench", "dafny-team", "--out", "README.md", "--limit", "1"],
    "search-unknown-bench": ["search", "--lang", "dafny", "--task-id", "x", "--bench", "nosuch"],
    "train-unknown-task-set": ["train", "--config", "{bad-train.yaml}", "--out", "{outdir}/train"],
    "train-binary-config": ["train", "--config", "{binary.yaml}", "--out", "{outdir}/train"],
    "eval-negative-limit": ["eval", "--limit", "-1"],  # argparse's own errors are one line too
}


def _assert_one_line(res, name):
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert "Traceback" not in res.stderr, f"{name}: {res.stderr}"
    assert len(lines) == 1, f"{name}: {res.stderr}"
    assert res.returncode == 2, f"{name}: exit {res.returncode}: {res.stderr}"
    return lines[0]


@pytest.mark.parametrize("name", list(CASES))
def test_an_ordinary_mistake_is_one_line_and_exit_2(tmp_path, name):
    files = _files(tmp_path)
    argv = []
    for a in CASES[name]:
        for key, path in files.items():
            a = a.replace("{" + key + "}", path)
        argv.append(a)
    res = subprocess.run([sys.executable, "-m", "prover.cli", *argv], cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    line = _assert_one_line(res, name)
    assert line.startswith(f"prover {argv[0]}: error: "), line
    assert not (REPO / "README.md").is_dir()
    if name.startswith("train"):
        assert not (tmp_path / "outdir" / "train").exists(), "a refused run claimed OUT"


def test_a_closed_pipe_is_one_line_and_exit_2():
    """`prover eval --list | head -1`: the reader is gone before the listing is written."""
    proc = subprocess.Popen([sys.executable, "-m", "prover.cli", "eval", "--list"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert len(lines) == 1 and "broken pipe" in lines[0] and proc.returncode == 2, (proc.returncode, err)
