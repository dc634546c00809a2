"""The Lean checker: verdict decisions on real REPL responses, and the verifier's pool handling.

Lean output here is never invented. Responses come from the REPL's own test transcripts
(`v4.24.0` in `tests/fixtures/lean_repl_transcripts.tar.xz`). Two answers the checker relies on never occur in
those transcripts: `#check @c` under `pp.all` and `#print axioms c`. For them the tests take a real
recorded info message (`#check f` -> "f : Nat" from `dup_msg`), keep its record shape, and change only
its position and text to the formats Lean's source prints ("e : type" in `elabCheckCore`,
"'c' depends on axioms: [..]" / "'c' does not depend on any axioms" in `Elab/Print.lean`): that is, the
decision function is tested on the parsed record type built from a real transcript response.
Pool faults (crash, hang) come from the transcript-replay double `tests/helpers/replay.py`.
"""

import copy
import json
import re
import threading

import pytest

from lean_env.verifier import (ALLOWED_AXIOMS, LeanVerifier, decide, parse_axioms, post_check,
                              printed_type)
from lean_env.pool import PoolResult, ReplPool
from lean_env.repl import ReplResponse
from lean_env.soundness import gate
from verifier_core.cache import VerdictCache
from verifier_core.settings import REPO_ROOT
from verifier_core.records import Candidate, Task

from tests.helpers.lean_transcripts import double, transcript
from tests.helpers.replay import split_responses

STMT = "theorem mathd_algebra_10 (x : ℝ) (h₀ : x = 2) : Real.sqrt (x ^ 2) = 2 := by"
TASK = Task(id="mathd_algebra_10", lang="lean", statement=STMT, header="import Mathlib\n")
REF_TYPE = "forall (x : Real) (h₀ : @Eq.{1} Real x (@OfNat.ofNat.{0} Real 2 _)), @Eq.{1} Real (Real.sqrt x) 2"


def recorded(name: str, index: int) -> ReplResponse:
    """Response number `index` of transcript `name`, exactly as the REPL printed it."""
    raw = split_responses(transcript("v4.24.0", f"{name}.expected.out").read_bytes())[index]
    return ReplResponse.from_json(json.loads(raw), raw.decode())


def _info_like(line: int, data: str) -> dict:
    """The recorded `#check f` info message of `dup_msg`, moved to `line` with text `data`."""
    msg = copy.deepcopy(recorded("dup_msg", 1).raw["messages"][0])
    assert msg["severity"] == "info" and msg["data"] == "f : Nat"
    msg["pos"]["line"] = msg["endPos"]["line"] = line
    msg["data"] = data
    return msg


def with_answers(base: ReplResponse, post, name: str, type_text: str, axioms: str) -> ReplResponse:
    """`base` (a recorded response) plus the answers of our two post-check commands."""
    raw = copy.deepcopy(base.raw)
    raw.setdefault("messages", [])
    raw["messages"] = raw["messages"] + [_info_like(post.check_line, f"@{name} : {type_text}"),
                                         _info_like(post.axioms_line, axioms)]
    return ReplResponse.from_json(raw)


STD_AXIOMS = "'{n}' depends on axioms: [propext, Classical.choice, Quot.sound]"


def plan_for(text: str):
    g = gate(TASK, Candidate(TASK.id, text))
    assert g.ok, g.detail
    return g, post_check(g.code, g.decl_name, ("pp.all true",))


# -- parsing of the two answers ------------------------------------------------------------------------


def test_parse_axioms_formats():
    assert parse_axioms("'t' depends on axioms: [propext, Classical.choice, Quot.sound]") == set(ALLOWED_AXIOMS)
    # long names make Lean wrap the list over lines
    assert parse_axioms("'a.b' depends on axioms: [propext,\n Classical.choice,\n sorryAx]") == {
        "propext", "Classical.choice", "sorryAx"}
    assert parse_axioms("'t' does not depend on any axioms") == set()
    assert parse_axioms("f : Nat") is None


def test_printed_type_normalises_layout():
    assert printed_type("@c : ∀ (x : Nat),\n  x = x") == "∀ (x : Nat), x = x"
    assert printed_type("@c.{u_1, u_2} : Sort u_1") == "Sort u_1"
    with pytest.raises(ValueError):
        printed_type("no separator")


