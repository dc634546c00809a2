"""The eval runner with fakes of our own interfaces (policy, verifier worker): resume, retries, overlap."""

import json
import threading
import time

import pytest

from verifier_core.records import Task, Verdict
from prover.evaluation.report import build_summary, write_report, write_summary
from prover.evaluation.runner import EvalRun, EvalSettings, RunLocked, SettingsMismatch, final_attempts
from verifier_core.jsonl import read_records
from prover.policies.base import Sample


class CountingPolicy:
    """Deterministic samples `t<id>-s<i>`; `short` tasks get fewer samples than asked."""

    name = "fake"
    samples_iid = True  # stands in for a sampled model

    def __init__(self, delay=0.0, short=None, fail_after=None):
        self.delay, self.short, self.fail_after = delay, short or {}, fail_after
        self.calls, self.ends = 0, []

    def generate(self, requests):
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("model went away")
        time.sleep(self.delay)
        self.ends.append(time.monotonic())
        return [[Sample(f"{r.task.id}-s{i}") for i in range(min(r.n, self.short.get(r.task.id, r.n)))]
                for r in requests]

    def close(self):
        pass


class FakeChecker:
    """Verified iff the sample index is even; `faults[text]` = how many times to raise first."""

    def __init__(self, faults=None, errors=(), starts=None, delay=0.0):
        self.faults, self.errors, self.delay = faults if faults is not None else {}, set(errors), delay
        self.starts = starts if starts is not None else []
        self.groups = []  # the size of every check_many call
        self.group_tasks = []  # the task ids of every check_many call

    def check(self, task, cand):
        self.starts.append(time.monotonic())
        time.sleep(self.delay)
        if self.faults.get(cand.text, 0) > 0:
            self.faults[cand.text] -= 1
            raise ConnectionError("verifier process died")
        if cand.text in self.errors:
            return Verdict("error", reason="server crashed", toolchain="fake-1")
        ok = int(cand.text.rsplit("-s", 1)[1]) % 2 == 0
        return Verdict("verified" if ok else "failed", seconds=0.01, toolchain="fake-1")

    def check_many(self, pairs):
        self.groups.append(len(pairs))
        self.group_tasks.append({t.id for t, _ in pairs})
        return [self.check(t, c) for t, c in pairs]

    def close(self):
        pass


def tasks(n):
    return [Task(id=f"t{i}", lang="dafny", statement=f"method M{i}()") for i in range(n)]


def settings(ts, samples=4, policy="fake"):
    return EvalSettings(bench="unit", data_revision="rev1", policy=policy, samples=samples, limit=None,
                        lang="dafny", toolchain="fake-1", task_ids=[t.id for t in ts])


def keys(out):
    return sorted((r["task_id"], r["sample"]) for r in read_records(out / "attempts.jsonl"))


def test_run_records_every_attempt_with_stamps(tmp_path):
    ts = tasks(3)
    run = EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: FakeChecker(), workers=2, progress=False)
    s = run.run([1, 2, 4])
    assert keys(tmp_path) == [(t.id, i) for t in ts for i in range(4)]
    rec = read_records(tmp_path / "attempts.jsonl")[0]
    for field in ("task_id", "sample", "status", "seconds", "reason", "cached", "toolchain", "policy",
                  "gen_seconds", "text", "data_revision", "queue_seconds"):
        assert field in rec
    assert rec["toolchain"] == "fake-1" and rec["policy"] == "fake" and rec["data_revision"] == "rev1"
    assert s.pass_at_k[1] == pytest.approx(0.5) and s.pass_at_k[4] == 1.0
    summary = build_summary(tmp_path, s, [1, 2, 4], [("t9", "reference does not verify")])
    write_summary(tmp_path, summary)
    report = write_report(tmp_path, summary).read_text()
    assert "pass@k" in report and "`t9`: reference does not verify" in report
    assert (tmp_path / "pass_at_k.png").stat().st_size > 1000
    assert summary["complete"] and summary["counts"]["verified"] == 6


def test_a_raising_verifier_costs_its_group_errors_and_a_fresh_checker(tmp_path):
    ts = tasks(2)
    faults = {"t0-s0": 1}  # the check of t0-s0 raises once; the verifiers retry, the runner does not
    made = []

    def factory():
        made.append(FakeChecker(faults))
        return made[-1]

    s = EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), factory, progress=False).run([1])
    att = final_attempts(tmp_path)
    assert att[("t0", 0)]["status"] == "error" and "ConnectionError" in att[("t0", 0)]["reason"]
    # the samples of t0 checked together with it share its error; the next items got fresh processes
    raised = made[0].groups[0]
    assert 1 <= raised <= 4 and s.counts["error"] == raised and len(made) == 2
    assert all(att[("t0", i)]["status"] == "error" for i in range(raised))
    EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), factory, progress=False).run([1])
    assert final_attempts(tmp_path)[("t0", 0)]["status"] == "verified"  # the resume retried it


