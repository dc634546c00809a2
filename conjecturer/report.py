"""OUT/report.md with plots, from OUT/metrics.jsonl (one line per round)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from verifier_core.jsonl import read_records


def write_report(out: str | Path, config_text: str = "") -> Path:
    out = Path(out)
    rows = read_records(out / "metrics.jsonl")
    plots = _plots(out, rows) if rows else []
    lines = ["# Self-play report", ""]
    if rows:
        r0 = rows[0]
        lines += [f"lang: {r0.get('lang')}; conjecturer: {r0.get('conjecturer')}; prover: {r0.get('prover')}", ""]
    lines += ["| round | proposed | valid | duplicate | near-dup | vacuous | ill-formed | gate | proved | selected "
              "| audit ok/failed | prover ex. | held-out pass rate | seconds |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        v = r["validation"]
        held = r.get("heldout_pass_rate")
        lines.append(
            f"| {r['round']} | {r['proposed']} | {r['valid']} | {v.get('duplicate', 0)} | {v.get('near_duplicate', 0)} "
            f"| {v.get('vacuous', 0)} | {v.get('ill_formed', 0)} | {v.get('gate', 0)} | {r['conjectures_proved']} "
            f"| {r['selected']} | {r['audit']['verified']}/{r['audit']['failed']} | {r['prover_examples']} "
            f"| {'–' if held is None else f'{100 * held:.1f}%'} | {sum(r['seconds'].values()):.0f} |")
    lines += [""]
    for r in rows:
        lines += [f"Round {r['round']}: pass-rate histogram of the proving set {json.dumps(r['pass_rate_histogram'])}; "
                  f"selection rejections {json.dumps(r['selection_rejected'])}; time split (s) "
                  f"{json.dumps({k: round(v, 1) for k, v in r['seconds'].items()})}."]
        for t in r.get("train") or []:
            steps = "; ".join(f"step {e['step']}: loss {e['loss']:.4f} at lr {e['learning_rate']:.2e}" for e in t["log"])
            lines += [f"Round {r['round']} training of {'+'.join(t['roles'])}: {t['examples']} examples, "
                      f"{t['steps']} steps ({steps or 'none'}), weights moved by {t['weight_change']:.2e} (relative L2)."]
    lines += [""] + [f"![{p.stem}]({p.name})" for p in plots]
    if config_text:
        lines += ["", "## Config", "", "```yaml", config_text.rstrip(), "```"]
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _plots(out: Path, rows: list[dict[str, Any]]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rounds = [r["round"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    ax = axes[0]
    for key, label in (("proposed", "proposed"), ("valid", "valid"), ("conjectures_proved", "proved"),
                       ("selected", "selected")):
        ax.plot(rounds, [r[key] for r in rows], marker="o", label=label)
    ax.set_title("conjectures per round")
    ax.set_xlabel("round")
    ax.legend()
    ax = axes[1]
    held = [r.get("heldout_pass_rate") for r in rows]
    ax.plot(rounds, [h if h is not None else float("nan") for h in held], marker="o")
    ax.set_ylim(0, 1)
    ax.set_title("held-out pass rate")
    ax.set_xlabel("round")
    ax = axes[2]
    bins = list(rows[0]["pass_rate_histogram"])
    bottom = [0] * len(rows)
    for b in bins:
        vals = [r["pass_rate_histogram"].get(b, 0) for r in rows]
        ax.bar(rounds, vals, bottom=bottom, label=b)
        bottom = [x + y for x, y in zip(bottom, vals)]
    ax.set_title("pass rates of the proving set")
    ax.set_xlabel("round")
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = out / "selfplay.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return [path]
