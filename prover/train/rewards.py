"""The reward service: raw completions -> `prover.extract` -> the verifier -> rewards.

`verified` earns `cfg.verified` (1), `failed`/`rejected`/`timeout` their configured values (0 by
default; a penalty for `rejected` is a negative number). `error` is an infrastructure failure and has
no reward: `None`, which the trainer turns into a masked-out sample, never a 0.

Output that holds no readable candidate is `failed` without a verifier call (garbage is a failure the
candidate causes). Checks run on `workers` threads, each with its own checker (local verifier
processes or a ray actor, see `prover.evaluation.backends`); `submit_many` returns at once, so the
caller can keep generating while earlier completions are checked. The new candidates of one task
that `submit_many` gets go to a checker together, split across the workers (the Dafny fast mode
then checks them in one request: `dafny_env/batching.py`). Identical (task, candidate) pairs are
checked once per service; the persistent verdict cache sits below, in the verifier.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar, Sequence

from verifier_core.batch import chunks
from verifier_core.records import STATUSES, Candidate, Task, Verdict
from ..evaluation.backends import Checker, CheckerFactory
from ..extract import extract
from ..policies.base import Sample, unextracted_verdict


@dataclass
class RewardConfig:
    """Reward of each verdict status; `error` never has one (the sample is masked out)."""

    SIGNED: ClassVar[tuple[str, ...]] = ("verified", "failed", "rejected", "timeout")  # penalties may be negative

    verified: float = 1.0
    failed: float = 0.0
    rejected: float = 0.0
    timeout: float = 0.0


def reward_for(status: str, cfg: RewardConfig) -> float | None:
    if status == "error":
        return None
    if status not in STATUSES:
        raise ValueError(f"unknown verdict status {status!r}")
    return float(getattr(cfg, status))


@dataclass
class Scored:
    """One completion's candidate, verdict and reward (None for `error`)."""

    candidate: str
    verdict: Verdict
    reward: float | None
    reason: str = ""  # why nothing could be extracted, when that is the case


class RewardService:
    """Thread-pooled verification with per-service dedupe; see the module docstring."""

    def __init__(self, factory: CheckerFactory, cfg: RewardConfig | None = None, workers: int = 2):
        self.factory = factory
        self.cfg = cfg or RewardConfig()
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="reward")
        self._local = threading.local()
        self._checkers: list[Checker] = []
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], Future] = {}
        self.counts: Counter[str] = Counter()
        self.check_seconds = 0.0  # verifier time of checks run by this service (cache hits excluded)

    def submit(self, task: Task, raw: str, style: str) -> Future:
        """Start scoring one completion; the future's result is a `Scored`."""
        return self.submit_many([(task, raw, style)])[0]

    def submit_many(self, items: Sequence[tuple[Task, str, str]]) -> list[Future]:
        """Start scoring (task, raw completion, prompt style) items; one future per item."""
        out: list[Future] = []
        new: dict[str, list[tuple[Task, str, Future]]] = {}
        for task, raw, style in items:
            got = extract(raw, task, style)
            empty = unextracted_verdict(Sample(got.text or "", raw=raw, reason=got.reason))
            if empty is not None:
                scored = Scored("", empty, reward_for(empty.status, self.cfg), got.reason)
                self._count(scored)
                fut: Future = Future()
                fut.set_result(scored)
                out.append(fut)
                continue
            text = got.text or ""
            key = (task.id, text)
            with self._lock:
                shared = self._seen.get(key)
                if shared is None or (shared.done() and shared.result().verdict.status == "error"):
                    shared = Future()
                    self._seen[key] = shared
                    new.setdefault(task.id, []).append((task, text, shared))
            # every sample is counted (also the ones that share a check), before its result is visible
            mine: Future = Future()
            shared.add_done_callback(lambda f, mine=mine: (self._count(f.result()), mine.set_result(f.result())))
            out.append(mine)
        for group in new.values():
            for chunk in chunks(group, self.workers):
                self._pool.submit(self._check, chunk)
        return out

    def score_many(self, tasks: Sequence[Task], raws: Sequence[str], styles: Sequence[str]) -> list[Scored]:
        return [f.result() for f in self.submit_many(list(zip(tasks, raws, styles)))]

    def take_counts(self) -> tuple[dict[str, int], float]:
        """Verdict counts (all five statuses) and verifier seconds since the last call."""
        with self._lock:
            counts = {s: self.counts.get(s, 0) for s in STATUSES}
            secs = self.check_seconds
            self.counts.clear()
            self.check_seconds = 0.0
        return counts, secs

    def _count(self, scored: Scored) -> None:
        with self._lock:
            self.counts[scored.verdict.status] += 1

    def _checker(self) -> Checker:
        c = getattr(self._local, "checker", None)
        if c is None:
            c = self.factory()
            self._local.checker = c
            with self._lock:
                self._checkers.append(c)
        return c

    def _check(self, group: list[tuple[Task, str, Future]]) -> None:
        """Check one task's new candidates on this thread's checker; resolve their futures."""
        t0 = time.monotonic()
        try:
            verdicts = self._checker().check_many([(task, Candidate(task.id, text, source="train"))
                                                   for task, text, _ in group])
        except Exception as e:  # a checker that cannot start or that raises is infrastructure, not the proof
            self._local.checker = None
            verdicts = [Verdict("error", reason=f"verifier failed: {type(e).__name__}: {e}") for _ in group]
        elapsed = time.monotonic() - t0
        if any(not v.cached for v in verdicts):
            with self._lock:
                self.check_seconds += elapsed
        for (_, text, shared), v in zip(group, verdicts):
            if v.seconds <= 0 and not v.cached:
                v.seconds = elapsed
            shared.set_result(Scored(text, v, reward_for(v.status, self.cfg)))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            checkers, self._checkers = self._checkers, []
        for c in checkers:
            try:
                c.close()
            except Exception:  # closing must not hide the run's result; the processes die with us anyway
                pass
