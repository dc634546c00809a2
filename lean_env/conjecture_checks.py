"""Self-play's validation of a Lean conjecture (the task of a proposed theorem): the soundness gate on
the statement itself, elaboration of `statement sorry` through a REPL, and vacuity (the statement is
proved by `exfalso` and a closer)."""

from __future__ import annotations

from typing import Any, Callable

from verifier_core.records import Candidate, CheckMany, Task

LEAN_SORRY_WARNING = "declaration uses 'sorry'"
LEAN_VACUITY_CLOSERS = ("linarith", "nlinarith", "omega", "simp_all", "norm_num at *", "positivity")


def lean_elaboration_verdict(response: Any) -> tuple[str, str] | None:
    """None when a REPL response to `statement sorry` shows a well-formed statement: no error, and the
    one `declaration uses 'sorry'` warning as the only warning. Pure: tested on recorded transcripts."""
    if response.error is not None:
        return "error", f"the REPL refused the command: {response.error}"
    errors = [m for m in response.messages if m.severity == "error"]
    if errors:
        return "ill_formed", f"Lean error: {errors[0].data[:300]}"
    warnings = [m for m in response.messages if m.severity == "warning"]
    sorry_warnings = [m for m in warnings if LEAN_SORRY_WARNING in m.data]
    if len(sorry_warnings) != 1:
        return "ill_formed", "no `declaration uses 'sorry'` warning: the command declared no theorem"
    if len(warnings) > 1:
        other = next(m for m in warnings if LEAN_SORRY_WARNING not in m.data)
        return "ill_formed", f"warning besides the sorry warning: {other.data[:300]}"
    return None


class LeanChecks:
    """Gate, elaboration through a REPL (`run_command(header, request)` -> `PoolResult`) and vacuity;
    `cfg` gives `vacuity_proofs`."""

    lang = "lean"

    def __init__(self, check_many: CheckMany, cfg: Any, run_command: Callable[[str, dict], Any] | None):
        self.check_many = check_many
        self.cfg = cfg
        self.run_command = run_command

    def gate(self, task: Task) -> tuple[str, str] | None:
        from . import soundness

        # full-code form (the statement written out in the candidate), so the statement's own text is
        # scanned too: a `sorry` or `native_decide` inside a hypothesis is refused like one in a proof
        g = soundness.gate(task, task.statement.rstrip() + "\n  rfl")
        if g.ok:
            return None
        if g.rule in ("task:unparsable", "bad-input"):
            return "ill_formed", f"{g.rule}: {g.detail}"
        return "gate", f"{g.rule}: {g.detail}"

    def well_formed(self, task: Task) -> tuple[str, str] | None:
        if self.run_command is None:
            return "error", "no Lean REPL available to elaborate the statement (`prover doctor`)"
        result = self.run_command(task.header, {"cmd": task.statement.rstrip() + " sorry"})
        if result.status == "timeout":
            return "error", "the statement did not elaborate within the time limit"
        if result.status != "ok" or result.response is None:
            return "error", f"REPL {result.status}: {result.detail}"
        return lean_elaboration_verdict(result.response)

    def vacuity_pairs(self, task: Task) -> list[tuple[Task, Candidate]]:
        closers = LEAN_VACUITY_CLOSERS[: self.cfg.vacuity_proofs]
        return [(task, Candidate(task.id, f"\n  exfalso\n  {c}")) for c in closers]

    def tautology_pairs(self, task: Task) -> list[tuple[Task, Candidate]]:
        return []  # not decided for Lean yet
