"""Best-first search on the Lean REPL's tactic mode, with whole-file re-verification of what it finds.

Tactic mode has accepted invalid proofs (repl #44), so a path that reaches "no goals" is only a lead:
it is joined into a tactic block and checked by the Lean verifier before the task counts as proved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from verifier_core.records import Candidate, Task, Verifier
from ..policies.base import Policy
from .best_first import Step, best_first_search, policy_proposer
from .result import Attempt, SearchResult
from .sampling import finish


@dataclass(frozen=True)
class LeanHandle:
    """A proof state: its REPL id, the tactics that led to it, and the REPL generation it lives in."""

    proof_state: int | None
    path: tuple[str, ...]
    epoch: int


class LeanStateSpace:
    """`StateSpace` over a `lean_env.proofstate.ProofSession`.

    A REPL timeout or crash loses every proof state of the session; a later `apply` on an older
    state restarts the statement and replays that state's tactic path, so the search goes on.
    """

    def __init__(self, session, statement: str):
        self.session = session
        self.statement = statement
        self.epoch = 0

    def start(self) -> Step:
        r = self.session.start(self.statement)
        return self._step(r, ())

    def apply(self, state: LeanHandle, tactic: str) -> Step:
        if state.epoch != self.epoch:
            state = self._replay(state.path)
            if state is None:
                return Step("crash", error="could not rebuild the proof state after a REPL restart")
        r = self.session.apply(state.proof_state, tactic)
        return self._step(r, state.path + (tactic,))

    def _step(self, r, path: tuple[str, ...]) -> Step:
        if r.status in ("timeout", "crash"):
            self.epoch += 1
        goals = list(r.goals or [])
        return Step(r.status, LeanHandle(r.proof_state, path, self.epoch), "\n\n".join(goals), goals, r.error or "")

    def _replay(self, path: tuple[str, ...]) -> LeanHandle | None:
        step = self.start()
        for tactic in path:
            if step.status != "open":
                return None
            step = self.apply(step.state, tactic)
        return step.state if step.status in ("open", "done") else None


def tactic_block(tactics: list[str]) -> str:
    """The whole-proof candidate (continuation after `:= by`) for a list of tactics."""
    return "".join("\n  " + t.replace("\n", "\n  ") for t in tactics)


def lean_best_first(task: Task, policy: Policy, session, verifier: Verifier, *, width: int = 8,
                    max_expansions: int = 100, max_seconds: float | None = None,
                    on_expand: Callable[[int, float], None] | None = None) -> SearchResult:
    """Best-first search for `task` in `session`; a found proof is re-checked by `verifier`."""
    t0 = time.monotonic()
    result = SearchResult(task.id, task.lang, "best-first", policy.name)
    propose = policy_proposer(policy, task)
    timed = _TimedProposer(propose)
    bf = best_first_search(LeanStateSpace(session, task.statement), timed, width=width,
                           max_expansions=max_expansions, max_seconds=max_seconds, on_expand=on_expand)
    result.graph = bf.graph_json()
    result.gen_seconds = timed.seconds
    result.stop_reason = bf.reason or bf.status
    if bf.status == "proved":
        text = tactic_block(bf.tactics)
        v0 = time.monotonic()
        v = verifier.check(task, Candidate(task.id, text, source=policy.name))
        result.verify_seconds = time.monotonic() - v0
        result.toolchain = v.toolchain
        result.attempts.append(Attempt(text, v.status, v.reason, 0, None, timed.seconds, v.seconds, v.cached,
                                       [m.to_dict() for m in v.messages]))
        result.stop_reason = "proof found" if v.ok else f"tactic mode found a proof the verifier calls {v.status}"
    elif bf.status == "error":
        result.attempts.append(Attempt("", "error", f"could not start the proof: {bf.reason}"))
    return finish(result, task, t0)


class _TimedProposer:
    """Counts the time spent generating tactics, to split search time into generation and the rest."""

    def __init__(self, propose):
        self.propose = propose
        self.seconds = 0.0

    def __call__(self, key: str, n: int):
        t = time.monotonic()
        try:
            return self.propose(key, n)
        finally:
            self.seconds += time.monotonic() - t
