"""Proof-state sessions over recorded transcripts, tactic-response classification, the LeanDojo adapter."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass

import pytest

from lean_env.dojo import DojoSession, LeanDojoUnavailable, minif2f_file, theorem_name
from lean_env.pool import ReplPool
from lean_env.proofstate import ProofSession, classify_tactic_response
from lean_env.repl import ReplResponse

from tests.helpers.lean_transcripts import LABELS, double, label_pairs, transcript

VALIDATING = {"HEAD_v4.33.0-rc2": True, "v4.24.0": True, "v4.9.0-rc1": False}


@pytest.mark.parametrize("label", LABELS)
def test_session_finds_a_proof_and_reports_a_refused_tactic(label):
    with ReplPool(double(transcript(label, "Mathlib/test/exact.in"), flags=("--strict-order",))) as pool:
        with ProofSession(pool, "import Mathlib") as s:
            root = s.start("theorem test : 0 < 1 := by")
            assert (root.status, root.proof_state, root.goals) == ("open", 0, ["⊢ 0 < 1"])
            done = s.apply(root.proof_state, "exact?")
            assert done.status == "done" and done.goals == [] and done.validated == VALIDATING[label]
            other = s.start("theorem test : 3 = 7 := by")
            assert (other.status, other.proof_state) == ("open", 2)
            refused = s.apply(other.proof_state, "exact?")
            assert refused.status == "error" and "could not close the goal" in refused.error


@pytest.mark.parametrize("label", LABELS)
def test_session_branches_and_never_counts_sorry_as_done(label):
    with ReplPool(double(transcript(label, "Mathlib/test/induction.in"), flags=("--strict-order",))) as pool:
        with ProofSession(pool, "import Mathlib") as s:
            root = s.start("theorem foo (x : Nat) : x = x := by")
            assert root.status == "open" and root.goals == ["x : ℕ\n⊢ x = x"]
            split = s.apply(root.proof_state, "induction x")
            assert split.status == "open" and len(split.goals) == 2
            one = s.apply(split.proof_state, "next => rfl")
            assert one.status == "open" and len(one.goals) == 1
            # Both goals closed by `sorry`: goals == [] but not a proof (v4.9 has no proofStatus).
            cheat = s.apply(root.proof_state, "induction x with\n| zero => sorry\n| succ x => sorry")
            assert cheat.status == "error" and cheat.goals == []


def _tactic_responses(label):
    for pair in label_pairs(label):
        for command, response in zip(pair.commands, pair.responses):
            if "tactic" in json.loads(command):
                text = response.decode()
                yield ReplResponse.from_json(json.loads(text), text)


@pytest.mark.parametrize("label", LABELS)
def test_done_only_when_the_repl_raised_nothing(label):
    """Over every recorded tactic response: `done` never hides an error, a sorry or an unvalidated proof."""
    seen = set()
    for r in _tactic_responses(label):
        result = classify_tactic_response(r)
        seen.add(result.status)
        if result.status == "done":
            assert r.error is None and not r.errors and not r.sorries and r.goals == []
            assert r.proof_status in (("Completed",) if VALIDATING[label] else (None,))
        if r.proof_status and r.proof_status != "Completed" and not r.goals:
            assert result.status == "error", r.raw  # contains sorry / metavariables / kernel error
        if r.error is not None or r.errors:
            assert result.status == "error"
    assert seen == {"open", "done", "error"}


def test_session_after_a_timeout_needs_a_new_start():
    cmd = double(transcript("HEAD_v4.33.0-rc2", "Mathlib/test/exact.in"), flags=("--hang-after", "3"))
    with ReplPool(cmd, timeout=1.0) as pool:
        with ProofSession(pool, "import Mathlib") as s:
            root = s.start("theorem test : 0 < 1 := by")
            assert s.apply(root.proof_state, "exact?").status == "done"
            assert s.start("theorem test : 3 = 7 := by").status == "timeout"
            lost = s.apply(2, "exact?")
            assert lost.status == "error" and "start() again" in lost.error
            assert s.start("theorem test : 0 < 1 := by").status == "open"


def test_session_reports_an_unusable_header():
    with ReplPool(double(transcript("HEAD_v4.33.0-rc2", "Mathlib/test/exact.in"))) as pool:
        with ProofSession(pool, "import NotRecorded") as s:
            result = s.start("theorem test : 0 < 1 := by")
            assert result.status == "error" and "header" in result.error
            assert s.apply(0, "rfl").status == "error"


# -- LeanDojo adapter ------------------------------------------------------------------------------

def test_dojo_adapter_says_how_to_install_lean_dojo(monkeypatch):
    monkeypatch.setitem(sys.modules, "lean_dojo", None)  # makes `import lean_dojo` fail
    session = DojoSession("https://github.com/yangky11/miniF2F-lean4", "main", minif2f_file("valid"))
    with pytest.raises(LeanDojoUnavailable, match=r"pip install -e '\.\[lean\]'"):
        session.start("theorem mathd_algebra_10 : abs ((120 : ℝ) / 100 * 30 - 130 / 100 * 20) = 10 := by")


def test_theorem_name_and_minif2f_layout():
    assert theorem_name("/-- doc -/\n@[simp] theorem amc12a_2019_p21 (z : ℂ) : z = z := by") == "amc12a_2019_p21"
    assert theorem_name("lemma foo.bar {x : Nat} : x = x := by") == "foo.bar"
    with pytest.raises(ValueError):
        theorem_name("example : True := by")
    assert minif2f_file("test")("imo_1959_p1") == "MiniF2F/Test/imo_1959_p1.lean"


def _fake_lean_dojo(script):
    """A stand-in for the documented lean_dojo API (Dojo, TacticState, ProofFinished, LeanError, ...)."""
    ld = types.ModuleType("lean_dojo")

    @dataclass(frozen=True)
    class TacticState:
        pp: str
        id: int

    @dataclass(frozen=True)
    class ProofFinished:
        tactic_state_id: int

    @dataclass(frozen=True)
    class LeanError:
        error: str

    class ProofGivenUp:
        pass

    class DojoCrashError(Exception):
        pass

    class DojoTacticTimeoutError(Exception):
        pass

    class DojoInitError(Exception):
        pass

    class Dojo:
        opened = []

        def __init__(self, entry, timeout=600, additional_imports=()):
            self.entry, self.closed = entry, False
            Dojo.opened.append(self)

        def __enter__(self):
            if self.entry[2] == "not_traced":
                raise DojoInitError("Cannot find the *.ast.json file")
            return self, TacticState("x : Nat\n⊢ x = x\n\ny : Nat\n⊢ y = y", 0)

        def __exit__(self, *exc):
            self.closed = True

        def run_tac(self, state, tactic):
            outcome = script[tactic]
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

    ld.Dojo, ld.TacticState, ld.ProofFinished, ld.LeanError = Dojo, TacticState, ProofFinished, LeanError
    ld.ProofGivenUp, ld.DojoCrashError = ProofGivenUp, DojoCrashError
    ld.DojoTacticTimeoutError, ld.DojoInitError = DojoTacticTimeoutError, DojoInitError
    ld.LeanGitRepo = lambda url, commit: (url, commit)
    ld.Theorem = lambda repo, path, name: (repo, path, name)
    script.update({
        "rfl": ProofFinished(7),
        "intro": TacticState("y : Nat\n⊢ y = y", 1),
        "bad": LeanError("unknown tactic"),
        "sorry": ProofGivenUp(),
        "slow": DojoTacticTimeoutError("timeout"),
        "boom": DojoCrashError("OOM"),
    })
    return ld


def test_dojo_adapter_maps_lean_dojo_results(monkeypatch):
    ld = _fake_lean_dojo({})
    monkeypatch.setitem(sys.modules, "lean_dojo", ld)
    s = DojoSession("https://github.com/yangky11/miniF2F-lean4", "abc", minif2f_file("valid"), timeout=30)
    root = s.start("theorem t (x y : Nat) : x = x ∧ y = y := by")
    assert root.status == "open" and root.goals == ["x : Nat\n⊢ x = x", "y : Nat\n⊢ y = y"]
    assert ld.Dojo.opened[-1].entry[1:] == ("MiniF2F/Valid/t.lean", "t")
    nxt = s.apply(root.proof_state, "intro")
    assert (nxt.status, nxt.proof_state, nxt.goals) == ("open", 1, ["y : Nat\n⊢ y = y"])
    assert s.apply(1, "rfl").status == "done"
    assert s.apply(0, "bad").error == "unknown tactic"
    assert s.apply(0, "sorry").status == "error"
    assert s.apply(42, "rfl").status == "error"
    assert s.apply(0, "slow").status == "timeout"
    assert ld.Dojo.opened[-1].closed and s.apply(0, "rfl").status == "error"
    s.start("theorem t (x y : Nat) : x = x ∧ y = y := by")
    assert s.apply(0, "boom").status == "crash"
    assert s.start("theorem not_traced : True := by").status == "error"


def test_theorem_name_is_lean_lexers_reading_not_a_line_regex():
    assert theorem_name("/-\ntheorem old_draft : 1 = 1 := by\n-/\ntheorem real (x : ℕ) : x = x := by") == "real"
    assert theorem_name("theorem «my thm» : True := by") == "my thm"
