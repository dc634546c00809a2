r"""Dafny 4 → Dafny 2.3 dialect bridge: translate a Dafny-4 program into text that Dafny 2.3 accepts.

Tasks, models and benchmarks speak Dafny 4; the only Dafny here is 2.3. `to_dafny2` applies a few
textual rewrites, each one a *faithful* desugaring (the translated program has exactly the proof
obligations of the original under Dafny 4 semantics, or more; never fewer). Where a construct cannot
be translated faithfully it is left untouched so that Dafny 2.3 reports it as an error: an unrewritten
program can only fail, never verify by accident.

Rewrites (names as they appear in `Translation.rewrites`):

* `for_to` / `for_downto`: Dafny 4 `for` loops become the `while` loop of the Dafny reference
  manual's desugaring, with the implicit bounds invariant and bounds evaluated once.
* `ghost_function`: `ghost function|predicate` (Dafny 4) → `function|predicate` (ghost in 2.3).
* `function_method`: a plain `function|predicate` (compiled in Dafny 4) that compiled code uses →
  `function method|predicate method`.
* `least_greatest`: `least|greatest predicate|lemma` → `inductive …` / `copredicate` / `colemma`.
* `opaque_function`: `opaque function F` → `function {:opaque} F`.
* `unicode_literal`: Dafny 2.3 reads source bytes (`|"é"| == 2`, and `'é'` does not even parse);
  Dafny 4 reads characters. Every non-ASCII character in a string or char literal becomes the
  `\uXXXX` escape 2.3 reads as that one character, Dafny 4's `\U{XX}` escapes likewise, and a
  verbatim string `@"..."` holding one becomes an ordinary escaped string. A character outside the
  Basic Multilingual Plane is one character in Dafny 4 and cannot be one in 2.3: `BridgeRefusal`.

A statement whose meaning may depend on how wide `char` is (16-bit in 2.3, up to U+10FFFF in
Dafny 4) cannot be checked here at all: `char_width_dependence` says why, and the verifier answers
every candidate of such a task `error` (`task:char-width`).

Every rewrite keeps line breaks where they were (inserted text never contains a newline), so Dafny
2.3's messages point at the candidate's own lines; `Translation.line_map` is nevertheless computed
from the edits, so a future rewrite that adds lines keeps the mapping right.

The scan is tokenizer-aware: comments, string and character literals are masked out before any
pattern is matched, so nothing inside them is ever rewritten (lexing by `dafny_env.syntax`; the
structural scans below work on the masked text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .syntax import code_mask, matching_brace

__all__ = ["BRIDGE_VERSION", "BridgeRefusal", "Translation", "char_width_dependence", "to_dafny2"]

# Bump whenever a rewrite changes: it is part of the Dafny verdict-cache key.
BRIDGE_VERSION = 3  # 3: char-width refusal (issue 23)


class BridgeRefusal(ValueError):
    """The program uses something Dafny 2.3 cannot express faithfully (the message says what)."""


@dataclass
class Translation:
    """A Dafny 2.3 program translated from a Dafny 4 one.

    `line_map[k-1]` is the original (1-based) line that translated line k came from; `rewrites`
    names the rewrites that changed the text (in a fixed order, each at most once).
    """

    text: str
    line_map: list[int]
    rewrites: list[str] = field(default_factory=list)

    def original_line(self, line: int) -> int:
        """The candidate's own line for a line number Dafny 2.3 reported on `text` (clamped)."""
        if not self.line_map:
            return line
        if line < 1:
            return self.line_map[0]
        return self.line_map[min(line, len(self.line_map)) - 1]


# --------------------------------------------------------------------------------------------------
# Lexing: blank out comments and literals so that patterns only ever see code.

_IDENT_CHARS = re.compile(r"[A-Za-z0-9_'?]")


# --------------------------------------------------------------------------------------------------
# Small structural helpers over the masked text.

_WORD = r"[A-Za-z_][A-Za-z0-9_'?]*"


def _kw(word: str) -> str:
    """A regex for `word` as a whole Dafny token (identifiers may contain `'` and `?`)."""
    return rf"(?<![A-Za-z0-9_'?.]){word}(?![A-Za-z0-9_'?])"


