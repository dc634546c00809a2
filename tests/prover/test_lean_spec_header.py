"""Lean `verify --spec` with the header in the spec (`import Mathlib`) splits it the way `search
--statement-file` does (issue 22, item 6): a correct full-file proof, with or without the import
repeated, passes the gate. No Lean here: the verifier is replaced by the Lean gate alone."""

import json

import pytest

import prover.verifiers
from lean_env.soundness import gate
from prover.cli import main
from verifier_core.records import Candidate, Verdict
from prover.statement_files import task_from_text

SPEC = "import Mathlib\n\ntheorem foo (n : Nat) : n + 0 = n := by\n"
FULL = "import Mathlib\n\ntheorem foo (n : Nat) : n + 0 = n := by\n  simp\n"
BARE = "theorem foo (n : Nat) : n + 0 = n := by\n  simp\n"


class GateOnly:
    """The Lean verifier's first step, the soundness gate; `verified` stands for "the gate let it through"."""

    lang = "lean"

    def check_many(self, pairs, on_result=None):
        out = []
        for i, (task, cand) in enumerate(pairs):
            g = gate(task, cand)
            v = Verdict("verified") if g.ok else Verdict("rejected", f"{g.rule}: {g.detail}")
            out.append(v)
            if on_result:
                on_result(i, v)
        return out

    def close(self):
        pass


@pytest.fixture
def gate_only(monkeypatch):
    monkeypatch.setattr(prover.verifiers, "get_verifier", lambda lang, **kw: GateOnly())
    monkeypatch.setattr(prover.verifiers, "require_verifier", lambda lang: "lean-test", raising=False)


def test_the_statement_file_split_is_the_one_search_uses():
    task = task_from_text("s", "lean", SPEC)
    assert task.header.strip() == "import Mathlib" and task.statement == "theorem foo (n : Nat) : n + 0 = n := by"
    for text in (FULL, BARE, "\n  simp\n"):
        assert gate(task, Candidate("s", text)).ok, text


@pytest.mark.parametrize("candidate", [FULL, BARE, "\n  simp\n"])
def test_verify_spec_accepts_a_correct_proof_when_the_spec_has_the_import(tmp_path, capsys, gate_only, candidate):
    (tmp_path / "s.lean").write_text(SPEC)
    (tmp_path / "p.lean").write_text(candidate)
    rc = main(["verify", "--lang", "lean", "--spec", str(tmp_path / "s.lean"), str(tmp_path / "p.lean"),
               "--no-progress", "--no-cache"])
    rec = json.loads(capsys.readouterr().out)
    assert rc == 0 and rec["status"] == "verified", rec


def test_verify_jsonl_splits_a_statement_that_carries_its_header(tmp_path, capsys, gate_only):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "foo", "statement": SPEC, "candidate": FULL}) + "\n")
    rc = main(["verify", "--lang", "lean", "--jsonl", str(src), "--no-progress", "--no-cache"])
    rec = json.loads(capsys.readouterr().out)
    assert rc == 0 and rec["status"] == "verified", rec
