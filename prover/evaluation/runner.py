"""Run a policy on a benchmark and verify every sample: generation and verification overlap.

One producer thread asks the policy for samples (a few tasks per call) while `workers` verifier
threads check them as they arrive. Everything is appended to files in the run directory as it
happens, so a run killed at any point (even with SIGKILL) resumes with the same command:

- `run.json`: the settings (verifier timeout and memory cap included); a resume with other settings
  is refused.
- `candidates.jsonl`: every generated sample, then a `{"task_id", "generated": m}` marker once all of
  a task's samples are written, so samples are never generated twice for a task that has its marker.
- `attempts.jsonl`: one verdict per (task, sample). `error` verdicts (the verifier failed, not the
  proof; the verifier has already retried them, see `verifier_core.retry`) are retried on the next resume;
  every other verdict is final and never redone.
- `excluded.jsonl`: tasks the verifier cannot check at all (a `task:` reason: the statement does not
  parse or elaborate), with the reason; they leave the scores, like a reference that does not verify.
  `statements.jsonl` records which statements were read up front (the language's `statement_check`).
- `sessions.jsonl`: the wall time of every invocation (the total wall time of a resumed run).
- `.lock`: held (flock) by the one process writing the directory; a second one is refused.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from verifier_core.jsonl import JsonlWriter, read_records
from verifier_core.languages import StatementCheck
from verifier_core.records import Candidate, Task, Verdict

from ..errors import UserError
from ..policies.base import Policy, Request, Sample, unextracted_verdict
from verifier_core.procs import REAPER
from .backends import Checker, CheckerFactory
from .metrics import Outcome, Scores, score

RUN_FILE = "run.json"
CANDIDATES_FILE = "candidates.jsonl"
ATTEMPTS_FILE = "attempts.jsonl"
SESSIONS_FILE = "sessions.jsonl"
EXCLUDED_FILE = "excluded.jsonl"
STATEMENTS_FILE = "statements.jsonl"
LOCK_FILE = ".lock"
# A verdict reason with this prefix says that the task itself cannot be checked, whatever the candidate.
TASK_PROBLEM = "task:"
# A task's samples handed to a checker together, at most: the Dafny fast mode verifies them in one
# request (`dafny_env/batching.py`, whose batches are as large).
GROUP_SIZE = 8


class SettingsMismatch(UserError, RuntimeError):
    """The run directory was made by a run with different settings; resuming would mix results."""


class RunLocked(UserError, RuntimeError):
    """Another process is writing the run directory."""


@dataclass
class EvalSettings:
    """What makes two invocations the same run (worker count, k and the backend may change freely)."""

    bench: str
    data_revision: str
    policy: str
    samples: int
    limit: int | None
    lang: str
    toolchain: str
    task_ids: list[str]
    # The verifier's options that change verdicts (timeout, memory cap, ...), defaults resolved.
    verifier: dict[str, Any] = field(default_factory=dict)

    def differences(self, other: "EvalSettings") -> list[str]:
        mine, theirs = asdict(self), asdict(other)
        out = []
        for key in mine:
            if mine[key] != theirs.get(key):
                if key == "task_ids":
                    out.append(f"task_ids: {len(theirs.get(key) or [])} tasks in the directory, {len(mine[key])} now")
                else:
                    out.append(f"{key}: {theirs.get(key)!r} in the directory, {mine[key]!r} now")
        return out


@dataclass
class _Item:
    task: Task
    candidate: Candidate
    gen_seconds: float
    enqueued: float


def open_run_dir(out_dir: str | os.PathLike, settings: EvalSettings) -> bool:
    """Create `out_dir` with `run.json`, or check that an existing one has the same settings.

    Returns True when resuming. Raises SettingsMismatch with every difference spelled out.
    """
    out = Path(out_dir)
    run_file = out / RUN_FILE
    if run_file.exists():
        stored = json.loads(run_file.read_text(encoding="utf-8"))
        previous = EvalSettings(**stored["settings"])
        diff = settings.differences(previous)
        if diff:
            raise SettingsMismatch(
                f"{out} holds a run with different settings; use another --out, or the original settings:\n  "
                + "\n  ".join(diff))
        return True
    out.mkdir(parents=True, exist_ok=True)
    tmp = run_file.with_suffix(".partial")
    tmp.write_text(json.dumps({"settings": asdict(settings), "created": time.time()}, indent=1), encoding="utf-8")
    os.replace(tmp, run_file)
    return False


@contextmanager
def locked(out_dir: str | os.PathLike) -> Iterator[None]:
    """Hold the run directory's lock (created with the directory) while the block runs.

    An flock is released by the kernel when its holder dies, so a SIGKILLed run never leaves a
    stale lock; the holder's pid is written into the file only to name it in the error.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunLocked(f"{out} is being written by another process (pid {holder}); wait for it to "
                            "finish, or use another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


