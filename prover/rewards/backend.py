"""Where the reward functions get verdicts: a `prover serve` URL or an in-process verifier pool,
one per (server | language, options) for the life of the process, so that the pool stays warm
across reward calls; and the step from a model's output to a verdict."""

from __future__ import annotations

import threading
from typing import Any, Sequence

from verifier_core.records import Candidate, Task, Verdict, Verifier
from ..extract import extract
from ..policies.base import Sample, unextracted_verdict

_made: dict[tuple, Verifier] = {}
_lock = threading.Lock()


def backend(lang: str, server: str | None = None, api_key: str | None = None, **options: Any) -> Verifier:
    """The shared verifier: `RemoteVerifier(server)` with a URL, else `get_verifier(lang, **options)`."""
    key = ("server", server, api_key) if server else ("local", lang, tuple(sorted(options.items())))
    with _lock:
        v = _made.get(key)
        if v is None:
            if server:
                from ..client import RemoteVerifier

                v = RemoteVerifier(server, api_key, lang=lang)
            else:
                from ..verifiers import get_verifier

                v = get_verifier(lang, **options)
            _made[key] = v
        return v


def completion_text(completion: Any) -> str:
    """TRL gives a string, or (conversational) a list of messages whose last one is the answer."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content") or "")
    raise TypeError(f"a completion must be a string or a list of messages, got {type(completion).__name__}")


def prepare(tasks: Sequence[Task], outputs: Sequence[str], style: str
            ) -> tuple[list[Verdict | None], list[tuple[Task, Candidate]], list[int]]:
    """(verdicts known without a verifier, the pairs to check, their indexes): output that holds no
    candidate is `failed` (as in the project's own reward service), never sent to the gate."""
    verdicts: list[Verdict | None] = [None] * len(tasks)
    pairs, where = [], []
    for i, (task, raw) in enumerate(zip(tasks, outputs)):
        got = extract(raw, task, style)
        empty = unextracted_verdict(Sample(got.text or "", raw=raw, reason=got.reason))
        if empty is not None:
            verdicts[i] = empty
            continue
        pairs.append((task, Candidate(task_id=task.id, text=got.text)))
        where.append(i)
    return verdicts, pairs, where


def fill(verdicts: list[Verdict | None], where: list[int], checked: Sequence[Verdict]) -> list[Verdict]:
    for i, v in zip(where, checked):
        verdicts[i] = v
    return [v for v in verdicts if v is not None]