def test_post_check_lines_follow_the_code():
    g, post = plan_for("\n  simp")
    text = g.code + post.text
    lines = text.split("\n")
    assert lines[post.check_line - 1] == f"#check @{g.decl_name}"
    assert lines[post.axioms_line - 1] == f"#print axioms {g.decl_name}"
    assert lines[post.first_line - 1] == "set_option pp.all true in"


# -- decisions on recorded responses ---------------------------------------------------------------------


def test_verified_needs_clean_answers():
    g, post = plan_for("\n  rw [h₀]\n  simp")
    resp = with_answers(recorded("dup_msg", 0), post, g.decl_name, REF_TYPE, STD_AXIOMS.format(n=g.decl_name))
    v = decide(resp, g, post, REF_TYPE)
    assert v.status == "verified", v.reason


def test_no_axioms_at_all_is_fine():
    g, post = plan_for("\n  simp")
    resp = with_answers(recorded("dup_msg", 0), post, g.decl_name, REF_TYPE, f"'{g.decl_name}' does not depend on any axioms")
    assert decide(resp, g, post, REF_TYPE).status == "verified"


def test_linter_warnings_do_not_fail_a_proof():
    g, post = plan_for("\n  simp")
    base = recorded("variables", 1)  # a real "unused variable" linter warning at line 1
    assert base.messages[0].severity == "warning"
    v = decide(with_answers(base, post, g.decl_name, REF_TYPE, STD_AXIOMS.format(n=g.decl_name)), g, post, REF_TYPE)
    assert v.status == "verified"
    assert [m.severity for m in v.messages] == ["warning"]


@pytest.mark.parametrize("axioms", ["sorryAx", "Lean.ofReduceBool", "cheat"])
def test_axioms_outside_the_allow_list_are_rejected(axioms):
    g, post = plan_for("\n  simp")
    text = f"'{g.decl_name}' depends on axioms: [propext, {axioms}]"
    v = decide(with_answers(recorded("dup_msg", 0), post, g.decl_name, REF_TYPE, text), g, post, REF_TYPE)
    assert v.status == "rejected" and axioms in v.reason


def test_a_different_type_is_rejected():
    g, post = plan_for("\n  simp")
    other = REF_TYPE.replace("Real.sqrt", "Foo.sqrt")
    v = decide(with_answers(recorded("dup_msg", 0), post, g.decl_name, other, STD_AXIOMS.format(n=g.decl_name)),
               g, post, REF_TYPE)
    assert v.status == "rejected" and v.reason.startswith("statement-changed")


def test_truncated_print_is_an_error_not_a_match():
    g, post = plan_for("\n  simp")
    cut = "forall (x : Real) ⋯"
    v = decide(with_answers(recorded("dup_msg", 0), post, g.decl_name, cut, STD_AXIOMS.format(n=g.decl_name)),
               g, post, cut)
    assert v.status == "error"


def test_recorded_sorry_response_fails():
    g, post = plan_for("\n  simp")
    base = recorded("name_generator", 0)  # sorries + "declaration uses 'sorry'"
    v = decide(with_answers(base, post, g.decl_name, REF_TYPE, STD_AXIOMS.format(n=g.decl_name)), g, post, REF_TYPE)
    assert v.status == "failed"


def test_sorry_warning_alone_fails():
    g, post = plan_for("\n  simp")
    base = recorded("name_generator", 0)
    raw = copy.deepcopy(base.raw)
    del raw["sorries"]
    v = decide(with_answers(ReplResponse.from_json(raw), post, g.decl_name, REF_TYPE, STD_AXIOMS.format(n=g.decl_name)),
               g, post, REF_TYPE)
    assert v.status == "failed" and "sorry" in v.reason


def test_recorded_errors_fail_with_candidate_positions():
    g, post = plan_for("\n  by_cases x\n  { apply Nat.succ }")
    base = recorded("incomplete", 1)  # "unsolved goals" errors at lines 3 and 1
    v = decide(with_answers(base, post, g.decl_name, REF_TYPE, STD_AXIOMS.format(n=g.decl_name)), g, post, REF_TYPE)
    assert v.status == "failed" and "unsolved goals" in v.reason
    # code line 3 is the candidate's line 3 (the statement is one line, the candidate starts on it)
    assert (v.messages[0].line, v.messages[0].column) == (3, 20)  # columns count from 1 (the REPL's from 0)
    assert v.messages[1].spec and v.messages[1].line == 1  # reported inside the statement, at its line 1


def test_missing_answers_fail():
    g, post = plan_for("\n  simp")
    v = decide(recorded("dup_msg", 0), g, post, REF_TYPE)  # {"env": 0}: our commands were swallowed
    assert v.status == "failed" and "missing" in v.reason


