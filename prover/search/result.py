"""What a search did: every attempt with its verdict, the outcome, and where the time went."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Best first: the status of a search is that of its best attempt.
STATUS_RANK = {"verified": 0, "failed": 1, "timeout": 2, "rejected": 3, "error": 4}


@dataclass
class Attempt:
    """One candidate and its verdict. `status` is the verdict's, or `failed` with reason
    `extract:...` when the policy's output held no usable proof (never sent to the verifier)."""

    text: str
    status: str
    reason: str = ""
    round: int = 0
    logprob: float | None = None
    gen_seconds: float = 0.0
    verify_seconds: float = 0.0
    cached: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)
    raw: str = ""


@dataclass
class SearchResult:
    """The outcome of one search for one task."""

    task_id: str
    lang: str
    mode: str
    policy: str
    status: str = "failed"
    proof: str | None = None  # the candidate text that verified
    program: str | None = None  # the complete file that was checked, when verified
    attempts: list[Attempt] = field(default_factory=list)
    seconds: float = 0.0
    gen_seconds: float = 0.0
    verify_seconds: float = 0.0
    stop_reason: str = ""
    toolchain: str = ""
    graph: dict[str, Any] | None = None  # best-first: the search graph (networkx node-link JSON)

    @property
    def proved(self) -> bool:
        return self.status == "verified"

    def settle_status(self) -> None:
        """Set `status` to the best attempt's ("failed" when there was no attempt at all)."""
        if self.attempts:
            self.status = min((a.status for a in self.attempts), key=lambda s: STATUS_RANK.get(s, 9))
        else:
            self.status = "failed"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def summary(self) -> dict[str, Any]:
        """The `--json` output: status, program, attempts (count), seconds, and a few more fields."""
        return {"task_id": self.task_id, "status": self.status, "program": self.program, "proof": self.proof,
                "attempts": len(self.attempts), "seconds": round(self.seconds, 3),
                "gen_seconds": round(self.gen_seconds, 3), "verify_seconds": round(self.verify_seconds, 3),
                "mode": self.mode, "policy": self.policy, "stop_reason": self.stop_reason,
                "toolchain": self.toolchain}

    def write_trace(self, path: str | os.PathLike) -> Path:
        """Write the full trace as JSON (atomically: a reader never sees half a file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1))
        os.replace(tmp, path)
        return path
