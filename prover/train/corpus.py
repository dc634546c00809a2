"""The SFT corpus: verified solutions of train-split tasks, each stamped with its source.

A corpus item is (task, candidate, source): the candidate is what a policy would answer for the task
(a body `{ ... }` when the task has one bodiless member, else the whole program), taken from the
data's own solution (team and MBPP-DFY references, DafnyBench ground truth, vericoding solutions).
Only candidates that verify here, through the same verifier as every reward, enter the corpus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from verifier_core.languages import language
from verifier_core.records import Candidate, Task
from verifier_core.jsonl import JsonlWriter, read_records
from .sft import SFTExample


@dataclass
class CorpusItem:
    task: Task
    candidate: str
    source: str  # benchmark the solution comes from

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task.to_dict(), "candidate": self.candidate, "source": self.source}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CorpusItem":
        return cls(Task.from_dict(d["task"]), d["candidate"], d.get("source", ""))


def reference_candidate(task: Task) -> str | None:
    """The task's own solution as a candidate, or None when the data has none usable (the language's
    own reading of the task's `reference`)."""
    return language(task.lang).reference_candidate(task)


def candidates(tasks: Iterable[Task]) -> list[CorpusItem]:
    """Every task with a reference candidate, stamped with its benchmark (unverified yet)."""
    out = []
    for t in tasks:
        cand = reference_candidate(t)
        if cand is not None:
            out.append(CorpusItem(t, cand, str(t.meta.get("benchmark", ""))))
    return out


def verified(items: Sequence[CorpusItem], checker) -> tuple[list[CorpusItem], dict[str, int]]:
    """The items whose candidate verifies, and the verdict counts of all."""
    verdicts = checker.check_many([(it.task, Candidate(it.task.id, it.candidate, "reference")) for it in items])
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.status] = counts.get(v.status, 0) + 1
    return [it for it, v in zip(items, verdicts) if v.status == "verified"], counts


def write_corpus(path: str | Path, items: Iterable[CorpusItem]) -> None:
    path = Path(path)
    tmp = path.with_suffix(".partial")
    tmp.unlink(missing_ok=True)
    with JsonlWriter(tmp) as w:
        for it in items:
            w.write(it.to_dict())
    tmp.replace(path)


def read_corpus(path: str | Path) -> list[CorpusItem]:
    return [CorpusItem.from_dict(r) for r in read_records(path)]


def sft_examples(items: Iterable[CorpusItem], prompt_style: str, tokenizer=None) -> list[SFTExample]:
    """(prompt, completion) pairs whose completion extracts to the item's candidate."""
    from .targets import completion_target, prompt_text

    return [SFTExample(prompt_text(it.task, prompt_style, tokenizer),
                       completion_target(it.task, it.candidate, prompt_style), 1.0, it.task.id,
                       {"source": it.source}) for it in items]


def token_budget(lengths: Sequence[int], cap: int, default: int = 256) -> int:
    """`max_new_tokens` from the data: the p90 of the solutions' token counts plus 25%, at most `cap`
    (a fixed budget below what the solutions need truncates every hard proof)."""
    if not lengths:
        return min(cap, default)
    ordered = sorted(lengths)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]  # nearest rank
    return min(cap, int(1.25 * p90 + 0.5))