# After one of these words (or an operator) a `{` starts a set display / attribute, not a block.
_EXPR_CONTINUES = {
    "in", "reads", "modifies", "requires", "ensures", "invariant", "decreases", "then", "else",
    "return", "assert", "assume", "yield", "returns", "to", "downto", "if", "while", "case",
    "new", "var", "const", "calc", "by", "forall", "exists", "old", "fresh", "unchanged", "not",
    "expect", "print", "match", "label", "reveal", "witness",
}
_DECL_WORDS = {
    "method", "function", "predicate", "lemma", "class", "datatype", "codatatype", "module",
    "const", "ghost", "type", "newtype", "iterator", "trait", "import", "static", "constructor",
    "inductive", "copredicate", "colemma", "least", "greatest", "twostate", "opaque", "include",
    "abstract", "export",
}


def _prev_token(mask: str, pos: int) -> str:
    """The significant token ending just before `pos`: a whole word, or a one/two-char operator."""
    j = pos - 1
    while j >= 0 and mask[j].isspace():
        j -= 1
    if j < 0:
        return ""
    if _IDENT_CHARS.match(mask[j]):
        k = j
        while k >= 0 and _IDENT_CHARS.match(mask[k]):
            k -= 1
        return mask[k + 1:j + 1]
    return mask[max(0, j - 1):j + 1] if j > 0 and not mask[j - 1].isspace() else mask[j]


def _opens_block(mask: str, pos: int) -> bool:
    """Whether the `{` at `pos` opens a statement/body block rather than a set display or attribute.

    Dafny does not allow juxtaposition, so a `{` right after a complete operand (identifier, literal,
    closing bracket, `|s|`, `seq<int>`) cannot continue the expression and must start the block.
    """
    if mask.startswith("{:", pos):
        return False  # attribute
    tok = _prev_token(mask, pos)
    if not tok:
        return True
    if _IDENT_CHARS.match(tok[-1]):
        return tok not in _EXPR_CONTINUES
    last = tok[-1]
    if last in ")]}\"'|":
        return not tok.endswith("||")
    if last == ">":
        return tok not in {"=>", "->", ">>"}
    if last == "*":
        # `decreases *` / `to *` are complete; any other `*` is a multiplication awaiting an operand.
        star = mask.rfind("*", 0, pos)
        return _prev_token(mask, star) in {"decreases", "to", "downto"}
    return False


_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _scan_expr(mask: str, pos: int, stop_words: set[str], stop_at_block: bool = True) -> int:
    """End (exclusive) of the expression/clause starting at `pos`.

    Stops, at bracket depth 0, before `;`, before a stop word, before a `{` that opens a block, or
    before a closing bracket that has no opener inside the clause.
    """
    depth = 0
    k = pos
    n = len(mask)
    while k < n:
        ch = mask[k]
        if depth == 0:
            if ch == ";":
                return k
            if ch == "{" and stop_at_block and _opens_block(mask, k):
                return k
            if ch in _CLOSERS:
                return k
            if _IDENT_CHARS.match(ch) and (k == 0 or not _IDENT_CHARS.match(mask[k - 1])):
                m = re.compile(_WORD).match(mask, k)
                if m and m.group(0) in stop_words and mask[k - 1:k] != ".":
                    return k
                if m:
                    k = m.end()
                    continue
        if ch in "([{":
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
        k += 1
    return n


def _body_span(mask: str, pos: int) -> tuple[int, int] | None:
    """(open, close) of the body block of the declaration whose signature starts at `pos`.

    None for a body-less declaration: the scan stops at the next declaration keyword at depth 0.
    """
    depth = 0
    k = pos
    n = len(mask)
    word = re.compile(_WORD)
    while k < n:
        ch = mask[k]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "{":
            if depth == 0 and _opens_block(mask, k):
                close = matching_brace(mask, k)
                return (k, close) if close >= 0 else None
            close = matching_brace(mask, k)
            if close < 0:
                return None
            k = close
        elif ch == "}" and depth <= 0:
            return None
        elif depth == 0 and _IDENT_CHARS.match(ch) and not _IDENT_CHARS.match(mask[k - 1] if k else " "):
            m = word.match(mask, k)
            if m:
                if m.group(0) in _DECL_WORDS and mask[k - 1:k] != ".":
                    return None
                k = m.end()
                continue
        k += 1
    return None


