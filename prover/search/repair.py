"""Verifier-feedback repair: a failed attempt's error messages go into the next prompt, for a bounded
number of rounds (Goedel-Prover-V2's self-correction, Kimina's error-fix scheme)."""

from __future__ import annotations

import time
from typing import Callable

from verifier_core.records import Task, Verifier
from ..policies.base import Policy, Request
from .result import Attempt, SearchResult
from .sampling import finish
from .verify import AttemptVerifier, feedback_lines


def repair_search(
    task: Task,
    policy: Policy,
    verifier: Verifier,
    *,
    rounds: int = 3,
    n: int = 4,
    max_seconds: float | None = None,
    on_attempt: Callable[[Attempt], None] | None = None,
    on_drawn: Callable[[int], None] | None = None,
) -> SearchResult:
    """Round 0 samples `n` proofs; each later round asks for `n` repairs of the previous round's best
    failed attempt (the most likely one among those with verifier messages). Stops at a proof.

    Only real failures (`failed`, `timeout`) are repaired: a `rejected` candidate has no verifier
    messages and an `error` says nothing about the proof.
    """
    t0 = time.monotonic()
    result = SearchResult(task.id, task.lang, "repair", policy.name)
    checker = AttemptVerifier(task, verifier, result, policy.name, on_attempt)
    request = Request(task, n)
    result.stop_reason = f"{rounds} rounds spent"
    for round_no in range(rounds):
        if max_seconds is not None and time.monotonic() - t0 > max_seconds:
            result.stop_reason = f"time budget of {max_seconds:g} s spent"
            break
        g0 = time.monotonic()
        samples = policy.generate([request])[0]
        result.gen_seconds += time.monotonic() - g0
        if on_drawn:
            on_drawn(n)
        if not samples:
            result.stop_reason = f"the policy had no more proposals in round {round_no}"
            break
        attempts = checker.verify(samples, round_no)
        if any(a.status == "verified" for a in attempts):
            result.stop_reason = "proof found"
            break
        # an output with nothing extracted (`extract:...`) has no proof to repair
        failed = [a for a in attempts if a.status in ("failed", "timeout") and a.text.strip()]
        if failed:
            best = max(failed, key=lambda a: a.logprob if a.logprob is not None else float("-inf"))
            request = Request(task, n, feedback=feedback_lines(best), attempt=best.text)
    return finish(result, task, t0)
