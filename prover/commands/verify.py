"""Check candidates against their tasks with a real verifier; one JSON verdict per candidate.

JSONL mode (the interface other tools use):
  prover verify --lang dafny --jsonl IN [--out OUT] [--workers N] [--timeout S]
Each input line: {"id", "statement" (alias "formal_statement", "spec"), "candidate" (alias "proof"),
optional "kind" (prove|implement|hints), "header"}. Each output line:
{"id", "status", "reason", "messages", "seconds", "cached", "toolchain"}. A malformed line gets
its own `error` record (with its "line" number) and the batch goes on. Verdicts are written as they
complete and flushed, so a killed run keeps everything it finished. OUT defaults to stdout.

File mode:
  prover verify --lang dafny --spec SPEC.dfy CANDIDATE.dfy...
prints one JSON line per candidate (with "id" = the file path); exit status 0 iff all verified.

Statuses: verified | failed | rejected (the soundness gate refused it, or bad input) |
timeout | error (infrastructure trouble; retried once, never a failed proof).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from ..errors import UserError
from .argtypes import positive_float, positive_int

HELP = "verify candidates (JSONL in, JSONL verdicts out, or a spec file and candidate files)"
VERDICT_FIELDS = ("id", "status", "reason", "messages", "seconds", "cached", "toolchain")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", required=True, choices=("dafny", "lean"), help="verifier language")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--jsonl", metavar="IN", help="input JSONL: id, statement|formal_statement|spec, candidate|proof[, kind, header]")
    src.add_argument("--spec", metavar="SPEC", help="spec/statement file; candidates are the positional files")
    p.add_argument("candidates", nargs="*", metavar="CANDIDATE", help="candidate files (with --spec)")
    p.add_argument("--out", metavar="OUT", help="output JSONL (appended, flushed per verdict; default stdout)")
    p.add_argument("--workers", type=positive_int, default=2, help="verifier processes in parallel (default 2)")
    p.add_argument("--timeout", type=positive_float, default=30.0, help="hard per-check timeout in seconds (default 30)")
    p.add_argument("--memory-mb", type=positive_int, default=None, help="memory cap per verifier process (MiB)")
    p.add_argument("--kind", default="prove", choices=("prove", "implement", "hints"),
                   help="task kind for --spec mode (default prove)")
    p.add_argument("--header", default="", help="header for --spec mode (Lean imports; empty for Dafny)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the verdict cache")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _record(item_id: Any, verdict_dict: dict[str, Any], **extra: Any) -> dict[str, Any]:
    rec = {"id": item_id, **{k: verdict_dict[k] for k in VERDICT_FIELDS[1:]}}
    rec.update(extra)
    return rec


class _StdoutWriter:
    """JsonlWriter's interface on stdout (flushed per record)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.stream.flush()

    def close(self) -> None:
        self.stream.flush()


def _input_error(lineno: int, item_id: Any, reason: str) -> dict[str, Any]:
    from ..core import Verdict

    return _record(item_id, Verdict("error", f"input: {reason}").to_dict(), line=lineno)