def test_a_tasks_queued_samples_reach_the_checker_together(tmp_path):
    """The Dafny fast mode verifies a task's samples in one request when they arrive together."""
    ts = tasks(6)
    checker = FakeChecker(delay=0.02)
    s = EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: checker, workers=1, progress=False).run([1])
    assert s.counts["verified"] + s.counts["failed"] == 24 and sum(checker.groups) == 24
    assert all(len(ids) == 1 for ids in checker.group_tasks)  # a group never mixes tasks
    assert max(checker.groups) > 1 and len(checker.groups) < 24


def test_verifier_errors_are_reported_not_scored_and_retried_on_resume(tmp_path):
    ts = tasks(2)
    broken = lambda: FakeChecker(errors={"t0-s0", "t1-s2"})
    s = EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), broken, progress=False).run([1])
    assert s.counts["error"] == 2 and s.errors_excluded == 2
    rows = {r.task_id: r for r in s.problems}
    assert rows["t0"].n == 3  # the error is left out of n, not counted as a failed sample
    summary = build_summary(tmp_path, s, [1], [])
    assert not summary["complete"]
    write_summary(tmp_path, summary)
    assert "server crashed" in write_report(tmp_path, summary).read_text()

    # resume with a healthy verifier: only the two errors are checked again, nothing is generated
    policy = CountingPolicy()
    checker_starts = []
    healthy = lambda: FakeChecker(starts=checker_starts)
    s2 = EvalRun(tmp_path, settings(ts), ts, policy, healthy, progress=False).run([1])
    assert policy.calls == 0 and len(checker_starts) == 2
    assert s2.counts["error"] == 0 and sum(s2.counts.values()) == 8
    finals = final_attempts(tmp_path)
    assert len(finals) == 8 and finals[("t0", 0)]["status"] == "verified"
    # the error lines stay in the file as history; each (task, sample) has exactly one scored line
    scored = [(r["task_id"], r["sample"]) for r in read_records(tmp_path / "attempts.jsonl") if r["status"] != "error"]
    assert len(scored) == len(set(scored)) == 8


def test_resume_after_interrupted_generation_keeps_stored_candidates(tmp_path):
    ts = tasks(4)
    failing = CountingPolicy(fail_after=1)  # the first generate call (2 tasks) works, then the model dies
    run = EvalRun(tmp_path, settings(ts), ts, failing, lambda: FakeChecker(), gen_batch=2, progress=False)
    run.run([1])
    assert run.failure and "model went away" in run.failure
    done_before = keys(tmp_path)
    assert {k[0] for k in done_before} == {"t0", "t1"}
    policy = CountingPolicy()
    EvalRun(tmp_path, settings(ts), ts, policy, lambda: FakeChecker(), gen_batch=2, progress=False).run([1])
    assert policy.calls == 1  # only t2, t3 were generated again
    assert keys(tmp_path) == [(t.id, i) for t in ts for i in range(4)]


def test_resume_refuses_other_settings(tmp_path):
    ts = tasks(1)
    EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: FakeChecker(), progress=False).run([1])
    with pytest.raises(SettingsMismatch, match="samples: 4 in the directory, 8 now"):
        EvalRun(tmp_path, settings(ts, samples=8), ts, CountingPolicy(), lambda: FakeChecker(), progress=False).run([1])
    with pytest.raises(SettingsMismatch, match="policy"):
        EvalRun(tmp_path, settings(ts, policy="hf:x"), ts, CountingPolicy(), lambda: FakeChecker(),
                progress=False).run([1])


def test_policy_running_out_of_ideas(tmp_path):
    ts = tasks(2)
    s = EvalRun(tmp_path, settings(ts), ts, CountingPolicy(short={"t1": 0}), lambda: FakeChecker(),
                progress=False).run([1, 4])
    assert keys(tmp_path) == [("t0", i) for i in range(4)]
    assert s.unanswered == 4
    assert s.pass_at_k[1] == pytest.approx(0.25)  # t0: 2/4, t1: nothing produced = 0/4
    summary = build_summary(tmp_path, s, [1, 4], [])
    assert summary["complete"] and summary["expected_attempts"] == 4


