"""Records that cross module boundaries: tasks, candidates, verdicts.

Dependency-free on purpose: the verifier packages (`lean_env`, `dafny_env`) import this module and
nothing else from `prover`, so they stay importable without torch, ray or transformers.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol, Sequence

from .languages import NAMES as LANGS
KINDS = ("prove", "implement", "hints")
STATUSES = ("verified", "failed", "rejected", "timeout", "error")


@dataclass
class Task:
    """One problem: a statement (Lean) or spec program (Dafny) to be completed by a candidate.

    `statement` is, for Lean, the formal statement ending in `:= by`; for Dafny, the spec program with
    every declaration the task depends on and the target's body missing (or, for `hints`, the program
    with its hints removed).
    """

    id: str
    lang: str
    statement: str
    header: str = ""
    kind: str = "prove"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"task {self.id!r}: lang must be one of {LANGS}, got {self.lang!r}")
        if self.kind not in KINDS:
            raise ValueError(f"task {self.id!r}: kind must be one of {KINDS}, got {self.kind!r}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any], lang: str | None = None) -> "Task":
        """Build a task from a JSON object; accepts miniF2F's `name`/`formal_statement` and `spec`."""
        tid = d.get("id", d.get("name"))
        statement = d.get("statement", d.get("formal_statement", d.get("spec")))
        if tid is None or statement is None:
            raise ValueError("a task needs `id` (or `name`) and `statement` (or `formal_statement`/`spec`)")
        known = {"id", "name", "statement", "formal_statement", "spec", "lang", "header", "kind", "meta"}
        meta = dict(d.get("meta") or {})
        meta.update({k: v for k, v in d.items() if k not in known})
        return cls(
            id=str(tid),
            lang=d.get("lang") or lang or "",
            statement=statement,
            header=d.get("header") or "",
            kind=d.get("kind") or "prove",
            meta=meta,
        )


@dataclass
class Candidate:
    """A proposed proof: the continuation after the statement, or full code containing it verbatim."""

    task_id: str
    text: str
    source: str = ""
    sample: int = 0
    logprob: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Candidate":
        text = d.get("text", d.get("candidate", d.get("proof")))
        if text is None:
            raise ValueError("a candidate needs `text` (or `candidate`/`proof`)")
        return cls(
            task_id=str(d.get("task_id", d.get("id", ""))),
            text=text,
            source=d.get("source", ""),
            sample=int(d.get("sample", 0)),
            logprob=d.get("logprob"),
        )


@dataclass
class Message:
    """One verifier diagnostic, positioned in the candidate's own coordinates where possible.

    Lines and columns count from 1. `spec`: the position is in the task's statement (the candidate
    only gave a body or proof continuation), at the statement's own line and column.
    """

    line: int
    column: int
    severity: str
    text: str
    spec: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        if not self.spec:  # records stay as they were for the usual case
            del d["spec"]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Message":
        return cls(int(d.get("line", 0)), int(d.get("column", 0)), str(d.get("severity", "error")), str(d.get("text", "")),
                   bool(d.get("spec", False)))


@dataclass
class Verdict:
    """The outcome of one check.

    `error` means the infrastructure failed (crash, missing toolchain, bad input): it is retried and is
    never scored as a failed proof. `timeout` means the proof did not finish within the limit.
    """

    status: str
    reason: str = ""
    messages: list[Message] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False
    toolchain: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"verdict status must be one of {STATUSES}, got {self.status!r}")

    @property
    def ok(self) -> bool:
        return self.status == "verified"

    def reward(self) -> float | None:
        """Training reward: 1 for verified, 0 for a real failure, None (drop the sample) for `error`."""
        if self.status == "error":
            return None
        return 1.0 if self.status == "verified" else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["messages"] = [m.to_dict() for m in self.messages]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Verdict":
        return cls(
            status=d["status"],
            reason=d.get("reason", ""),
            messages=[Message.from_dict(m) for m in d.get("messages", [])],
            seconds=float(d.get("seconds", 0.0)),
            cached=bool(d.get("cached", False)),
            toolchain=d.get("toolchain", ""),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


OnResult = Callable[[int, Verdict], None]
# a batch check without the callback: what self-play's validation checks are given
CheckMany = Callable[[Sequence[tuple[Task, Candidate]]], list[Verdict]]


class Verifier(Protocol):
    """What `lean_env` and `dafny_env` each expose; jobs only talk to verifiers through this."""

    lang: str

    def toolchain(self) -> str:
        """Exact verifier version string stamped on every verdict ("" when none is installed)."""

    def check(self, task: Task, candidate: Candidate) -> Verdict:
        """Check one candidate; never raises for bad input or infrastructure trouble."""

    def check_many(
        self,
        pairs: Sequence[tuple[Task, Candidate]],
        on_result: OnResult | None = None,
    ) -> list[Verdict]:
        """Check many candidates in parallel; `on_result(i, verdict)` fires as each one finishes."""

    def close(self) -> None:
        """Stop every verifier process."""


def index_tasks(tasks: Iterable[Task]) -> dict[str, Task]:
    """Tasks by id; duplicate ids are a data error, not something to silently overwrite."""
    out: dict[str, Task] = {}
    for t in tasks:
        if t.id in out:
            raise ValueError(f"duplicate task id {t.id!r}")
        out[t.id] = t
    return out