# --------------------------------------------------------------------------------------------------
# Edits.


@dataclass
class _Edit:
    start: int
    end: int
    text: str


def _apply(text: str, edits: list[_Edit]) -> tuple[str, list[int]]:
    """Apply non-overlapping edits; return the new text and its line map to `text`'s lines."""
    edits = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(edits, edits[1:]):
        if b.start < a.end:
            raise AssertionError(f"overlapping dialect edits at {a.start}-{a.end} and {b.start}-{b.end}")
    pieces: list[str] = []
    line_map: list[int] = []
    cur_line = 1  # original line of the text being emitted
    last = 0

    def emit(chunk: str, original_lines: list[int]) -> None:
        pieces.append(chunk)
        line_map.extend(original_lines)

    # Each translated line maps to the original line on which it starts.
    def emit_original(a: int, b: int) -> None:
        nonlocal cur_line
        chunk = text[a:b]
        nl = chunk.count("\n")
        emit(chunk, [cur_line + i + 1 for i in range(nl)])
        cur_line += nl

    for e in edits:
        emit_original(last, e.start)
        emit(e.text, [cur_line] * e.text.count("\n"))
        cur_line += text.count("\n", e.start, e.end)
        last = e.end
    emit_original(last, len(text))
    out = "".join(pieces)
    return out, [1] + line_map[: out.count("\n")]


# --------------------------------------------------------------------------------------------------
# Rewrite: for loops.
#
# Semantics (Dafny reference manual, "For Loops"): `for i := lo to hi LoopSpec { Body }` evaluates lo
# and hi once, checks lo <= hi, and runs Body with i = lo, lo+1, ..., hi-1, where i is immutable in
# Body; LoopSpec holds at the loop head for i = lo, ..., hi together with the implicit invariant
# lo <= i <= hi, and after the loop LoopSpec[i := hi] is known (i itself is out of scope). That is
# exactly
#     { var L := lo; var H := hi; var i := L;
#       while i < H invariant L <= i <= H LoopSpec { { Body } i := i + 1; } }
# (the entry check of the implicit invariant is the `lo <= hi` check; the guard gives decreases
# H - i). Both bounds are evaluated, in order, before the index is declared: in `for i := 0 to i`
# the bound is the outer `i`. `downto` iterates i = hi-1 down to lo, decrementing first:
#     { var H := hi; var L := lo; var i := H;
#       while L < i invariant L <= i <= H LoopSpec { i := i - 1; { Body } } }
# Cases translated differently would be weaker or different, so they are left alone (2.3 then
# rejects the `for`): a `continue` in the body (it would skip the increment), any assignment to the
# index in the body (Dafny 4 rejects it; a `while` would accept it), `to *` (unbounded), no body.

_FOR_HEAD = re.compile(_kw("for") + r"\s+(?P<idx>" + _WORD + r")\s*(?::(?P<type>[^=;{}]*?))?\s*:=")
_LOOP_SPEC_WORDS = {"invariant", "decreases", "modifies"}
_LHS_BOUNDARY = re.compile(r"[;{}]|=>|" + _kw("(?:then|else)"))


def _assigns(mask_body: str, name: str) -> bool:
    """Whether `name` may be assigned (or re-declared) anywhere in `mask_body`: conservative.

    Looks at the left-hand side of every `:=` / `:|` (back to the previous `;`, `{`, `}` or `=>`),
    ignoring what is inside brackets (`a[i] := …` only reads i). Shadowing declarations count too.
    """
    name_re = re.compile(_kw(re.escape(name)))
    for m in re.finditer(r":=|:\|", mask_body):
        seg_start = 0
        for b in _LHS_BOUNDARY.finditer(mask_body, 0, m.start()):
            seg_start = b.end()
        lhs = mask_body[seg_start:m.start()]
        if re.match(r"\s*var\b", lhs) and name_re.search(lhs):
            return True  # also `var (a, i) := ...`: a shadowing declaration, even inside a pattern
        # Drop bracketed parts (indices, call arguments) from the left-hand side.
        prev = None
        while prev != lhs:
            prev = lhs
            lhs = re.sub(r"\[[^\[\]]*\]|\([^()]*\)", " ", lhs)
        if name_re.search(lhs):
            return True
    return False


