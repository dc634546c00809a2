"""`DafnyVerifier`: soundness gate → dialect bridge → verifier process → verdict, for many at once.

Per check: (1) `soundness.gate` rejects what could fake a proof and assembles the program;
(2) on Dafny 2.x, `dialect.to_dafny2` translates Dafny-4 syntax; (3) a pooled DafnyServer (or one
`dafny` process) verifies it under a hard timeout and a memory cap; (4) the output is parsed here,
never trusted as a whole: `verified` needs zero errors, no time-outs, and every spec member that
Dafny reports on verified. Messages are mapped back to the candidate's own lines.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from verifier_core.batch import check_batch
from verifier_core.cache import VerdictCache, verdict_key
from verifier_core.records import Candidate, Message, OnResult, Task, Verdict
from verifier_core.retry import VERIFIER_RETRY, with_retries

from . import batching, evidence, header
from .cli_backend import CliRunner
from .header import stamp as header_stamp
from .messages import ParsedOutput, body_checked, member_outcomes, parse_output, parse_symbols
from .pool import ServerPool
from .server import SERVER_EOM, Reply
from .soundness import GateResult
from .toolchain import DafnyNotFound, Toolchain, detect

BACKENDS = ("auto", "server", "cli")
# What `confirm_failures=False` (the fast mode training uses) costs, measured by
# bench/dafny_rl_throughput.py against stock `dafny /trace`; stamped on every verdict it gives.
FAST_MODE_FALSE_NEGATIVES = ("server proof failures unconfirmed; measured false negatives 0/110 team candidates "
                             "(5 runs); known: dafnybench_023, clover_array_concat (loops); a task's candidates "
                             "batched, every batched `verified` re-checked alone")
# Candidates of one task per DafnyServer request in the fast mode (`batching`).
BATCH_SIZE = 8
_PARSE_ERROR_HINTS = ("expected", "invalid ", "EOF", "unexpected", "unterminated")


def mode(confirm_failures: bool) -> str:
    """The mode as run metadata records it: `exact`, or `fast: ` and its measured false negatives."""
    return "exact" if confirm_failures else f"fast: {FAST_MODE_FALSE_NEGATIVES}"


def vc_time_limit(timeout: float) -> int:
    """Dafny's own per-VC limit: a bit below the hard timeout so Dafny usually reports first."""
    return max(1, int(timeout - max(1.0, 0.15 * timeout)))


@dataclass
class _Prepared:
    """A candidate through the gate, header and bridge: `program` is what Dafny verifies."""

    gate: GateResult
    program: str
    to_program_line: Callable[[int], int]  # a line of `program` -> a line of `gate.program`
    own_lines: tuple[int, int] | None  # with a trusted header: the lines that are the task's own


def _batch_group(pair: tuple[Task, Candidate]) -> str | None:
    """Candidates with the same key may share a request (`batching`); None: checked alone."""
    task = pair[0]
    if task.header or task.lang != "dafny" or task.kind == "hints" or batching.target_of(task.statement) is None:
        return None
    return f"{task.kind}\0{bool(task.meta.get('allow_decreases_star'))}\0{task.statement}"