def test_repl_refusal_is_an_error():
    g, post = plan_for("\n  simp")
    v = decide(recorded("unknown_environment", 0), g, post, REF_TYPE)
    assert v.status == "error" and "Unknown environment" in v.reason


def test_error_in_our_commands_fails():
    g, post = plan_for("\n  simp")
    raw = copy.deepcopy(recorded("dup_msg", 2).raw)  # "Unknown identifier `g`" error
    raw["messages"][0]["pos"]["line"] = raw["messages"][0]["endPos"]["line"] = post.check_line
    v = decide(ReplResponse.from_json(raw), g, post, REF_TYPE)
    assert v.status == "failed" and "post-check" in v.reason


# -- the verifier around a pool ---------------------------------------------------------------------------


class StubPool:
    """Answers like a REPL would, with records built from transcript responses (see module doc).

    The reference command (`… := by sorry`) gets `ref_type`; candidates get `cand_type`. `faults`
    is a list of PoolResult statuses to return first (then it answers normally).
    """

    def __init__(self, ref_type=REF_TYPE, cand_type=REF_TYPE, faults=()):
        self.ref_type, self.cand_type = ref_type, cand_type
        self.faults = list(faults)
        self.calls = []

    def run(self, header, request, timeout=None):
        cmd = request["cmd"]
        self.calls.append((cmd, timeout))
        if self.faults:
            return PoolResult(self.faults.pop(0), None, 0.0, "injected fault")
        name = re.search(r"#check @(\S+)", cmd).group(1)
        post = post_check(cmd[:cmd.index("\n\nset_option pp.all")], name,
                          [ln[len("set_option "):-len(" in")] for ln in cmd.splitlines() if ln.startswith("set_option pp.")])
        is_ref = ":= by sorry\n" in cmd
        resp = with_answers(recorded("dup_msg", 0), post, name, self.ref_type if is_ref else self.cand_type,
                            STD_AXIOMS.format(n=name))
        return PoolResult("ok", resp, 0.0)

    def close(self):
        pass


def test_verifier_verifies_dedupes_and_caches():
    stub = StubPool()
    cache = VerdictCache()
    v = LeanVerifier(pool=stub, cache=cache, workers=2)
    a, b = Candidate(TASK.id, "\n  rw [h₀]\n  simp"), Candidate(TASK.id, "\n  simp [h₀]")
    seen = []
    out = v.check_many([(TASK, a), (TASK, a), (TASK, b)], on_result=lambda i, vd: seen.append(i))
    assert [x.status for x in out] == ["verified"] * 3
    assert sorted(seen) == [0, 1, 2]
    cand_runs = [c for c, _ in stub.calls if ":= by sorry\n" not in c]
    ref_runs = [c for c, _ in stub.calls if ":= by sorry\n" in c]
    assert len(cand_runs) == 2 and len(ref_runs) == 1  # duplicates checked once, reference once per task
    again = v.check_many([(TASK, a)])
    assert again[0].cached and again[0].status == "verified"
    assert len(stub.calls) == 3
    assert out[0].toolchain == v.toolchain() != ""


def test_verifier_rejects_changed_statement():
    v = LeanVerifier(pool=StubPool(cand_type=REF_TYPE.replace("2", "3")))
    assert v.check(TASK, Candidate(TASK.id, "\n  simp")).status == "rejected"


def test_error_is_retried_once_with_double_timeout():
    stub = StubPool(faults=["crash"])
    v = LeanVerifier(pool=stub, timeout=7)
    verdict = v.check(TASK, Candidate(TASK.id, "\n  simp"))
    assert verdict.status == "verified"
    assert [t for _, t in stub.calls] == [7, 14, 14]  # crashed reference, then reference + candidate


def test_gate_rejection_never_reaches_the_pool():
    stub = StubPool()
    v = LeanVerifier(pool=stub)
    verdict = v.check(TASK, Candidate(TASK.id, "\n  native_decide"))
    assert verdict.status == "rejected" and verdict.reason.startswith("native-code")
    assert stub.calls == []


def test_bad_input_gets_its_own_verdict_and_the_batch_goes_on():
    v = LeanVerifier(pool=StubPool())
    bad_task = Task(id="bad", lang="lean", statement="not a theorem", header=TASK.header)
    out = v.check_many([(TASK, Candidate(TASK.id, "a\x00b")), (bad_task, Candidate("bad", "simp")),
                        (TASK, Candidate(TASK.id, "\n  simp"))])
    # Binary model output is a bad proof (rejected); an unusable task is our problem (error).
    assert [x.status for x in out] == ["rejected", "error", "verified"]
    assert out[0].reason.startswith("input:binary") and out[1].reason.startswith("task:unparsable")


