"""Dafny as the jobs see it: the one object `verifier_core.languages` registers as "dafny"."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Sequence

from verifier_core.records import Task

from . import prompting, templates
from .verifier import DafnyVerifier


class DafnyLanguage:
    name = "dafny"
    title = "Dafny"
    fence_tag = "dafny"
    tactic_search = False

    # the env's own tools, for the jobs that work on this language's text (benchmarks, self-play)
    @property
    def syntax(self):
        from . import syntax

        return syntax

    @property
    def selfplay(self):
        from . import selfplay

        return selfplay

    @property
    def toolchain(self):
        from . import toolchain

        return toolchain

    @functools.cached_property
    def verifier_options(self) -> frozenset:
        return frozenset(inspect.signature(DafnyVerifier).parameters) - {"cache"}

    def verifier(self, cache=None, **options: Any) -> DafnyVerifier:
        return DafnyVerifier(cache=cache, **options)

    def verifier_defaults(self) -> dict[str, Any]:
        params = inspect.signature(DafnyVerifier).parameters
        return {k: params[k].default for k in ("timeout", "memory_mb")}

    def mode(self, options: dict[str, Any]) -> str:
        from .verifier import mode

        return mode(bool(options.get("confirm_failures", True)))

    def doctor(self) -> dict:
        from .toolchain import doctor

        return doctor()

    def assembled_program(self, task: Task, text: str) -> str | None:
        from .soundness import gate

        g = gate(task, text)
        return g.program if g.ok else None

    def task_from_text(self, name: str, text: str, kind: str = "prove") -> Task:
        return Task(name, "dafny", text, kind=kind)

    def statement_check(self, timeout: float, memory_mb: int | None):
        from . import statement_check

        return statement_check.dafny_statement_check(timeout, memory_mb)

    def prompt(self, task: Task, style: str, feedback: Sequence[str] = (), attempt: str = ""):
        return prompting.prompt(task, style, feedback, attempt)

    def tactic_prompt(self, task: Task, state: str, style: str):
        raise ValueError("Dafny has no proof states: tactic prompts are for Lean")

    def extract(self, raw: str, task: Task, style: str):
        return prompting.extract(raw, task, style)

    def completion_target(self, task: Task, candidate: str, out_style: str) -> str:
        return prompting.completion_target(task, candidate, out_style)

    def proof_templates(self, task: Task) -> list[str]:
        return templates.dafny_candidates(task)

    def step_tactics(self, state: str) -> list[str]:
        return []

    def proof_session(self, verifier: DafnyVerifier, header: str, timeout: float | None = None):
        raise ValueError("Dafny has no proof states: tactic search is for Lean")


DAFNY = DafnyLanguage()
