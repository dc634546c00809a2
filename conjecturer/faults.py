"""Fault injection for the resume tests: `PROVER_SELFPLAY_KILL_AT=step:N` SIGKILLs the process at the
N-th fault point of `step` (counted from 1 in this process). Each step passes through a fault point
after every unit of work it has made durable, so a kill lands between two writes."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

from verifier_core import settings
from verifier_core.records import Candidate, Task

KILL_ENV = "PROVER_SELFPLAY_KILL_AT"

_fault_counts: dict[str, int] = {}
_fault_lock = threading.Lock()


def fault_point(step: str) -> None:
    spec = settings.current().selfplay_kill_at
    if not spec:
        return
    name, _, n = spec.partition(":")
    if name != step:
        return
    with _fault_lock:
        _fault_counts[step] = _fault_counts.get(step, 0) + 1
        if _fault_counts[step] >= int(n or 1):
            os.kill(os.getpid(), signal.SIGKILL)


class FaultChecker:
    """A checker that passes through a fault point after every check."""

    def __init__(self, inner: Any, step: str):
        self.inner, self.step = inner, step

    def check(self, task: Task, cand: Candidate):
        return self.check_many([(task, cand)])[0]

    def check_many(self, pairs: list[tuple[Task, Candidate]]):
        verdicts = self.inner.check_many(pairs)
        for _ in verdicts:
            fault_point(self.step)
        return verdicts

    def close(self) -> None:
        self.inner.close()
