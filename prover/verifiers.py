"""Build the verifier for a language; the envs are imported only when asked for."""

from __future__ import annotations

from typing import Any

from .cache import VerdictCache
from .config import verdict_cache_path
from .core import Task, Verifier


def get_verifier(lang: str, *, cache: VerdictCache | None | bool = True, **options: Any) -> Verifier:
    """A ready verifier for `lang` (`dafny` or `lean`).

    `cache=True` opens the persistent verdict cache (see `prover.config`), `False`/`None` disables it,
    or pass a `VerdictCache`. Other options (`workers`, `timeout`, `memory_mb`, ...) go to the env.
    """
    if cache is True:
        path = verdict_cache_path()
        cache = VerdictCache(path) if path else None
    elif cache is False:
        cache = None
    if lang == "dafny":
        from dafny_env import DafnyVerifier

        return DafnyVerifier(cache=cache, **options)
    if lang == "lean":
        from lean_env import LeanVerifier

        return LeanVerifier(cache=cache, **options)
    raise ValueError(f"unknown language {lang!r}: expected 'dafny' or 'lean'")


def verifier_mode(lang: str, options: dict[str, Any]) -> str:
    """How the verifier decides, for run metadata: Dafny's `exact` or `fast: <its measured false
    negatives>` (from `confirm_failures`, default exact); "" for a language with one mode."""
    if lang == "dafny":
        from dafny_env.verifier import mode

        return mode(bool(options.get("confirm_failures", True)))
    return ""


def statement_problem(task: Task) -> str:
    """The `task:` reason when `task` cannot be a task at all (its statement is empty, only comments,
    unparsable, or leaves nothing to prove), else "". Pure Python: no verifier is started, so a job
    refuses or excludes such a task before any work; the verifiers' gates answer the same."""
    if task.lang == "dafny":
        from dafny_env.soundness import statement_problem as problem
    else:
        from lean_env.soundness import statement_problem as problem
    return problem(task)


def require_verifier(lang: str) -> str:
    """The installed verifier's version string; raises `UserError` (one line, exit 2, before any work)
    when `lang` has none on this machine: every check would be an `error` otherwise."""
    import importlib

    from .errors import UserError

    report = importlib.import_module({"dafny": "dafny_env", "lean": "lean_env"}[lang]).doctor()
    if not report.get("found"):
        raise UserError(f"no {lang} verifier on this machine (`prover doctor`): {report.get('hint') or report.get('detail')}")
    return str(report.get("version", ""))
