"""The language registry: which env verifies which language, loaded only when asked for.

Everything above the envs (`prover`, `conjecturer`) reaches a language through the object its env
exposes, never by importing the env: adding a verifier is one package with a `language.py` and one
line in `REGISTRY`.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

if TYPE_CHECKING:
    from .cache import VerdictCache
    from .records import Candidate, Task, Verifier
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
    empty_proof: str | None      # the candidate that proves nothing ("{}" for Dafny), None if there is none

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

    def snippet_task(self, sid: str, code: str) -> "tuple[Task, Candidate]":
        """A whole snippet (Kimina's `code`) as a task and its candidate; ValueError when it holds
        nothing to check."""

    def reference_candidate(self, task: "Task") -> str | None:
        """The task's own solution (`meta["reference"]`) as a candidate, or None."""

    def statement_problem(self, task: "Task") -> str:
        """The `task:` reason when `task` cannot be a task (nothing to prove), else "" (no verifier runs)."""

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


class EnvLanguage:
    """What both envs' language objects share: an env names its verifier class and package, and
    its `prompting`, `templates`, `syntax`, `toolchain` and `selfplay` modules are found there."""

    package: str = ""
    verifier_class: type = object

    def _module(self, name: str):
        return importlib.import_module(f"{self.package}.{name}")

    # the env's own tools, for the jobs that work on this language's text (benchmarks, self-play)
    @property
    def syntax(self):
        return self._module("syntax")

    @property
    def toolchain(self):
        return self._module("toolchain")

    @property
    def selfplay(self):
        return self._module("selfplay")

    @functools.cached_property
    def verifier_options(self) -> frozenset:
        return frozenset(inspect.signature(self.verifier_class).parameters) - {"cache"}

    def verifier(self, cache: "VerdictCache | None" = None, **options: Any) -> "Verifier":
        return self.verifier_class(cache=cache, **options)

    def verifier_defaults(self) -> dict[str, Any]:
        params = inspect.signature(self.verifier_class).parameters
        return {k: params[k].default for k in ("timeout", "memory_mb") if k in params}

    def doctor(self) -> dict:
        return self.toolchain.doctor()

    def prompt(self, task: "Task", style: str, feedback: Sequence[str] = (), attempt: str = "") -> "Prompt":
        return self._module("prompting").prompt(task, style, feedback, attempt)

    def extract(self, raw: str, task: "Task", style: str) -> "Extraction":
        return self._module("prompting").extract(raw, task, style)

    def completion_target(self, task: "Task", candidate: str, out_style: str) -> str:
        return self._module("prompting").completion_target(task, candidate, out_style)


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