class DafnyVerifier:
    """Checks Dafny candidates against their tasks; see `verifier_core.records.Verifier` for the contract."""

    lang = "dafny"

    def __init__(self, workers: int = 2, timeout: float = 30.0, memory_mb: int = 4096,
                 cache: VerdictCache | None = None, backend: str = "auto", dafny: str | None = None,
                 recycle_after: int = 200, confirm_failures: bool = True, aot: bool = True,
                 batch_size: int = BATCH_SIZE, notes: bool = False):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        self.workers = max(1, int(workers))
        self.timeout = float(timeout)
        self.memory_mb = memory_mb
        self.cache = cache
        self.recycle_after = recycle_after
        self.confirm_failures = confirm_failures
        # Fast mode only: candidates of one task per request (`batching`); 1 checks each alone.
        self.batch_size = max(1, int(batch_size))
        self.aot = aot
        self.notes = notes  # list Dafny's `Info:` notes (inferred `decreases` ...) among the messages
        self._missing = ""
        self._tc: Toolchain | None = None
        try:
            self._tc = detect(dafny)
        except DafnyNotFound as e:
            self._missing = str(e)
        if backend == "server" and self._tc and self._tc.mode != "server":
            raise ValueError(f"backend 'server' needs Dafny 2.x with DafnyServer.exe; found mode {self._tc.mode}")
        self.backend = ("server" if self._tc and self._tc.mode == "server" else "cli") if backend == "auto" else backend
        self._runner: ServerPool | CliRunner | None = None
        self._confirmer: CliRunner | None = None
        self._symbols_pool: ServerPool | None = None  # DafnyServer for `symbols` when checks use the CLI
        self._spec_cache: dict[str, tuple[str, list]] = {}
        self._confirm_slots = threading.BoundedSemaphore(self.workers)  # concurrent CLI confirmations
        self._closed = False
        self._lock = threading.Lock()

    # -- Verifier protocol -------------------------------------------------------------------------

    def toolchain(self) -> str:
        """The toolchain stamp; the fast mode says so, with its measured false negatives, and so
        never shares cached verdicts with the exact mode."""
        if not self._tc:
            return ""
        if self.backend == "server" and not self.confirm_failures:
            return f"{self._tc.stamp} [{mode(False)}]"
        return self._tc.stamp

    def check(self, task: Task, candidate: Candidate) -> Verdict:
        return self.check_many([(task, candidate)])[0]

    def check_many(self, pairs: Sequence[tuple[Task, Candidate]], on_result: OnResult | None = None) -> list[Verdict]:
        """Check every pair; identical (task, candidate) pairs run once; cached verdicts are reused."""
        def key(pair: tuple[Task, Candidate]) -> str:
            task, cand = pair
            # The gate reads `allow_decreases_star` from the task: a task that allows `decreases *`
            # must never answer for one with the same statement that does not. Absent when unset,
            # so that every other key stays as it was.
            star = {"allow_decreases_star": True} if task.meta.get("allow_decreases_star") else {}
            notes = {"notes": True} if self.notes else {}
            return verdict_key(self.toolchain() + header_stamp(task.header), task.header, task.statement, cand.text,
                               kind=task.kind, **star, **notes, **verdict_versions())

        # The exact mode runs twice the threads: while some wait for a CLI confirmation (its own
        # `workers` slots), the others keep every server of the pool busy.
        threads = 2 * self.workers if self.confirm_failures and self.backend == "server" else self.workers
        batching_on = (not self.confirm_failures and self.backend == "server" and self.batch_size > 1
                       and self._tc is not None and self._tc.major < 3)
        return check_batch(pairs, key, lambda pair: self._check_with_retry(pair[0], pair[1].text),
                           cache=self.cache, workers=threads, on_result=on_result, thread_name="dafny-check",
                           group=_batch_group if batching_on else None, check_group=self._check_group,
                           group_size=self.batch_size)

    def close(self) -> None:
        """Stop every process; checks after this return `error` and start nothing."""
        with self._lock:
            self._closed = True
            runner, self._runner = self._runner, None
            symbols_pool, self._symbols_pool = self._symbols_pool, None
        for pool in (runner, symbols_pool):
            if isinstance(pool, ServerPool):
                pool.close()

    def __enter__(self) -> "DafnyVerifier":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one check ---------------------------------------------------------------------------------

    def _get_runner(self) -> ServerPool | CliRunner | None:
        with self._lock:
            if self._closed:
                return None
            if self._runner is None:
                if self.backend == "server":
                    self._runner = ServerPool(self._tc.server_argv, size=self.workers, memory_mb=self.memory_mb,
                                              recycle_after=self.recycle_after,
                                              base_args=["/vcsCores:1", *self._tc.z3_args])
                else:
                    self._runner = CliRunner(self._tc, memory_mb=self.memory_mb, aot=self.aot)
            return self._runner

    def run_program(self, program: str, fresh: bool = False, cli: bool = False, command: str = "verify",
                    timeout: float | None = None) -> Reply:
        """Verify a whole, already gated and translated program on this verifier's backend.

        `cli=True` forces one `dafny` process, whatever the backend (used to confirm failures).
        `command="symbols"` asks a DafnyServer for Dafny's own list of declarations instead.
        `timeout`: the hard limit, when not this verifier's own (a batch gets one per candidate).
        """
        runner = self._get_runner()
        if runner is None:
            return Reply("unavailable", "", 0.0, "verifier is closed")
        if command != "verify":
            if not isinstance(runner, ServerPool):
                with self._lock:
                    if self._closed:
                        return Reply("unavailable", "", 0.0, "verifier is closed")
                    if self._symbols_pool is None:
                        self._symbols_pool = ServerPool(self._tc.server_argv, size=1, memory_mb=self.memory_mb,
                                                        recycle_after=self.recycle_after, base_args=self._tc.z3_args)
                runner = self._symbols_pool
            return runner.run(program, self.timeout, fresh=fresh, command=command)
        timeout = timeout or self.timeout
        limit = vc_time_limit(self.timeout)
        if cli and isinstance(runner, ServerPool):
            with self._lock:
                if self._confirmer is None:
                    self._confirmer = CliRunner(self._tc, memory_mb=self.memory_mb, aot=self.aot)
            runner = self._confirmer
        if isinstance(runner, ServerPool):
            # Snapshot mode (the server's default, 3) changes the VC and loses proofs the CLI finds
            # (dafnybench_037); a fresh name per request gains nothing from it.
            return runner.run(program, timeout, args=[f"/timeLimit:{limit}", "/verifySnapshots:0"], fresh=fresh)
        return runner.run(program, timeout, limit)

    def _check_with_retry(self, task: Task, text: str, prepared: "_Prepared | Verdict | None" = None) -> Verdict:
        """`prepared`: `_prepare`'s result for this text when the caller already has it."""
        # A retry runs on a brand-new process: the old one may be wedged.
        return with_retries(VERIFIER_RETRY, lambda attempt: self._check_one(task, text, fresh=attempt > 0,
                                                                            prepared=prepared))

    def _check_one(self, task: Task, text: str, fresh: bool, prepared: "_Prepared | Verdict | None" = None) -> Verdict:
        start = time.monotonic()
        verdict = self._decide(task, text, fresh, prepared)
        verdict.seconds = round(time.monotonic() - start, 3)
        verdict.toolchain = self.toolchain() + header_stamp(task.header)
        return verdict

    def _decide(self, task: Task, text: str, fresh: bool, prepared: "_Prepared | Verdict | None" = None) -> Verdict:
        if prepared is None:
            prepared = self._prepare(task, text)
        if isinstance(prepared, Verdict):
            return prepared
        reply = self.run_program(prepared.program, fresh=fresh)
        parsed = parse_output(reply.output, self._tc.major)
        verdict = self._judge(prepared, reply, parsed, prepared.to_program_line, fresh)
        if (self.confirm_failures and self.backend == "server"
                and _server_may_differ(verdict, parsed, reply.output, prepared.program)):
            # DafnyServer 2.3 hands z3 a differently shaped VC than `dafny` does (snapshot mode, and
            # even without it a block the CLI coalesces), and z3 then fails on a few programs that
            # the CLI verifies (dafnybench_023, clover_array_concat; not the 10 s per-VC cap: they
            # fail with 50 s too). Those failures go to the reference CLI (`_server_may_differ`);
            # parse and resolution errors are deterministic and do not. Confirmations have slots
            # of their own, so they overlap with the servers' work (`check_many`).
            with self._confirm_slots:
                reply = self.run_program(prepared.program, cli=True)
            parsed = parse_output(reply.output, self._tc.major)
            verdict = self._judge(prepared, reply, parsed, prepared.to_program_line, fresh)
            verdict.reason = f"{verdict.reason} [confirmed by dafny CLI]" if verdict.reason else verdict.reason
        return self._with_evidence(task, prepared, verdict, parsed)

    def _prepare(self, task: Task, text: str) -> "_Prepared | Verdict":
        """Gate, header and bridge: the program to verify, or the verdict when none is needed."""
        if self._closed:
            return Verdict("error", "infra:closed: this DafnyVerifier was closed; no process is started")
        if self._tc is None:
            return Verdict("error", f"infra:no-dafny: {self._missing}")
        if task.lang != "dafny":
            return Verdict("error", f"input:wrong-lang: task {task.id!r} is {task.lang}, not dafny")
        try:
            from . import soundness

            gate = soundness.gate(task, text)
        except Exception as e:  # a bug in our gate is infrastructure trouble, never the model's fault
            return Verdict("error", f"infra:gate: {type(e).__name__}: {e}")
        if not gate.ok:
            if gate.rule.startswith("task:"):
                # The statement itself cannot be read: our data's fault, never the candidate's.
                return Verdict("error", f"{gate.rule}: {gate.detail}")
            if gate.status == "failed":
                return Verdict("failed", f"{gate.rule}: {gate.detail}")
            prefix = "" if gate.rule.startswith("input:") else "gate:"
            return Verdict("rejected", f"{prefix}{gate.rule}: {gate.detail}")
        program, to_program_line = gate.program, (lambda line: line)
        if task.header:  # [header hook] trusted task header: guard + 2.3 member calls (dafny_env/header.py)
            try:
                program = header.before_bridge(task.header, program, self._tc.major, task.statement)
            except header.HeaderRejection as e:
                return Verdict("rejected", f"gate:{e.rule}: {e}")
            except header.HeaderError as e:
                return Verdict("error", f"task:header: {e}")
        if self._tc.major < 3:
            from .dialect import BridgeRefusal, char_width_dependence, to_dafny2

            why = char_width_dependence(task.statement)
            if why:
                return Verdict("error", f"task:char-width: the statement cannot be checked on Dafny {self._tc.version}: {why}")
            try:
                translation = to_dafny2(program)
            except BridgeRefusal as e:
                try:
                    to_dafny2(task.statement)
                except BridgeRefusal as spec_e:
                    return Verdict("error", f"task:bridge: the statement cannot be checked on Dafny {self._tc.version}: {spec_e}")
                # Untranslatable is not a cheat: the candidate simply cannot be checked here.
                return Verdict("failed", f"bridge:{e}")
            except Exception as e:
                return Verdict("error", f"infra:dialect: {type(e).__name__}: {e}")
            program, to_program_line = translation.text, translation.original_line
        own_lines = None
        if task.header:  # [header hook] the header goes around the program, its members unverified
            program, to_program_line, own_lines = header.after_bridge(task.header, program, self._tc.major,
                                                                      to_program_line)
            if header.binds_unsound_name(task.header, gate.program) or header.binds_unsound_name(task.header, task.statement):
                bad = self._unsound_reach(task, program, own_lines)
                if isinstance(bad, Verdict):
                    return bad
        if SERVER_EOM.decode() in program:
            # Dafny prints an `{:error "..."}` message as written: with the marker in it, the reply
            # would end inside the candidate's own block and the rest answer the next request.
            return Verdict("rejected", f"gate:protocol:server-marker: the program holds DafnyServer's end-of-reply "
                           f"marker {SERVER_EOM.decode()!r}, which would forge the end of its reply")
        return _Prepared(gate, program, to_program_line, own_lines)

    def _judge(self, prepared: "_Prepared", reply: Reply, parsed: ParsedOutput,
               to_program_line: Callable[[int], int], fresh: bool) -> Verdict:
        """The verdict Dafny's reply gives, its messages on the candidate's own lines."""
        gate = prepared.gate
        shown = parsed.messages + parsed.notes if self.notes else parsed.messages
        messages = [_to_candidate(m, to_program_line(m.line), gate.line_offset) for m in shown]
        verdict = _verdict(reply, parsed, gate.members, messages, self.timeout, fresh)
        if reply.kind == "done" and parsed.bodyless_statements and verdict.status in ("verified", "failed"):
            m = next(x for x in messages if "has no body" in x.text)
            rule = "forall:bodyless" if "forall" in m.text else "loop:bodyless"
            return Verdict("rejected", f"dafny:{rule}: Dafny: {m.text} (line {m.line})", messages)
        return verdict

    def _with_evidence(self, task: Task, prepared: "_Prepared", verdict: Verdict, parsed: ParsedOutput) -> Verdict:
        """A `verified` stands only with Dafny's report of every iterator body and its own reading
        of the program (`_dafny_evidence`)."""
        if verdict.status != "verified":
            return verdict
        unchecked = _unchecked_iterators(prepared.gate.program, parsed)
        if unchecked:
            return Verdict("failed", f"verify:iterator-unchecked: Dafny checked no body of iterator {unchecked[0]}: "
                           "it emits an iterator's implementation only when the body holds a proof obligation "
                           "of its own, so its `ensures` went unchecked", verdict.messages)
        return self._dafny_evidence(task, prepared.program, verdict, parsed.impls, prepared.own_lines)

    # -- several candidates of one task in one request (the fast mode; dafny_env/batching.py) -----

    def _check_group(self, pairs: list[tuple[Task, Candidate]]) -> list[Verdict]:
        """Verdicts for candidates of one statement (`_batch_group`): those that fill the target's
        body, print no lines of their own and translate the statement alike share one request, which
        decides their failures; every other one, every one the batch finds `verified`, and all of them
        when the batch's reply decides nothing, are checked alone."""
        start = time.monotonic()
        prepared = [self._prepare(task, cand.text) for task, cand in pairs]
        statement = pairs[0][0].statement
        target = batching.target_of(statement)
        batches: dict[tuple[str, ...], list[int]] = {}
        for i, p in enumerate(prepared):
            if (target is not None and isinstance(p, _Prepared) and p.gate.line_offset > 0
                    and not batching.prints_lines(pairs[i][1].text)):
                batches.setdefault(batching.statement_lines(statement, target, p.program), []).append(i)
        decided: dict[int, Verdict] = {}
        for members in (m for m in batches.values() if len(m) > 1):
            batch_verdicts = self._run_batch(pairs[0][0], target, [prepared[i] for i in members])
            seconds = round(time.monotonic() - start, 3)
            for i, verdict in zip(members, batch_verdicts):
                if verdict is not None:
                    verdict.seconds = seconds
                    verdict.toolchain = self.toolchain()
                    decided[i] = verdict
        return [decided[i] if i in decided else self._check_with_retry(task, cand.text, prepared[i])
                for i, (task, cand) in enumerate(pairs)]

    def _run_batch(self, task: Task, target, prepared: list["_Prepared"]) -> list[Verdict | None]:
        """One request for all of `prepared`; None for a candidate the reply does not decide.

        A batch never decides a `verified`: z3 proves some bodies beside their batch-mates that it
        does not prove alone, even with `/restartProver` (measured: `SUM_PAIR` in
        tests/test_dafny_batching.py verifies after a mate that asserts facts about its sequences,
        and fails before it or alone). Only the candidate's own program may give a reward of 1."""
        from .dialect import BridgeRefusal, to_dafny2

        undecided: list[Verdict | None] = [None] * len(prepared)
        try:
            batch = batching.build(task.statement, target, [p.gate.program for p in prepared])
            translation = to_dafny2(batch.text)
        except (BridgeRefusal, ValueError):
            return undecided
        reply = self.run_program(translation.text, timeout=self.timeout * (len(prepared) + 1))
        parsed = parse_output(reply.output, self._tc.major)
        if (reply.kind != "done" or parsed.frontend_errors or parsed.internal_error or not parsed.completed
                or parsed.bodyless_statements):
            return undecided  # nothing here is any one candidate's verdict: each is checked alone
        out: list[Verdict | None] = []
        for i, (p, view_text) in enumerate(zip(prepared, batching.split(reply.output, batch, translation.original_line))):
            if not batching.keeps_statement(batch, translation.text, p.program, i):
                out.append(None)  # the batch translated the statement otherwise than alone
                continue
            view = parse_output(view_text, self._tc.major)

            def to_program_line(line: int, i: int = i) -> int:
                solo = batch.solo_line(i, translation.original_line(line))
                return 0 if solo is None else solo

            verdict = self._judge(p, reply, view, to_program_line, fresh=False)
            out.append(None if verdict.status == "verified" else verdict)
        return out

    def _dafny_evidence(self, task: Task, program: str, verdict: Verdict, impls: list,
                        own_lines: tuple[int, int] | None = None) -> Verdict:
        """Dafny's own reading of the program (`evidence.check`) confirms a `verified`, or not.

        With a trusted header, only the symbols on the program's own lines (`own_lines`) are judged.
        """
        if self._tc.major >= 3 or not self._tc.server_argv:
            return verdict  # no `symbols` request without DafnyServer: the scanner's reading stands
        spec = self._spec_symbols(task)
        if isinstance(spec, Verdict):
            return spec
        reply = self.run_program(program, command="symbols")
        symbols = parse_symbols(reply.output) if reply.kind == "done" else None
        if symbols is None:
            return Verdict("error", f"infra:symbols: no symbol list from DafnyServer ({reply.kind} {reply.detail})".rstrip(),
                           verdict.messages)
        if own_lines:  # [header hook] the header's axioms are the benchmark's, not the candidate's
            symbols = [x for x in symbols if own_lines[0] < x.line <= own_lines[1]]
        # the names the statement uses: its own text's, also as translated (not the header's)
        names = evidence.identifiers(task.statement) | (set() if task.header else evidence.identifiers(spec[0]))
        finding = evidence.check(program, symbols, spec[0], spec[1], impls, names)
        if finding is None:
            return verdict
        return Verdict("rejected", f"dafny:{finding.rule}: {finding.detail}", verdict.messages)

    def _unsound_reach(self, task: Task, program: str, own_lines: tuple[int, int]) -> Verdict | None:
        """Where the text binds a name of the header's inconsistent axioms, decide on Dafny's own
        resolution which mentions reach them (`header.resolved_mentions`): the program may not
        reach them more often than its statement does."""
        statement = self._statement_program(task)
        if isinstance(statement, Verdict):
            return statement
        counts = []
        for text, lines in ((program, own_lines), statement):
            reply = CliRunner(self._tc, memory_mb=self.memory_mb, aot=self.aot).run(
                header.renamed_unsound(task.header, text, lines), self.timeout, vc_time_limit(self.timeout), ["/noVerify"])
            if reply.kind != "done":
                return Verdict("error", f"infra:header-reach: resolving the program for its header's unsound names: "
                                        f"{reply.kind} {reply.detail}".rstrip())
            counts.append(header.resolved_mentions(task.header, parse_output(reply.output, self._tc.major).messages, lines))
        bad = header.unsound_excess(task.header, counts[0], counts[1])
        return Verdict("rejected", f"gate:{bad[0]}: {bad[1]} (Dafny's resolution)") if bad else None

    def _statement_program(self, task: Task) -> tuple[str, tuple[int, int] | None] | Verdict:
        """The statement as Dafny checks it (header hooks and bridge applied) and its own lines."""
        from .dialect import BridgeRefusal, to_dafny2

        own_lines = None
        try:
            statement = task.statement
            if task.header:  # [header hook] the statement is read against its header, as the program is
                statement = header.before_bridge(task.header, statement, self._tc.major, statement)
            statement = to_dafny2(statement).text
            if task.header:
                statement, _, own_lines = header.after_bridge(task.header, statement, self._tc.major, lambda n: n)
        except BridgeRefusal as e:
            return Verdict("error", f"task:bridge: the statement cannot be checked on Dafny {self._tc.version}: {e}")
        except (header.HeaderError, header.HeaderRejection) as e:
            return Verdict("error", f"task:header: {e}")
        return statement, own_lines

    def _spec_symbols(self, task: Task) -> tuple[str, list] | Verdict:
        """The translated statement and Dafny's symbols for it, once per statement."""
        with self._lock:
            hit = self._spec_cache.get(task.statement)
        if hit is not None:
            return hit
        prepared = self._statement_program(task)
        if isinstance(prepared, Verdict):
            return prepared
        statement, own_lines = prepared
        reply = self.run_program(statement, command="symbols")
        symbols = parse_symbols(reply.output) if reply.kind == "done" else None
        if symbols is not None and own_lines:
            symbols = [x for x in symbols if own_lines[0] < x.line <= own_lines[1]]
        if symbols is None:
            return Verdict("error", f"infra:symbols: no symbol list for the statement ({reply.kind} {reply.detail})".rstrip())
        if parse_output(reply.output, self._tc.major).frontend_errors:
            return Verdict("error", f"task:unresolvable: the statement of {task.id!r} does not parse or resolve on its own")
        with self._lock:
            self._spec_cache[task.statement] = (statement, symbols)
        return statement, symbols


