"""Training records: `metrics.jsonl` (one line per GRPO step / EI round / held-out eval), an optional
TensorBoard log, the held-out pass@1 with a bootstrap interval, and `report.md` with plots."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

from verifier_core.jsonl import JsonlWriter, read_records

METRICS_FILE = "metrics.jsonl"


class MetricsLog:
    """Append-only JSONL. `write(..., once=True)` keeps the first line of a (phase, step) (an EI round or
    eval redone after a crash adds nothing); GRPO lines are appended as they come, and a resume first
    drops the steps past the last checkpoint (`drop_after`), so each finished step has one line."""

    def __init__(self, out_dir: str | os.PathLike):
        self.path = Path(out_dir) / METRICS_FILE
        self._seen = {(r.get("phase"), r.get("step")) for r in read_records(self.path)}
        self._tb = None
        try:
            from torch.utils.tensorboard import SummaryWriter

            self._tb = SummaryWriter(str(Path(out_dir) / "tensorboard"))
        except ImportError:  # tensorboard is optional: metrics.jsonl is the record
            self._tb = None

    def records(self) -> list[dict[str, Any]]:
        return read_records(self.path)

    def drop_after(self, phase: str, step: int) -> None:
        """Forget lines of `phase` past `step` (a step that was logged but not checkpointed is redone)."""
        keep = [r for r in self.records() if not (r.get("phase") == phase and int(r.get("step", 0)) > step)]
        tmp = self.path.with_suffix(".partial")
        with open(tmp, "w", encoding="utf-8") as f:
            for r in keep:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        os.replace(tmp, self.path)
        self._seen = {(r.get("phase"), r.get("step")) for r in keep}

    def has(self, phase: str, step: int) -> bool:
        return (phase, step) in self._seen

    def write(self, record: dict[str, Any], once: bool = True) -> bool:
        key = (record.get("phase"), record.get("step"))
        if once and key in self._seen:
            return False
        record.setdefault("time", time.time())
        self._seen.add(key)
        with JsonlWriter(self.path, fsync=True) as w:
            w.write(record)
        if self._tb is not None:
            step = int(record.get("global_step", record.get("step", 0)))
            for name, value in _flat(record).items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    self._tb.add_scalar(f"{record.get('phase')}/{name}", value, step)
            self._tb.flush()
        return True


def _flat(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            out.update(_flat(v, f"{prefix}{k}/"))
        else:
            out[f"{prefix}{k}"] = v
    return out


def pass1_per_task(attempts: Sequence[Mapping[str, Any]]) -> dict[str, tuple[int, int]]:
    """(correct, scored) per task; `error` attempts are not scored."""
    out: dict[str, list[int]] = {}
    for a in attempts:
        if a["status"] == "error":
            continue
        c = out.setdefault(a["task_id"], [0, 0])
        c[0] += a["status"] == "verified"
        c[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def pass1(per_task: Mapping[str, tuple[int, int]], tasks: Sequence[str] | None = None) -> float:
    ids = list(tasks) if tasks is not None else list(per_task)
    rates = [per_task[t][0] / per_task[t][1] for t in ids if t in per_task and per_task[t][1]]
    return sum(rates) / len(rates) if rates else 0.0


def bootstrap_ci(before: Mapping[str, tuple[int, int]], after: Mapping[str, tuple[int, int]],
                 n_boot: int = 10000, seed: int = 0) -> tuple[float, float, float, float]:
    """Paired bootstrap over tasks: (lo, hi) of `after` pass@1 and (lo, hi) of after - before (95%)."""
    import numpy as np

    ids = [t for t in after if t in before and after[t][1] and before[t][1]]
    if not ids:
        return 0.0, 0.0, 0.0, 0.0
    a = np.array([after[t][0] / after[t][1] for t in ids])
    b = np.array([before[t][0] / before[t][1] for t in ids])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(ids), size=(n_boot, len(ids)))
    after_m = a[idx].mean(axis=1)
    diff_m = (a - b)[idx].mean(axis=1)
    return (float(np.percentile(after_m, 2.5)), float(np.percentile(after_m, 97.5)),
            float(np.percentile(diff_m, 2.5)), float(np.percentile(diff_m, 97.5)))


def write_report(out_dir: str | os.PathLike, title: str = "prover train") -> Path:
    """report.md with the reward curve and held-out pass@1 (PNG plots via matplotlib)."""
    out = Path(out_dir)
    recs = read_records(out / METRICS_FILE)
    train = [r for r in recs if r.get("phase") in ("ei", "grpo")]
    evals = [r for r in recs if r.get("phase") == "eval"]
    lines = [f"# {title}", ""]
    plots = _plots(out, train, evals)
    for p in plots:
        lines.append(f"![{p.stem}]({p.name})")
    lines += ["", "## Held-out pass@1", "", "| after | pass@1 | samples |", "|---|---|---|"]
    for r in evals:
        lines.append(f"| {r.get('label', r.get('step'))} | {100 * r['heldout_pass1']:.1f}% | {r.get('samples', '')} |")
    lines += ["", "## Training", "", "| phase | step | reward mean | verified | failed | rejected | timeout | error | "
              "gen s | verify s | update s | kl | entropy |", "|" + "---|" * 13]
    for r in train:
        v = r.get("verdicts", {})
        s = r.get("seconds", {})
        lines.append(f"| {r['phase']} | {r['step']} | {r.get('reward_mean', 0):.3f} | " +
                     " | ".join(str(v.get(k, 0)) for k in ("verified", "failed", "rejected", "timeout", "error")) +
                     f" | {s.get('generation', 0):.1f} | {s.get('verification', 0):.1f} | {s.get('update', 0):.1f} | "
                     f"{_fmt(r.get('kl'))} | {_fmt(r.get('entropy'))} |")
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fmt(v: Any) -> str:
    return "" if v is None else f"{v:.4f}"


def _plots(out: Path, train: list[dict[str, Any]], evals: list[dict[str, Any]]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    if train:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for phase in ("ei", "grpo"):
            rs = [r for r in train if r["phase"] == phase]
            if rs:
                ax.plot([r.get("global_step", r["step"]) for r in rs], [r.get("reward_mean", 0) for r in rs],
                        marker="o", label=phase)
        ax.set_xlabel("EI round / GRPO step (in order)")
        ax.set_ylabel("training reward (verified fraction)")
        ax.legend()
        fig.tight_layout()
        made.append(out / "reward.png")
        fig.savefig(made[-1], dpi=100)
        plt.close(fig)
    if evals:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(range(len(evals)), [100 * r["heldout_pass1"] for r in evals], marker="o")
        ax.set_xticks(range(len(evals)), [str(r.get("label", r["step"])) for r in evals], rotation=30)
        ax.set_ylabel("held-out pass@1 (%)")
        fig.tight_layout()
        made.append(out / "heldout.png")
        fig.savefig(made[-1], dpi=100)
        plt.close(fig)
    return made