def test_generation_and_verification_overlap(tmp_path):
    ts = tasks(6)
    policy = CountingPolicy(delay=0.15)
    starts = []
    EvalRun(tmp_path, settings(ts, samples=2), ts, policy, lambda: FakeChecker(starts=starts, delay=0.02),
            gen_batch=1, progress=False).run([1])
    # verification of the first task's samples starts while later tasks are still being generated
    assert min(starts) < policy.ends[-1] - 0.1


class EmptyExtractionPolicy(CountingPolicy):
    """Sample 1 of every task is an output with no usable proof, as hf/vllm return it."""

    def generate(self, requests):
        out = super().generate(requests)
        for samples in out:
            if len(samples) > 1:
                samples[1] = Sample("", raw="I cannot prove this.", reason="no Dafny code block in the output")
        return out


class RecordingChecker(FakeChecker):
    checked: list[str] = []

    def check(self, task, cand):
        self.checked.append(cand.text)
        return super().check(task, cand)


def test_extraction_failures_are_failed_with_the_reason_and_never_checked(tmp_path, monkeypatch):
    monkeypatch.setattr(RecordingChecker, "checked", [])
    ts = tasks(2)
    s = EvalRun(tmp_path, settings(ts), ts, EmptyExtractionPolicy(), RecordingChecker, progress=False).run([1])
    att = final_attempts(tmp_path)
    for t in ts:
        assert att[(t.id, 1)]["status"] == "failed"
        assert att[(t.id, 1)]["reason"] == "extract:no Dafny code block in the output"
    assert "" not in RecordingChecker.checked and len(RecordingChecker.checked) == 6
    assert s.counts["failed"] == 2 + 2 and s.counts.get("rejected", 0) == 0 and s.counts["error"] == 0
    assert {t.id: r.n for t, r in zip(ts, s.problems)} == {"t0": 4, "t1": 4}  # scored: part of n


def test_stored_extraction_failures_keep_their_reason_on_resume(tmp_path, monkeypatch):
    ts = tasks(1)
    EvalRun(tmp_path, settings(ts), ts, EmptyExtractionPolicy(), FakeChecker, progress=False).run([1])
    (tmp_path / "attempts.jsonl").write_text("")  # as if killed before any verdict was written
    monkeypatch.setattr(RecordingChecker, "checked", [])
    policy = CountingPolicy()
    EvalRun(tmp_path, settings(ts), ts, policy, RecordingChecker, progress=False).run([1])
    assert policy.calls == 0 and sorted(RecordingChecker.checked) == ["t0-s0", "t0-s2", "t0-s3"]
    assert final_attempts(tmp_path)[("t0", 1)]["reason"] == "extract:no Dafny code block in the output"


class FixedOrderPolicy(CountingPolicy):
    samples_iid = False


def test_a_policy_that_does_not_sample_is_never_reported_as_pass_at_k(tmp_path):
    ts = tasks(2)
    s = EvalRun(tmp_path, settings(ts), ts, FixedOrderPolicy(), FakeChecker, progress=False).run([1, 2])
    assert s.solved_within_k == {1: 1.0, 2: 1.0} and s.pass_at_k == {}  # sample 0 verifies for every task
    summary = build_summary(tmp_path, s, [1, 2], [])
    write_summary(tmp_path, summary)
    assert "pass_at_k" not in json.loads((tmp_path / "summary.json").read_text())
    report = write_report(tmp_path, summary).read_text()
    assert "pass@1" not in report and "pass@2" not in report and "pass@k (unbiased)" not in report
    assert "| 1 | 100.0% | 2/2 |" in report and "solved within 2 attempts" in report
    assert "not the i.i.d. draws that unbiased pass@k assumes" in report


def test_compare_flags_a_fixed_order_run_against_a_sampled_one(tmp_path):
    from prover.evaluation.compare import compare

    ts = tasks(2)
    for name, policy in (("sampled", CountingPolicy()), ("fixed", FixedOrderPolicy())):
        s = EvalRun(tmp_path / name, settings(ts), ts, policy, FakeChecker, progress=False).run([1])
        write_summary(tmp_path / name, build_summary(tmp_path / name, s, [1], []))
    text = compare(tmp_path / "sampled", tmp_path / "fixed")
    assert "| pass@1 | 50.0% | – |" in text and "| solved within 1 attempt | – | 100.0% |" in text
    assert "not comparable" in text
def test_generation_end_does_not_hang_when_every_verifier_worker_died_with_the_queue_full(tmp_path):
    ts = tasks(100)
    run = EvalRun(tmp_path, settings(ts, samples=1), ts, CountingPolicy(), lambda: FakeChecker(), workers=1,
                  progress=False)

    def broken_disk(*args):
        deadline = time.monotonic() + 10
        while not run._queue.full() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise OSError(28, "No space left on device")

    run._record = broken_disk
    finished = threading.Event()
    threading.Thread(target=lambda: (run.run([1]), finished.set()), daemon=True).start()
    assert finished.wait(20), "the run hung after its only verifier worker died"
    assert "No space left" in run.failure


