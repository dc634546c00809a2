"""Whole-proof sampling: draw up to k proofs, verify the new ones in parallel, stop at the first proof."""

from __future__ import annotations

import time
from typing import Callable

from verifier_core.records import Task, Verifier
from ..policies.base import Policy, Request
from .result import Attempt, SearchResult
from .verify import AttemptVerifier, assembled_program


def sample_search(
    task: Task,
    policy: Policy,
    verifier: Verifier,
    *,
    k: int = 32,
    batch: int = 8,
    stop_on_first: bool = True,
    max_seconds: float | None = None,
    on_attempt: Callable[[Attempt], None] | None = None,
    on_drawn: Callable[[int], None] | None = None,
) -> SearchResult:
    """Draw up to `k` samples in batches of `batch`; each batch is deduplicated and checked at once.

    With `stop_on_first=False` every sample is drawn and checked (for pass@k). `on_drawn(n)` fires
    after each batch with the number of samples it drew (for a progress bar).
    """
    t0 = time.monotonic()
    result = SearchResult(task.id, task.lang, "sample", policy.name)
    checker = AttemptVerifier(task, verifier, result, policy.name, on_attempt)
    drawn, round_no = 0, 0
    result.stop_reason = f"budget of {k} samples spent"
    while drawn < k:
        if max_seconds is not None and time.monotonic() - t0 > max_seconds:
            result.stop_reason = f"time budget of {max_seconds:g} s spent"
            break
        n = min(batch, k - drawn)
        g0 = time.monotonic()
        samples = policy.generate([Request(task, n)])[0]
        result.gen_seconds += time.monotonic() - g0
        drawn += n
        if on_drawn:
            on_drawn(n)
        if not samples:
            result.stop_reason = f"the policy had no more proposals after {len(result.attempts)}"
            break
        checker.verify(samples, round_no)
        round_no += 1
        if stop_on_first and any(a.status == "verified" for a in result.attempts):
            result.stop_reason = "proof found"
            break
    return finish(result, task, t0)


def finish(result: SearchResult, task: Task, t0: float) -> SearchResult:
    """Settle the status, attach the first verified proof and its program, stamp the time."""
    result.settle_status()
    proved = next((a for a in result.attempts if a.status == "verified"), None)
    if proved is not None:
        result.proof = proved.text
        result.program = assembled_program(task, proved.text)
    result.seconds = time.monotonic() - t0
    return result
