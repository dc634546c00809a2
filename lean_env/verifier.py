"""Whole-proof checking of Lean candidates: gate -> REPL pool -> post-checks -> Verdict.

One candidate is one REPL command in the header's environment: the gate's assembled code (the
theorem renamed to a fresh name of ours), followed by two commands of ours,

    set_option pp.all true in
    set_option pp.maxSteps 1000000000 in      -- when the toolchain knows it (see PP_EXTRA)
    #check @prover_check_<nonce>

    #print axioms prover_check_<nonce>

Messages on the lines of our commands are ours; the rest are the candidate's. `verified` needs no
error message from the candidate, no sorries, no "declaration uses 'sorry'" warning, an axiom set
within ALLOWED_AXIOMS, and the `pp.all` type equal to the reference type: the task's statement
elaborated once per task under another fresh name, with `sorry`, in the header env alone (a separate
command, so the candidate's definitions, notations or instances cannot touch it). Names printed by
`pp.all` are fully qualified with every implicit argument and instance explicit, so a statement that
elaborates differently (shadowed names, `variable`s, other instances, `open … in`) prints differently.

Formats relied on (Lean source, `src/Lean/Elab/Print.lean` and `BuiltinCommand.lean`):
`#print axioms c` logs "'c' depends on axioms: [a, b]" or "'c' does not depend on any axioms";
`#check @c` (not a bare identifier) logs "e : type". Both at the command keyword's line.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Sequence

from verifier_core.records import Candidate, Message, OnResult, Task, Verdict
from verifier_core.retry import VERIFIER_RETRY, with_retries

from .toolchain import HINT, ReplLocation, find_repl
from .soundness import GATE_VERSION, GateResult, fresh_decl_name, gate, reference_code

ALLOWED_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})
PP_BASE = ("pp.all true",)
# pp.maxSteps (default 5000) cuts big terms to `⋯`; raising it keeps the comparison complete. Not
# every toolchain may know the option: if the reference check fails with it, it is dropped (and a
# truncated `⋯` print is then reported as `error`, never compared).
PP_EXTRA = ("pp.maxSteps 1000000000",)
MAX_MESSAGES = 50
MAX_MESSAGE_CHARS = 2000
SORRY_WARNING = "declaration uses 'sorry'"
# How a REPL that hit its address-space cap dies (quoted from its stderr in a crash's detail): Lean's
# runtime prints "INTERNAL PANIC: out of memory" when an allocation fails; C++ code throws bad_alloc;
# the replay double (Python) raises MemoryError.
_OUT_OF_MEMORY = ("INTERNAL PANIC: out of memory", "std::bad_alloc", "MemoryError")

_AXIOMS_RE = re.compile(r"depends on axioms:\s*\[(.*)\]", re.S)
_NO_AXIOMS = "does not depend on any axioms"
_TYPE_SEP = re.compile(r"\s:\s")


@dataclass
class PostCheck:
    """The text appended after the candidate and the lines where its two answers appear."""

    text: str
    first_line: int  # line of our first command: messages from here on are ours
    check_line: int
    axioms_line: int


def post_check(code: str, decl_name: str, pp_options: Sequence[str]) -> PostCheck:
    """Our two commands after `code` (which may end mid-line), with their absolute line numbers."""
    base_line = code.count("\n") + 1
    lines = ["", ""]  # end the candidate's last line and leave a blank one
    lines += [f"set_option {opt} in" for opt in pp_options]
    lines.append(f"#check @{decl_name}")
    check_line = base_line + len(lines) - 1
    lines += ["", f"#print axioms {decl_name}", ""]
    axioms_line = check_line + 2
    return PostCheck("\n".join(lines), base_line + 2, check_line, axioms_line)


def printed_type(data: str) -> str:
    """The type part of a `#check` answer "e : type", whitespace-normalised.

    Normalising makes line breaks (which depend on the printed name's length) irrelevant.
    """
    m = _TYPE_SEP.search(data)
    if not m:
        raise ValueError(f"not a `#check` answer: {data[:200]!r}")
    return " ".join(data[m.end():].split())


def parse_axioms(data: str) -> set[str] | None:
    """The axioms named in a `#print axioms` answer, or None when `data` is not one."""
    if _NO_AXIOMS in data:
        return set()
    m = _AXIOMS_RE.search(data)
    if not m:
        return None
    return {a.strip() for a in m.group(1).split(",") if a.strip()}


def _line(msg: Any) -> int:
    return msg.pos[0] if msg.pos else 0


def _messages_on(response: Any, line: int, severity: str | None = None) -> list[Any]:
    return [m for m in response.messages if _line(m) == line and (severity is None or m.severity == severity)]


def candidate_messages(response: Any, plan: GateResult, first_own_line: int) -> list[Message]:
    """The candidate's messages (not ours), positioned in the candidate's own coordinates."""
    out = []
    for m in response.messages:
        line, col = m.pos if m.pos else (0, 0)
        if line >= first_own_line:
            continue
        # The REPL counts columns from 0; ours count from 1. A message inside the statement keeps the
        # statement's own position (the continuation's code starts with the statement).
        cl, cc = plan.to_candidate_position(line, col)
        if cl == 0:
            out.append(Message(line, col + 1, m.severity, m.data[:MAX_MESSAGE_CHARS], spec=True))
        else:
            out.append(Message(cl, cc + 1, m.severity, m.data[:MAX_MESSAGE_CHARS]))
        if len(out) >= MAX_MESSAGES:
            break
    return out


def decide(response: Any, plan: GateResult, post: PostCheck, reference_type: str) -> Verdict:
    """The verdict for one REPL answer to `plan.code + post.text` (a `ReplResponse`).

    Pure: no I/O, so it is tested on responses parsed from real REPL transcripts.
    """
    if response.error is not None:
        return Verdict("error", f"the REPL refused the command: {response.error}")
    first_own = post.first_line
    msgs = candidate_messages(response, plan, first_own)
    errors = [m for m in msgs if m.severity == "error"]
    if errors:
        return Verdict("failed", f"Lean error: {errors[0].text[:300]}", msgs)
    if response.sorries:
        return Verdict("failed", "the proof contains sorry", msgs)
    if any(m.severity == "warning" and SORRY_WARNING in m.text for m in msgs):
        return Verdict("failed", "declaration uses 'sorry'", msgs)
    own_errors = [m for m in response.messages if _line(m) >= first_own and m.severity == "error"]
    if own_errors:
        # The candidate did not leave a theorem we can inspect (e.g. it closed a namespace we were
        # in, or its declaration failed silently): not a proof of the statement.
        return Verdict("failed", f"post-check failed: {own_errors[0].data[:300]}", msgs)
    checks = _messages_on(response, post.check_line, "info")
    axiom_msgs = _messages_on(response, post.axioms_line, "info")
    if len(checks) != 1 or len(axiom_msgs) != 1:
        return Verdict("failed", "post-check answers missing: the candidate's text swallowed our commands", msgs)
    axioms = parse_axioms(axiom_msgs[0].data)
    if axioms is None:
        return Verdict("failed", f"unexpected `#print axioms` answer: {axiom_msgs[0].data[:200]}", msgs)
    extra = axioms - ALLOWED_AXIOMS
    if extra:
        return Verdict("rejected", f"axioms: uses {sorted(extra)} beyond {sorted(ALLOWED_AXIOMS)}", msgs)
    try:
        got = printed_type(checks[0].data)
    except ValueError as e:
        return Verdict("failed", str(e), msgs)
    if "⋯" in got or "⋯" in reference_type:
        return Verdict("error", "the pp.all type was printed truncated (⋯); cannot compare statements", msgs)
    if got != reference_type:
        return Verdict("rejected", "statement-changed: the proved theorem's type differs from the task's "
                       f"statement (pp.all): got {got[:300]!r}, expected {reference_type[:300]!r}", msgs)
    return Verdict("verified", "", msgs)


@dataclass
class _Reference:
    """The reference type of one task, or why it could not be had (`final`: not worth retrying).

    `pp_options` are the options the type was printed with; the candidate's type is printed with
    the same ones, so that both prints are comparable.
    """

    type: str = ""
    error: str = ""
    final: bool = False
    status: str = "error"
    pp_options: tuple[str, ...] = PP_BASE


class LeanVerifier:
    """The `verifier_core.records.Verifier` for Lean 4 through `leanprover-community/repl`.

    `command` / `project` choose the REPL (see `lean_env.toolchain.find_repl`); with none found, the
    gate still runs: a rejected candidate is `rejected`, anything else `error` (with how to get Lean),
    never `verified`. `cache` is a `verifier_core.cache.VerdictCache` (or None). `pool` may be given
    instead of a command (tests); otherwise a `ReplPool` is created on first use.
    """

    lang = "lean"

    def __init__(self, command: list[str] | str | None = None, project: str | None = None, workers: int = 2,
                 timeout: float = 60.0, memory_mb: int = 8192, cache: Any = None, *,
                 rss_limit_mb: int | None = None, recycle_after: int = 200, pool: Any = None,
                 toolchain: str | None = None):
        self.workers = max(1, int(workers))
        self.timeout = float(timeout)
        self.memory_mb = memory_mb
        self.cache = cache
        self._rss_limit_mb = rss_limit_mb
        self._recycle_after = recycle_after
        self._pool = pool
        self._location: ReplLocation | None = None
        self._not_found = ""
        if pool is None:
            self._location, tried = find_repl(command, project)
            if self._location is None:
                self._not_found = "; ".join(tried)
        self._toolchain = toolchain if toolchain is not None else (
            self._location.toolchain if self._location else ("lean-repl:injected" if pool is not None else ""))
        self._references: dict[tuple[str, str], _Reference] = {}
        self._ref_locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()

    # -- Verifier protocol ----------------------------------------------------------------------

    def toolchain(self) -> str:
        return self._toolchain

    def check(self, task: Task, candidate: Candidate) -> Verdict:
        """Check one candidate; never raises for bad input or infrastructure trouble."""
        return self.check_many([(task, candidate)])[0]

    def check_many(self, pairs: Sequence[tuple[Task, Candidate]], on_result: OnResult | None = None
                   ) -> list[Verdict]:
        """Check candidates in parallel (`workers` threads); identical ones are checked once."""
        from verifier_core.batch import check_batch

        return check_batch(pairs, lambda p: self._key(*p), lambda p: self._check_one(*p), cache=self.cache,
                           workers=self.workers, on_result=on_result, thread_name="lean-check")

    def close(self) -> None:
        """Stop every REPL process."""
        if self._pool is not None:
            self._pool.close()

    def __enter__(self) -> "LeanVerifier":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one candidate --------------------------------------------------------------------------

    def _key(self, task: Task, cand: Candidate) -> str:
        from verifier_core.cache import verdict_key  # stdlib-only module; lazily, like every prover import here

        text = cand.text if isinstance(cand.text, str) else repr(cand.text)
        return verdict_key(self._toolchain, task.header, task.statement, text, gate=GATE_VERSION)

    def _check_one(self, task: Task, cand: Candidate) -> Verdict:
        start = time.monotonic()
        crashes: list[str] = []

        def attempt(i: int) -> Verdict:
            try:
                return self._verify(task, cand, VERIFIER_RETRY.timeout(self.timeout, i), crashes)
            except Exception as e:  # a bug here must cost one verdict, not the batch
                return Verdict("error", f"infra:lean-checker: {type(e).__name__}: {e}")

        verdict = with_retries(VERIFIER_RETRY, attempt)
        verdict.seconds = time.monotonic() - start
        verdict.toolchain = self._toolchain
        return verdict

    def _verify(self, task: Task, cand: Candidate, timeout: float, crashes: list[str]) -> Verdict:
        """One try; `crashes` collects the REPL deaths this candidate caused in earlier tries."""
        if task.lang != "lean":
            return Verdict("error", f"input:wrong-lang: task {task.id!r} is {task.lang}, not lean")
        g = gate(task, cand)
        if not g.ok:
            if g.rule.startswith("task:"):
                return Verdict("error", f"{g.rule}: {g.detail}")
            if g.rule == "bad-input":
                return Verdict("error", f"input:bad: {g.detail}")
            return Verdict("rejected", f"{g.rule}: {g.detail}")
        pool = self._get_pool()
        if pool is None:
            return Verdict("error", f"infra:no-lean: no Lean REPL available ({self._not_found}); {HINT}")
        ref = self._reference(pool, task, timeout)
        if ref.error:
            return Verdict(ref.status, ref.error)
        post = post_check(g.code, g.decl_name, ref.pp_options)
        result = pool.run(task.header, {"cmd": g.code + post.text}, timeout=timeout)
        if result.status == "timeout":
            return Verdict("timeout", f"limit:time: no answer within {timeout:g} s; process group killed")
        if result.status == "crash":
            # The header env was ready, so the candidate's own command took the REPL down.
            if result.limit == "memory" or any(sign in result.detail for sign in _OUT_OF_MEMORY):
                return Verdict("failed", f"limit:memory: {result.detail}; process group killed")
            crashes.append(result.detail)
            if len(crashes) > 1:
                return Verdict("failed", f"crash: the REPL died on this candidate {len(crashes)} times, "
                                         f"each on another process: {result.detail}")
            return Verdict("error", f"crash: the REPL died (retried on another process): {result.detail}")
        if result.status != "ok" or result.response is None:
            return Verdict("error", f"infra:repl: {result.status}: {result.detail}")
        return decide(result.response, g, post, ref.type)

    # -- reference statement --------------------------------------------------------------------

    def _reference(self, pool: Any, task: Task, timeout: float) -> _Reference:
        """The task's statement type under pp.all, elaborated once per (header, statement)."""
        key = (task.header, task.statement)
        with self._lock:
            lock = self._ref_locks.setdefault(key, threading.Lock())
        with lock:
            ref = self._references.get(key)
            if ref is not None and (ref.type or ref.final):
                return ref
            ref = self._elaborate_reference(pool, task, timeout)
            if ref.type or ref.final:
                self._references[key] = ref
            return ref

    def _elaborate_reference(self, pool: Any, task: Task, timeout: float) -> _Reference:
        name = fresh_decl_name()
        try:
            code = reference_code(task.statement, name)
        except ValueError as e:
            return _Reference(error=f"task:unparsable: task {task.id!r}: {e}", final=True)
        options = PP_BASE + PP_EXTRA
        while True:
            post = post_check(code, name, options)
            result = pool.run(task.header, {"cmd": code + post.text}, timeout=timeout)
            if result.status == "timeout":
                return _Reference(error=f"reference statement: no answer within {timeout:g} s", status="timeout")
            if result.status != "ok" or result.response is None:
                return _Reference(error=f"reference statement: REPL {result.status}: {result.detail}")
            resp = result.response
            if resp.error is not None:
                return _Reference(error=f"reference statement: the REPL refused it: {resp.error}")
            option_lines = range(post.check_line - len(options), post.check_line)
            if any(m.severity == "error" and _line(m) in option_lines for m in resp.messages) \
                    and len(options) > len(PP_BASE):
                options = PP_BASE  # this toolchain lacks an extra option; see PP_EXTRA
                continue
            errors = [m for m in resp.messages if m.severity == "error"]
            if errors:
                return _Reference(error=f"task:does-not-elaborate: task {task.id!r}: the statement does not "
                                        f"elaborate under its header: {errors[0].data[:300]}", final=True)
            checks = _messages_on(resp, post.check_line, "info")
            if len(checks) != 1:
                return _Reference(error="reference statement: no `#check` answer")
            try:
                return _Reference(type=printed_type(checks[0].data), pp_options=options)
            except ValueError as e:
                return _Reference(error=f"reference statement: {e}")

    # -- pool -------------------------------------------------------------------------------------

    @property
    def pool(self) -> Any:
        """The header-keyed REPL pool (for proof-state search), or None when no Lean REPL was found."""
        return self._get_pool()

    def _get_pool(self) -> Any:
        with self._lock:
            if self._pool is None and self._location is not None:
                from .pool import ReplPool

                self._pool = ReplPool(self._location.command, cwd=self._location.cwd, workers=self.workers,
                                      memory_mb=self.memory_mb, rss_limit_mb=self._rss_limit_mb,
                                      timeout=self.timeout, recycle_after=self._recycle_after)
            return self._pool
