"""Read what Dafny printed: diagnostics, per-implementation outcomes, summary counts, crashes.

We never trust Dafny's own bottom line: DafnyServer ends every reply with "Verification completed
successfully!" even when the program has parse errors or failed proofs, so the verdict is rebuilt
from the individual lines here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from verifier_core.records import Message

# file(line,col): rest   -- the file is whatever name we gave the program.
DIAG = re.compile(r"^(?P<file>[^\s(][^()]*)\((?P<line>\d+),(?P<col>\d+)\): (?P<rest>.*)$")
VERIFYING = re.compile(r"^Verifying (?P<name>\S+) \.\.\.$")
# Dafny 2.x: "  [1 proof obligation]  verified" / "  [0.297 s, 2 proof obligations]  errors"
_OUTCOME = re.compile(r"^\s+\[[^\]]*proof obligations?\]\s+(?P<outcome>[a-z ]+?)\s*$")
SUMMARY = re.compile(
    r"Dafny program verifier finished with (?P<verified>\d+) verified, (?P<errors>\d+) errors?"
    r"(?:, (?P<inconclusive>\d+) inconclusive)?(?:, (?P<timeouts>\d+) time outs?)?"
    r"(?:, (?P<oom>\d+) out of memory)?(?:, (?P<oor>\d+) out of resource)?")
_FRONTEND_SUMMARY = re.compile(r"(\d+) (parse|resolution/type) errors? detected in")
_TIMED_OUT = re.compile(r"^Verification of '(?P<name>[^']+)' timed out after")
# Dafny 4's --log-format text: "Results for NAME (correctness)" ... "Overall outcome: Correct"
_LOG_RESULTS = re.compile(r"^Results for (?P<name>.+?)\s*$")
_LOG_OUTCOME = re.compile(r"^\s*Overall outcome: (?P<outcome>\w+)")
SERVER_DONE = re.compile(r"^Verification completed successfully!\s*$")
# Dafny 2.3 warns, and then assumes the loop's invariant / the forall's conclusion.
_NO_BODY = re.compile(r"this (loop|forall statement) has no body")
_CRASH = re.compile(r"Unhandled Exception|\[FATAL\]|Internal error|internal error|System\.\w+Exception")
# z3 4.8 rejects an option Boogie 2.x still sends; the block it prints is harmless noise.
_Z3_NOISE = re.compile(r"^Prover error: line \d+ column \d+: unknown parameter '\w+'$")

_OUTCOMES = {
    "verified": "verified", "correct": "verified",
    "error": "error", "errors": "error",
    "timed out": "timeout", "timedout": "timeout",
    "out of memory": "memory", "outofmemory": "memory",
    "out of resource": "timeout", "outofresource": "timeout",
    "inconclusive": "inconclusive",
}


@dataclass
class ImplOutcome:
    """One Boogie implementation (a method/lemma body or a well-formedness check) and its result."""

    name: str
    outcome: str  # verified | error | timeout | memory | inconclusive


@dataclass
class ParsedOutput:
    """Everything a verdict is built from, in the checked program's own line numbers."""

    messages: list[Message] = field(default_factory=list)
    frontend_errors: int = 0  # parse and resolution/type errors: the program was never verified
    verify_errors: int = 0
    timeouts: int = 0
    impls: list[ImplOutcome] = field(default_factory=list)
    summary_seen: bool = False
    internal_error: str = ""
    completed: bool = False  # DafnyServer's end-of-request line, or the CLI's summary line
    bodyless_statements: list[Message] = field(default_factory=list)  # Dafny's "has no body" warnings
    # Dafny's `Info:` lines: what it inferred (`decreases n`, `{:induction n}`), not diagnostics; kept
    # out of `messages`, so that a verdict lists them only when asked (`DafnyVerifier(notes=True)`).
    notes: list[Message] = field(default_factory=list)

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.severity == "error"]


def strip_noise(lines: list[str]) -> list[str]:
    out, skipping = [], False
    for ln in lines:
        if _Z3_NOISE.match(ln) or (skipping and (ln.startswith("Legal parameters") or ln.startswith("  "))):
            skipping = True
            continue
        skipping = False
        out.append(ln)
    return out


def _diagnostic(rest: str) -> tuple[str, str, bool]:
    """(severity, text, is_verification) for the part after `file(l,c): `."""
    m = re.match(r"(?P<kind>Error|Warning|Info)(?: (?P<code>BP\d+))?: (?P<text>.*)", rest)
    if m:
        sev = {"Error": "error", "Warning": "warning", "Info": "info"}[m.group("kind")]
        return sev, m.group("text"), bool(m.group("code"))
    if rest.startswith("Related location"):
        return "info", rest, True
    if rest.startswith("Timed out on"):
        return "info", rest, True
    if _TIMED_OUT.match(rest):
        return "timeout", rest, True
    return "info", rest, False