def _unchecked_iterators(program: str, parsed: ParsedOutput) -> list[str]:
    """Iterators of `program` with a body that Dafny reported no check of.

    Dafny (2.3, and its translator still in 4) emits an iterator's implementation only when its
    body makes an assertion of its own; the check that the iterator's `ensures` holds at the end
    is not one, so `iterator I(...) ensures false { }` comes back verified without its body ever
    reaching Boogie, and a client's `MoveNext` then proves false. A method's or lemma's
    implementation is always emitted (its postcondition is checked on every return path).
    """
    from .syntax import parse

    return [d.qualname for d in parse(program).walk()
            if d.base == "iterator" and d.has_body and not body_checked(parsed, d.qualname)]


def _server_may_differ(verdict: Verdict, parsed: ParsedOutput, output: str, program: str) -> bool:
    """Whether the CLI might verify what the server failed (the exact mode then asks it).

    Only proof failures and per-VC time-outs (reason `verify...`) can differ; hard limits and
    front-end errors do not. Of those, every one is confirmed except plain proof errors (`verify:
    N error(s)`, every unverified implementation ending in `error`, each error with its execution
    trace) of a program without loops: both VC-shape cases seen (dafnybench_023,
    clover_array_concat) fail on a path through a loop head (Boogie's loop cut, where the server
    keeps a block the CLI coalesces), and on the measured loop-free failures
    (bench/dafny_rl_throughput.py) the CLI never verified one the server failed.
    """
    if not verdict.reason.startswith("verify"):
        return False
    if not verdict.reason.startswith("verify: ") or any(i.outcome not in ("verified", "error") for i in parsed.impls):
        return True
    if "LoopHead" in output or output.count("Execution trace:") < len(parsed.errors):
        return True
    from .syntax import code_tokens

    return any(t.text == "while" for t in code_tokens(program))


