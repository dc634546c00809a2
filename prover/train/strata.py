"""Held-out statistics by stratum: trivial / portfolio / hard, and novel / near-duplicate.

A pass@1 averaged over every held-out task hides what matters: tasks the empty body `{}` proves are
learned by collapsing onto `{}`, tasks the template portfolio proves need no model. So every report
splits tasks into `trivial` (the empty body verifies), `portfolio` (the portfolio solves it, the
empty body does not) and `hard` (neither), and into `novel` / `near-duplicate` of a train item.

Per stratum: pass@1 with a two-level bootstrap 95% interval (resample tasks, then each task's samples:
with c of n verified, a resample of its samples has Binomial(n, c/n) successes), and "solved within
n" (a task counts when one of its n samples verified) compared between two checkpoints with an exact
McNemar test over the tasks that changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping

STRATA = ("trivial", "portfolio", "hard")

PerTask = Mapping[str, tuple[int, int]]  # task id -> (verified samples, scored samples)


def assign(task_ids: Iterable[str], trivial: Iterable[str], portfolio: Iterable[str]) -> dict[str, str]:
    triv, port = set(trivial), set(portfolio)
    return {t: "trivial" if t in triv else "portfolio" if t in port else "hard" for t in task_ids}


def measure(tasks, checker, portfolio_k: int = 8, path=None) -> dict[str, str]:
    """Each Dafny task's stratum by the verifier: `trivial` if the empty body verifies, `portfolio` if
    one of the portfolio's first `portfolio_k` templates does, else `hard`; `unreadable` when the empty
    body's verdict is `error` (the verifier cannot read the statement: no candidate can be scored).
    With `path` (JSONL) finished tasks are kept and skipped on a rerun."""
    from verifier_core.records import Candidate
    from verifier_core.jsonl import JsonlWriter, read_records
    from ..policies.portfolio import candidates_for

    done = {r["id"]: r["stratum"] for r in read_records(path)} if path else {}
    todo = [t for t in tasks if t.id not in done]
    writer = JsonlWriter(path) if path else None
    try:
        for t in todo:
            empty = checker.check_many([(t, Candidate(t.id, "{\n}", "empty-body"))])[0]
            if empty.status == "error":
                label = "unreadable"
            elif empty.status == "verified":
                label = "trivial"
            else:
                cands = [c for c in candidates_for(t)[:portfolio_k] if c.strip() not in ("{}", "{ }")]
                verdicts = checker.check_many([(t, Candidate(t.id, c, "portfolio")) for c in cands])
                label = "portfolio" if any(v.status == "verified" for v in verdicts) else "hard"
            done[t.id] = label
            if writer:
                writer.write({"id": t.id, "stratum": label, "reason": empty.reason if label == "unreadable" else ""})
    finally:
        if writer:
            writer.close()
    return {t.id: done[t.id] for t in tasks}


def pass1(per_task: PerTask, ids: Iterable[str]) -> float:
    rates = [per_task[t][0] / per_task[t][1] for t in ids if t in per_task and per_task[t][1]]
    return sum(rates) / len(rates) if rates else 0.0


def _scored(ids: Iterable[str], *runs: PerTask) -> list[str]:
    return [t for t in ids if all(t in r and r[t][1] for r in runs)]


def bootstrap(per_task: PerTask, ids: Iterable[str], base: PerTask | None = None, n_boot: int = 10000,
              seed: int = 0) -> tuple[float, float]:
    """Two-level bootstrap 95% interval of pass@1 over `ids` (of pass@1 - base's, when `base` is
    given: the same task draws for both, samples drawn independently within each)."""
    import numpy as np

    runs = (per_task,) if base is None else (per_task, base)
    keep = _scored(ids, *runs)
    if not keep:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(keep), size=(n_boot, len(keep)))

    def resampled(run: PerTask):
        c = np.array([run[t][0] for t in keep], dtype=float)
        n = np.array([run[t][1] for t in keep], dtype=float)
        draws = rng.binomial(n[idx].astype(int), (c / n)[idx])
        return (draws / n[idx]).mean(axis=1)

    stat = resampled(per_task) if base is None else resampled(per_task) - resampled(base)
    return float(np.percentile(stat, 2.5)), float(np.percentile(stat, 97.5))


def solved(per_task: PerTask, ids: Iterable[str]) -> set[str]:
    """Tasks with at least one verified sample (solved within their n samples)."""
    return {t for t in ids if t in per_task and per_task[t][0] > 0}


def mcnemar_exact(before: set[str], after: set[str], ids: Iterable[str]) -> float:
    """Two-sided exact McNemar p-value of "solved" before vs after, paired over `ids`."""
    ids = set(ids)
    gained = len((after - before) & ids)
    lost = len((before - after) & ids)
    n = gained + lost
    if n == 0:
        return 1.0
    k = min(gained, lost)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


@dataclass
class StratumReport:
    name: str
    tasks: int
    base_pass1: float
    pass1: float
    ci: tuple[float, float]  # of pass1
    diff_ci: tuple[float, float]  # of pass1 - base_pass1
    solved_base: int
    solved: int
    p_value: float  # exact McNemar, solved within n, base vs this

    def line(self, n: int) -> str:
        return (f"{self.name}: {self.tasks} tasks, pass@1 {100 * self.base_pass1:.1f}% -> {100 * self.pass1:.1f}% "
                f"(95% CI {100 * self.ci[0]:.1f} to {100 * self.ci[1]:.1f}; of the difference "
                f"{100 * self.diff_ci[0]:+.1f} to {100 * self.diff_ci[1]:+.1f}); solved within {n}: "
                f"{self.solved_base}/{self.tasks} -> {self.solved}/{self.tasks} (exact McNemar p={self.p_value:.3g})")


def report(name: str, ids: list[str], base: PerTask, run: PerTask, seed: int = 0) -> StratumReport:
    sb, sa = solved(base, ids), solved(run, ids)
    return StratumReport(name, len(ids), pass1(base, ids), pass1(run, ids), bootstrap(run, ids, seed=seed),
                         bootstrap(run, ids, base=base, seed=seed), len(sb), len(sa), mcnemar_exact(sb, sa, ids))


def by_stratum(labels: Mapping[str, str], base: PerTask, run: PerTask, seed: int = 0) -> list[StratumReport]:
    """One report per label value present in `labels` (task id -> stratum), in STRATA order first."""
    names = [s for s in STRATA if s in labels.values()] + sorted(set(labels.values()) - set(STRATA))
    return [report(s, sorted(t for t, v in labels.items() if v == s), base, run, seed) for s in names]