def parse_output(text: str, major: int = 2) -> ParsedOutput:
    """Parse the output of DafnyServer / `dafny` 2.x (with /trace) or `dafny verify` (Dafny 4)."""
    p = ParsedOutput()
    lines = strip_noise(text.splitlines())
    in_impl = False  # inside a "Verifying X ..." block: its errors are verification errors
    frontend_summary = False
    log_name = ""
    for ln in lines:
        if m := VERIFYING.match(ln):
            in_impl = True
            p.impls.append(ImplOutcome(m.group("name"), "inconclusive"))
            continue
        if (m := _OUTCOME.match(ln)) and p.impls:
            p.impls[-1].outcome = _OUTCOMES.get(m.group("outcome").strip(), "inconclusive")
            continue
        if SERVER_DONE.match(ln):
            p.completed = True
            continue
        if m := SUMMARY.search(ln):
            p.summary_seen = p.completed = True
            p.timeouts = max(p.timeouts, int(m.group("timeouts") or 0) + int(m.group("oor") or 0))
            p.verify_errors = max(p.verify_errors, int(m.group("errors")))
            if m.group("oom") and int(m.group("oom")):
                p.impls.append(ImplOutcome("<out of memory>", "memory"))
            continue
        if _FRONTEND_SUMMARY.search(ln):
            frontend_summary = True
            continue
        if m := _LOG_RESULTS.match(ln):
            log_name = m.group("name")
            continue
        if (m := _LOG_OUTCOME.match(ln)) and log_name:
            p.impls.append(ImplOutcome(log_name, _OUTCOMES.get(m.group("outcome").lower(), "inconclusive")))
            log_name = ""
            continue
        if m := DIAG.match(ln):
            sev, body, is_verif = _diagnostic(m.group("rest"))
            line, col = int(m.group("line")), int(m.group("col"))
            if sev == "timeout":
                p.messages.append(Message(line, col, "error", body))
                continue
            (p.notes if m.group("rest").startswith("Info:") else p.messages).append(Message(line, col, sev, body))
            if sev == "warning" and _NO_BODY.search(body):
                p.bodyless_statements.append(p.messages[-1])
            if sev == "error" and not (in_impl or is_verif or major >= 3):
                p.frontend_errors += 1
            continue
        if not p.internal_error and _CRASH.search(ln):
            p.internal_error = ln.strip()
    timeouts_seen = sum(1 for i in p.impls if i.outcome == "timeout")
    errors_seen = sum(1 for i in p.impls if i.outcome == "error")
    p.timeouts = max(p.timeouts, timeouts_seen)
    p.verify_errors = max(p.verify_errors, errors_seen)
    if major >= 3 and frontend_summary:
        p.frontend_errors = max(1, len(p.errors))
    elif frontend_summary and not p.frontend_errors:
        p.frontend_errors = max(1, len([m for m in p.errors if "timed out" not in m.text]))
    # A verification error printed without a "Verifying" block (CLI without /trace) still counts.
    if not p.frontend_errors and not p.verify_errors and any(
            m.severity == "error" and "timed out after" not in m.text for m in p.messages):
        p.verify_errors = len([m for m in p.errors if "timed out after" not in m.text])
    return p


def impl_name_parts(impl: str) -> list[str]:
    """`Impl$$_0_Mod.C.M` -> ['Mod', 'C', 'M']; Dafny 4's `C.M (correctness)` -> ['C', 'M']."""
    name = impl.split("$$", 1)[-1]
    name = re.sub(r"\s*\(.*\)\s*$", "", name)
    parts = [x for x in name.split(".") if x and x not in ("__default", "_module")]
    return [re.sub(r"^_\d+_", "", x) for x in parts]


def body_checked(parsed: ParsedOutput, member: str) -> bool:
    """Whether Dafny reported a check of `member`'s body, not only of its spec's well-formedness
    (`CheckWellformed$$...` in Dafny 2/3, `... (well-formedness)` in Dafny 4)."""
    want = [x for x in member.split(".") if x]
    return any(impl_name_parts(i.name)[-len(want):] == want and not i.name.startswith("CheckWellformed$$")
               and not i.name.rstrip().endswith("(well-formedness)") for i in parsed.impls)


def member_outcomes(parsed: ParsedOutput, member: str) -> list[str]:
    """Outcomes of every implementation that belongs to spec member `member` (`M`, `C.M`, `Mod.C.M`)."""
    want = [x for x in member.split(".") if x]
    return [i.outcome for i in parsed.impls
            if want and impl_name_parts(i.name)[-len(want):] == want]


@dataclass(frozen=True)
class Symbol:
    """One declaration as Dafny itself parsed and resolved it (DafnyServer's `symbols` reply).

    `position`/`end_position` are byte offsets into the UTF-8 source: the name, and the closing
    brace of the body; `end_position` is 0 for a declaration without a body. `requires`/`ensures`
    are Dafny's own printing of the clauses (methods and lemmas only).
    """

    kind: str  # Method (also lemmas, constructors), Function, Predicate, Class, Field, ...
    module: str
    parent: str
    name: str
    line: int
    position: int
    end_position: int
    requires: tuple[str, ...] | None
    ensures: tuple[str, ...] | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.module, self.parent, self.name)

    @property
    def has_body(self) -> bool:
        return self.end_position > 0

    @property
    def is_callable(self) -> bool:
        return self.kind in ("Method", "Function", "Predicate")


_SYMBOLS = re.compile(r"SYMBOLS_START (\[.*\]) SYMBOLS_END", re.S)


def parse_symbols(text: str) -> list[Symbol] | None:
    """Declarations from a `symbols` reply; None when the reply holds no symbol list at all."""
    import json

    m = _SYMBOLS.search(text)
    if not m:
        return None
    try:
        raw = json.loads(m.group(1))
    except ValueError:
        return None
    out = []
    for s in raw:
        if not isinstance(s, dict) or s.get("SymbolType") in (None, "Call"):
            continue
        req, ens = s.get("Requires"), s.get("Ensures")
        out.append(Symbol(str(s["SymbolType"]), str(s.get("Module") or ""), str(s.get("ParentClass") or ""),
                          str(s.get("Name") or ""), int(s.get("Line") or 0), int(s.get("Position") or 0),
                          int(s.get("EndPosition") or 0), None if req is None else tuple(req),
                          None if ens is None else tuple(ens)))
    return out
