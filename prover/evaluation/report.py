"""What an eval leaves behind for people: `summary.json`, `report.md` and a pass@k plot."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Sequence

from .metrics import Scores
from .runner import expected_attempts, final_attempts, load_settings

SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.md"
PLOT_FILE = "pass_at_k.png"


def build_summary(out_dir: str | os.PathLike, scores: Scores, ks: Sequence[int],
                  excluded: Sequence[tuple[str, str]], exclusion_note: str = "") -> dict[str, Any]:
    """The summary record: scores plus every stamp needed to know what was measured."""
    settings = load_settings(out_dir)
    attempts = final_attempts(out_dir)
    toolchains = sorted({r.get("toolchain", "") for r in attempts.values() if r.get("toolchain")})
    expected = expected_attempts(out_dir, settings)
    d = scores.to_dict(with_problems=True)
    d.update({
        "bench": settings.bench,
        "policy": settings.policy,
        "data_revision": settings.data_revision,
        "toolchain": settings.toolchain,
        "toolchains_seen": toolchains,
        "samples": settings.samples,
        "k": list(ks),
        "expected_attempts": expected,
        "complete": scores.counts["error"] == 0 and scores.attempts >= expected,
        "excluded": [{"task_id": t, "reason": r} for t, r in excluded],
        "exclusion_note": exclusion_note,
    })
    return d


def write_summary(out_dir: str | os.PathLike, summary: dict[str, Any]) -> Path:
    path = Path(out_dir) / SUMMARY_FILE
    tmp = path.with_suffix(".partial")
    tmp.write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def per_k(summary: dict[str, Any]) -> tuple[str, dict[str, float | None]]:
    """The summary's per-k success figure and its name, with `{k}` to fill in.

    `pass@{k}` only for a policy whose samples are i.i.d. draws; "solved within {k} attempts" for one
    that proposes a fixed list in order (the portfolio), whose number is not a pass@k.
    """
    if "pass_at_k" in summary:
        return "pass@{k}", summary["pass_at_k"]
    return "solved within {k} attempt{s}", summary["solved_within_k"]


def k_label(template: str, k: int | str) -> str:
    """`per_k`'s name filled in for one k ("solved within 1 attempt", "... within 8 attempts")."""
    return template.format(k=k, s="" if k == 1 else "s")


def curve(summary: dict[str, Any]) -> dict[int, float]:
    """The per-k figure at every k the summary has (its `curve`; the asked-for k in older summaries)."""
    _, values = per_k(summary)
    return {int(k): v for k, v in (summary.get("curve") or values).items() if v is not None}


NOT_IID_NOTE = ("The policy does not sample: it proposes a fixed list in a fixed order, so its attempts are not the "
                "i.i.d. draws that unbiased pass@k assumes. The figure is the share of problems with a verified proof "
                "among their first k attempts, in the policy's order; it is not comparable with a sampling policy's "
                "pass@k.")


