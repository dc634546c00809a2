"""In-memory rollouts: tasks x policy x n -> prompt, completion tokens, per-token log-probs, verdict.

Verification of a batch starts as soon as it is generated, so it overlaps the generation of the
next batch (the reward service checks on its own threads).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

from verifier_core.records import Task, Verdict
from ..policies.base import Request
from .rewards import RewardService


@dataclass
class Rollout:
    """One sample with everything the trainers need (`select_examples` reads it too)."""

    task_id: str
    prompt: str
    style: str
    completion: str
    token_ids: list[int]
    token_logprobs: list[float]
    candidate: str
    verdict: Verdict
    reward: float | None
    gen_seconds: float = 0.0
    meta: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def verify_seconds(self) -> float:
        return self.verdict.seconds


@dataclass
class RolloutBatch:
    rollouts: list[Rollout]
    gen_seconds: float  # wall time spent generating
    wait_seconds: float  # wall time spent waiting for verification after generation ended


def rollout(tasks: Sequence[Task], policy, n: int, service: RewardService, tasks_per_call: int = 4) -> RolloutBatch:
    """`n` samples per task from `policy` (an `HFPolicy`, or anything with `generate_rows`), verified."""
    pending = []
    gen = 0.0
    for start in range(0, len(tasks), max(1, tasks_per_call)):
        chunk = list(tasks[start:start + tasks_per_call])
        t0 = time.monotonic()
        rows = policy.generate_rows([Request(task=t, n=n) for t in chunk])
        gen += time.monotonic() - t0
        done = [(task, g) for task, gens in zip(chunk, rows) for g in gens]
        futs = service.submit_many([(task, g.raw, g.style) for task, g in done])
        pending += [(task, g, fut) for (task, g), fut in zip(done, futs)]
    t0 = time.monotonic()
    out = []
    for task, g, fut in pending:
        s = fut.result()
        out.append(Rollout(task.id, g.prompt, g.style, g.raw, g.token_ids, g.token_logprobs, s.candidate,
                           s.verdict, s.reward, g.seconds))
    return RolloutBatch(out, gen, time.monotonic() - t0)