def _to_candidate(m: Message, program_line: int, line_offset: int) -> Message:
    """Move a message to the candidate's own line numbers; spec lines keep theirs, marked `spec`.
    Dafny counts columns from 0 (lines from 1); ours count both from 1."""
    line = program_line - line_offset
    if line >= 1:
        return Message(line, m.column + 1, m.severity, m.text)
    return Message(program_line, m.column + 1, m.severity, m.text, spec=True)


def _first_error(messages: list[Message]) -> str:
    for m in messages:
        if m.severity == "error":
            where = f"spec line {m.line}" if m.spec else f"line {m.line}"
            return f"{where}: {m.text}" if m.line else m.text
    return ""


def _not_reproducible_yet(fresh: bool, infra: str, candidate: str, messages: list[Message]) -> Verdict:
    """A failure that may be the machine's (first try: `error`, retried on a fresh process) or, once
    reproduced on a fresh process, the candidate's own doing (`failed`)."""
    if fresh:
        return Verdict("failed", candidate, messages)
    return Verdict("error", infra, messages)


def _verdict(reply: Reply, parsed: ParsedOutput, members: list[str], messages: list[Message],
             timeout: float, fresh: bool = False) -> Verdict:
    if reply.kind == "timeout":
        return Verdict("timeout", f"limit:time: no verdict within {timeout:g} s; process group killed", messages)
    if reply.kind == "memory":
        return _not_reproducible_yet(fresh, f"infra:memory: {reply.detail}; process group killed, retrying on a fresh process",
                                     f"limit:memory: {reply.detail}, also on a fresh process", messages)
    if reply.kind == "unavailable":
        return Verdict("error", f"infra:unavailable: {reply.detail}", messages)
    if reply.kind != "done":
        return _not_reproducible_yet(fresh, f"infra:{reply.detail or 'verifier crashed'}",
                                     f"crash: reproduced on a fresh process: {reply.detail or 'verifier crashed'}", messages)
    if parsed.internal_error and not parsed.impls and not parsed.errors:
        return _not_reproducible_yet(fresh, f"infra:dafny-internal-error: {parsed.internal_error[:300]}",
                                     f"crash: Dafny internal error, reproduced on a fresh process: {parsed.internal_error[:300]}",
                                     messages)
    first = _first_error(messages)
    if parsed.frontend_errors:
        phase = "parse" if any(h in first for h in _PARSE_ERROR_HINTS) else "resolution"
        return Verdict("failed", f"{phase}: {first}", messages)
    if parsed.verify_errors:
        bad = [f"{i.name} ({i.outcome})" for i in parsed.impls if i.outcome == "error"]
        what = first or (f"Dafny reported {', '.join(bad)} without an error message" if bad
                         else "Dafny reported errors without a message")
        return Verdict("failed", f"verify: {parsed.verify_errors} error(s); first: {what}", messages)
    if parsed.timeouts:
        return Verdict("timeout", f"verify:vc-timeout: {parsed.timeouts} proof obligation(s) timed out", messages)
    for member in members:
        bad = [o for o in member_outcomes(parsed, member) if o != "verified"]
        if bad:
            return Verdict("failed", f"verify:member-not-verified: {member} ({', '.join(sorted(set(bad)))})", messages)
    if any(i.outcome != "verified" for i in parsed.impls):
        bad = next(i for i in parsed.impls if i.outcome != "verified")
        return Verdict("failed", f"verify:not-verified: {bad.name} ({bad.outcome})", messages)
    # `verified` needs Dafny's own positive report: its end-of-run line, and a clean exit.
    if parsed.internal_error or not parsed.completed or reply.returncode not in (None, 0):
        why = (parsed.internal_error[:300] or
               ("no completion report" if not parsed.completed else f"dafny exited with status {reply.returncode}"))
        return _not_reproducible_yet(fresh, f"infra:evidence-missing: {why}",
                                     f"crash: no evidence of verification, reproduced on a fresh process: {why}", messages)
    return Verdict("verified", "", messages)


def verdict_versions() -> dict[str, int]:
    """Versions of everything between the candidate and Dafny: a tightened gate, bridge or parser
    must never be answered by a verdict cached under the old one."""
    from . import dialect, soundness, syntax

    return {"gate": soundness.GATE_VERSION, "bridge": dialect.BRIDGE_VERSION, "parser": syntax.PARSER_VERSION}
