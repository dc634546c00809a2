"""Lean 4 as the jobs see it: the one object `verifier_core.languages` registers as "lean"."""

from __future__ import annotations

from typing import Any

from verifier_core.languages import EnvLanguage
from verifier_core.records import Task

from . import prompting, templates
from .verifier import LeanVerifier


class LeanLanguage(EnvLanguage):
    name, title, fence_tag = "lean", "Lean 4", "lean4"
    package, verifier_class = __package__, LeanVerifier
    tactic_search = True
    empty_proof = None  # a Lean proof is never empty

    def reference_candidate(self, task: Task) -> str | None:
        return None  # Lean tasks here ship no reference proofs

    def mode(self, options: dict[str, Any]) -> str:
        return ""

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

    def snippet_task(self, sid: str, code: str):
        from .statement_file import snippet_task

        return snippet_task(sid, code)

    def statement_problem(self, task: Task) -> str:
        from .soundness import statement_problem

        return statement_problem(task)

    def statement_check(self, timeout: float, memory_mb: int | None):
        # the checker elaborates each statement alone first (`task:does-not-elaborate`)
        return None

    def tactic_prompt(self, task: Task, state: str, style: str):
        return prompting.tactic_prompt(task, state, style)

    def proof_templates(self, task: Task) -> list[str]:
        return templates.lean_candidates(task)

    def step_tactics(self, state: str) -> list[str]:
        return templates.step_tactics(state)

    def proof_session(self, verifier: LeanVerifier, header: str, timeout: float | None = None):
        from .proofstate import ProofSession

        pool = getattr(verifier, "pool", None)
        if pool is None:
            raise ValueError("this Lean verifier exposes no REPL pool (`verifier.pool`) for tactic search")
        return ProofSession(pool, header, timeout=timeout)


LEAN = LeanLanguage()
