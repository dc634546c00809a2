"""The one interface every policy implements: prompts in, samples with log-probabilities out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

from verifier_core.records import Task, Verdict

EXTRACT_PREFIX = "extract:"


@dataclass
class Request:
    """Ask for `n` samples for `task`; `feedback` holds verifier messages of a failed attempt (repair).

    `attempt` is the failed candidate those messages are about. `state`, when set, asks for single
    next tactics for that pretty-printed proof state (best-first search) instead of whole proofs.
    """

    task: Task
    n: int = 1
    prompt: str = ""
    feedback: list[str] = field(default_factory=list)
    attempt: str = ""
    state: str | None = None


@dataclass
class Sample:
    """One generated proof: the raw model output, the extracted proof text, and its log-probability."""

    text: str
    raw: str = ""
    logprob: float | None = None
    tokens: int = 0
    seconds: float = 0.0
    reason: str = ""  # why `text` is empty: the raw output held no usable proof (see prover.extract)


def unextracted_verdict(sample: Sample) -> Verdict | None:
    """The verdict of a sample that holds no candidate (`failed`, reason `extract:<why>`), else None.

    Every place where samples become candidates asks this first, so such a sample never reaches a
    verifier: its gate would read the empty text as a deleted spec and answer `rejected`, which is the
    reward-hacking signal, not "the model wrote nothing usable".
    """
    if sample.text.strip():
        return None
    return Verdict("failed", reason=EXTRACT_PREFIX + (sample.reason or "the output holds no proof"))


class Policy(Protocol):
    """Anything that turns requests into samples (one list of samples per request, in order)."""

    name: str
    # True when the n samples for a request are i.i.d. draws (a sampled model), which unbiased pass@k
    # assumes; False for a policy that proposes a fixed list in a fixed order (reported as "solved within
    # k attempts", never as pass@k).
    samples_iid: bool

    def generate(self, requests: Sequence[Request]) -> list[list[Sample]]:
        """Return `req.n` samples (or fewer, if the policy runs out of ideas) for each request."""

    def close(self) -> None:
        """Release model memory / worker processes."""
