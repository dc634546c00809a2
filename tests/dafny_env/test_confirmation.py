"""The exact mode's CLI confirmations: which server failures go to one `dafny` process, and that
they overlap with the pool's other checks (real Dafny where a server is needed)."""

from __future__ import annotations

import threading

from dafny_env import DafnyVerifier
from dafny_env.messages import parse_output
from dafny_env.verifier import _server_may_differ
from verifier_core.records import Candidate, Task, Verdict
from tests.dafny_env.test_batching import needs_server

# What DafnyServer 2.3 printed for a loop-free false lemma and for clover_array_concat (abridged).
PLAIN = ("Verifying Impl$$_module.__default.T ...\n  [2 proof obligations]  error\n"
         "prog0.dfy(3,0): Error BP5003: A postcondition might not hold on this return path.\n"
         "prog0.dfy(2,10): Related location: This is the postcondition that might not hold.\n"
         "Execution trace:\n    (0,0): anon0\nVerification completed successfully!\n")
LOOP = ("Verifying Impl$$_module.__default.concat ...\n  [39 proof obligations]  error\n"
        "prog0.dfy(8,2): Error BP5003: A postcondition might not hold on this return path.\n"
        "prog0.dfy(4,10): Related location: This is the postcondition that might not hold.\n"
        "Execution trace:\n    (0,0): anon0\n    prog0.dfy(8,3): anon14_LoopHead\n"
        "    (0,0): anon14_LoopBody\nVerification completed successfully!\n")
NO_TRACE = ("Verifying Impl$$_module.__default.T ...\n  [2 proof obligations]  error\n"
            "prog0.dfy(3,0): Error BP5003: A postcondition might not hold on this return path.\n"
            "Verification completed successfully!\n")
TIMED_OUT = ("Verifying Impl$$_module.__default.T ...\n  [2 proof obligations]  timed out\n"
             "prog0.dfy(3,0): Verification of 'T' timed out after 50 seconds\nVerification completed successfully!\n")
LOOP_FREE_PROGRAM = "lemma T(x: int) ensures x > 0\n{\n}\n"


def _differs(output: str, reason: str, program: str = LOOP_FREE_PROGRAM) -> bool:
    return _server_may_differ(Verdict("failed", reason), parse_output(output, 2), output, program)


def test_only_failures_that_can_be_server_false_negatives_are_confirmed():
    plain = "verify: 1 error(s); first: line 3: A postcondition might not hold"
    assert not _differs(PLAIN, plain)  # loop-free, traced, plain error: the CLI is not asked
    assert _differs(LOOP, plain)  # a path through a loop head: the VC-shape cases seen
    assert _differs(PLAIN, plain, "method M() { var i := 0; while i < 1 { i := i + 1; } }\n" + LOOP_FREE_PROGRAM)
    assert _differs(NO_TRACE, plain)  # an error without its trace: nothing to decide on
    assert _differs(TIMED_OUT, "verify:vc-timeout: 1 proof obligation(s) timed out")
    assert _differs(PLAIN, "verify:member-not-verified: T (error)")
    assert not _differs(PLAIN, "parse: line 1: invalid something")  # front-end errors are deterministic
    assert not _differs(PLAIN, "limit:time: no verdict within 30 s")


def _recording(v: DafnyVerifier, monkeypatch, on_cli=None) -> list[bool]:
    """`cli` of every verify request the verifier makes; `on_cli` runs before each CLI request."""
    calls: list[bool] = []
    real = v.run_program

    def run_program(program, fresh=False, cli=False, command="verify", timeout=None):
        if command == "verify":
            calls.append(cli)
            if cli and on_cli:
                on_cli()
        return real(program, fresh=fresh, cli=cli, command=command, timeout=timeout)

    monkeypatch.setattr(v, "run_program", run_program)
    return calls


LOOP_TASK = Task("loop", "dafny", "method Count(n: nat) returns (i: nat)\n  ensures i == n + 1\n", kind="implement")
LOOP_BODY = "{\n  i := 0;\n  while i < n\n    invariant i <= n\n  {\n    i := i + 1;\n  }\n}"
PLAIN_TASK = Task("plain", "dafny", "lemma T(x: int)\n  ensures x * x > x\n")


@needs_server
def test_a_loop_free_failure_is_not_sent_to_the_cli_and_a_loop_failure_is(monkeypatch):
    with DafnyVerifier(workers=1) as v:
        calls = _recording(v, monkeypatch)
        plain = v.check(PLAIN_TASK, Candidate("c", "{\n}"))
        assert plain.status == "failed" and "confirmed" not in plain.reason and calls == [False]
        loop = v.check(LOOP_TASK, Candidate("c", LOOP_BODY))
        assert loop.status == "failed" and "[confirmed by dafny CLI]" in loop.reason, loop.reason
        assert calls == [False, False, True]


@needs_server
def test_confirmations_overlap_with_the_servers_work(monkeypatch):
    """One worker: the confirmation of the first item waits until a server has checked the second
    item. Checked one after the other, it would wait for ever (the test would time out)."""
    second_done = threading.Event()
    with DafnyVerifier(workers=1) as v:
        waited: list[bool] = []
        _recording(v, monkeypatch, on_cli=lambda: waited.append(second_done.wait(120)))
        pairs = [(LOOP_TASK, Candidate("a", LOOP_BODY)), (PLAIN_TASK, Candidate("b", "{\n  assert x * x > x;\n}"))]

        def on_result(i: int, verdict) -> None:
            if i == 1:
                second_done.set()

        out = v.check_many(pairs, on_result=on_result)
    assert waited == [True]
    assert out[0].status == "failed" and "[confirmed by dafny CLI]" in out[0].reason
    assert out[1].status == "failed" and "confirmed" not in out[1].reason
