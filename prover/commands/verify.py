"""Check candidates against their tasks with a real verifier; one JSON verdict per candidate.

JSONL mode (the interface other tools use):
  prover verify --lang dafny --jsonl IN [--out OUT] [--overwrite] [--ordered] [--workers N] [--timeout S]
Each input line: {"id", "statement" (alias "formal_statement", "spec"), "candidate" (alias "proof"),
optional "kind" (prove|implement|hints), "header"}. Ids must be unique (a repeated id is refused
before any work: verdicts are matched to inputs by id). Each output line:
{"id", "status", "reason", "messages", "seconds", "cached", "toolchain"}; a cached verdict took no
checking: its "seconds" is 0 and "cached_seconds" the check's that made it. Messages count lines and
columns from 1; one marked "spec": true lies in the statement (at its own line), not the candidate;
Dafny's inferred-annotation notes (`decreases n`) are left out unless --notes. A malformed line gets
its own `error` record (with its "line" number) and the batch goes on. Verdicts are written as they
complete (not in input order; --ordered writes them in input order, each as soon as all before it
are written) and flushed, so a killed run keeps everything it finished. OUT defaults to stdout.
A rerun with the same OUT resumes: ids OUT already holds a verdict for are skipped (an `error` from
the infrastructure is retried and its new line supersedes the old); --overwrite starts OUT afresh.

`--server URL` sends the checks to a `prover serve` instead of local verifier processes.

File mode:
  prover verify --lang dafny --spec SPEC.dfy CANDIDATE.dfy...
prints one JSON line per candidate (with "id" = the file path). A Lean SPEC may start with its
header (`import Mathlib` ...), split off as `prover search --statement-file` does.

A candidate holding a fenced code block (```dafny ... ```, a model's answer pasted as is) is
checked as the code of that block, the way eval and search read model output.

Exit status: 0 when every candidate (every input line) is `verified`, 1 when any is not (or a line
is malformed), 2 when the command itself cannot run (a missing file, a repeated id, a statement with
nothing to prove in --spec mode).

Statuses: verified | failed | rejected (the soundness gate refused it, or bad input) |
timeout | error (infrastructure trouble; retried once, never a failed proof).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from verifier_core.languages import language, options_for


from ..errors import UserError
from .argtypes import positive_float, positive_int

HELP = "verify candidates (JSONL in, JSONL verdicts out, or a spec file and candidate files)"
VERDICT_FIELDS = ("id", "status", "reason", "messages", "seconds", "cached", "toolchain")
RESUME = "with --out, rerun the same command to continue (the ids already in OUT are skipped)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", required=True, choices=("dafny", "lean"), help="verifier language")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--jsonl", metavar="IN", help="input JSONL: id, statement|formal_statement|spec, candidate|proof[, kind, header]")
    src.add_argument("--spec", metavar="SPEC", help="spec/statement file; candidates are the positional files")
    p.add_argument("candidates", nargs="*", metavar="CANDIDATE", help="candidate files (with --spec)")
    p.add_argument("--out", metavar="OUT", help="output JSONL (flushed per verdict; default stdout); a rerun with the "
                   "same OUT skips the ids it already holds")
    p.add_argument("--overwrite", action="store_true", help="start OUT afresh instead of resuming it")
    p.add_argument("--ordered", action="store_true", help="write verdicts in input order (default: as they complete)")
    p.add_argument("--workers", type=positive_int, default=2, help="verifier processes in parallel (default 2)")
    p.add_argument("--timeout", type=positive_float, default=30.0, help="hard per-check timeout in seconds (default 30)")
    p.add_argument("--memory-mb", type=positive_int, default=None, help="memory cap per verifier process (MiB)")
    p.add_argument("--kind", default="prove", choices=("prove", "implement", "hints"),
                   help="task kind for --spec mode (default prove)")
    p.add_argument("--header", default="", help="header for --spec mode (Lean imports; empty for Dafny)")
    p.add_argument("--notes", action="store_true", help="Dafny: list its `Info:` notes (the `decreases` and "
                   "`{:induction}` it inferred) among the messages")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the verdict cache")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--server", metavar="URL", help="send the checks to a `prover serve` at URL instead of local processes "
                   "(its own --timeout, --workers and cache then apply)")
    p.add_argument("--api-key-file", metavar="F", help="with --server: file holding its API key")


def verdict_record(item_id: Any, verdict_dict: dict[str, Any], **extra: Any) -> dict[str, Any]:
    rec = {"id": item_id, **{k: verdict_dict[k] for k in VERDICT_FIELDS[1:]}}
    if rec["cached"]:  # this answer took no checking; the check that made it took `cached_seconds`
        rec["seconds"], rec["cached_seconds"] = 0.0, rec["seconds"]
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


@dataclass
class _Item:
    """One input (a JSONL line or a candidate file): a verdict record already, or a pair to check."""

    key: str  # what a resumed OUT is matched by: the id, or the line of an input without one
    record: dict[str, Any] | None = None
    pair: tuple | None = None
    item_id: Any = None


def _key(item_id: Any, lineno: int) -> str:
    return f"id:{item_id}" if item_id is not None else f"line:{lineno}"


def _input_error(lineno: int, item_id: Any, reason: str) -> dict[str, Any]:
    from verifier_core.records import Verdict

    return verdict_record(item_id, Verdict("error", f"input: {reason}").to_dict(), line=lineno)


def _items_from_jsonl(path: str, lang: str) -> list[_Item]:
    """Every input line as an item; a bad line is answered by an error record (it is not checked)."""
    from verifier_core.records import Task, Verdict
    from verifier_core.jsonl import read_jsonl
    from ..verifiers import statement_problem

    items: list[_Item] = []
    seen: dict[str, int] = {}
    for ln in read_jsonl(path):
        if ln.record is None:
            items.append(_Item(_key(None, ln.lineno), _input_error(ln.lineno, None, ln.error)))
            continue
        rec = ln.record
        item_id = rec.get("id")
        key = _key(item_id, ln.lineno)
        if item_id is not None:
            if key in seen:
                raise UserError(f"{path}: id {item_id!r} on line {ln.lineno} is also on line {seen[key]}; ids "
                                "must be unique (verdicts are matched to inputs by id)")
            seen[key] = ln.lineno
        statement = next((rec[k] for k in ("statement", "formal_statement", "spec") if k in rec), None)
        candidate = rec.get("candidate", rec.get("proof"))
        missing = [name for name, v in (("id", item_id), ("statement", statement), ("candidate", candidate))
                   if v is None]
        if missing:
            items.append(_Item(key, _input_error(ln.lineno, item_id, f"line {ln.lineno}: missing {', '.join(missing)}")))
            continue
        if not isinstance(statement, str) or not isinstance(candidate, str):
            items.append(_Item(key, _input_error(ln.lineno, item_id,
                                                 f"line {ln.lineno}: statement and candidate must be strings")))
            continue
        try:
            task = Task(id=str(item_id), lang=lang, statement=statement, header=str(rec.get("header") or ""),
                        kind=rec.get("kind") or "prove")
        except ValueError as e:
            items.append(_Item(key, _input_error(ln.lineno, item_id, f"line {ln.lineno}: {e}")))
            continue
        if not task.header:
            task = _split_header(task)
        problem = statement_problem(task)
        if problem:  # no verifier can answer for it: any program would pass
            items.append(_Item(key, verdict_record(item_id, Verdict("error", problem).to_dict(), line=ln.lineno)))
            continue
        items.append(_candidate_item(key, item_id, task, candidate))
    return items


def _split_header(task):
    """A statement that starts with its header (Lean's `import Mathlib` ...) is split as a statement
    file is (`prover.statement_files`); one that cannot be split stays as given, for the gate to judge."""
    from ..statement_files import task_from_text

    try:
        split = task_from_text(task.id, task.lang, task.statement, kind=task.kind)
    except ValueError:
        return task
    return split if split.header.strip() else task


def _candidate_item(key: str, item_id: Any, task, text: str) -> _Item:
    """A pair to check; a candidate with a fenced block is the block's code (as eval reads a sample)."""
    from verifier_core.records import Candidate, Verdict
    from verifier_core.text import code_blocks

    from ..extract import extract
    from ..policies.base import EXTRACT_PREFIX

    if code_blocks(text):
        got = extract(text, task, "chat")
        if not got.ok:
            return _Item(key, verdict_record(item_id, Verdict("failed", EXTRACT_PREFIX + got.reason).to_dict()))
        text = got.text
    return _Item(key, pair=(task, Candidate(task_id=task.id, text=text)), item_id=item_id)


def _items_from_files(args: argparse.Namespace) -> list[_Item]:
    from verifier_core.records import Verdict
    from ..statement_files import task_from_text
    from ..verifiers import statement_problem

    spec, why = _read_text(args.spec)
    if spec is None:
        raise UserError(why)
    try:
        task = task_from_text(args.spec, args.lang, spec, kind=args.kind, header=args.header)
    except ValueError as e:
        raise UserError(f"{args.spec}: {e}") from None
    problem = statement_problem(task)
    if problem:
        raise UserError(f"{args.spec}: {problem}")
    items = []
    for path in args.candidates:
        text, why = _read_text(path)
        if text is None:
            status = "rejected" if why.startswith("input:binary") else "error"
            items.append(_Item(_key(path, 0), verdict_record(path, Verdict(status, why).to_dict())))
        else:
            items.append(_candidate_item(_key(path, 0), path, task, text))
    return items


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


def _remote(args: argparse.Namespace):
    """The server's verifier; the server's own --timeout, --workers and cache apply."""
    from ..client import RemoteVerifier, read_key

    return RemoteVerifier(args.server, read_key(args.api_key_file) if args.api_key_file else None, lang=args.lang)
def _readable(path: str, option: str) -> None:
    try:
        open(path, "rb").close()
    except OSError as e:
        raise UserError(f"cannot read {option} {path}: {e.strerror}") from None


def _resumed(out: str) -> dict[str, dict[str, Any]]:
    """Key -> final record already in OUT; an infrastructure `error` is not final (it is retried)."""
    from verifier_core.jsonl import read_records

    done = {}
    for r in read_records(out):
        key = _key(r.get("id"), int(r.get("line") or 0))
        if r.get("status") != "error" or r.get("reason", "").startswith(("input", "task:")):
            done[key] = r
        else:
            done.pop(key, None)
    return done


class _Output:
    """Writes records as they come, or (`ordered`) in input order as soon as all before are written."""

    def __init__(self, writer, ordered: bool):
        self.writer, self.ordered = writer, ordered
        self.ready: dict[int, dict[str, Any] | None] = {}
        self.next = 0

    def put(self, index: int, record: dict[str, Any] | None) -> None:
        """`record` None: nothing to write for this input (OUT already has it)."""
        if not self.ordered:
            if record is not None:
                self.writer.write(record)
            return
        self.ready[index] = record
        while self.next in self.ready:
            rec = self.ready.pop(self.next)
            if rec is not None:
                self.writer.write(rec)
            self.next += 1


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from verifier_core.records import Verdict
    from verifier_core.jsonl import JsonlWriter
    from ..verifiers import get_verifier, require_verifier

    if args.spec and not args.candidates:
        raise UserError("--spec needs at least one CANDIDATE file")
    if args.jsonl and args.candidates:
        raise UserError("candidate files are only for --spec mode")
    require_verifier(args.lang)
    if args.jsonl:
        _readable(args.jsonl, "--jsonl")
        items = _items_from_jsonl(args.jsonl, args.lang)
        if not items:
            raise UserError(f"--jsonl {args.jsonl} holds no input lines")
    else:
        items = _items_from_files(args)
    if args.out and os.path.isdir(args.out):
        raise UserError(f"--out {args.out} is a directory; name a JSONL file")
    done = _resumed(args.out) if args.out and not args.overwrite and args.jsonl else {}
    if done:
        print(f"verify: {sum(i.key in done for i in items)} of {len(items)} inputs already have a verdict in "
              f"{args.out}; checking the rest (--overwrite to start afresh)", file=sys.stderr)
    try:
        if args.out and args.overwrite:
            open(args.out, "w").close()
        writer = JsonlWriter(args.out) if args.out else _StdoutWriter(sys.stdout)
    except OSError as e:
        raise UserError(f"cannot write --out {args.out}: {e.strerror}") from None
    options: dict[str, Any] = {"workers": args.workers, "timeout": args.timeout}
    if args.memory_mb:
        options["memory_mb"] = args.memory_mb
    if args.notes:
        options.update(options_for(language(args.lang), {"notes": True}))
    statuses: list[str] = []
    out = _Output(writer, args.ordered)
    todo = []  # (index of the item, pair)
    try:
        for i, item in enumerate(items):
            if item.key in done:
                statuses.append(done[item.key].get("status", "error"))
                out.put(i, None)
            elif item.record is not None:
                statuses.append(item.record["status"])
                out.put(i, item.record)
            else:
                todo.append(i)
        if todo:
            verifier = _remote(args) if args.server else get_verifier(args.lang, cache=not args.no_cache, **options)
            bar = tqdm(total=len(todo), desc="verify", unit="check", file=sys.stderr,
                       disable=args.no_progress or None)
            try:
                def on_result(j: int, verdict: Verdict) -> None:
                    item = items[todo[j]]
                    out.put(todo[j], verdict_record(item.item_id, verdict.to_dict()))
                    bar.update(1)

                verdicts = verifier.check_many([items[i].pair for i in todo], on_result=on_result)
            finally:
                bar.close()
                verifier.close()
            statuses += [v.status for v in verdicts]
    finally:
        writer.close()
    return 0 if all(s == "verified" for s in statuses) else 1
