"""The Dafny part of the Vericoding benchmark as `implement` tasks (data: `vericoding/` in the data dir).

A vericoding record is a program in sections: `vc-preamble` (definitions the spec uses), `vc-helpers`
(empty: where a solver may add helpers), `vc-spec` (the signature and contract), `vc-code` (a
placeholder body, `{ assume {:axiom} false; }`) and `vc-postamble`. The placeholder is what a
candidate replaces, so it is never part of a task's statement: the statement is the program with the
target left bodiless. Specs the authors flagged as poor (`*_poor.jsonl`) are not tasks. Solutions
(`vericoded/dafny/<id>_vericoded.dfy`, Dafny 4 programs an LLM found) are attached as `reference`;
one that adds no helper is also given as `reference_body` (a brace block a completion can produce).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from verifier_core.languages import language
from verifier_core.records import Task
from verifier_core.jsonl import read_records

BENCH_DIR = "vericoding/benchmarks/dafny"
SOLUTIONS_DIR = "vericoding/vericoded/dafny"
PLACEHOLDER = re.compile(r"assume\s*\{:axiom\}\s*false")
_SECTION = re.compile(r"//\s*<(vc-[a-z]+)>\n?(.*?)//\s*</\1>", re.S)


class VericodingError(ValueError):
    """A record or solution file that is not in the vericoding format."""


def is_record(r: dict[str, Any]) -> bool:
    return "vc-spec" in r and "vc-code" in r


def statement_of(r: dict[str, Any]) -> str:
    """The task program: preamble, helpers, the bodiless spec and postamble (no placeholder body)."""
    missing = [k for k in ("vc-preamble", "vc-spec", "vc-code") if k not in r]
    if missing:
        raise VericodingError(f"{r.get('id', '?')}: not a vericoding record (missing {', '.join(missing)})")
    parts = [r.get("vc-preamble", ""), r.get("vc-helpers", ""), r["vc-spec"], r.get("vc-postamble", "")]
    return _strip_placeholders("\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n")


def _strip_placeholders(program: str) -> str:
    """Remove every body holding the placeholder: a few specs give several members, each with its
    own `{ assume {:axiom} false; }` (they become targets too)."""
    syntax = language("dafny").syntax
    spans = [(d.body_start, d.body_end) for d in syntax.parse(program).walk()
             if d.is_callable and d.has_body and PLACEHOLDER.search(program, d.body_start, d.body_end)]
    for start, end in sorted(spans, reverse=True):
        program = program[:start].rstrip() + program[end:]
    return program


def task_of(r: dict[str, Any], solution: str | None = None, benchmark: str = "vericoding-dafny") -> Task:
    meta: dict[str, Any] = {"benchmark": benchmark, "source": r.get("source", ""),
                            "source_id": r.get("source_id", ""), "description": r.get("vc-description", "")}
    if solution is not None:
        meta["reference"] = solution
        body = solution_body(solution)
        if body is not None:
            meta["reference_body"] = body
    return Task(id=str(r["id"]), lang="dafny", statement=statement_of(r), kind="implement", meta=meta)


def sections(program: str) -> dict[str, str]:
    """The `// <vc-x> ... // </vc-x>` sections of a solution file."""
    return {m.group(1): m.group(2) for m in _SECTION.finditer(program)}


def solution_body(program: str) -> str | None:
    """The solution's `vc-code` block when it adds no helpers (else None: it needs the whole program)."""
    s = sections(program)
    if "vc-code" not in s or s.get("vc-helpers", "").strip():
        return None
    body = s["vc-code"].strip()
    return body if body.startswith("{") and body.endswith("}") else None


def poor_ids(root: Path) -> set[str]:
    return {str(r["id"]) for f in sorted(root.glob("*/*_poor.jsonl")) for r in read_records(f)}


def load(data_root: Path, benchmark: str = "vericoding-dafny") -> list[Task]:
    """Every non-poor task under `data_root/BENCH_DIR`, its solution attached where one exists."""
    root = data_root / BENCH_DIR
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is missing (the vericoding data: see shared/data/README.md)")
    poor = poor_ids(root)
    sols = data_root / SOLUTIONS_DIR
    out = []
    for f in sorted(root.glob("*/dafny_*.jsonl")):
        if f.name.endswith(("_poor.jsonl", "_notes.jsonl")):
            continue
        for r in read_records(f):
            if str(r["id"]) in poor:
                continue
            sol = sols / f"{r['id']}_vericoded.dfy"
            out.append(task_of(r, sol.read_text(encoding="utf-8") if sol.is_file() else None, benchmark))
    return out


def load_file(path: Path) -> list[Task]:
    """Tasks of a JSONL file in the vericoding format or this project's own task format."""
    out = []
    for r in read_records(path):
        out.append(task_of(r, r.get("reference"), benchmark=str(path)) if is_record(r)
                   else Task.from_dict(r, lang="dafny"))
    return out