def _pairs_from_jsonl(path: str, lang: str, writer) -> tuple[list, list]:
    """(pairs, ids) for good lines; bad lines are answered with an error record right away."""
    from ..core import Candidate, Task, Verdict
    from ..jsonl import read_jsonl
    from ..verifiers import statement_problem

    pairs, ids = [], []
    for ln in read_jsonl(path):
        if ln.record is None:
            writer.write(_input_error(ln.lineno, None, ln.error))
            continue
        rec = ln.record
        item_id = rec.get("id")
        statement = next((rec[k] for k in ("statement", "formal_statement", "spec") if k in rec), None)
        candidate = rec.get("candidate", rec.get("proof"))
        missing = [name for name, v in (("id", item_id), ("statement", statement), ("candidate", candidate))
                   if v is None]
        if missing:
            writer.write(_input_error(ln.lineno, item_id, f"line {ln.lineno}: missing {', '.join(missing)}"))
            continue
        if not isinstance(statement, str) or not isinstance(candidate, str):
            writer.write(_input_error(ln.lineno, item_id, f"line {ln.lineno}: statement and candidate must be strings"))
            continue
        try:
            task = Task(id=str(item_id), lang=lang, statement=statement, header=str(rec.get("header") or ""),
                        kind=rec.get("kind") or "prove")
        except ValueError as e:
            writer.write(_input_error(ln.lineno, item_id, f"line {ln.lineno}: {e}"))
            continue
        problem = statement_problem(task)
        if problem:  # no verifier can answer for it: any program would pass
            writer.write(_record(item_id, Verdict("error", problem).to_dict(), line=ln.lineno))
            continue
        pairs.append((task, Candidate(task_id=task.id, text=candidate)))
        ids.append(item_id)
    return pairs, ids


def _read_text(path: str) -> tuple[str | None, str]:
    """A file's text, or (None, reason) when it is unreadable or not UTF-8 (binary)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        return None, f"input: cannot read {path}: {e.strerror}"
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError as e:
        return None, f"input:binary: {path} is not UTF-8 text (byte {e.start})"


def _readable(path: str, option: str) -> None:
    try:
        open(path, "rb").close()
    except OSError as e:
        raise UserError(f"cannot read {option} {path}: {e.strerror}") from None


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..core import Candidate, Task, Verdict
    from ..jsonl import JsonlWriter
    from ..verifiers import get_verifier, statement_problem

    if args.spec and not args.candidates:
        print("prover verify: --spec needs at least one CANDIDATE file", file=sys.stderr)
        return 2
    if args.jsonl and args.candidates:
        print("prover verify: candidate files are only for --spec mode", file=sys.stderr)
        return 2
    if args.jsonl:
        _readable(args.jsonl, "--jsonl")
    try:
        writer = JsonlWriter(args.out) if args.out else _StdoutWriter(sys.stdout)
    except OSError as e:
        raise UserError(f"cannot write --out {args.out}: {e.strerror}") from None
    options: dict[str, Any] = {"workers": args.workers, "timeout": args.timeout}
    if args.memory_mb:
        options["memory_mb"] = args.memory_mb
    all_verified = True
    try:
        if args.jsonl:
            pairs, ids = _pairs_from_jsonl(args.jsonl, args.lang, writer)
        else:
            spec, why = _read_text(args.spec)
            if spec is None:
                print(f"prover verify: {why}", file=sys.stderr)
                return 2
            problem = statement_problem(Task(id=args.spec, lang=args.lang, statement=spec, header=args.header,
                                             kind=args.kind))
            if problem:
                print(f"prover verify: {args.spec}: {problem}", file=sys.stderr)
                return 2
            pairs, ids = [], []
            for path in args.candidates:
                text, why = _read_text(path)
                if text is None:
                    status = "rejected" if why.startswith("input:binary") else "error"
                    writer.write(_record(path, Verdict(status, why).to_dict()))
                    all_verified = False
                    continue
                task = Task(id=path, lang=args.lang, statement=spec, header=args.header, kind=args.kind)
                pairs.append((task, Candidate(task_id=path, text=text)))
                ids.append(path)
        if pairs:
            verifier = get_verifier(args.lang, cache=not args.no_cache, **options)
            bar = tqdm(total=len(pairs), desc="verify", unit="check", file=sys.stderr,
                       disable=args.no_progress or None)
            try:
                def on_result(i: int, verdict: Verdict) -> None:
                    writer.write(_record(ids[i], verdict.to_dict()))
                    bar.update(1)

                verdicts = verifier.check_many(pairs, on_result=on_result)
            finally:
                bar.close()
                verifier.close()
            all_verified = all_verified and all(v.ok for v in verdicts)
    finally:
        writer.close()
    if args.spec:
        return 0 if all_verified else 1
    return 0