def _fresh(base: str, taken: set[str]) -> str:
    k = 0
    while f"{base}{k}" in taken:
        k += 1
    taken.add(f"{base}{k}")
    return f"{base}{k}"


def _bound_ref(text: str, prefix: str, taken: set[str], decl: Callable[[str], str]) -> tuple[str, str]:
    """How the translated loop refers to a bound: the literal itself, or a fresh variable declared by
    `decl(name)`; returns (reference, declaration)."""
    if _is_int_literal(text):
        return text, ""
    ref = _fresh(prefix, taken)
    return ref, " " + decl(ref)


def _is_int_literal(expr: str) -> bool:
    return re.fullmatch(r"\s*-?\s*\d+\s*", expr) is not None


def _for_loop_edits(text: str, mask: str, taken: set[str]) -> tuple[list[_Edit], list[str]]:
    edits: list[_Edit] = []
    applied: list[str] = []
    for m in _FOR_HEAD.finditer(mask):
        idx = m.group("idx")
        if idx in _DECL_WORDS or idx in _EXPR_CONTINUES:
            continue
        lo_start = m.end()
        lo_end = _scan_expr(mask, lo_start, {"to", "downto"}, stop_at_block=False)
        direction_m = re.compile(r"\s*(to|downto)\b").match(mask, lo_end)
        if lo_end >= len(mask) or not direction_m or not mask[lo_start:lo_end].strip():
            continue
        direction = direction_m.group(1)
        hi_start = direction_m.end()
        spec_start = _scan_expr(mask, hi_start, _LOOP_SPEC_WORDS)
        hi = mask[hi_start:spec_start].strip()
        if not hi or hi == "*":
            continue
        # The edit ends right after the bound, so the line breaks before the loop specs stay.
        hi_end = hi_start + len(mask[hi_start:spec_start].rstrip())
        # Loop specs, then the body.
        k = spec_start
        while True:
            sm = re.compile(r"\s*(" + "|".join(_LOOP_SPEC_WORDS) + r")\b").match(mask, k)
            if not sm:
                break
            k = _scan_expr(mask, sm.end(), _LOOP_SPEC_WORDS)
        bm = re.compile(r"\s*\{").match(mask, k)
        if not bm:
            continue
        body_open = bm.end() - 1
        body_close = matching_brace(mask, body_open)
        if body_close < 0:
            continue
        body = mask[body_open + 1:body_close]
        if re.search(_kw("continue"), body) or _assigns(body, idx):
            continue
        typ = f": {m.group('type').strip()}" if m.group("type") and m.group("type").strip() else ""
        first_text = text[lo_start:lo_end].strip()
        second_text = text[hi_start:hi_end].strip()
        # Dafny 4 evaluates both bounds, in order, before the index exists: `for i := 0 to i`
        # means the outer `i`. So each bound goes into a fresh variable (of the index's type, as
        # Dafny 4 types them) before the index is declared; integer literals need none.
        first_ref, first_decl = _bound_ref(first_text, "for_b", taken, lambda v: f"var {v}{typ} := {first_text};")
        second_ref, second_decl = _bound_ref(second_text, "for_b", taken, lambda v: f"var {v}{typ} := {second_text};")
        bounds = f"{first_decl}{second_decl}".strip()
        bounds = f"{bounds} " if bounds else ""
        if direction == "to":
            lo_ref, hi_ref = first_ref, second_ref
            head = (f"{{ {bounds}var {idx}{typ} := {lo_ref}; "
                    f"while {idx} < {hi_ref} invariant {lo_ref} <= {idx} <= {hi_ref}")
            edits.append(_Edit(m.start(), hi_end, head))
            # The body keeps its own block, so a declaration in it that shadows the index cannot
            # capture the increment.
            edits.append(_Edit(body_open, body_open + 1, "{ {"))
            edits.append(_Edit(body_close, body_close + 1, f"}} {idx} := {idx} + 1; }} }}"))
            applied.append("for_to")
        else:
            # `for i := hi downto lo`: the first expression is the upper bound.
            hi_ref, lo_ref = first_ref, second_ref
            head = (f"{{ {bounds}var {idx}{typ} := {hi_ref}; "
                    f"while {lo_ref} < {idx} invariant {lo_ref} <= {idx} <= {hi_ref}")
            edits.append(_Edit(m.start(), hi_end, head))
            edits.append(_Edit(body_open, body_open + 1, f"{{ {idx} := {idx} - 1; {{"))
            edits.append(_Edit(body_close, body_close + 1, "} } }"))
            applied.append("for_downto")
    return edits, applied


