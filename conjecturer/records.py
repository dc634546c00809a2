"""Records of self-play: seeds (statements with a verified proof) and conjectures (new statements)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from verifier_core.records import Task


@dataclass
class Seed:
    """A statement with a verified proof; `lemmas` are declarations of its statement the proof invokes."""

    task: Task
    proof: str
    lemmas: list[str] = field(default_factory=list)
    pass_rate: float | None = None  # None: not measured yet (a reference proof in round 0)

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task.to_dict(), "proof": self.proof, "lemmas": self.lemmas, "pass_rate": self.pass_rate}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Seed":
        return cls(Task.from_dict(d["task"]), d["proof"], list(d.get("lemmas", [])), d.get("pass_rate"))


@dataclass
class Conjecture:
    """A proposed statement. `statement` is a whole task statement (Dafny: the spec program with the new
    bodyless lemma; Lean: `theorem ... := by`); empty when the proposal could not be parsed.

    `lemma` names the declaration the conjecture was made with (STP's `<lemma>`), "" for none; a proof
    of a conjecture made with a lemma must invoke it to count as "barely provable".
    """

    id: str
    lang: str
    statement: str
    seed_id: str
    origin: str  # mutation:<operator> | policy:<name>
    header: str = ""
    target: str = ""  # the new lemma/theorem's name
    lemma: str = ""
    prompt: str = ""  # the conjecturer prompt (policy conjectures), the input of its training example
    raw: str = ""  # the model's raw output, kept for inspection
    parse_error: str = ""

    def task(self) -> Task:
        return Task(id=self.id, lang=self.lang, statement=self.statement, header=self.header, kind="prove",
                    meta={"target": self.target, "seed": self.seed_id, "origin": self.origin, "lemma": self.lemma,
                          "conjecture": True})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Conjecture":
        return cls(**d)


def statement_key(statement: str, name: str = "") -> str:
    """Duplicate key: all whitespace removed and the theorem's own name replaced (STP removes whitespace;
    the name is ours to choose, so it must not make two equal statements differ)."""
    text = re.sub(rf"(?<![\w']){re.escape(name)}(?![\w'])", "THM", statement) if name else statement
    return re.sub(r"\s+", "", text)
