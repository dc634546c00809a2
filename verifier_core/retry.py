"""The one retry policy for verifier checks (stdlib only; both envs apply it, nothing above them does).

An `error` verdict means the infrastructure failed, so the same check is worth one more try on a
fresh process with more time. Retrying anywhere else as well (search, eval runner) multiplied the
tries and the time a broken verifier costs, so every layer above the verifiers takes their verdict
as final and leaves remaining `error`s to a resume.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .records import Verdict


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all; a verdict is retried when its status is in `statuses` and its reason
    starts with none of `final_reasons` (problems a retry cannot fix: the task or the input itself,
    a missing toolchain). Try i (0-based) waits `backoff_s * backoff_factor**(i-1)` before it starts
    and gets `timeout_factor**i` times the base timeout."""

    attempts: int = 2
    statuses: tuple[str, ...] = ("error",)
    final_reasons: tuple[str, ...] = ("task:", "input:", "infra:no-")
    backoff_s: float = 0.0
    backoff_factor: float = 2.0
    timeout_factor: float = 2.0

    def retryable(self, verdict: Verdict) -> bool:
        return verdict.status in self.statuses and not verdict.reason.startswith(self.final_reasons)

    def timeout(self, base: float, attempt: int) -> float:
        return base * self.timeout_factor ** attempt

    def delay(self, attempt: int) -> float:
        return 0.0 if attempt == 0 else self.backoff_s * self.backoff_factor ** (attempt - 1)


VERIFIER_RETRY = RetryPolicy()


def with_retries(policy: RetryPolicy, attempt: Callable[[int], Verdict]) -> Verdict:
    """Call `attempt(i)` for i = 0, 1, ... until its verdict is not retryable or the tries run out.

    `attempt` gets the try number so that it can start from a fresh process or scale its timeout
    (`policy.timeout`) on a retry.
    """
    verdict = attempt(0)
    for i in range(1, max(1, policy.attempts)):
        if not policy.retryable(verdict):
            break
        time.sleep(policy.delay(i))
        verdict = attempt(i)
    return verdict
