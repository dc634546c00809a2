"""Request and response bodies of `POST /v1/verify` (Kimina's own are in `kimina.py`).

An item is what a `prover verify --jsonl` line holds; a result is exactly the record that command
writes for it. Unknown keys are refused (422): a misspelled `kind` must never silently mean `prove`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from verifier_core.records import KINDS, LANGS, STATUSES

_SPEC = "method Inc(x: int) returns (y: int)\n  ensures y > x\n"


class VerifyItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: StrictStr | StrictInt = Field(description="the caller's id; unique within the request, echoed in the result")
    lang: Literal[LANGS] = Field(description="verifier language")  # type: ignore[valid-type]
    statement: StrictStr = Field(description="Lean statement ending in `:= by`, or the Dafny spec program")
    candidate: StrictStr = Field(description="the proof: a continuation/body, or full code containing the statement")
    kind: Literal[KINDS] = Field("prove", description="task kind (Dafny: prove | implement | hints)")  # type: ignore[valid-type]
    header: StrictStr = Field("", description="trusted header (Lean imports; Dafny benchmark header)")
    timeout: float | None = Field(None, gt=0, description="hard limit in seconds (default: the server's --timeout)")


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"items": [
        {"id": "inc-ok", "lang": "dafny", "statement": _SPEC, "candidate": "{ y := x + 1; }"},
        {"id": "inc-cheat", "lang": "dafny", "statement": _SPEC, "candidate": "{ assume false; }"},
    ]}]})

    items: list[VerifyItem] = Field(min_length=1)


class MessageOut(BaseModel):
    line: int
    column: int
    severity: str
    text: str
    spec: bool | None = None  # present (true) only when the position is in the task's statement


class VerdictRecord(BaseModel):
    """The record `prover verify` writes for one candidate."""

    id: StrictStr | StrictInt
    status: Literal[STATUSES]  # type: ignore[valid-type]
    reason: str
    messages: list[MessageOut]
    seconds: float
    cached: bool
    toolchain: str
    cached_seconds: float | None = None  # present only for a cached verdict: what its check took


class VerifyResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [
        {"id": "inc-ok", "status": "verified", "reason": "", "messages": [], "seconds": 0.41, "cached": False,
         "toolchain": "dafny 2.3.0.10506 z3 4.8.12"},
        {"id": "inc-cheat", "status": "rejected", "reason": "gate:assume: `assume` at line 1", "messages": [],
         "seconds": 0.0, "cached": False, "toolchain": "dafny 2.3.0.10506 z3 4.8.12"},
    ]}]})

    results: list[VerdictRecord] = Field(description="one per item, in request order")