def write_report(out_dir: str | os.PathLike, summary: dict[str, Any]) -> Path:
    """`report.md` (stamps, pass@k, verdict counts, time split, exclusions, per-problem table) + plot."""
    out = Path(out_dir)
    plot = write_plot(out, summary)
    t = summary["time"]
    label, values = per_k(summary)
    iid = "pass_at_k" in summary
    lines = [
        f"# Evaluation: {summary['bench']} × {summary['policy']}",
        "",
        f"- data revision: `{summary['data_revision']}`",
        f"- verifier toolchain: `{summary['toolchain'] or 'none found'}`"
        + (f" (seen on verdicts: {', '.join(f'`{x}`' for x in summary['toolchains_seen'])})"
           if summary["toolchains_seen"] and summary["toolchains_seen"] != [summary["toolchain"]] else ""),
        f"- samples per task: {summary['samples']}; tasks: {summary['tasks']}; solved: {summary['solved']}",
        f"- samples the policy did not produce (ran out of ideas; scored as failed): {summary['unanswered']}",
        f"- attempts with a verdict: {summary['attempts']}"
        + ("" if summary["complete"] else " — **run incomplete or with verifier errors: rerun the same command to finish it**"),
        "",
    ]
    if iid:
        lines += ["## pass@k", "", "| k | pass@k (unbiased) | problems with n ≥ k | block mean ± std (blocks) |",
                  "|---|---|---|---|"]
        for k in summary["k"]:
            b = summary["block_pass_at_k"].get(str(k))
            block = "–" if not b else f"{100 * b['mean']:.1f}% ± {100 * b['std']:.1f} ({b['blocks']})"
            lines.append(f"| {k} | {pct(values.get(str(k)))} | "
                         f"{summary['pass_at_k_problems'].get(str(k), 0)}/{summary['tasks']} | {block} |")
        lines += ["", "pass@k is the unbiased estimator 1 − C(n−c, k)/C(n, k) averaged over problems with at least k "
                  "scored samples; the block figure is STP's: disjoint blocks of k samples, mean ± std of the "
                  "per-block solve rate."]
    else:
        lines += ["## Solved within k attempts", "", "| k | solved within k attempts | problems with n ≥ k |",
                  "|---|---|---|"]
        for k in summary["k"]:
            lines.append(f"| {k} | {pct(values.get(str(k)))} | "
                         f"{summary['solved_within_k_problems'].get(str(k), 0)}/{summary['tasks']} |")
        lines += ["", NOT_IID_NOTE]
    lines.append("")
    lines += [
        "Verifier `error`s are infrastructure failures: they are excluded from n and listed below, never counted "
        "as failed proofs.",
        "",
        f"![pass@k]({plot.name})",
        "",
        "## Verdicts",
        "",
        "| " + " | ".join(summary["counts"]) + " |",
        "|" + "---|" * len(summary["counts"]),
        "| " + " | ".join(str(v) for v in summary["counts"].values()) + " |",
        "",
        "## Time",
        "",
        f"- wall: {t['wall']:.1f} s (all sessions of the run)",
        f"- summed over attempts, so each can exceed the wall time when attempts overlap: generation "
        f"{t['generation']:.1f} s, verification {t['verification']:.1f} s, queueing {t['queueing']:.1f} s (an "
        "attempt's wait between being generated and a verifier worker taking it: many wait at once while "
        "the policy runs ahead of the workers)",
        "",
    ]
    if summary["excluded"] or summary.get("exclusion_note"):
        lines += ["## Excluded tasks", "", summary.get("exclusion_note", ""), ""]
        lines += [f"- `{e['task_id']}`: {e['reason']}" for e in summary["excluded"]]
        lines.append("")
    errors = [(tid, r) for tid, r in _error_reasons(out).items()]
    if errors:
        lines += ["## Verifier errors (retried on the next run; not scored)", ""]
        lines += [f"- `{tid}` sample {s}: {reason}" for (tid, s), reason in errors[:50]]
        lines.append("")
    lines += ["## Per problem", "", "`n`: scored samples, of which `not proposed` were requested but not produced "
              "by the policy (scored as failed); `error`s are not in `n`.", "",
              "| task | n | not proposed | verified | failed | rejected | timeout | error | first verified sample |"
              + "".join(f" {k_label(label, k)} |" for k in summary["k"]),
              "|---|---|---|---|---|---|---|---|---|" + "---|" * len(summary["k"])]
    for p in summary["problems"]:
        first = "–" if p["first_verified"] is None else str(p["first_verified"])
        c = p["counts"]
        lines.append(f"| `{p['task_id']}` | {p['n']} | {p.get('unanswered', 0)} | {p['correct']} | {c['failed']} | "
                     f"{c['rejected']} | {c['timeout']} | {c['error']} | {first} |"
                     + "".join(f" {pct(p['pass_at_k' if iid else 'solved_within_k'].get(str(k)))} |"
                               for k in summary["k"]))
    path = out / REPORT_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _error_reasons(out: Path) -> dict[tuple[str, int], str]:
    return {key: r.get("reason", "") for key, r in final_attempts(out).items() if r["status"] == "error"}


def write_plot(out_dir: str | os.PathLike, summary: dict[str, Any]) -> Path:
    """pass@k (or solved within k attempts) against k (log scale), with STP block mean ± std where there are blocks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    label, _ = per_k(summary)
    points = curve(summary)
    ks = sorted(points)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    if ks:
        # every k up to n, not just the asked-for ones: a line between k=1 and k=8 would invent the rest
        ax.plot(ks, [100 * points[k] for k in ks], ".-",
                label="unbiased pass@k" if "pass_at_k" in summary else k_label(label, "k"))
        bk = [k for k in ks if summary.get("block_pass_at_k", {}).get(str(k))]
        if bk:
            b = [summary["block_pass_at_k"][str(k)] for k in bk]
            ax.errorbar(bk, [100 * x["mean"] for x in b], yerr=[100 * x["std"] for x in b], fmt="s--",
                        capsize=3, alpha=0.7, label="block mean ± std")
        ax.set_xscale("log", base=2)
        ticks = [k for k in ks if k & (k - 1) == 0 or k == ks[-1]]
        ax.set_xticks(ticks, [str(k) for k in ticks])
    ax.set_xlabel("k (samples)" if "pass_at_k" in summary else "k (attempts, in the policy's order)")
    ax.set_ylabel("solved (%)")
    ax.set_ylim(-2, 104)  # a curve at 0% or 100% stays off the frame
    ax.set_yticks(range(0, 101, 20))
    ax.set_title(f"{summary['bench']} × {summary['policy']}", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(out_dir) / PLOT_FILE
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
