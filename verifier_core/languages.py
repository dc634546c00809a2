"""The language registry: which env verifies which language, loaded only when asked for.

Everything above the envs (`prover`, `conjecturer`) reaches a language through the object its env
exposes, never by importing the env: adding a verifier is one package with a `language.py` and one
line in `REGISTRY`.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

if TYPE_CHECKING:
    from .cache import VerdictCache
    from .records import Task, Verifier
    from .text import Extraction, Prompt

# name -> "module:attribute" of the language object
REGISTRY: dict[str, str] = {
    "lean": "lean_env.language:LEAN",
    "dafny": "dafny_env.language:DAFNY",
}
NAMES = tuple(REGISTRY)
# task -> "" (the verifier reads its statement) or a `task:` reason
StatementCheck = Callable[["Task"], str]


class Language(Protocol):
    """What the jobs need from a language; each env's `language.py` provides one."""

    name: str
    title: str                   # the language's name in prose ("Dafny", "Lean 4")
    fence_tag: str               # the code-fence tag prompts use ("dafny", "lean4")
    tactic_search: bool          # has proof states, so best-first tactic search applies
    verifier_options: frozenset  # option names its verifier accepts

    def verifier(self, cache: "VerdictCache | None" = None, **options: Any) -> "Verifier": ...

    def verifier_defaults(self) -> dict[str, Any]:
        """The verifier's own `timeout` and `memory_mb` defaults."""

    def mode(self, options: dict[str, Any]) -> str:
        """How the verifier decides with these options, for run metadata ("" when it has one mode)."""

    def doctor(self) -> dict:
        """`prover doctor`'s row: found, version, detail, hint."""

    def assembled_program(self, task: "Task", text: str) -> str | None:
        """The file the verifier checks for candidate `text`, or None when the gate refuses it."""

    def task_from_text(self, name: str, text: str, kind: str = "prove") -> "Task":
        """A task from a statement file's text."""

    def statement_check(self, timeout: float, memory_mb: int | None) -> StatementCheck | None:
        """A check that a user's task file states something the verifier reads, or None."""

    def prompt(self, task: "Task", style: str, feedback: Sequence[str] = (), attempt: str = "") -> "Prompt": ...

    def tactic_prompt(self, task: "Task", state: str, style: str) -> "Prompt": ...

    def extract(self, raw: str, task: "Task", style: str) -> "Extraction": ...

    def completion_target(self, task: "Task", candidate: str, out_style: str) -> str:
        """What follows a prompt of `out_style` so that extracting it gives `candidate` back."""

    def proof_templates(self, task: "Task") -> list[str]:
        """The portfolio's candidates for `task`, best first."""

    def step_tactics(self, state: str) -> list[str]:
        """Single proof steps offered at a proof state (tactic search)."""

    def proof_session(self, verifier: "Verifier", header: str, timeout: float | None = None):
        """A context manager over proof states for tactic search (only where `tactic_search`)."""


def options_for(lang: "Language", options: dict[str, Any]) -> dict[str, Any]:
    """The options of `options` that `lang`'s verifier takes (job configs name every language's)."""
    return {k: v for k, v in options.items() if k in lang.verifier_options}


@functools.lru_cache(maxsize=None)
def language(name: str) -> "Language":
    """The language object registered as `name`; ValueError for an unknown one."""
    if name not in REGISTRY:
        raise ValueError(f"unknown language {name!r}: expected one of {', '.join(NAMES)}")
    module, _, attr = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module), attr)
