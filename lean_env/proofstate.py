"""Proof states for tactic search over the Lean REPL's tactic mode.

A session leases one REPL from the pool for its whole life, because proof-state ids exist only inside
the process that made them. `start(statement)` runs `statement sorry` in the header environment and
takes the `sorry`'s proof state; `apply(state, tactic)` runs one tactic on a state.

Tactic mode has accepted invalid proofs (repl #44), so `done` is only a lead: a proof found here must
be re-checked as a whole file by the caller before it counts. `done` is reported only when the REPL
raised nothing: no error message, no `sorry`, and, where the REPL validates the finished proof
(`proofStatus`: present in the v4.24.0 and v4.33.0-rc2 transcripts, absent at v4.9.0-rc1), status
`Completed` (`TacticResult.validated` says whether that validation happened). `Incomplete: contains sorry/metavariable(s)` and `Error: kernel ...` are errors.

`rootGoals` is not used: the `sorry` route gives the same root goal on every REPL version, while
`rootGoals` is missing at v4.9.0-rc1 and no transcript shows it combined with a `sorry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .pool import Lease, LeaseUnavailable, PoolResult, ReplPool
from .repl import ReplResponse, tactic_request

TACTIC_STATUSES = ("open", "done", "error", "timeout", "crash")
PROOF_COMPLETED = "Completed"
OPEN_GOALS = "Incomplete: open goals remain"


@dataclass
class TacticResult:
    """The state after `start` or one tactic.

    `status`: `open` (goals remain; `proof_state` is the new state), `done` (no goals left),
    `error` (Lean rejected the step; `error` says why), `timeout` / `crash` (the REPL was killed:
    every proof state of the session is gone; call `start` again).
    """

    status: str
    proof_state: int | None = None
    goals: list[str] = field(default_factory=list)
    error: str = ""
    validated: bool = False
    seconds: float = 0.0
    response: ReplResponse | None = None


def _error_text(response: ReplResponse) -> str:
    return "\n".join(m.data for m in response.errors)


def classify_tactic_response(response: ReplResponse) -> TacticResult:
    """Turn a tactic-mode response into a TacticResult (see the module docstring for the rules)."""
    if response.error is not None:
        return TacticResult("error", error=response.error, response=response)
    if response.errors:
        return TacticResult("error", response.proof_state, response.goals or [], _error_text(response),
                            response=response)
    goals = response.goals or []
    status = response.proof_status
    if status is not None:
        if status == PROOF_COMPLETED and not goals and not response.sorries:
            return TacticResult("done", response.proof_state, [], validated=True, response=response)
        if status == OPEN_GOALS and goals and not response.sorries:
            return TacticResult("open", response.proof_state, goals, response=response)
        return TacticResult("error", response.proof_state, goals, status, response=response)
    # Older REPLs (v4.9) do not validate: only the absence of goals and sorries is known.
    if response.sorries:
        return TacticResult("error", response.proof_state, goals, "the tactic left a `sorry`",
                            response=response)
    if response.proof_state is None or response.goals is None:
        return TacticResult("error", error=f"not a tactic-mode response: {response.raw}", response=response)
    return TacticResult("done" if not goals else "open", response.proof_state, goals, response=response)


class ProofSession:
    """Tactic-by-tactic proving of statements under one header, in one leased REPL.

    Use as a context manager (or call `close`), since the session holds a REPL from the pool.
    """

    def __init__(self, pool: ReplPool, header: str, timeout: float | None = None):
        self.pool = pool
        self.header = header
        self.timeout = timeout
        self._lease_cm = None
        self._lease: Lease | None = None

    def _ensure_lease(self) -> Lease | PoolResult:
        if self._lease is not None and self._lease.alive:
            return self._lease
        self.close()
        cm = self.pool.lease(self.header)
        try:
            self._lease = cm.__enter__()
        except LeaseUnavailable as e:
            return e.result
        self._lease_cm = cm
        return self._lease

    def start(self, statement: str) -> TacticResult:
        """The proof state of `statement` (ending in `:= by`): elaborate `statement sorry`."""
        lease = self._ensure_lease()
        if isinstance(lease, PoolResult):
            return TacticResult("error", error=lease.detail, seconds=lease.seconds)
        result = lease.run({"cmd": statement + " sorry"}, self.timeout)
        if result.status != "ok":
            return self._failed(result)
        response = result.response
        assert response is not None
        if response.error is not None:
            return TacticResult("error", error=response.error, seconds=result.seconds, response=response)
        if response.errors:
            return TacticResult("error", error=_error_text(response), seconds=result.seconds, response=response)
        # Our `sorry` is the last one: the statement itself may not contain any, but be exact anyway.
        sorries = [s for s in response.sorries if s.proof_state is not None]
        if not sorries:
            return TacticResult("error", error="the statement produced no proof state", seconds=result.seconds,
                                response=response)
        root = sorries[-1]
        return TacticResult("open", root.proof_state, [root.goal], seconds=result.seconds, response=response)

    def apply(self, proof_state: int, tactic: str) -> TacticResult:
        """Run `tactic` on `proof_state` (an id from `start` or an earlier `apply` of this session)."""
        if self._lease is None or not self._lease.alive:
            return TacticResult("error", error="no live REPL: the session was not started or its REPL was "
                                "killed (its proof states are gone); call start() again")
        result = self._lease.run(tactic_request(tactic, proof_state), self.timeout)
        if result.status != "ok":
            return self._failed(result)
        assert result.response is not None
        out = classify_tactic_response(result.response)
        out.seconds = result.seconds
        return out

    def _failed(self, result: PoolResult) -> TacticResult:
        status = result.status if result.status in ("timeout", "crash") else "error"
        return TacticResult(status, error=result.detail, seconds=result.seconds)

    def close(self) -> None:
        """Give the REPL back to the pool."""
        cm, self._lease_cm, self._lease = self._lease_cm, None, None
        if cm is not None:
            cm.__exit__(None, None, None)

    def __enter__(self) -> "ProofSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
