"""The non-neural baseline: a fixed, ordered list of proof templates per task. Needs no weights.

The templates are each language's own (`lean_env/templates.py`, `dafny_env/templates.py`).

Samples are drawn without replacement: successive requests for the same task (and proof state)
continue down the list, so a sampler asking for k candidates in batches gets k distinct ones. Each
sample's log-probability is a Zipf prior over its rank (earlier templates are likelier), which gives
best-first search a meaningful order.
"""

from __future__ import annotations

import math
from typing import Sequence

from verifier_core.languages import language
from verifier_core.records import Task

from .base import Request, Sample


class PortfolioPolicy:
    """Fixed proof templates; see the module docstring."""

    name = "portfolio"
    samples_iid = False  # a fixed list in a fixed order: its k-th sample is no random draw

    def __init__(self) -> None:
        self._cursor: dict[tuple[str, str | None], int] = {}

    def generate(self, requests: Sequence[Request]) -> list[list[Sample]]:
        out = []
        for req in requests:
            pool = (language(req.task.lang).step_tactics(req.state) if req.state is not None
                    else candidates_for(req.task))
            key = (req.task.id, req.state)
            start = self._cursor.get(key, 0)
            chosen = range(start, min(start + req.n, len(pool)))
            self._cursor[key] = chosen.stop
            out.append([Sample(pool[i], raw=pool[i], logprob=_zipf_logprob(i, len(pool))) for i in chosen])
        return out

    def reset(self) -> None:
        """Start every task's list from the top again."""
        self._cursor.clear()

    def close(self) -> None:
        pass


def _zipf_logprob(rank: int, size: int) -> float:
    norm = sum(1.0 / (k + 1) for k in range(size))
    return math.log((1.0 / (rank + 1)) / norm)


def candidates_for(task: Task) -> list[str]:
    """Every template for `task`, best first, without duplicates."""
    return list(dict.fromkeys(language(task.lang).proof_templates(task)))
