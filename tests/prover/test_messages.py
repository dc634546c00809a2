"""Verdict messages a user can act on (issue 22, item 10): gate parse errors give line:column, every
column counts from 1 like lines, a message in the statement is marked `spec` at its own line (never
line 0), Dafny's inferred `decreases` notes stay out unless asked, and a cached verdict reports 0
seconds with the original check's beside it. Real Dafny."""

import json
import shutil

import pytest

from verifier_core.records import Candidate, Task

needs_dafny = pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")
SPEC = ("function Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
        "lemma SumFormula(n: nat)\n  ensures 2 * Sum(n) == n * (n + 1)\n")
BAD = "{\n  assert n < 0;\n}\n"


def test_gate_parse_errors_give_line_and_column():
    from dafny_env.soundness import gate

    res = gate(Task("t", "dafny", "lemma L(x: int)\n  ensures x > 0\n{\n  x"), "{}")
    assert res.rule == "task:unparsable" and "line 3, column 1" in res.detail and "offset" not in res.detail
    junk = gate(Task("t", "dafny", "lemma L(x: int)\n  ensures x > 0\n}\n"), "{}")
    assert "line 3, column 1" in junk.detail, junk.detail


@needs_dafny
def test_columns_count_from_one_and_notes_stay_out_unless_asked():
    from dafny_env import DafnyVerifier

    task = Task("sum", "dafny", SPEC)
    with DafnyVerifier(workers=1) as v:
        plain = v.check(task, Candidate("sum", BAD))
    with DafnyVerifier(workers=1, notes=True) as v:
        noted = v.check(task, Candidate("sum", BAD))
    assert plain.status == noted.status == "failed"
    # `  assert n < 0;`: Dafny points at `<`, the 12th character of line 2
    assert [(m.line, m.column, m.severity) for m in plain.messages] == [(2, 12, "error")]
    notes = [m for m in noted.messages if m.severity == "info"]
    assert any(m.text == "decreases n" for m in notes)
    assert all(m.spec and m.line >= 1 for m in notes)  # in the statement, at its own lines
    assert all(m.line >= 1 for m in noted.messages)
    assert json.dumps(plain.to_dict()).count('"spec"') == 0


@needs_dafny
def test_a_cached_verdict_reports_zero_seconds_and_the_original(tmp_path, monkeypatch, capsys):
    from prover.cli import main

    monkeypatch.delenv("PROVER_NO_CACHE", raising=False)
    monkeypatch.setenv("PROVER_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "s.dfy").write_text(SPEC)
    (tmp_path / "p.dfy").write_text(BAD)
    argv = ["verify", "--lang", "dafny", "--spec", str(tmp_path / "s.dfy"), str(tmp_path / "p.dfy"), "--no-progress"]
    main(argv)
    first = json.loads(capsys.readouterr().out)
    main(argv)
    again = json.loads(capsys.readouterr().out)
    assert not first["cached"] and first["seconds"] > 0 and "cached_seconds" not in first
    assert again["cached"] and again["seconds"] == 0 and again["cached_seconds"] == first["seconds"]


def test_repair_feedback_says_when_a_message_is_in_the_statement():
    from types import SimpleNamespace

    from verifier_core.records import Message
    from prover.search.verify import feedback_lines

    msgs = [Message(7, 3, "error", "A postcondition might not hold", spec=True).to_dict(),
            Message(2, 12, "error", "assertion violation").to_dict()]
    lines = feedback_lines(SimpleNamespace(messages=msgs, reason=""))
    assert lines == ["statement line 7:3: error: A postcondition might not hold", "line 2:12: error: assertion violation"]