def excluded_tasks(out_dir: str | os.PathLike) -> dict[str, str]:
    """Task id -> why the verifier cannot check it (found during the run)."""
    return {r["task_id"]: r["reason"] for r in read_records(Path(out_dir) / EXCLUDED_FILE)}


def load_settings(out_dir: str | os.PathLike) -> EvalSettings:
    stored = json.loads((Path(out_dir) / RUN_FILE).read_text(encoding="utf-8"))
    return EvalSettings(**stored["settings"])


def final_attempts(out_dir: str | os.PathLike) -> dict[tuple[str, int], dict[str, Any]]:
    """The latest attempt record of each (task, sample): later lines supersede earlier `error`s."""
    latest: dict[tuple[str, int], dict[str, Any]] = {}
    for r in read_records(Path(out_dir) / ATTEMPTS_FILE):
        latest[(r["task_id"], int(r["sample"]))] = r
    return latest


def generated_counts(out_dir: str | os.PathLike) -> dict[str, int]:
    """How many samples the policy produced for each task whose generation has finished."""
    return {r["task_id"]: int(r["generated"]) for r in read_records(Path(out_dir) / CANDIDATES_FILE)
            if "generated" in r}


def expected_attempts(out_dir: str | os.PathLike, settings: EvalSettings) -> int:
    """Attempts a finished run has: `samples` per task, fewer where the policy ran out of ideas, none
    for a task that was excluded."""
    generated = generated_counts(out_dir)
    dropped = excluded_tasks(out_dir)
    return sum(min(generated.get(t, settings.samples), settings.samples) for t in settings.task_ids
               if t not in dropped)


def outcomes(attempts: dict[tuple[str, int], dict[str, Any]]) -> list[Outcome]:
    return [Outcome(r["task_id"], int(r["sample"]), r["status"], float(r.get("seconds", 0.0)),
                    float(r.get("gen_seconds", 0.0)), float(r.get("queue_seconds", 0.0)))
            for r in attempts.values()]


