"""Several candidates of one task in one DafnyServer request (the fast mode's batches).

Most of a check is the same for every request: Boogie reads and type-checks Dafny's prelude,
starts z3 and sends it the prelude's axioms. Measured on one DafnyServer (Dafny 2.3, z3 4.8.12): a
trivial lemma costs 0.26 s of mono and 0.11 s of z3, the reference of a team task 0.30 + 0.22 s.
Candidates that only fill the target's body share that cost when each is a renamed copy of the
target in one program: 110 team candidates took 66 s one request each and 27 s in one request per
task (bench/dafny_rl_throughput.py measures it end to end).

Why a copy verifies only if the candidate alone does (`target_of` decides where this holds):
- The body changes nothing but its own implementation's proof obligations when no other part of
  the statement names the target (else the body could close a recursion through that member,
  whose termination check then depends on the body) and the target is a plain lemma or method (a
  function's body is visible to its callers; a constructor is called without its name; extreme
  lemmas get prefix lemmas).
- Each copy is named with a random nonce, and every mention of the target inside the copy (its own
  recursive calls) is renamed with it: a body cannot reach another candidate's copy, and its own
  recursion stays its own, with its termination check.
- What the statement holds around the target is verified once; its outcomes count for every
  candidate, as they would alone. The dialect bridge translates the batch as a whole, and some of
  its rewrites of the statement depend on the whole program (which functions compile): a
  batch holds only candidates that translate the statement alike alone (`statement_lines`), and
  one whose statement lines still come out otherwise in the batch is checked alone
  (`keeps_statement`); the target starts its own line, so no line mixes the two.
The verdict is still built from Dafny's own outcomes (`split`): a "Verifying X" block of the reply
belongs to the copy whose name X carries, or else to the statement, and each candidate's view holds
only its own blocks and the statement's. A reply that is not clean decides nothing: the verifier
then checks each candidate alone.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from .messages import DIAG, SERVER_DONE, SUMMARY, VERIFYING, strip_noise
from .syntax import Decl, code_tokens, parse, tokenize

_PLAIN_MODIFIERS = {"ghost", "static"}
# What `str.splitlines` (so `split`) breaks a reply's lines at, besides "\n" outside literals.
_ODD_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Batch:
    """One program holding a renamed copy of the target per candidate.

    `text` is the program before the dialect bridge; copy i spans lines `starts[i]` to
    `starts[i] + lines[i] - 1` and its names carry `suffixes[i]`.
    """

    text: str
    suffixes: tuple[str, ...]
    starts: tuple[int, ...]
    lines: tuple[int, ...]

    @property
    def copies_span(self) -> tuple[int, int]:
        """The copies' lines, first to one past the last; the statement's lines are around them."""
        return self.starts[0], self.starts[-1] + self.lines[-1]

    def solo_line(self, i: int, line: int) -> int | None:
        """Line `line` of the batch as a line of candidate i's own program (None: another copy's)."""
        first, end = self.copies_span
        if line < first:
            return line
        if line >= end:
            return line - (end - first) + self.lines[i]
        if self.starts[i] <= line < self.starts[i] + self.lines[i]:
            return line - self.starts[i] + first
        return None


@lru_cache(maxsize=1024)
def target_of(statement: str) -> Decl | None:
    """The target, when candidates of `statement` may share a request; None when they may not."""
    spec = parse(statement)
    if spec.errors or spec.junk:
        return None
    targets = [d for d in spec.walk() if d.is_callable and not d.has_body]
    if len(targets) != 1:
        return None
    target = targets[0]
    if target.keyword not in ("lemma", "method") or not set(target.modifiers) <= _PLAIN_MODIFIERS:
        return None
    # Its declaration is the one mention of the target the statement may hold.
    if sum(t.kind == "ident" and t.text == target.name for t in code_tokens(statement)) != 1:
        return None
    # It starts its line: no line holds both statement text and a copy (`keeps_statement`).
    if statement[statement.rfind("\n", 0, target.start) + 1 : target.start].strip():
        return None
    return target


def build(statement: str, target: Decl, programs: list[str], nonce: str | None = None) -> Batch:
    """The batch of the gate's assembled `programs` (each the statement with a body spliced after
    the target's header, `soundness._splice`): the statement with the target replaced by one
    renamed copy of each program's target."""
    nonce = nonce or secrets.token_hex(6)
    prefix, rest = statement[: target.start], statement[target.header_end :]
    indent = prefix[prefix.rfind("\n") + 1 :]
    first = prefix.count("\n") + 1
    copies, suffixes, starts, lines = [], [], [], []
    line = first
    for i, program in enumerate(programs):
        if not (program.startswith(prefix) and program.endswith(rest)):
            raise ValueError("a program is not the statement with the target's body spliced in")
        suffix = f"Bq{nonce}k{i}"
        copy = _rename(program[len(prefix) : len(program) - len(rest)], target.name, target.name + suffix)
        copies.append(copy if i == 0 else indent + copy)
        suffixes.append(suffix)
        starts.append(line)
        lines.append(copy.count("\n"))
        line += lines[-1]
    return Batch(prefix + "".join(copies) + rest, tuple(suffixes), tuple(starts), tuple(lines))


