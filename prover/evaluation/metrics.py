"""Scores of an evaluation run: unbiased pass@k, STP-style block pass@k, per-problem table, time split.

Every function here works on `Outcome` lists (one per attempt, the latest verdict of each
(task, sample)); `error` outcomes are infrastructure failures and are left out of `n` everywhere
(they are counted and reported, never scored as failed proofs).

pass@k (and its block form) assumes the n samples are i.i.d. draws from the policy. A policy that
proposes a fixed list in a fixed order (the portfolio) does not sample: for it the score is "solved
within k attempts", whether one of its first k proposals verified, and nothing is called pass@k.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from verifier_core.records import STATUSES


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k = 1 - C(n-c, k) / C(n, k) for n samples of which c are correct (n >= k).

    Computed as the product 1 - prod_{i=n-c+1..n} (1 - k/i) (Chen et al. 2021): the binomial
    coefficients themselves overflow floats for the n = 3200 budgets the anchors use.
    """
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if k < 1 or k > n:
        raise ValueError(f"pass@{k} needs 1 <= k <= n samples, got n={n}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def block_pass_at_k(solved: Sequence[Sequence[bool]], k: int) -> tuple[float, float, int] | None:
    """STP's metric: split each problem's samples (in sample order) into disjoint blocks of k.

    Block b of every problem forms one "run" of pass@k; the result is the mean and (population)
    standard deviation of the per-block solve rate over problems, and the number of blocks. Only as
    many blocks as the problem with the fewest samples has are used; None when that is zero.
    """
    if not solved or k < 1:
        return None
    blocks = min(len(s) for s in solved) // k
    if blocks == 0:
        return None
    rates = [np.mean([any(s[b * k:(b + 1) * k]) for s in solved]) for b in range(blocks)]
    return float(np.mean(rates)), float(np.std(rates)), blocks


def solved_within_k(ok: Sequence[bool], k: int) -> float:
    """1.0 when one of the first k attempts, in the policy's own order, verified; else 0.0 (needs n >= k)."""
    if k < 1 or k > len(ok):
        raise ValueError(f"solved within {k} attempts needs 1 <= k <= n attempts, got n={len(ok)}")
    return 1.0 if any(ok[:k]) else 0.0


@dataclass
class Outcome:
    """The final result of one (task, sample) attempt, as read back from `attempts.jsonl`."""

    task_id: str
    sample: int
    status: str
    seconds: float = 0.0
    gen_seconds: float = 0.0
    queue_seconds: float = 0.0


@dataclass
class ProblemRow:
    """One line of the per-problem table."""

    task_id: str
    n: int
    correct: int
    counts: dict[str, int]
    at_k: dict[int, float | None]  # pass@k, or solved within k attempts for a policy that does not sample
    first_verified: int | None
    unanswered: int = 0  # requested samples the policy did not produce (counted in `n` as failed)


@dataclass
class Scores:
    """Everything `summary.json` and the report print.

    With `samples_iid` the per-k figures are pass@k (`pass_at_k*`, `block_pass_at_k`); without it they
    are "solved within k attempts" (`solved_within_k*`) and the pass@k fields stay empty.
    """

    tasks: int
    attempts: int
    counts: dict[str, int]
    samples_iid: bool
    pass_at_k: dict[int, float | None]
    pass_at_k_problems: dict[int, int]
    block_pass_at_k: dict[int, dict[str, float] | None]
    solved_within_k: dict[int, float | None]
    solved_within_k_problems: dict[int, int]
    solved: int
    errors_excluded: int
    unanswered: int
    time: dict[str, float]
    problems: list[ProblemRow] = field(default_factory=list)
    curve: dict[int, float | None] = field(default_factory=dict)  # the per-k figure at every k of `curve_ks`

    @property
    def at_k_key(self) -> str:
        """The name of the per-k figure in `summary.json`."""
        return "pass_at_k" if self.samples_iid else "solved_within_k"

    def to_dict(self, with_problems: bool = False) -> dict:
        d = {
            "tasks": self.tasks,
            "attempts": self.attempts,
            "counts": self.counts,
            "solved": self.solved,
            "errors_excluded": self.errors_excluded,
            "unanswered": self.unanswered,
            "samples_iid": self.samples_iid,
            "time": self.time,
            "curve": {str(k): v for k, v in self.curve.items()},
        }
        if self.samples_iid:
            d["pass_at_k"] = {str(k): v for k, v in self.pass_at_k.items()}
            d["pass_at_k_problems"] = {str(k): v for k, v in self.pass_at_k_problems.items()}
            d["block_pass_at_k"] = {str(k): v for k, v in self.block_pass_at_k.items()}
        else:
            d["solved_within_k"] = {str(k): v for k, v in self.solved_within_k.items()}
            d["solved_within_k_problems"] = {str(k): v for k, v in self.solved_within_k_problems.items()}
        if with_problems:
            d["problems"] = [
                {"task_id": p.task_id, "n": p.n, "correct": p.correct, "counts": p.counts,
                 self.at_k_key: {str(k): v for k, v in p.at_k.items()}, "first_verified": p.first_verified,
                 "unanswered": p.unanswered}
                for p in self.problems
            ]
        return d


def score(task_ids: Iterable[str], outcomes: Iterable[Outcome], ks: Sequence[int], wall_seconds: float = 0.0,
          unanswered: dict[str, int] | None = None, *, samples_iid: bool) -> Scores:
    """Aggregate outcomes into pass@k (mean over problems with n >= k), block pass@k, counts and times.

    `samples_iid` says whether the policy's samples are i.i.d. draws; when they are not, the per-k
    figure is the share of problems solved within their first k attempts instead of pass@k.

    `unanswered[task]` is how many of the requested samples the policy did not produce (it ran out of
    ideas): those count as failed samples, after the produced ones, since the policy had its chance.
    A task with no outcome at all (nothing generated yet) still counts in `tasks`; pass@k is averaged
    only over problems with at least k non-error samples, and how many those were is reported per k.
    """
    unanswered = unanswered or {}
    by_task: dict[str, list[Outcome]] = {t: [] for t in task_ids}
    for o in outcomes:
        by_task.setdefault(o.task_id, []).append(o)
    counts = {s: 0 for s in STATUSES}
    rows: list[ProblemRow] = []
    sequences: list[list[bool]] = []
    gen = ver = queue = 0.0
    for tid, outs in by_task.items():
        outs.sort(key=lambda o: o.sample)
        row_counts = {s: 0 for s in STATUSES}
        for o in outs:
            row_counts[o.status] += 1
            gen += o.gen_seconds
            ver += o.seconds
            queue += o.queue_seconds
        for s, v in row_counts.items():
            counts[s] += v
        ok = [o.status == "verified" for o in outs if o.status != "error"] + [False] * unanswered.get(tid, 0)
        n, c = len(ok), sum(ok)
        first = next((o.sample for o in outs if o.status == "verified"), None)
        at = {k: None if n < k else pass_at_k(n, c, k) if samples_iid else solved_within_k(ok, k) for k in ks}
        rows.append(ProblemRow(tid, n, c, row_counts, at, first, unanswered.get(tid, 0)))
        sequences.append(ok)
    at_k: dict[int, float | None] = {}
    at_k_n: dict[int, int] = {}
    blocks: dict[int, dict[str, float] | None] = {}
    for k in ks:
        vals = [r.at_k[k] for r in rows if r.at_k[k] is not None]
        at_k[k] = float(np.mean(vals)) if vals else None
        at_k_n[k] = len(vals)
        b = block_pass_at_k(sequences, k) if samples_iid else None
        blocks[k] = None if b is None else {"mean": b[0], "std": b[1], "blocks": b[2]}
    def at(ok: list[bool], k: int) -> float:
        return pass_at_k(len(ok), sum(ok), k) if samples_iid else solved_within_k(ok, k)

    curve = {}
    for k in curve_ks(max((len(s) for s in sequences), default=0), ks):
        vals = [at(s, k) for s in sequences if len(s) >= k]
        curve[k] = float(np.mean(vals)) if vals else None
    return Scores(
        tasks=len(by_task),
        attempts=sum(counts.values()),
        counts=counts,
        samples_iid=samples_iid,
        pass_at_k=at_k if samples_iid else {},
        pass_at_k_problems=at_k_n if samples_iid else {},
        block_pass_at_k=blocks if samples_iid else {},
        solved_within_k={} if samples_iid else at_k,
        solved_within_k_problems={} if samples_iid else at_k_n,
        solved=sum(1 for r in rows if r.correct > 0),
        errors_excluded=counts["error"],
        unanswered=sum(unanswered.get(t, 0) for t in by_task),
        time={"wall": wall_seconds, "generation": gen, "verification": ver, "queueing": queue},
        problems=rows,
        curve=curve,
    )


def curve_ks(n: int, ks: Sequence[int] = ()) -> list[int]:
    """The k of a pass@k curve up to n samples: every k up to 64, then powers of two, and `ks`."""
    return sorted({*range(1, min(n, 64) + 1), *(2 ** i for i in range(n.bit_length()) if 2 ** i <= n),
                   *(k for k in ks if 1 <= k <= n)})