# --------------------------------------------------------------------------------------------------
# Rewrites: function declarations.
#
# `ghost function` (Dafny 4) means what a plain `function` means in 2.3: drop `ghost`. A plain
# Dafny-4 `function` is compiled; in 2.3 that is `function method`. Ghost vs compiled never changes a
# proof obligation (the function's definition axiom, its well-formedness and termination checks are
# the same); it only decides which programs resolve: a ghost function may not be called from compiled
# code, a compiled one must have a compilable body. Either choice can therefore only turn a program
# into a resolution error, never make a false spec verify. We compile exactly the plain functions
# that compiled code uses (method bodies outside assertions/invariants, non-ghost consts, and bodies
# of functions compiled in turn), because 2.3's compilability check is stricter than Dafny 4's (e.g.
# bound discovery for quantifiers) and compiling a spec-only function would reject programs that
# Dafny 4 accepts. The one case this accepts and Dafny 4 rejects: an uncompilable plain function that
# no compiled code calls — a compilation defect, not a logical one (`dafny verify` in Dafny 4 reports
# it; proofs and specs are unaffected).
# A program that already uses `function method` is in the Dafny 2/3 dialect, where plain functions are
# ghost: its functions are left as they are.

_FUNC_DECL = re.compile(
    r"(?P<mods>(?:" + _kw(r"(?:ghost|static|opaque|protected|abstract)") + r"\s+)*)"
    + _kw(r"(?P<kw>function|predicate)")
    + r"(?P<method>\s+method\b)?"
    + r"(?P<attrs>(?:\s*\{:[^{}]*\})*)\s*(?P<name>" + _WORD + r")"
)
_LEAST_GREATEST = re.compile(_kw(r"(?P<which>least|greatest)") + r"(?P<sp>\s+)" + _kw(r"(?P<kw>predicate|lemma)"))
_METHOD_DECL = re.compile(
    r"(?P<mods>(?:" + _kw(r"(?:ghost|static|protected|abstract)") + r"\s+)*)"
    + _kw(r"(?P<kw>method|constructor)") + r"(?:\s*\{:[^{}]*\})*\s*(?P<name>" + _WORD + r")?"
)
_GHOST_CONST = re.compile(_kw("ghost") + r"\s+(?:" + _kw("static") + r"\s+)?$")
_CONST_DECL = re.compile(_kw("const") + r"[^\n]*?:=(?P<init>[^\n]*)")
_SPEC_STMT = re.compile(_kw(r"(?P<kw>assert|assume|invariant|decreases|modifies|calc|reveal|ghost)"))


def _ghost_regions(mask: str, a: int, b: int) -> list[tuple[int, int]]:
    """Spec-only parts of the compiled code in mask[a:b]: asserts, loop specs, calc, ghost vars."""
    regions = []
    k = a
    while True:
        m = _SPEC_STMT.search(mask, k, b)
        if not m:
            return regions
        kw = m.group("kw")
        end = m.end()
        if kw == "calc":
            brace = mask.find("{", end, b)
            close = matching_brace(mask, brace) if brace >= 0 else -1
            end = close + 1 if close >= 0 else b
        elif kw == "ghost":
            end = _scan_expr(mask, end, set(), stop_at_block=False)
        elif kw in ("assert", "assume"):
            end = _scan_expr(mask, end, set())
            by = re.compile(r"\s*by\s*\{").match(mask, end)
            if by:
                close = matching_brace(mask, by.end() - 1)
                end = close + 1 if close >= 0 else b
        else:
            end = _scan_expr(mask, end, _LOOP_SPEC_WORDS)
        regions.append((m.start(), min(end, b)))
        k = max(end, m.end())


