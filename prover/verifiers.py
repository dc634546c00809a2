"""Build the verifier for a language; the envs are imported only when asked for."""

from __future__ import annotations

from typing import Any

from verifier_core.cache import VerdictCache
from verifier_core.languages import language
from verifier_core.records import Task, Verifier
from verifier_core.settings import verdict_cache_path


def get_verifier(lang: str, *, cache: VerdictCache | None | bool = True, **options: Any) -> Verifier:
    """A ready verifier for `lang` (a name in `verifier_core.languages.REGISTRY`).

    `cache=True` opens the persistent verdict cache (see `verifier_core.settings`), `False`/`None`
    disables it, or pass a `VerdictCache`. Other options (`workers`, `timeout`, `memory_mb`, ...) go to
    the env.
    """
    if cache is True:
        path = verdict_cache_path()
        cache = VerdictCache(path) if path else None
    elif cache is False:
        cache = None
    return language(lang).verifier(cache=cache, **options)


def verifier_mode(lang: str, options: dict[str, Any]) -> str:
    """How the verifier decides, for run metadata: Dafny's `exact` or `fast: <its measured false
    negatives>` (from `confirm_failures`, default exact); "" for a language with one mode."""
    return language(lang).mode(options)


def statement_problem(task: Task) -> str:
    """The `task:` reason when `task` cannot be a task at all (its statement is empty, only comments,
    unparsable, or leaves nothing to prove), else "". Pure Python: no verifier is started, so a job
    refuses or excludes such a task before any work; the verifiers' gates answer the same."""
    return language(task.lang).statement_problem(task)


def require_verifier(lang: str) -> str:
    """The installed verifier's version string; raises `UserError` (one line, exit 2, before any work)
    when `lang` has none on this machine: every check would be an `error` otherwise."""
    from .errors import UserError

    report = language(lang).doctor()
    if not report.get("found"):
        raise UserError(f"no {lang} verifier on this machine (`prover doctor`): {report.get('hint') or report.get('detail')}")
    return str(report.get("version", ""))