class EvalRun:
    """One evaluation in `out_dir`: call `run()`; it returns when every attempt has a verdict."""

    def __init__(
        self,
        out_dir: str | os.PathLike,
        settings: EvalSettings,
        tasks: Sequence[Task],
        policy: Policy,
        checker_factory: CheckerFactory,
        *,
        workers: int = 1,
        gen_batch: int = 4,
        progress: bool = True,
        statement_check: StatementCheck | None = None,
    ):
        self.out = Path(out_dir)
        self.settings = settings
        self.tasks = list(tasks)
        self.policy = policy
        self.factory = checker_factory
        self.workers = max(1, workers)
        self.gen_batch = max(1, gen_batch)
        self.progress = progress
        self.statement_check = statement_check
        self.resumed = False
        self.failure: str | None = None  # set when the policy itself crashed
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._interrupted = threading.Event()
        self._queue: queue.Queue[_Item | None] = queue.Queue(maxsize=max(64, 8 * self.workers))
        self._checkers: list[Checker] = []
        self._consumers: list[threading.Thread] = []
        self._excluded: dict[str, str] = {}

    # ----- state read back from disk
    def _previous(self) -> tuple[set[tuple[str, int]], dict[tuple[str, int], dict[str, Any]], dict[str, int]]:
        done = {key for key, r in final_attempts(self.out).items() if r["status"] != "error"}
        stored: dict[tuple[str, int], dict[str, Any]] = {}
        generated: dict[str, int] = {}
        for r in read_records(self.out / CANDIDATES_FILE):
            if "generated" in r:
                generated[r["task_id"]] = int(r["generated"])
            else:
                stored[(r["task_id"], int(r["sample"]))] = r
        return done, stored, generated

    def run(self, ks: Sequence[int] = (1,)) -> Scores:
        """Generate, verify and record every missing attempt; then return the scores of the run.

        Raises `RunLocked` when another process writes the directory, `SettingsMismatch` when it
        holds a run with other settings.
        """
        with locked(self.out):
            return self._run(ks)

    def _run(self, ks: Sequence[int]) -> Scores:
        self.resumed = open_run_dir(self.out, self.settings)
        started = time.time()
        done, stored, generated = self._previous()
        self._excluded = excluded_tasks(self.out)
        self._cand_writer = JsonlWriter(self.out / CANDIDATES_FILE)
        self._att_writer = JsonlWriter(self.out / ATTEMPTS_FILE)
        self._exc_writer = JsonlWriter(self.out / EXCLUDED_FILE)
        if self.statement_check is not None:
            self._check_statements(self.statement_check)
        n = self.settings.samples
        expected = sum(min(generated.get(t.id, n), n) for t in self.tasks if t.id not in self._excluded)
        self._bar = _progress_bar(expected, len(done), self.progress, self.resumed)
        self._stats = {"verified": 0, "scored": 0, "error": 0}
        for key, r in final_attempts(self.out).items():
            if key in done and key[0] not in self._excluded:
                self._stats["scored"] += 1
                self._stats["verified"] += r["status"] == "verified"
        written_before = len(done)
        slots = self._consumers = [threading.Thread(target=self._verify_loop, name=f"verify-{i}", daemon=True)
                                   for i in range(self.workers)]
        for s in slots:
            s.start()
        producer = threading.Thread(target=self._produce, args=(done, stored, generated), name="generate", daemon=True)
        producer.start()
        try:
            while producer.is_alive() or any(s.is_alive() for s in slots):
                producer.join(timeout=0.2)
                if not producer.is_alive():
                    for s in slots:
                        s.join(timeout=0.2)
        except KeyboardInterrupt:
            # Checks cut off now end in `error`s of the closed verifier: none is recorded, a resume
            # redoes them. The processes die first, so that no worker waits on one.
            self._interrupted.set()
            self._stop.set()
            REAPER.kill_all()
            raise
        finally:
            self._stop.set()
            if self._interrupted.is_set():
                # Killed, not asked to quit (a graceful close waits on a server a retry just started);
                # the verifiers are closed behind the caller's back, which is leaving.
                REAPER.kill_all()
                threading.Thread(target=lambda: [_close_quietly(c) for c in list(self._checkers)],
                                 name="close-verifiers", daemon=True).start()
            else:
                for c in list(self._checkers):
                    _close_quietly(c)
            self._bar.close()
            written = self._stats["scored"] + self._stats["error"] - written_before
            with JsonlWriter(self.out / SESSIONS_FILE) as w:
                w.write({"started": started, "wall_seconds": time.time() - started, "attempts_written": written,
                         "workers": self.workers})
            self._cand_writer.close()
            self._att_writer.close()
            self._exc_writer.close()
        return self.scores(ks)

    def _check_statements(self, check: StatementCheck) -> None:
        """Read every statement not read in an earlier session; exclude those the verifier refuses."""
        from concurrent.futures import ThreadPoolExecutor

        from tqdm import tqdm

        path = self.out / STATEMENTS_FILE
        seen = {r["task_id"] for r in read_records(path)}
        todo = [t for t in self.tasks if t.id not in seen and t.id not in self._excluded]
        if not todo:
            return

        def safe(task: Task) -> str:
            try:
                return check(task)
            except Exception:  # cannot tell: the task stays, its checks will say what is wrong
                return ""

        with JsonlWriter(path) as w, ThreadPoolExecutor(self.workers, thread_name_prefix="statement") as ex:
            bar = tqdm(ex.map(safe, todo), total=len(todo), disable=not self.progress, unit="task",
                       file=sys.stderr, desc="statements", dynamic_ncols=True)
            for task, problem in zip(todo, bar):
                w.write({"task_id": task.id, "problem": problem})
                if problem:
                    self._excluded[task.id] = problem
                    self._exc_writer.write({"task_id": task.id, "reason": problem, "time": time.time()})

    def excluded(self) -> list[tuple[str, str]]:
        """(task id, reason) of the tasks the verifier could not check, in task order."""
        dropped = excluded_tasks(self.out)
        return [(t.id, dropped[t.id]) for t in self.tasks if t.id in dropped]

    def scores(self, ks: Sequence[int]) -> Scores:
        wall = sum(float(r.get("wall_seconds", 0.0)) for r in read_records(self.out / SESSIONS_FILE))
        n = self.settings.samples
        dropped = excluded_tasks(self.out)
        short = {t: n - min(m, n) for t, m in generated_counts(self.out).items() if t not in dropped}
        kept = [o for o in outcomes(final_attempts(self.out)) if o.task_id not in dropped]
        # A policy that does not declare i.i.d. sampling gets no pass@k (see metrics.py).
        iid = bool(getattr(self.policy, "samples_iid", False))
        return score([t.id for t in self.tasks if t.id not in dropped], kept, ks, wall, short, samples_iid=iid)

    # ----- producer: generation
    def _produce(self, done, stored, generated) -> None:
        n = self.settings.samples
        try:
            # Samples generated by an earlier session come first: verification starts at once.
            todo = []
            for task in self.tasks:
                m = min(generated.get(task.id, 0), n)
                if task.id in generated and all((task.id, i) in stored for i in range(m)):
                    for i in range(m):
                        if (task.id, i) not in done:
                            r = stored[(task.id, i)]
                            self._put(task, i, Sample(r["text"], logprob=r.get("logprob"), reason=r.get("reason", "")),
                                      float(r.get("gen_seconds", 0.0)))
                elif task.id not in self._excluded and any((task.id, i) not in done for i in range(n)):
                    todo.append(task)
            for start in range(0, len(todo), self.gen_batch):
                if self._stop.is_set():
                    return
                self._generate(todo[start:start + self.gen_batch], done)
        except Exception as e:  # a crashed policy ends generation; what it produced is still verified
            self.failure = f"the policy failed: {type(e).__name__}: {e}"
        finally:
            for _ in range(self.workers):
                self._put_end()

    def _put_end(self) -> None:
        """Tell one consumer that generation is over; give up once no consumer is left to hear it
        (they all died with the queue full: a blocking put would wait forever)."""
        while any(c.is_alive() for c in self._consumers):
            try:
                self._queue.put(None, timeout=0.5)
                return
            except queue.Full:
                continue

    def _generate(self, batch: list[Task], done) -> None:
        n = self.settings.samples
        t0 = time.monotonic()
        results = self.policy.generate([Request(task=t, n=n) for t in batch])
        elapsed = time.monotonic() - t0
        if len(results) != len(batch):
            raise RuntimeError(f"policy returned {len(results)} sample lists for {len(batch)} requests")
        total = sum(min(len(s), n) for s in results) or 1
        for task, samples in zip(batch, results):
            samples = list(samples)[:n]
            items = []
            for i, s in enumerate(samples):
                # Per-sample time when the policy measures it, else this call's time shared evenly.
                gen_s = s.seconds if s.seconds > 0 else elapsed / total
                rec = {"task_id": task.id, "sample": i, "text": s.text, "gen_seconds": gen_s,
                       "logprob": s.logprob, "tokens": s.tokens, "reason": s.reason}
                with self._lock:
                    self._cand_writer.write(rec)
                if (task.id, i) not in done:
                    items.append((i, s, gen_s))
            with self._lock:
                self._cand_writer.write({"task_id": task.id, "generated": len(samples)})
                if len(samples) < n:
                    self._bar.total -= n - len(samples)
                    self._bar.refresh()
            for i, s, gen_s in items:
                self._put(task, i, s, gen_s)

    def _put(self, task: Task, i: int, sample: Sample, gen_s: float) -> None:
        if task.id in self._excluded:
            return
        cand = Candidate(task_id=task.id, text=sample.text, source=self.settings.policy, sample=i,
                         logprob=sample.logprob)
        item = _Item(task, cand, gen_s, time.monotonic())
        failed = unextracted_verdict(sample)
        if failed is not None:  # nothing to check: recorded here, never queued for a verifier
            self._record(item, failed, 0.0, 0.0)
            return
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    # ----- consumers: verification
    def _verify_loop(self) -> None:
        try:
            self._verify_items()
        except Exception as e:  # e.g. the disk is full: stop everything rather than hang the producer
            self.failure = f"a verifier worker failed: {type(e).__name__}: {e}"
            self._stop.set()

    def _verify_items(self) -> None:
        checker: Checker | None = None
        pending: _Item | None = None  # taken from the queue while gathering, not of the group's task
        while True:
            if pending is not None:
                item, pending = pending, None
            else:
                try:
                    item = self._queue.get(timeout=0.5)
                except queue.Empty:
                    if self._stop.is_set():
                        break
                    continue
            if item is None or self._stop.is_set():
                break
            group, pending, ended = self._gather(item)
            excluded = [i for i in group if i.task.id in self._excluded]
            if excluded:
                self._skip(len(excluded))
                group = [i for i in group if i.task.id not in self._excluded]
            if group:
                checker = self._check_group(checker, group)
            if ended:
                break
        if checker is not None:
            self._drop(checker)

    def _gather(self, first: _Item) -> tuple[list[_Item], _Item | None, bool]:
        """`first` and the queued samples of its task right behind it (the producer queues a task's
        samples together), up to GROUP_SIZE: a checker may verify them in one request. Also returns
        the next item of another task, if one was taken, and whether generation's end was."""
        group = [first]
        while len(group) < GROUP_SIZE:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                return group, None, True
            if nxt.task.id != first.task.id:
                return group, nxt, False
            group.append(nxt)
        return group, None, False

    def _check_group(self, checker: Checker | None, group: list[_Item]) -> Checker | None:
        """Verdicts for `group`, recorded; returns the checker to use next (None: start a new one)."""
        picked = time.monotonic()
        verdicts: list[Verdict] | None = None
        if checker is None:
            try:
                checker = self.factory()
                with self._lock:
                    self._checkers.append(checker)
            except Exception as e:  # e.g. no Dafny installed: an infrastructure error, not a failure
                verdicts = [Verdict("error", reason=f"infra:cannot start the verifier: {type(e).__name__}: {e}")
                            for _ in group]
        if checker is not None:
            try:
                verdicts = checker.check_many([(i.task, i.candidate) for i in group])
            except Exception as e:  # the Verifier protocol says checks never raise; do not trust it
                verdicts = [Verdict("error", reason=f"infra:verifier raised {type(e).__name__}: {e}") for _ in group]
            if any(v.status == "error" and not v.reason.startswith(TASK_PROBLEM) for v in verdicts):
                # The verifier already retried (verifier_core.retry); the next items start from fresh
                # verifier processes, since these may be wedged.
                self._drop(checker)
                checker = None
        wall = time.monotonic() - picked
        for item, verdict in zip(group, verdicts):
            if verdict.status == "error" and verdict.reason.startswith(TASK_PROBLEM):
                self._exclude(item.task, verdict.reason)
            else:
                self._record(item, verdict, picked - item.enqueued, wall)
        return checker

    def _exclude(self, task: Task, reason: str) -> None:
        with self._lock:
            if task.id not in self._excluded:
                self._excluded[task.id] = reason
                self._exc_writer.write({"task_id": task.id, "reason": reason, "time": time.time()})
        self._skip(1)

    def _skip(self, count: int) -> None:
        """An attempt that will never be recorded (its task is excluded) leaves the progress total."""
        with self._lock:
            self._bar.total -= count
            self._bar.refresh()

    def _drop(self, checker: Checker) -> None:
        with self._lock:
            if checker in self._checkers:
                self._checkers.remove(checker)
        _close_quietly(checker)

    def _record(self, item: _Item, v: Verdict, queue_s: float, wall_s: float) -> None:
        if self._interrupted.is_set():
            return
        rec = {
            "task_id": item.task.id,
            "sample": item.candidate.sample,
            "status": v.status,
            "reason": v.reason,
            "seconds": v.seconds if v.seconds > 0 else wall_s,
            "cached": v.cached,
            "toolchain": v.toolchain,
            "policy": self.settings.policy,
            "policy_name": getattr(self.policy, "name", ""),
            "data_revision": self.settings.data_revision,
            "gen_seconds": item.gen_seconds,
            "queue_seconds": queue_s,
            "messages": [m.to_dict() for m in v.messages[:20]],
            "text": item.candidate.text,
            "logprob": item.candidate.logprob,
            "time": time.time(),
        }
        with self._lock:
            self._att_writer.write(rec)
            if v.status == "error":
                self._stats["error"] += 1
            else:
                self._stats["scored"] += 1
                self._stats["verified"] += v.status == "verified"
            self._bar.update(1)
            scored = self._stats["scored"]
            rate = f"pass {self._stats['verified'] / scored:.1%}" if scored else "pass -"
            errors = f" errors {self._stats['error']}" if self._stats["error"] else ""
            self._bar.set_postfix_str(rate + errors, refresh=False)


def _close_quietly(checker: Checker) -> None:
    try:
        checker.close()
    except Exception as e:  # closing must not hide the run's own result
        print(f"warning: closing a verifier failed: {e}", file=sys.stderr)


def _progress_bar(total: int, initial: int, enabled: bool, resumed: bool):
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, disable=not enabled, unit="attempt", file=sys.stderr,
                desc="eval (resumed)" if resumed else "eval", dynamic_ncols=True)
