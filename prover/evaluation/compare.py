"""Two eval runs side by side: pass@k of each, and which problems one solved and the other did not."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .report import SUMMARY_FILE, curve, k_label, pct, per_k


def _summary(run_dir: str | os.PathLike) -> dict[str, Any]:
    path = Path(run_dir) / SUMMARY_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: is {run_dir} a `prover eval --out` directory of a finished run?")
    return json.loads(path.read_text(encoding="utf-8"))


def compare(dir_a: str | os.PathLike, dir_b: str | os.PathLike) -> str:
    """A markdown comparison of two runs (differences in benchmark, data or toolchain are flagged)."""
    a, b = _summary(dir_a), _summary(dir_b)
    lines = [f"# {Path(dir_a).name} (A) vs {Path(dir_b).name} (B)", ""]
    for key in ("bench", "data_revision", "toolchain", "policy", "samples"):
        mark = "" if a.get(key) == b.get(key) else "  **differs**"
        lines.append(f"- {key}: A `{a.get(key)}` · B `{b.get(key)}`{mark}")
    (label_a, at_a), (label_b, at_b) = per_k(a), per_k(b)
    if label_a != label_b:
        lines.append(f"- **A reports {k_label(label_a, 'k')}, B {k_label(label_b, 'k')}: a policy that does not "
                     "sample proposes a fixed list in order, so its figure is no pass@k and the two are not comparable**")
    # Each run's figure at every k it has samples for: runs with other sample counts meet at the k both have.
    ca, cb = curve(a), curve(b)
    common = sorted(set(ca) & set(cb))
    if a.get("samples") != b.get("samples"):
        lines.append(f"- samples differ: both runs have a figure at every k ≤ {common[-1] if common else 0}; beyond "
                     "it only the run with more samples has one")
    lines += ["", "| metric | A | B |", "|---|---|---|"]
    asked = {int(k) for k in (*at_a, *at_b)}
    shown = sorted({k for k in common if k in asked or k & (k - 1) == 0} | asked)
    for label in dict.fromkeys((label_a, label_b)):
        for k in shown:
            va = ca.get(k) if label == label_a else None
            vb = cb.get(k) if label == label_b else None
            lines.append(f"| {k_label(label, k)} | {pct(va)} | {pct(vb)} |")
    lines.append(f"| solved | {a['solved']}/{a['tasks']} | {b['solved']}/{b['tasks']} |")
    for status in a["counts"]:
        lines.append(f"| {status} | {a['counts'][status]} | {b['counts'].get(status, 0)} |")
    solved_a = {p["task_id"] for p in a["problems"] if p["correct"] > 0}
    solved_b = {p["task_id"] for p in b["problems"] if p["correct"] > 0}
    common = {p["task_id"] for p in a["problems"]} & {p["task_id"] for p in b["problems"]}
    only_a, only_b = sorted((solved_a - solved_b) & common), sorted((solved_b - solved_a) & common)
    lines += ["", f"Problems in both runs: {len(common)}; solved by both: {len(solved_a & solved_b & common)}.", ""]
    lines += [f"## Solved by A only ({len(only_a)})", ""] + [f"- `{t}`" for t in only_a] + [""]
    lines += [f"## Solved by B only ({len(only_b)})", ""] + [f"- `{t}`" for t in only_b]
    return "\n".join(lines) + "\n"