def test_without_lean_never_verified(tmp_path, monkeypatch):
    monkeypatch.delenv("PROVER_LEAN_REPL", raising=False)
    monkeypatch.setenv("PROVER_LEAN_PROJECT", str(tmp_path / "none"))
    v = LeanVerifier()
    assert v.toolchain() == ""
    ok = v.check(TASK, Candidate(TASK.id, "\n  simp"))
    bad = v.check(TASK, Candidate(TASK.id, "\n  sorry"))
    assert ok.status == "error" and "setup-lean" in ok.reason
    assert bad.status == "rejected"


# -- the verifier around the real pool, with the replay double's faults ------------------------------------


def replay_pool(*flags, timeout=5.0):
    cmd = double(transcript("v4.24.0", "dup_msg.in"), flags=flags)
    return ReplPool(cmd, cwd=str(REPO_ROOT), workers=1, timeout=timeout, memory_mb=None)


class Recording:
    def __init__(self, pool):
        self.pool, self.timeouts = pool, []

    def run(self, header, request, timeout=None):
        self.timeouts.append(timeout)
        return self.pool.run(header, request, timeout)

    def close(self):
        self.pool.close()


# The replay double knows `def f := 2` (dup_msg's first command) as a header; it has no recorded
# answer for our check commands, so it exits: a crash, as a dying REPL would be.
REPLAY_TASK = Task(id="t", lang="lean", statement="theorem t : True := by", header="def f := 2")


def test_replay_crash_is_error_after_one_retry():
    pool = Recording(replay_pool())
    with LeanVerifier(pool=pool, timeout=5) as v:
        verdict = v.check(REPLAY_TASK, Candidate("t", "\n  trivial"))
    assert verdict.status == "error" and "crash" in verdict.reason
    assert pool.timeouts == [5, 10]
    assert pool.pool.live_pids() == []


def test_replay_hang_is_timeout():
    pool = Recording(replay_pool("--hang-after", "1"))
    with LeanVerifier(pool=pool, timeout=1) as v:
        verdict = v.check(REPLAY_TASK, Candidate("t", "\n  trivial"))
    assert verdict.status == "timeout"
    assert pool.timeouts == [1]  # timeouts are final here, not retried


