"""Checking a batch the same way in every verifier: dedupe, cache, parallel, streamed results.

Stdlib only (both verifier packages use it). Identical candidates (same cache key) are checked once;
cached verdicts are served without touching a verifier process; the rest run on `workers` threads
(the verifier processes themselves do the work, threads only wait on them) and every input index gets
its verdict through `on_result` as soon as it is known, so a caller can persist it at once.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Callable, Sequence, TypeVar

from .cache import VerdictCache
from .core import OnResult, Verdict

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

    todo = []
    for k, idx in groups.items():
        hit = cache.get(k) if cache is not None else None
        if hit is not None:
            finish(k, hit)
        else:
            todo.append((k, idx[0]))
    if todo:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo))), thread_name_prefix=thread_name) as ex:
            futures = {ex.submit(check_one, items[i]): k for k, i in todo}
            for fut in as_completed(futures):
                k = futures[fut]
                try:
                    verdict = fut.result()
                except Exception as e:  # a bug in one check costs that item, never the others' verdicts
                    verdict = Verdict("error", f"infra:check-raised: {type(e).__name__}: {e}")
                else:
                    if cache is not None:
                        cache.put(k, verdict)
                finish(k, verdict)
    return [v for v in results if v is not None]