def test_a_second_writer_is_refused_with_the_holders_pid(tmp_path):
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from prover.evaluation.runner import locked\n"
                               f"with locked({str(tmp_path)!r}):\n    print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        ts = tasks(1)
        with pytest.raises(RunLocked, match=f"pid {holder.pid}"):
            EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: FakeChecker(), progress=False).run([1])
        assert not (tmp_path / "attempts.jsonl").exists()
    finally:
        holder.kill()
        holder.wait()
    # the lock dies with its holder: the run goes ahead now
    ts = tasks(1)
    EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: FakeChecker(), progress=False).run([1])
    assert len(keys(tmp_path)) == 4


def test_resume_refuses_other_verifier_limits(tmp_path):
    ts = tasks(1)
    first = settings(ts)
    first.verifier = {"timeout": 30.0, "memory_mb": 4096}
    EvalRun(tmp_path, first, ts, CountingPolicy(), lambda: FakeChecker(), progress=False).run([1])
    other = settings(ts)
    other.verifier = {"timeout": 60.0, "memory_mb": 4096}
    with pytest.raises(SettingsMismatch, match="verifier: .*'timeout': 30.0.*'timeout': 60.0"):
        EvalRun(tmp_path, other, ts, CountingPolicy(), lambda: FakeChecker(), progress=False).run([1])


class UncheckableTask(FakeChecker):
    """The verifier cannot read task t1's statement, whatever the candidate."""

    def check(self, task, cand):
        self.starts.append(time.monotonic())
        if task.id == "t1":
            return Verdict("error", reason="task:unparsable: unclosed body of L", toolchain="fake-1")
        return super().check(task, cand)


def test_a_task_the_verifier_cannot_check_is_excluded_not_retried(tmp_path):
    ts = tasks(3)
    run = EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: UncheckableTask(), progress=False)
    s = run.run([1])
    assert run.excluded() == [("t1", "task:unparsable: unclosed body of L")]
    assert s.counts["error"] == 0 and s.tasks == 2
    assert {k[0] for k in keys(tmp_path)} == {"t0", "t2"}
    summary = build_summary(tmp_path, s, [1], run.excluded())
    assert summary["complete"] and summary["expected_attempts"] == 8
    # a resume checks nothing again
    starts = []
    EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: UncheckableTask(starts=starts),
            progress=False).run([1])
    assert starts == []


def test_statements_are_read_once_and_refused_ones_excluded(tmp_path):
    ts = tasks(3)
    read = []

    def statement_check(task):
        read.append(task.id)
        return "task:parse: line 1: EOF expected" if task.id == "t2" else ""

    starts = []
    run = EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: FakeChecker(starts=starts), progress=False,
                  statement_check=statement_check)
    s = run.run([1])
    assert sorted(read) == ["t0", "t1", "t2"] and len(starts) == 8
    assert run.excluded() == [("t2", "task:parse: line 1: EOF expected")] and s.tasks == 2
    EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: FakeChecker(), progress=False,
            statement_check=statement_check).run([1])
    assert len(read) == 3  # nothing read twice


def test_gathering_stops_at_another_task_at_the_cap_and_at_the_end(tmp_path):
    from verifier_core.records import Candidate
    from prover.evaluation.runner import GROUP_SIZE, _Item

    ts = tasks(2)
    run = EvalRun(tmp_path, settings(ts), ts, CountingPolicy(), lambda: FakeChecker(), progress=False)

    def item(t, i):
        return _Item(t, Candidate(t.id, f"{t.id}-s{i}"), 0.0, 0.0)

    for i in range(GROUP_SIZE + 2):
        run._queue.put(item(ts[0], i))
    run._queue.put(item(ts[1], 0))
    run._queue.put(None)
    first = run._queue.get()
    group, pending, ended = run._gather(first)
    assert len(group) == GROUP_SIZE and pending is None and not ended  # the cap
    group, pending, ended = run._gather(run._queue.get())
    assert [g.candidate.text for g in group] == [f"t0-s{GROUP_SIZE}", f"t0-s{GROUP_SIZE + 1}"]
    assert pending.task.id == "t1" and not ended  # another task's item is handed back, not lost
    group, pending, ended = run._gather(pending)
    assert [g.task.id for g in group] == ["t1"] and pending is None and ended  # generation's end
