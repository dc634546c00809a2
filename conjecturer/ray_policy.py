"""Rollouts on ray actors: a `Policy` whose `generate` runs on N actors, each holding its own copy of
the policy (model weights, or the portfolio's per-task cursor). A task always goes to the same actor,
so a policy with per-task state (the portfolio continues down its list) behaves as in one process."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any, Sequence


class _PolicyActor:
    def __init__(self, spec: str, opts: dict[str, Any]):
        from prover.policies import load_policy

        self.policy = load_policy(spec, hints=opts)

    def generate(self, requests):
        return self.policy.generate(requests)

    def set_sampling(self, attrs: dict[str, Any]) -> None:
        for k, v in attrs.items():
            if hasattr(self.policy, k):
                setattr(self.policy, k, v)

    def reset(self) -> None:
        if hasattr(self.policy, "reset"):
            self.policy.reset()

    def close(self) -> None:
        self.policy.close()


def _bucket(task_id: str, n: int) -> int:
    return int(hashlib.sha256(task_id.encode()).hexdigest()[:8], 16) % n


class RayPolicy:
    """`spec` loaded on `actors` ray actors (`num_cpus` each); ray must already be initialised."""

    def __init__(self, spec: str, opts: dict[str, Any], actors: int = 1, num_cpus: float = 1):
        import ray

        remote = ray.remote(num_cpus=num_cpus)(_PolicyActor)
        self.name = spec
        self._actors = [remote.remote(spec, opts) for _ in range(max(1, actors))]

    def generate(self, requests: Sequence[Any]) -> list[list[Any]]:
        import ray

        groups: dict[int, list[int]] = defaultdict(list)
        for i, r in enumerate(requests):
            groups[_bucket(r.task.id, len(self._actors))].append(i)
        futures = {a: self._actors[a].generate.remote([requests[i] for i in idx]) for a, idx in groups.items()}
        out: list[list[Any]] = [[] for _ in requests]
        for a, idx in groups.items():
            for i, samples in zip(idx, ray.get(futures[a])):
                out[i] = samples
        return out

    def set_sampling(self, attrs: dict[str, Any]) -> None:
        import ray

        ray.get([a.set_sampling.remote(attrs) for a in self._actors])

    def reset(self) -> None:
        import ray

        ray.get([a.reset.remote() for a in self._actors])

    def close(self) -> None:
        import ray

        for a in self._actors:
            try:
                ray.get(a.close.remote(), timeout=30)
            except ray.exceptions.RayError:
                pass  # already gone; killing it is all that is left
            ray.kill(a)
        self._actors = []
