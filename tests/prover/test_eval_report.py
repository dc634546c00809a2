"""What `report.md`, the pass@k plot and `eval --compare` say (issue 22, item 10): per-problem `n`
explained with the samples the policy did not propose, failed and rejected columns, queueing time
explained, "within 1 attempt", a curve at every k (off the 100% frame), and runs with other sample
counts compared at the k they share. A fake policy and verifier stand in: this is about reporting."""

import pytest

from verifier_core.records import Task, Verdict
from prover.evaluation.compare import compare
from prover.evaluation.report import build_summary, write_report, write_summary
from prover.evaluation.runner import EvalRun, EvalSettings
from prover.policies.base import Sample

STATUS_BY_SAMPLE = ["failed", "verified", "rejected", "failed", "verified", "failed", "failed", "verified"]


class Policy:
    name = "fake"

    def __init__(self, iid=True, short=None):
        self.samples_iid, self.short = iid, short or {}

    def generate(self, requests):
        return [[Sample(f"{r.task.id}-s{i}") for i in range(min(r.n, self.short.get(r.task.id, r.n)))]
                for r in requests]

    def close(self):
        pass


class Checker:
    def check_many(self, pairs):
        return [Verdict(STATUS_BY_SAMPLE[int(c.text.rsplit("-s", 1)[1])], seconds=0.01, toolchain="fake-1")
                for _, c in pairs]

    def close(self):
        pass


def _run(out, samples, ks, iid=True, short=None):
    ts = [Task(id=f"t{i}", lang="dafny", statement=f"lemma L{i}() ensures true") for i in range(3)]
    settings = EvalSettings(bench="unit", data_revision="rev1", policy="fake", samples=samples, limit=None,
                            lang="dafny", toolchain="fake-1", task_ids=[t.id for t in ts])
    scores = EvalRun(out, settings, ts, Policy(iid, short), Checker, progress=False).run(ks)
    summary = build_summary(out, scores, ks, [])
    write_summary(out, summary)
    return summary


def test_report_explains_n_and_lists_every_verdict(tmp_path):
    summary = _run(tmp_path, 8, [1, 8], iid=False, short={"t0": 5})
    text = write_report(tmp_path, summary).read_text()
    assert "| task | n | not proposed | verified | failed | rejected | timeout | error |" in text
    assert "| `t0` | 8 | 3 | 2 | 2 | 1 | 0 | 0 |" in text  # 5 proposed: 2 verified, 2 failed, 1 rejected
    assert "within 1 attempt |" in text and "1 attempts" not in text
    assert "queueing" in text and "exceed the wall time" in text


def test_the_curve_has_every_k_and_stays_off_the_frame(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    summary = _run(tmp_path, 8, [1, 8])
    assert sorted(int(k) for k in summary["curve"]) == list(range(1, 9))
    assert summary["curve"]["8"] == 1.0 and summary["curve"]["1"] == pytest.approx(3 / 8)
    figures = []
    monkeypatch.setattr(plt, "close", lambda fig: figures.append(fig))
    write_report(tmp_path, summary)
    ax = figures[-1].axes[0]
    assert len(ax.lines[0].get_xdata()) == 8 and ax.get_ylim()[1] > 100


def test_compare_runs_with_other_sample_counts_at_the_k_they_share(tmp_path):
    _run(tmp_path / "a", 2, [2])
    _run(tmp_path / "b", 8, [8])
    text = compare(tmp_path / "a", tmp_path / "b")
    row = next(line for line in text.splitlines() if line.startswith("| pass@2 |"))
    assert "–" not in row, text
    assert "| pass@8 | – | 100.0% |" in text and "samples differ" in text
