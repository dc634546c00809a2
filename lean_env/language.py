"""Lean 4 as the jobs see it: the one object `verifier_core.languages` registers as "lean"."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Sequence

from verifier_core.records import Task

from . import prompting, templates
from .verifier import LeanVerifier


class LeanLanguage:
    name = "lean"
    title = "Lean 4"
    fence_tag = "lean4"
    tactic_search = True

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
        return frozenset(inspect.signature(LeanVerifier).parameters) - {"cache"}

    def verifier(self, cache=None, **options: Any) -> LeanVerifier:
        return LeanVerifier(cache=cache, **options)

    def verifier_defaults(self) -> dict[str, Any]:
        params = inspect.signature(LeanVerifier).parameters
        return {k: params[k].default for k in ("timeout", "memory_mb") if k in params}

    def mode(self, options: dict[str, Any]) -> str:
        return ""

    def doctor(self) -> dict:
        from .toolchain import doctor

        return doctor()

    def assembled_program(self, task: Task, text: str) -> str | None:
        from .soundness import gate, parse_statement

        try:
            name = parse_statement(task.statement).name or None
        except ValueError:
            return None  # the gate cannot place a candidate in a statement it cannot read
        g = gate(task, text, decl_name=name)
        return task.header + g.code if g.ok else None

    def task_from_text(self, name: str, text: str, kind: str = "prove") -> Task:
        from .statement_file import task_from_text

        return task_from_text(name, text)

    def statement_check(self, timeout: float, memory_mb: int | None):
        # the checker elaborates each statement alone first (`task:does-not-elaborate`)
        return None

    def prompt(self, task: Task, style: str, feedback: Sequence[str] = (), attempt: str = ""):
        return prompting.prompt(task, style, feedback, attempt)

    def tactic_prompt(self, task: Task, state: str, style: str):
        return prompting.tactic_prompt(task, state, style)

    def extract(self, raw: str, task: Task, style: str):
        return prompting.extract(raw, task, style)

    def completion_target(self, task: Task, candidate: str, out_style: str) -> str:
        return prompting.completion_target(task, candidate, out_style)

    def proof_templates(self, task: Task) -> list[str]:
        return templates.lean_candidates(task)

    def step_tactics(self, state: str) -> list[str]:
        return templates.step_tactics(state)

    def proof_session(self, verifier: LeanVerifier, header: str, timeout: float | None = None):
        from .proofstate import ProofSession

        pool = getattr(verifier, "pool", None)
        if pool is None:
            raise SystemExit("search: this Lean verifier exposes no REPL pool (`verifier.pool`) for tactic search")
        return ProofSession(pool, header, timeout=timeout)


LEAN = LeanLanguage()