def test_verify_cli_without_lean_says_so_once_and_never_verifies(tmp_path):
    """`prover verify --lang lean` with no REPL: one line that says how to get Lean, exit status 2,
    no verdicts (issue 22: not an `error` record repeating it for every line)."""
    import subprocess
    import sys

    stmt = "theorem foo (a b : ℕ) : a + b = b + a := by"
    rows = [{"id": "ok", "header": "import Mathlib\n", "formal_statement": stmt, "proof": "\n  omega"},
            {"id": "cheat", "header": "import Mathlib\n", "formal_statement": stmt, "proof": "\n  sorry"}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    env = {**__import__("os").environ, "PROVER_LEAN_PROJECT": str(tmp_path / "none"), "PROVER_LEAN_REPL": ""}
    out = subprocess.run([sys.executable, "-m", "prover.cli", "verify", "--lang", "lean", "--jsonl", str(src),
                          "--no-progress"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "setup-lean" in out.stderr


# -- failures the candidate causes every time, and concurrent reference checks ----------------------------


class SplitPool:
    """Reference commands go to a `StubPool`; candidate commands to `pools` in turn (the last one
    keeps serving), so the real pool's faults hit only the candidate, as in a working header env."""

    def __init__(self, *pools):
        self.ref, self.pools, self.calls = StubPool(), list(pools), 0

    def run(self, header, request, timeout=None):
        if ":= by sorry\n" in request["cmd"]:
            return self.ref.run(header, request, timeout)
        pool = self.pools[min(self.calls, len(self.pools) - 1)]
        self.calls += 1
        return pool.run(header, request, timeout)

    def close(self):
        for p in self.pools:
            p.close()


def test_memory_overrun_is_the_candidates_failure():
    # every command grows the double by 60 MiB; the header fits under the 100 MiB watchdog, the
    # candidate's command (never answered) does not
    real = replay_pool("--grow-mb-per-cmd", "60", "--hang-after", "1", timeout=20)
    real.rss_limit_mb = 100
    pool = SplitPool(real)
    with LeanVerifier(pool=pool, timeout=20) as v:
        verdict = v.check(REPLAY_TASK, Candidate("t", "\n  trivial"))
    assert verdict.status == "failed" and verdict.reason.startswith("limit:memory"), verdict.reason
    assert pool.calls == 1  # not retried: a memory overrun is not infrastructure trouble
    assert real.live_pids() == []


def test_crash_reproduced_on_another_process_is_failed():
    real = replay_pool()  # the double has no answer for the candidate's command: it exits (a crash)
    pool = SplitPool(real)
    with LeanVerifier(pool=pool, timeout=5) as v:
        verdict = v.check(REPLAY_TASK, Candidate("t", "\n  trivial"))
    assert verdict.status == "failed" and verdict.reason.startswith("crash:"), verdict.reason
    assert pool.calls == 2 and real.started == 2  # the crash happened again on a second process


def test_crash_not_reproduced_is_not_the_candidates_fault():
    pool = SplitPool(replay_pool(), StubPool())  # one crash, then a healthy REPL
    with LeanVerifier(pool=pool, timeout=5) as v:
        verdict = v.check(REPLAY_TASK, Candidate("t", "\n  trivial"))
    assert verdict.status == "verified" and pool.calls == 2


class NoMaxStepsPool(StubPool):
    """A toolchain without `pp.maxSteps`: a reference command that sets it gets an error on that
    line. Two such commands are held until both have arrived, and the second is answered only after
    the first thread's retry (without the option): the interleaving in which a shared option list
    made the second thread misread the error as the statement's own and cache `bad input`."""

    def __init__(self):
        super().__init__()
        self.first_extra = threading.Lock()
        self.retried, self.both = threading.Event(), threading.Event()
        self.extra_refs = 0

    def run(self, header, request, timeout=None):
        cmd = request["cmd"]
        if ":= by sorry\n" not in cmd or "pp.maxSteps" not in cmd:
            if ":= by sorry\n" in cmd:
                self.retried.set()
            return super().run(header, request, timeout)
        with self.first_extra:
            self.extra_refs += 1
            first = self.extra_refs == 1
            if not first:
                self.both.set()
        if first:
            assert self.both.wait(10)  # both threads built their command with the option
        else:
            assert self.retried.wait(10)
        lines = cmd.split("\n")
        bad_line = next(i for i, ln in enumerate(lines, 1) if ln.startswith("set_option pp.maxSteps"))
        raw = copy.deepcopy(recorded("dup_msg", 2).raw)  # a real error record ("Unknown identifier")
        raw["messages"][0]["pos"]["line"] = raw["messages"][0]["endPos"]["line"] = bad_line
        raw["messages"][0]["data"] = "unknown option 'pp.maxSteps'"
        return PoolResult("ok", ReplResponse.from_json(raw), 0.0)


def test_concurrent_reference_checks_do_not_share_print_options():
    other = Task(id="other", lang="lean", statement=STMT.replace("mathd_algebra_10", "other_10"), header=TASK.header)
    pool = NoMaxStepsPool()
    v = LeanVerifier(pool=pool, workers=2)
    out = v.check_many([(TASK, Candidate(TASK.id, "\n  simp")), (other, Candidate(other.id, "\n  simp"))])
    assert pool.extra_refs == 2  # both references were first tried with the option, concurrently
    assert [x.status for x in out] == ["verified", "verified"], [x.reason for x in out]
    # nothing wrong was cached about either task
    assert v.check(other, Candidate(other.id, "\n  simp [h₀]")).status == "verified"


def test_address_space_cap_is_the_candidates_failure():
    # 28 MiB at start, 80 MiB more per command: the header fits under the 150 MiB cap, the
    # candidate's command does not, and the process dies of it (as Lean does, with a message)
    real = ReplPool(double(transcript("v4.24.0", "dup_msg.in"), flags=("--grow-mb-per-cmd", "80")),
                    cwd=str(REPO_ROOT), workers=1, timeout=20, memory_mb=150)
    pool = SplitPool(real)
    with LeanVerifier(pool=pool, timeout=20) as v:
        verdict = v.check(REPLAY_TASK, Candidate("t", "\n  trivial"))
    assert verdict.status == "failed" and verdict.reason.startswith("limit:memory"), verdict.reason
    assert "MemoryError" in verdict.reason and pool.calls == 1
