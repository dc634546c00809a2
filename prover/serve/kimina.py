"""Kimina Lean Server's API (`POST /api/check`, legacy `POST /verify`) over this project's verifiers.

Field names and defaults follow kimina-lean-server's own models (`client/kimina_client/models.py`:
`CheckRequest`, `ReplResponse`, `CheckResponse`; `VerifyRequestBody`, `BackwardResponse`). Under `/`
a snippet is Lean; under `/dafny` it is a whole Dafny program, checked against itself (the program is
its own statement, so the gate's rules and Dafny's report decide, and the spec cannot change).

How a verdict reads to Kimina's client (`ReplResponse.analyze`: valid = no `error`, no message of
severity `error`, no sorries):
* `verified` -> `response` with Dafny's messages (never one of severity error);
* `failed`, `rejected` -> `response` whose first message, of severity `error`, is `<status>: <reason>`
  (a rejection names the gate's rule); Kimina's `lean_error`;
* `timeout` -> `error` containing "timed out" (Kimina's `timeout_error`);
* `error` -> `error` (Kimina's `server_error`), e.g. Lean snippets on a machine without Lean.
With `debug`, `diagnostics` carries the whole verdict record.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from ..commands.verify import verdict_record
from verifier_core.languages import language
from verifier_core.records import Candidate, Task, Verdict
from .service import LimitError

_DAFNY_EXAMPLE = "lemma Two()\n  ensures 1 + 1 == 2\n{\n}\n"


class Snippet(BaseModel):
    id: StrictStr = Field(description="Identifier to trace the snippet")
    code: StrictStr = Field(description="Lean 4 snippet (under /) or Dafny program (under /dafny)")


class CheckRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"snippets": [{"id": "two", "code": _DAFNY_EXAMPLE}], "timeout": 20, "debug": False, "reuse": True,
         "infotree": None}]})

    snippets: list[Snippet] = Field(min_length=1)
    timeout: int = Field(30, description="Maximum time in seconds before aborting the check")
    debug: bool = Field(False, description="Include the whole verdict record in `diagnostics`")
    reuse: bool = Field(True, description="Accepted for compatibility (processes are always pooled)")
    infotree: str | None = Field(None, description="Accepted for compatibility; no info tree is returned")


class ReplResponse(BaseModel):
    id: str
    time: float = 0.0
    error: str | None = None
    response: dict[str, Any] | None = None
    diagnostics: dict[str, Any] | None = None


class CheckResponse(BaseModel):
    results: list[ReplResponse]


class Code(BaseModel):
    custom_id: StrictStr | StrictInt
    proof: StrictStr | None = None
    code: StrictStr | None = None  # Kimina accepts either


class VerifyRequestBody(BaseModel):
    codes: list[Code] = Field(min_length=1)
    timeout: int = 300
    infotree_type: str | None = None
    disable_cache: bool = False


class BackwardResponse(BaseModel):
    custom_id: StrictStr | StrictInt
    error: str | None = None
    response: dict[str, Any] | None = None


class VerifyResponse(BaseModel):
    results: list[BackwardResponse]


def snippet_task(lang: str, sid: str, code: str) -> tuple[Task, Candidate]:
    """The task a snippet is checked as (the language's own reading of a whole snippet); `ValueError`
    when it holds nothing to check."""
    return language(lang).snippet_task(sid, code)


def _message(severity: str, line: int, column: int, text: str) -> dict[str, Any]:
    return {"severity": severity if severity in ("trace", "info", "warning", "error") else "info",
            "pos": {"line": line, "column": column}, "endPos": None, "data": text}


def to_repl_response(sid: str, verdict: Verdict, debug: bool) -> ReplResponse:
    out = ReplResponse(id=sid, time=verdict.seconds)
    messages = [_message(m.severity, m.line, m.column, m.text) for m in verdict.messages]
    status = verdict.status
    if status == "error" and verdict.reason.startswith("task:"):
        # The snippet is its own statement: a statement that does not parse or resolve is the
        # snippet's fault here, a failure, not the server's.
        status = "failed"
    if status == "verified":
        out.response = {"messages": messages, "sorries": []}
    elif status in ("failed", "rejected"):
        out.response = {"messages": [_message("error", 1, 0, f"{status}: {verdict.reason}"), *messages], "sorries": []}
    elif status == "timeout":
        out.error = f"verifier timed out: {verdict.reason}"
    else:
        out.error = f"verifier error: {verdict.reason}"
    if debug:
        out.diagnostics = {"verdict": verdict_record(sid, verdict.to_dict())}
    return out


def router(lang: str) -> APIRouter:
    """Kimina's routes for snippets of `lang`."""
    r = APIRouter(tags=[f"kimina ({lang})"])

    async def run(request: Request, snippets: list[tuple[str, str]], timeout: int) -> list[Verdict]:
        service = request.app.state.service
        service.check_items([sid for sid, _ in snippets], [(f"snippet {sid!r}", len(code.encode("utf-8", "surrogatepass")))
                                                           for sid, code in snippets])
        seconds = service.timeout_for(float(timeout))
        verdicts: list[Verdict | None] = [None] * len(snippets)
        jobs, where = [], []
        for i, (sid, code) in enumerate(snippets):
            try:
                jobs.append((*snippet_task(lang, sid, code), seconds))
                where.append(i)
            except ValueError as e:
                verdicts[i] = Verdict("error", f"input:snippet: {e}")
        if jobs:
            for i, v in zip(where, await service.run(request, jobs)):
                verdicts[i] = v
        return [v for v in verdicts if v is not None]

    @r.post("/api/check", response_model=CheckResponse, response_model_exclude_none=True,
            summary=f"Kimina's check: {lang} snippets")
    async def check(body: CheckRequest, request: Request) -> CheckResponse:
        verdicts = await run(request, [(s.id, s.code) for s in body.snippets], body.timeout)
        return CheckResponse(results=[to_repl_response(s.id, v, body.debug) for s, v in zip(body.snippets, verdicts)])

    @r.post("/verify", response_model=VerifyResponse, response_model_exclude_none=True,
            summary=f"Kimina's legacy verify: {lang} snippets")
    async def verify(body: VerifyRequestBody, request: Request) -> VerifyResponse:
        missing = [c.custom_id for c in body.codes if c.proof is None and c.code is None]
        if missing:
            raise LimitError(422, "proof", f"code {missing[0]!r} has neither `proof` nor `code`")
        verdicts = await run(request, [(str(c.custom_id), c.proof if c.proof is not None else c.code) for c in body.codes],
                             body.timeout)
        results = []
        for c, v in zip(body.codes, verdicts):
            rr = to_repl_response(str(c.custom_id), v, False)
            response = None if rr.response is None else {**rr.response, "time": rr.time}
            results.append(BackwardResponse(custom_id=c.custom_id, error=rr.error, response=response))
        return VerifyResponse(results=results)

    return r
