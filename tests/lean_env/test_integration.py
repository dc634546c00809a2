"""Lean against a real REPL (`-m lean`, skipped with the reason when none is installed), and the
Lake project's pins checked against the shipped REPL transcripts' MANIFEST (always run) and against
miniF2F (when the dataset is present)."""

import json
import shlex
import tomllib

import pytest

from lean_env import LeanVerifier, doctor, find_repl
from lean_env.toolchain import TEMPLATES, install
from verifier_core.settings import REPO_ROOT
from verifier_core.records import Candidate, Task

from tests.helpers.datasets import dataset
from tests.helpers.lean_transcripts import REPLAY, manifest_entry



def test_top_level_toolchain_is_the_default_project():
    top = (REPO_ROOT / "lean-toolchain").read_text().strip()
    assert top == (TEMPLATES["default"] / "lean-toolchain").read_text().strip() == "leanprover/lean4:v4.24.0"


def test_default_project_pins_match_transcripts():
    m = manifest_entry("v4.24.0")
    lake = tomllib.loads((TEMPLATES["default"] / "lakefile.toml").read_text())
    revs = {r["name"]: r["rev"] for r in lake["require"]}
    assert revs["REPL"] == m["commit"]
    assert (TEMPLATES["default"] / "lean-toolchain").read_text().strip() == m["lean_toolchain"]
    assert [r["name"] for r in lake["require"]][-1] == "mathlib"  # Mathlib's pins win


def test_default_project_pins_match_minif2f():
    row = json.loads(dataset("minif2f/minif2f.jsonl").open().readline())
    lake = tomllib.loads((TEMPLATES["default"] / "lakefile.toml").read_text())
    revs = {r["name"]: r["rev"] for r in lake["require"]}
    assert row["lean_toolchain"] == (TEMPLATES["default"] / "lean-toolchain").read_text().strip()
    assert row["mathlib_rev"].split()[0] == revs["mathlib"]


def test_v4_9_project_pins_match_transcripts():
    m = manifest_entry("v4.9.0-rc1")
    text = (TEMPLATES["v4.9"] / "lakefile.lean").read_text()
    assert f'@ "{m["commit"]}"' in text
    assert (TEMPLATES["v4.9"] / "lean-toolchain").read_text().strip() == m["lean_toolchain"]


def test_v4_9_project_pins_match_deepseek_minif2f():
    row = json.loads(dataset("minif2f/minif2f_deepseek_v1.5.jsonl").open().readline())
    text = (TEMPLATES["v4.9"] / "lakefile.lean").read_text()
    assert row["lean_toolchain"] == (TEMPLATES["v4.9"] / "lean-toolchain").read_text().strip()
    fork, rev = row["mathlib_rev"].split("@")
    assert f'"https://github.com/{fork}" @ "{rev}"' in text


def test_setup_fails_clearly_without_internet(tmp_path):
    import io

    log = io.StringIO()
    rc = install(tmp_path / "lean", online_check=lambda: "URLError: no route")
    assert rc == 1
    rc = install(tmp_path / "lean", log=log, online_check=lambda: "URLError: no route")
    assert "needs internet" in log.getvalue() and "PROVER_LEAN_PROJECT" in log.getvalue()
    assert not (tmp_path / "lean").exists()


def test_doctor_reports_a_missing_install(tmp_path, monkeypatch):
    monkeypatch.delenv("PROVER_LEAN_REPL", raising=False)
    monkeypatch.setenv("PROVER_LEAN_PROJECT", str(tmp_path))
    r = doctor()
    assert r["found"] is False and "setup-lean" in r["hint"] and "no lakefile" in r["detail"]


def test_doctor_accepts_a_repl_command(monkeypatch):
    monkeypatch.setenv("PROVER_LEAN_REPL", shlex.join(["python3", str(REPLAY)]))
    monkeypatch.delenv("PROVER_LEAN_PROJECT", raising=False)
    r = doctor()
    assert r["found"] and r["command"] == shlex.join(["python3", str(REPLAY)]) and "PROVER_LEAN_REPL" in r["detail"]


# -- real Lean ------------------------------------------------------------------------------------------

_LOC, _TRIED = find_repl()
needs_lean = pytest.mark.skipif(_LOC is None, reason="no Lean REPL found (" + "; ".join(_TRIED) +
                                "); run `prover setup-lean` or set PROVER_LEAN_PROJECT")

HEADER = "import Mathlib\n\nset_option maxHeartbeats 400000\n\nopen BigOperators Real Nat Topology Rat\n\n"
STMT = "theorem int_check (x : ℝ) (h₀ : x = 2) : x ^ 2 = 4 := by"
TASK = Task(id="int_check", lang="lean", statement=STMT, header=HEADER)


@pytest.fixture(scope="module")
def verifier():
    v = LeanVerifier(workers=1, timeout=300)
    yield v
    v.close()


@pytest.mark.lean
@needs_lean
@pytest.mark.parametrize("text,status", [
    ("\n  rw [h₀]\n  norm_num", "verified"),
    (HEADER + STMT + "\n  subst h₀\n  norm_num", "verified"),
    ("lemma aux (y : ℝ) (h : y = 2) : y ^ 2 = 4 := by subst h; norm_num\n\n" + STMT + "\n  exact aux x h₀",
     "verified"),
    ("\n  norm_num", "failed"),
    ("\n  sorry", "rejected"),
    ("\n  native_decide", "rejected"),
])
def test_real_repl_verdicts(verifier, text, status):
    v = verifier.check(TASK, Candidate(TASK.id, text))
    assert v.status == status, (v.reason, v.messages)
    assert v.toolchain


@pytest.mark.lean
@needs_lean
def test_real_repl_catches_a_statement_changed_by_open(verifier):
    """A scoped notation that makes `^` mean something else: the gate stops it before Lean runs, and
    the pp.all comparison would see the changed statement if it did not."""
    text = ("namespace Cheat\nscoped notation:75 a \" ^ \" b => (4 : ℝ)\nend Cheat\n\n" + STMT + "\n  rfl")
    v = verifier.check(TASK, Candidate(TASK.id, text))
    assert v.status == "rejected"


@pytest.mark.lean
@needs_lean
def test_real_repl_minif2f_statement_elaborates(verifier):
    path = dataset("minif2f/minif2f.jsonl")
    row = next(json.loads(line) for line in path.open() if '"mathd_algebra_478"' in line)
    task = Task.from_dict(row, lang="lean")
    v = verifier.check(task, Candidate(task.id, "\n  rw [h₁, h₂, h₃]\n  norm_num"))
    assert v.status in ("verified", "failed"), v.reason  # never an error: the reference elaborates