def _compiled_functions(mask: str, funcs: dict[str, list[tuple[int, int]]]) -> set[str]:
    """Names of plain functions that compiled code reaches (see the comment above)."""
    pieces: list[str] = []
    for m in _METHOD_DECL.finditer(mask):
        # `function method` bodies are handled with the functions; ghost methods are not compiled.
        if re.search(_kw("ghost"), m.group("mods") or "") or _prev_token(mask, m.start()) in {"function", "predicate"}:
            continue
        span = _body_span(mask, m.end())
        if not span:
            continue
        a, b = span
        chars = list(mask[a:b + 1])
        for ra, rb in _ghost_regions(mask, a, b + 1):
            chars[ra - a:rb - a] = " " * (rb - ra)
        pieces.append("".join(chars))
    for m in _CONST_DECL.finditer(mask):
        if not _GHOST_CONST.search(mask[max(0, m.start() - 40):m.start()]):
            pieces.append(m.group("init"))
    compiled: set[str] = set()
    frontier = " ".join(pieces)
    while True:
        new = {name for name in funcs if name not in compiled and re.search(_kw(re.escape(name)), frontier)}
        if not new:
            return compiled
        compiled |= new
        frontier = " ".join(mask[a:b + 1] for name in new for a, b in funcs[name])


def _function_edits(mask: str) -> tuple[list[_Edit], list[str]]:
    edits: list[_Edit] = []
    applied: list[str] = []
    decls = list(_FUNC_DECL.finditer(mask))
    dafny3_dialect = any(d.group("method") for d in decls)
    plain: dict[str, list[tuple[int, int]]] = {}
    plain_decls = []
    for d in decls:
        mods = d.group("mods") or ""
        # `least predicate`, `inductive predicate`, `twostate function`, ... are never compiled.
        before = _prev_token(mask, d.start())
        is_ghost = re.search(_kw("ghost"), mods) is not None
        if is_ghost:
            gm = re.search(_kw("ghost") + r"\s+", mods)
            edits.append(_Edit(d.start() + gm.start(), d.start() + gm.end(), ""))
            applied.append("ghost_function")
        opaque = re.search(_kw("opaque") + r"\s+", mods)
        if opaque:
            edits.append(_Edit(d.start() + opaque.start(), d.start() + opaque.end(), ""))
            applied.append("opaque_function")
        if is_ghost or d.group("method") or dafny3_dialect or before in {
            "least", "greatest", "inductive", "co", "twostate"
        }:
            if opaque:
                edits.append(_Edit(d.end("kw"), d.end("kw"), " {:opaque}"))
            continue
        span = _body_span(mask, d.end())
        if span:
            plain.setdefault(d.group("name"), []).append(span)
        plain_decls.append(d)
    compiled = _compiled_functions(mask, plain)
    for d in plain_decls:
        opaque = re.search(_kw("opaque"), d.group("mods") or "")
        insert = (" method" if d.group("name") in compiled else "") + (" {:opaque}" if opaque else "")
        if d.group("name") in compiled:
            applied.append("function_method")
        if insert:
            edits.append(_Edit(d.end("kw"), d.end("kw"), insert))
    for m in _LEAST_GREATEST.finditer(mask):
        which, kw = m.group("which"), m.group("kw")
        new = {("least", "predicate"): "inductive predicate", ("least", "lemma"): "inductive lemma",
               ("greatest", "predicate"): "copredicate", ("greatest", "lemma"): "colemma"}[(which, kw)]
        edits.append(_Edit(m.start(), m.end(), new))
        applied.append("least_greatest")
    return edits, applied


# --------------------------------------------------------------------------------------------------

_REWRITE_ORDER = ["for_to", "for_downto", "ghost_function", "function_method", "least_greatest", "opaque_function",
                  "unicode_literal"]


def _escape_code(code: int, shown: str) -> str:
    if code > 0xFFFF:
        raise BridgeRefusal(f"non-ascii: {shown} (U+{code:X}) is one character in Dafny 4 and cannot be one in Dafny 2.3")
    if 0xD800 <= code <= 0xDFFF:
        raise BridgeRefusal(f"non-ascii: {shown} is not a Unicode scalar value")
    return f"\\u{code:04x}"


_ESCAPE = re.compile(r"\\(?:U\{(?P<code>[0-9A-Fa-f_]{1,8})\}|.)", re.S)


