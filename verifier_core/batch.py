"""Checking a batch the same way in every verifier: dedupe, cache, parallel, streamed results.

Stdlib only (both verifier packages use it). Identical candidates (same cache key) are checked once;
cached verdicts are served without touching a verifier process; the rest run on `workers` threads
(the verifier processes themselves do the work, threads only wait on them) and every input index gets
its verdict through `on_result` as soon as it is known, so a caller can persist it at once.

A verifier that checks several candidates of one task in one request passes `group` (items with the
same non-None group key may share a request) and `check_group`; the groups are cut into chunks of
at most `group_size`, and into enough chunks that every worker has one when there are few groups
(a GRPO reward call holds one task's generations).
"""

from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Callable, Sequence, TypeVar

from .cache import VerdictCache
from .records import OnResult, Verdict

Item = TypeVar("Item")


def check_batch(
    items: Sequence[Item],
    key: Callable[[Item], str],
    check_one: Callable[[Item], Verdict],
    *,
    cache: VerdictCache | None,
    workers: int,
    on_result: OnResult | None = None,
    thread_name: str = "check",
    group: Callable[[Item], str | None] | None = None,
    check_group: Callable[[list[Item]], list[Verdict]] | None = None,
    group_size: int = 8,
) -> list[Verdict]:
    """Verdicts for `items`, in input order; see the module docstring."""
    results: list[Verdict | None] = [None] * len(items)
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(key(item), []).append(i)

    def finish(k: str, verdict: Verdict) -> None:
        for n, i in enumerate(groups[k]):
            # Duplicates get their own copy, so a caller editing one verdict cannot change another.
            results[i] = verdict if n == 0 else dataclasses.replace(verdict, messages=list(verdict.messages))
            if on_result:
                on_result(i, results[i])

    todo: list[tuple[str, int]] = []
    for k, idx in groups.items():
        hit = cache.get(k) if cache is not None else None
        if hit is not None:
            finish(k, hit)
        else:
            todo.append((k, idx[0]))
    units = _units(todo, items, group, group_size, workers) if check_group is not None and group is not None \
        else [[t] for t in todo]

    def run(unit: list[tuple[str, int]]) -> list[Verdict]:
        if len(unit) == 1:
            return [check_one(items[unit[0][1]])]
        verdicts = check_group([items[i] for _, i in unit])
        if len(verdicts) != len(unit):
            raise RuntimeError(f"check_group returned {len(verdicts)} verdicts for {len(unit)} items")
        return verdicts

    if units:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(units))), thread_name_prefix=thread_name) as ex:
            futures = {ex.submit(run, unit): unit for unit in units}
            for fut in as_completed(futures):
                unit = futures[fut]
                try:
                    verdicts = fut.result()
                except Exception as e:  # a bug in one check costs those items, never the others' verdicts
                    verdicts = [Verdict("error", f"infra:check-raised: {type(e).__name__}: {e}") for _ in unit]
                else:
                    if cache is not None:
                        for (k, _), verdict in zip(unit, verdicts):
                            cache.put(k, verdict)
                for (k, _), verdict in zip(unit, verdicts):
                    finish(k, verdict)
    return [v for v in results if v is not None]


def _units(todo: list[tuple[str, int]], items: Sequence[Item], group: Callable[[Item], str | None],
           group_size: int, workers: int) -> list[list[tuple[str, int]]]:
    """The work units: every ungrouped item alone, each group cut into chunks (see the module doc)."""
    singles: list[list[tuple[str, int]]] = []
    grouped: dict[str, list[tuple[str, int]]] = {}
    for k, i in todo:
        g = group(items[i])
        if g is None:
            singles.append([(k, i)])
        else:
            grouped.setdefault(g, []).append((k, i))
    per_group = max(1, math.ceil(workers / max(1, len(grouped))))
    units = list(singles)
    for members in grouped.values():
        units += chunks(members, per_group, group_size)
    return units


def chunks(members: Sequence[Item], parts: int, cap: int | None = None) -> list[list[Item]]:
    """`members` cut into `parts` chunks of about equal size (so that `parts` workers share them),
    none longer than `cap`."""
    size = max(1, math.ceil(len(members) / max(1, parts)))
    if cap is not None:
        size = max(1, min(size, cap))
    return [list(members[j : j + size]) for j in range(0, len(members), size)]
