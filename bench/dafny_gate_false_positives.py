"""How often the Dafny soundness gate rejects a benchmark's own reference solution.

MBPP-DFY as `implement` tasks (statement = `strip_bodies(reference)`, candidate = reference) and
DafnyBench as `hints` tasks (statement = `spec_only`, candidate = reference). Prints, per benchmark,
how many references pass and which rules fire on the others (with example ids); `--json` writes
the per-item results. Rejections caused by the reference itself (`assume`, `{:verify false}`,
`{:axiom}`, bodyless lemmas, `include`) are correct; the rest are gate false positives.

    python bench/dafny_gate_false_positives.py [--limit N] [--json out.jsonl]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict

from tqdm import tqdm

from dafny_env.soundness import gate
from dafny_env.syntax import strip_bodies
from verifier_core.settings import data_dir
from verifier_core.records import Task
from verifier_core.jsonl import JsonlWriter, read_records


def _rows(name: str, limit: int | None) -> list[dict]:
    rows = read_records(data_dir() / "dafny" / name / f"{name}.jsonl")
    return rows[:limit] if limit else rows


def _tasks(name: str, limit: int | None):
    for r in _rows(name, limit):
        if name == "mbpp_dfy":
            yield Task(r["id"], "dafny", strip_bodies(r["reference"]), kind="implement"), r["reference"]
        elif r.get("spec_only"):
            yield Task(r["id"], "dafny", r["spec_only"], kind="hints"), r["reference"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N items of each benchmark")
    ap.add_argument("--json", default=None, help="write one JSON line per item (id, ok, rule, detail)")
    args = ap.parse_args(argv)
    writer = JsonlWriter(args.json) if args.json else None
    for name in ("mbpp_dfy", "dafnybench"):
        rules: Counter[str] = Counter()
        examples: dict[str, list[str]] = defaultdict(list)
        n = ok = 0
        for task, ref in tqdm(list(_tasks(name, args.limit)), desc=name, file=sys.stderr):
            res = gate(task, ref)
            n += 1
            ok += res.ok
            if not res.ok:
                rules[res.rule] += 1
                if len(examples[res.rule]) < 4:
                    examples[res.rule].append(task.id)
            if writer:
                writer.write({"benchmark": name, "id": task.id, "ok": res.ok, "rule": res.rule, "detail": res.detail})
        print(f"{name}: {ok}/{n} references accepted ({100.0 * ok / max(n, 1):.1f} %)")
        for rule, c in rules.most_common():
            print(f"  {rule:22s} {c:4d}  e.g. {', '.join(examples[rule])}")
    if writer:
        writer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