def _escaped_body(body: str) -> str:
    """A literal's body with every non-ASCII character and every `\\U{..}` as `\\uXXXX`."""
    out, pos = [], 0
    for m in _ESCAPE.finditer(body):
        out.append("".join(c if c.isascii() else _escape_code(ord(c), repr(c)) for c in body[pos:m.start()]))
        code = m.group("code")
        out.append(_escape_code(int(code.replace("_", ""), 16), m.group()) if code else m.group())
        pos = m.end()
    out.append("".join(c if c.isascii() else _escape_code(ord(c), repr(c)) for c in body[pos:]))
    return "".join(out)


def _literal_edits(program: str) -> list[_Edit]:
    """Escape what Dafny 2.3 would read differently in string and char literals (`unicode_literal`)."""
    from .syntax import tokenize

    edits = []
    for t in tokenize(program):
        if t.kind not in ("string", "char") or (t.text.isascii() and "\\U{" not in t.text):
            continue
        if t.text.startswith("@"):
            verbatim = t.text[2:-1].replace('""', '"')
            body = verbatim.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            new = '"' + _escaped_body(body) + '"'
        else:
            new = t.text[0] + _escaped_body(t.text[1:-1]) + t.text[-1]
        edits.append(_Edit(t.start, t.end, new))
    return edits


def to_dafny2(program: str) -> Translation:
    """Translate a Dafny 4 program into Dafny 2.3 syntax (see the module docstring).

    Programs already in the 2.3 dialect come back unchanged (`rewrites == []`, identity line map).
    Raises `BridgeRefusal` for what 2.3 cannot express faithfully.
    """
    mask = code_mask(program)
    taken = set(re.findall(_WORD, mask))
    for_edits, for_names = _for_loop_edits(program, mask, taken)
    fn_edits, fn_names = _function_edits(mask)
    lit_edits = _literal_edits(program)
    edits = for_edits + fn_edits + lit_edits
    names = set(for_names) | set(fn_names) | ({"unicode_literal"} if lit_edits else set())
    if not edits:
        return Translation(program, list(range(1, program.count("\n") + 2)), [])
    text, line_map = _apply(program, edits)
    return Translation(text, line_map, [r for r in _REWRITE_ORDER if r in names])


_HIGH_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")


def char_width_dependence(statement: str) -> str | None:
    r"""Why the meaning of `statement` (Dafny 4) may depend on the width of `char`, or None.

    Dafny 2.3's `char` is a UTF-16 code unit (0 to 0xFFFF, surrogates included); Dafny 4's is a
    Unicode scalar value (up to 0x10FFFF, no surrogates). `lemma CharBound(c: char) ensures c as
    int < 0x10000` is false in Dafny 4 and `{}` proves it on 2.3. The two agree on every fact that
    does not relate a char to a number or to a char at or above U+D800: a statement counts as
    dependent when it converts (`as`, to any type) and mentions `char`, `string` or a char literal,
    or when a literal holds a character at or above U+D800 (after translation). Only the statement
    is judged: when its truth is the same at both widths, a 2.3 proof of it is a proof of its
    Dafny 4 meaning, whatever the proof itself does with chars. (Not caught: a sentence that
    counts the 10 240 chars above U+D7FF by naming each; no task does.)
    """
    from .syntax import tokenize

    try:
        text = _apply(statement, _literal_edits(statement))[0]
    except BridgeRefusal:
        return None  # not translatable at all: the bridge itself says so (`task:bridge`)
    toks = [t for t in tokenize(text) if t.kind != "comment"]
    for t in toks:
        if t.kind in ("string", "char"):
            for m in _HIGH_ESCAPE.finditer(t.text):
                if int(m.group(1), 16) >= 0xD800:
                    return (f"the literal {t.text[:40]} holds U+{m.group(1).upper()}: what holds of chars that high "
                            "differs between Dafny 2.3 (16-bit char) and Dafny 4")
    if not any(t.kind == "char" or t.text in ("char", "string") for t in toks):
        return None
    for k, t in enumerate(toks):
        if t.text == "as" and t.kind == "ident" and k + 1 < len(toks):  # a newtype of int too
            return (f"`as {toks[k + 1].text}` beside chars: a char's number ranges to 0xFFFF on Dafny 2.3 and "
                    "to 0x10FFFF in Dafny 4, so the statement may mean something else here")
    return None
