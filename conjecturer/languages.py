"""What self-play needs from a language: each env's `selfplay` module (`language(name).selfplay`)
provides these, so the conjecturer keeps the language-neutral flow and a third language brings its
own prompts, mutations, checks and canaries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, Sequence

from verifier_core.languages import language

if TYPE_CHECKING:
    from verifier_core.records import Candidate, CheckMany, Task


class Mutator(Protocol):
    def mutants(self, k: int, op: str) -> Iterator[tuple[str, str, str]]:
        """(statement, new name, the helper lemma it was made with or "") of seed `k` under operator `op`."""


class ConjectureChecks(Protocol):
    """The expensive validation checks of one conjecture's task; each gives (reason, detail) or None."""

    check_many: "CheckMany"

    def gate(self, task: "Task") -> tuple[str, str] | None: ...

    def well_formed(self, task: "Task") -> tuple[str, str] | None: ...

    def vacuity_pairs(self, task: "Task") -> list[tuple["Task", "Candidate"]]:
        """Proofs that the hypotheses are contradictory: one verified makes the conjecture vacuous."""

    def tautology_pairs(self, task: "Task") -> list[tuple["Task", "Candidate"]]:
        """A proof of the conclusion with no hypotheses and nothing to do: verified, it is a tautology."""


class SelfPlayLanguage(Protocol):
    CANARIES: list[tuple[str, str]]  # (name, known-false statement)
    CANARY_HEADER: str

    def is_seed_task(self, task: "Task") -> bool:
        """Whether a loaded `prove` task can seed conjectures."""

    def reference_proof(self, task: "Task") -> str | None:
        """The verified proof a task ships with, as a candidate, else None."""

    def seed_lemmas(self, task: "Task", proof: str) -> list[str]:
        """Declarations of the seed's statement that its proof invokes (STP's `<lemma>` inputs)."""

    def seed_name(self, task: "Task") -> str:
        """The name a seed's statement declares: its mutants' duplicate check ignores it."""

    def original_target(self, task: "Task") -> str:
        """The name an original's duplicate key ignores."""

    def compared_text(self, statement: str, target: str | None) -> str:
        """The part of a statement that duplicate checks and re-weighting compare."""

    def canonical_parts(self, text: str) -> tuple[list[str], str, list[str]] | None:
        """(names to replace by their order of appearance, a fixed prefix, clauses whose order does not
        matter) of a near-duplicate key; None when `text` cannot be read."""

    def uses_lemma(self, proof: str, lemma: str) -> bool: ...

    def conjecturer_prompt(self, task: "Task", proof: str, lemma: str) -> tuple[str, str]:
        """(prompt, context the new statement is declared in) in STP's easy -> hard format."""

    def parse_output(self, text: str, context: str) -> tuple[str, str, str]:
        """(statement, name, error) from the model's continuation, already cut at the closing fence or tag."""

    def completion(self, statement: str, target: str) -> str:
        """The code that follows the conjecturer's prompt to state this conjecture (before the fence)."""

    def audit_verifier_options(self, timeout: float) -> dict[str, Any]:
        """`get_verifier` options for the audit: a fresh process per check, no verdict cache."""

    def mutator(self, seeds: Sequence[tuple["Task", str]]) -> Mutator:
        """The mutation operators over a round's (seed task, verified proof) pairs."""

    def conjecture_checks(self, check_many: "CheckMany", cfg: Any, command: Callable[[], Any]) -> ConjectureChecks:
        """The checks with `cfg` (a `ValidationConfig`); `command()` gives a REPL runner
        (header, request) -> PoolResult, for a language that elaborates statements through one."""


def selfplay_part(lang: str) -> SelfPlayLanguage:
    """The self-play part of the language registered as `lang`."""
    return language(lang).selfplay
