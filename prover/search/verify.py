"""Check proposed proofs: deduplicate, verify in parallel (the verifiers retry their own `error`s,
`verifier_core.retry`; an `error` that is left is recorded as such, never as a failed proof).

Shared by whole-proof sampling and repair so both count, time and record attempts the same way.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

from verifier_core.languages import language
from verifier_core.records import Candidate, Task, Verdict, Verifier

from ..policies.base import Sample, unextracted_verdict
from .result import Attempt, SearchResult


def normalize(text: str) -> str:
    """The identity of a proof for deduplication: trailing spaces and blank lines do not count."""
    lines = [ln.rstrip() for ln in text.strip("\n").split("\n")]
    return "\n".join(ln for ln in lines if ln)


class AttemptVerifier:
    """Verifies samples for one task, skipping any proof already tried, and records every attempt."""

    def __init__(self, task: Task, verifier: Verifier, result: SearchResult, source: str,
                 on_attempt: Callable[[Attempt], None] | None = None):
        self.task = task
        self.verifier = verifier
        self.result = result
        self.source = source
        self.on_attempt = on_attempt
        self.seen: set[str] = set()

    def verify(self, samples: Sequence[Sample], round_no: int = 0) -> list[Attempt]:
        """Record each sample as an attempt; new, parseable ones are checked (in one parallel batch)."""
        new: list[tuple[Sample, Attempt]] = []
        recorded: list[Attempt] = []
        for s in samples:
            failed = unextracted_verdict(s)
            if failed is not None:
                recorded.append(Attempt(s.text, failed.status, failed.reason, round_no, s.logprob, s.seconds,
                                        raw=s.raw))
                continue
            key = normalize(s.text)
            if key in self.seen:
                continue  # a duplicate costs no verifier call and is not an attempt
            self.seen.add(key)
            a = Attempt(s.text, "error", "", round_no, s.logprob, s.seconds, raw=s.raw)
            new.append((s, a))
            recorded.append(a)
        if new:
            verdicts = self._check([a.text for _, a in new])
            for (_, a), v in zip(new, verdicts):
                a.status, a.reason, a.verify_seconds, a.cached = v.status, v.reason, v.seconds, v.cached
                a.messages = [m.to_dict() for m in v.messages]
                if v.toolchain:
                    self.result.toolchain = v.toolchain
        for a in recorded:
            self.result.attempts.append(a)
            if self.on_attempt:
                self.on_attempt(a)
        return recorded

    def _check(self, texts: list[str]) -> list[Verdict]:
        pairs = [(self.task, Candidate(self.task.id, t, source=self.source, sample=i)) for i, t in enumerate(texts)]
        t0 = time.monotonic()
        verdicts = list(self.verifier.check_many(pairs))
        self.result.verify_seconds += time.monotonic() - t0
        return verdicts


def feedback_lines(attempt: Attempt, limit: int = 8) -> list[str]:
    """The verifier's messages about `attempt`, one line each, for a repair prompt."""
    lines = []
    for m in attempt.messages[:limit]:
        where = f"{'statement line' if m.get('spec') else 'line'} {m.get('line', 0)}:{m.get('column', 0)}"
        lines.append(f"{where}: {m.get('severity', 'error')}: {' '.join(str(m.get('text', '')).split())}")
    if not lines and attempt.reason:
        lines.append(attempt.reason)
    return lines


def assembled_program(task: Task, text: str) -> str | None:
    """The complete file the verifier checks for `text` (the envs' soundness gates assemble it)."""
    return language(task.lang).assembled_program(task, text)