def prints_lines(candidate: str) -> bool:
    """Whether the candidate could print lines of its own into Dafny's reply: a line break in a
    literal (Dafny prints an `{:error "..."}` message as written, so a failing copy could print a
    `Verifying X ...` line and errors that `split` gives to the statement, that is to every batch
    mate), or a line break `str.splitlines` knows and Dafny may not. Such a candidate is checked
    alone, where what it prints can only fail itself."""
    return bool(_ODD_BREAKS.search(candidate)) or any(
        t.kind in ("string", "char", "error") and "\n" in t.text for t in tokenize(candidate))


def statement_lines(statement: str, target: Decl, program: str) -> tuple[str, ...]:
    """The lines of a candidate's translated `program` that hold the statement around its copy:
    candidates that agree on them may share a batch (`keeps_statement` checks the batch)."""
    lines = program.split("\n")
    before, after = statement[: target.start].count("\n"), statement[target.header_end :].count("\n") + 1
    return tuple(lines[:before] + lines[-after:])


def keeps_statement(batch: Batch, translated: str, own: str, i: int) -> bool:
    """Whether the statement's lines of the translated batch are those of candidate i's program
    translated alone (`own`). The dialect bridge decides some rewrites of the statement from the
    whole program (a plain function compiles when compiled code anywhere uses it), so a batch
    mate's body could change them; the copies' own lines are translated on their own text."""
    lines, own_lines = translated.split("\n"), own.split("\n")
    first, end = batch.copies_span
    if len(lines) - (end - first) + batch.lines[i] != len(own_lines):
        return False
    return all(lines[n - 1] == own_lines[batch.solo_line(i, n) - 1]
               for n in range(1, len(lines) + 1) if not first <= n < end)


def _rename(text: str, old: str, new: str) -> str:
    out, pos = [], 0
    for t in code_tokens(text):
        if t.kind == "ident" and t.text == old:
            out += [text[pos : t.start], new]
            pos = t.end
    return "".join(out) + text[pos:]


def split(output: str, batch: Batch, batch_line: Callable[[int], int]) -> list[str]:
    """Per copy, the lines of the reply that concern it, its names given back their own spelling.

    Kept for copy i: its own "Verifying" blocks and the statement's, every diagnostic before the
    first block that is not on another copy's lines (`batch_line` takes a reply line to a line of
    `batch.text`), and the server's end-of-request line. Dropped: Dafny's summary line, whose counts
    are the whole batch's (each view's counts are rebuilt from its own outcomes).
    """
    views: list[list[str]] = [[] for _ in batch.suffixes]
    owner: int | None = None  # the copy of the current "Verifying" block; None: the statement's
    in_block = False
    for ln in strip_noise(output.splitlines()):
        if SUMMARY.search(ln):
            continue
        if SERVER_DONE.match(ln):
            for view in views:
                view.append(ln)
            continue
        if m := VERIFYING.match(ln):
            in_block = True
            name = m.group("name")
            owner = next((i for i, s in enumerate(batch.suffixes) if name.endswith(s)), None)
        elif not in_block and (d := DIAG.match(ln)):
            copy = _copy_of(batch, batch_line(int(d.group("line"))))
            for i, view in enumerate(views):
                if copy is None or copy == i:
                    view.append(ln)
            continue
        for i, view in enumerate(views):
            if owner is None or owner == i:
                view.append(ln)
    return ["\n".join(view).replace(suffix, "") for view, suffix in zip(views, batch.suffixes)]


def _copy_of(batch: Batch, line: int) -> int | None:
    return next((i for i, (s, n) in enumerate(zip(batch.starts, batch.lines)) if s <= line < s + n), None)

