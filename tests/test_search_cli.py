"""`prover search` end to end with the portfolio and a verifier test double."""

import json

import pytest

from prover.cli import main
from prover.statement_files import lean_task_from_text
from tests.test_search_sampling import SetVerifier

SPEC = "function Sum(n: nat): nat { if n == 0 then 0 else n + Sum(n-1) }\nlemma S(n: nat)\n  ensures 2 * Sum(n) == n * (n + 1)\n"


@pytest.fixture
def spec_file(tmp_path):
    f = tmp_path / "sum.dfy"
    f.write_text(SPEC)
    return f


def _use(monkeypatch, verifier):
    monkeypatch.setattr("prover.verifiers.get_verifier", lambda lang, **kw: verifier)


def test_json_output_and_trace(monkeypatch, tmp_path, spec_file, capsys):
    _use(monkeypatch, SetVerifier({"{\n  if n > 0 { S(n - 1); }\n}"}))
    trace = tmp_path / "t.json"
    rc = main(["search", "--lang", "dafny", "--statement-file", str(spec_file), "--policy", "portfolio",
               "--json", "--trace", str(trace), "--no-progress", "--batch", "1"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["status"] == "verified" and out["attempts"] == 2
    assert "S(n - 1);" in out["program"] and out["program"].startswith("function Sum")
    saved = json.loads(trace.read_text())
    assert [a["status"] for a in saved["attempts"]] == ["failed", "verified"]


def test_text_output_when_nothing_verifies(monkeypatch, spec_file, capsys, tmp_path):
    monkeypatch.setenv("PROVER_RUNS_DIR", str(tmp_path))
    _use(monkeypatch, SetVerifier(set()))
    rc = main(["search", "--lang", "dafny", "--statement-file", str(spec_file), "--mode", "repair",
               "--no-progress", "--rounds", "2", "--batch", "2"])
    out = capsys.readouterr().out
    assert rc == 1 and out.startswith("no proof of sum:") and "last failure" in out
    assert len(list((tmp_path / "search").glob("sum-*.json"))) == 1


def test_bad_arguments_are_reported(spec_file, capsys):
    assert main(["search", "--lang", "dafny", "--statement-file", str(spec_file), "--mode", "best-first"]) == 2
    assert "needs Lean" in capsys.readouterr().err
    assert main(["search", "--lang", "dafny", "--task-id", "x"]) == 2


def test_lean_statement_file_is_split_into_header_and_statement():
    t = lean_task_from_text("t", "import Mathlib\nopen Real\n\n/-- doc -/\ntheorem t : 1 = 1 := by\n  sorry\n")
    assert t.header == "import Mathlib\nopen Real\n\n" and t.statement == "theorem t : 1 = 1 := by"
    assert t.meta["informal_prefix"] == "/-- doc -/\n"
    with pytest.raises(ValueError):
        lean_task_from_text("t", "theorem t : 1 = 1 := rfl")


def test_lean_statement_file_split_reads_comments_as_lean_does():
    text = ("import Mathlib\n/-- A helper. -/\ndef foo : ℕ := 1\n\n/-\ntheorem draft : foo = 2 := by\n-/\n"
            "/-- doc -/\ntheorem t : foo = 1 := by\n  sorry\n")
    t = lean_task_from_text("t", text)
    assert t.statement == "theorem t : foo = 1 := by" and t.meta["informal_prefix"] == "/-- doc -/\n"
    assert t.header == "import Mathlib\n/-- A helper. -/\ndef foo : ℕ := 1\n\n/-\ntheorem draft : foo = 2 := by\n-/\n"
