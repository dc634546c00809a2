"""Dafny source structure: a lexer that knows comments and literals, and a declaration parser.

Hand-written because no maintained Python parser for Dafny exists; it is not a full grammar. It
finds what the soundness gate and the benchmark builders need: every declaration (top level and
nested in modules, classes, traits, datatypes), its header (signature + spec clauses) and its body
span. Where it cannot tell what a piece of text is, it says so (`Program.junk`, `Program.errors`)
instead of guessing, so callers can fail closed.

Accepts Dafny 2/3 (`function method`, `inductive`, `copredicate`, clause-ending `;`) and Dafny 4
(`ghost function`, `opaque`, `by method`, `least`/`greatest`, `for` loops) spellings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Sequence

# Bump whenever what the parser reads changes: it is part of the Dafny verdict-cache key.
PARSER_VERSION = 3

# --- lexer -------------------------------------------------------------------------------------

# Longest operators first; anything else is a one-character punctuation token.
_OPERATORS = sorted(
    ["...", "<==>", "==>", "<==", "==", "!=", "<=", ">=", "&&", "||", "::", ":=", ":|", "..", "=>", "->", "<-", "!!", "#["],
    key=len,
    reverse=True,
)
_IDENT_RE = re.compile(r"[A-Za-z_?\\][A-Za-z0-9_?'\\]*")
_NUMBER_RE = re.compile(r"0x[0-9A-Fa-f_]+|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?")
_LINE_END = re.compile(r"[\r\n]")
_CHAR_RE = re.compile(r"'(?:\\u[0-9A-Fa-f]{4}|\\U\{[0-9A-Fa-f_]{1,8}\}|\\.|[^'\\\r\n])'")


@dataclass(frozen=True)
class Token:
    """One lexeme: `kind` is ident, number, string, char, comment, punct, or error."""

    kind: str
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split Dafny source into tokens; whitespace is dropped, comments are kept as tokens.

    Block comments nest (as in Dafny's scanner). An unterminated comment or string becomes an
    `error` token that runs to the end of the line (string) or file (comment).
    """
    toks: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace() or c == "\ufeff":  # a byte-order mark is whitespace to Dafny's reader
            i += 1
            continue
        if text.startswith("//", i):
            # Dafny ends a line comment at `\r` as well as at `\n` (measured on 2.3): what
            # follows a lone carriage return is code.
            m = _LINE_END.search(text, i)
            j = m.start() if m else n
            toks.append(Token("comment", text[i:j], i, j))
            i = j
            continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            toks.append(Token("comment" if depth == 0 else "error", text[i:j], i, j))
            i = j
            continue
        if c == '"' or (c == "@" and text.startswith('@"', i)):
            j = _string_end(text, i)
            kind = "string" if j > 0 else "error"
            if j < 0:
                j = text.find("\n", i)
                j = n if j < 0 else j
            toks.append(Token(kind, text[i:j], i, j))
            i = j
            continue
        if c == "'":
            m = _CHAR_RE.match(text, i)
            if m:
                toks.append(Token("char", m.group(), i, m.end()))
                i = m.end()
                continue
        m = _IDENT_RE.match(text, i)
        if m:
            toks.append(Token("ident", m.group(), i, m.end()))
            i = m.end()
            continue
        m = _NUMBER_RE.match(text, i)
        if m:
            toks.append(Token("number", m.group(), i, m.end()))
            i = m.end()
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                toks.append(Token("punct", op, i, i + len(op)))
                i += len(op)
                break
        else:
            toks.append(Token("punct", c, i, i + 1))
            i += 1
    return toks


def _string_end(text: str, i: int) -> int:
    """End offset of the string literal starting at `i` (`"..."` or verbatim `@"..."`), -1 if open."""
    n = len(text)
    if text[i] == "@":
        j = i + 2
        while j < n:
            if text[j] == '"':
                if j + 1 < n and text[j + 1] == '"':
                    j += 2
                    continue
                return j + 1
            j += 1
        return -1
    j = i + 1
    while j < n:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == '"':
            return j + 1
        if ch in "\r\n":
            return -1
        j += 1
    return -1


def code_tokens(text: str) -> list[Token]:
    """Tokens that are code: comments removed (strings and chars are kept, as literals)."""
    return [t for t in tokenize(text) if t.kind != "comment"]


# --- declarations ------------------------------------------------------------------------------

CALLABLES = ("method", "lemma", "function", "predicate", "constructor", "iterator")
CONTAINERS = ("module", "class", "trait")
_TYPE_DECLS = ("datatype", "codatatype", "type", "newtype")  # may carry a `{ members }` block
_PLAIN_DECLS = ("const", "var", "import", "export", "include")
DECL_KEYWORDS = CALLABLES + CONTAINERS + _TYPE_DECLS + _PLAIN_DECLS + ("copredicate", "colemma")
# Modifiers that only count as such when a declaration keyword (or another modifier) follows them:
# several are ordinary identifiers in older Dafny.
MODIFIERS = ("ghost", "static", "abstract", "opaque", "twostate", "least", "greatest", "inductive", "protected", "replaceable")

# After one of these a `{` continues an expression (set display, `then {...}`, `reads {}` ...);
# after anything else at clause level it opens a body.
_OPERAND_EXPECTING_WORDS = frozenset(
    "requires ensures reads modifies decreases invariant in then else if calc var assert assume expect "
    "by yields returns witness multiset iset set case return not forall exists old fresh new yield modify "
    "reveal print label while".split()
)
_CLAUSE_WORDS = ("requires", "ensures", "reads", "modifies", "decreases", "invariant", "yield")


def is_attribute_open(toks: list[Token], i: int) -> bool:
    """True where `{:` starts an attribute (Dafny lexes `{:` as one token; we need adjacency)."""
    return (
        toks[i].text == "{"
        and i + 1 < len(toks)
        and toks[i + 1].start == toks[i].end
        and toks[i + 1].text.startswith(":")
    )


def code_mask(text: str) -> str:
    """`text` with every comment and the inside of every string/char literal replaced by spaces.

    Same length and same line breaks as `text`, so offsets and line numbers carry over; the literals'
    delimiters stay, so a literal still reads as an operand. Lexing is `tokenize`
    (nested block comments, verbatim strings, `x'` identifiers); an unterminated comment or string is
    masked to where the lexer ends it (Dafny rejects such a program anyway).
    """
    out = list(text)
    for tok in tokenize(text):
        if tok.kind == "comment" or tok.kind == "error":
            a, b = tok.start, tok.end
        elif tok.kind in ("string", "char"):
            a, b = tok.start + (2 if tok.text.startswith("@") else 1), tok.end - 1
        else:
            continue
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "
    return "".join(out)


def matching_brace(items: Sequence[Token] | str, i: int) -> int:
    """Index of the `}` that closes the `{` at `i`, or -1 when it is never closed.

    `items` is a token list, or a string already passed through `code_mask` (so braces inside
    comments and literals are gone).
    """
    depth = 0
    for j in range(i, len(items)):
        t = items[j] if isinstance(items, str) else items[j].text
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                return j
    return -1


def brace_opens_body(toks: list[Token], i: int) -> bool:
    """At clause level, does the `{` at `i` open a body/block (True) or an expression (False)?

    The previous token decides: after an operator, `(`/`,`, or a word such as `ensures`/`then`/`in`,
    a brace is a set display or similar; after an operand (`)`, a name, a literal, `;`) it is a block.
    A brace followed by `case` is a `match` block, whatever precedes it.
    """
    if i + 1 < len(toks) and toks[i + 1].text == "case":
        return False
    return i == 0 or ends_operand(toks, i - 1)


_TYPE_TOKENS = frozenset("< > , ? ( ) [ ] .".split())


def closes_type_arguments(toks: list[Token], k: int) -> bool:
    """Is the `>` at `k` the end of type arguments (`seq<int>`), not a comparison (`s > {}`)?"""
    depth, j = 0, k
    while j >= 0:
        t = toks[j]
        if t.text == ">":
            depth += 1
        elif t.text == "<":
            depth -= 1
            if depth == 0:
                return j > 0 and toks[j - 1].kind == "ident"
        elif t.kind != "ident" and t.kind != "number" and t.text not in _TYPE_TOKENS:
            return False
        elif t.kind == "ident" and t.text in _OPERAND_EXPECTING_WORDS:
            return False
        j -= 1
    return False


def ends_operand(toks: list[Token], k: int) -> bool:
    """Can token `k` be the last token of a complete expression or clause?"""
    p = toks[k]
    if p.kind in ("number", "string", "char"):
        return True
    if p.kind == "ident":  # `f.requires`, `f.reads` are member names, not clause keywords
        return p.text not in _OPERAND_EXPECTING_WORDS or (k >= 1 and toks[k - 1].text == ".")
    if p.text in (")", "]", "}", ";", "..."):  # `...`: refinement ellipsis, `class C ... {`
        return True
    if p.text == ">":  # `f(): seq<int> {` ends a type; `requires s > {}` compares with a set
        return closes_type_arguments(toks, k)
    if p.text == "|":  # closing bar of `|s|` (after an operand), not an opening one (after `==`)
        return k >= 1 and ends_operand(toks, k - 1)
    if p.text == "*":  # `decreases *`, `reads *`, `modifies *` end a clause; `a * {..}` is an operand
        return k >= 1 and (toks[k - 1].text in _CLAUSE_WORDS or toks[k - 1].text == ",")
    return False


@dataclass(frozen=True)
class Attribute:
    """`{:name args}` with its character span."""

    name: str
    text: str
    start: int
    end: int

    @property
    def args(self) -> str:
        return self.text[2 + len(self.name) : -1].strip()


@dataclass
class Decl:
    """One declaration.

    `start`..`header_end` is the header (modifiers, keyword, attributes, name, signature and spec
    clauses); `body_start`..`body_end` is the body including its braces (for functions also a
    trailing `by method { ... }`), or both -1 when there is none. Containers (modules, classes,
    traits, datatypes with members) list their members in `children`; their "body" is the member
    block.
    """

    keyword: str
    modifiers: tuple[str, ...]
    name: str
    qualname: str
    start: int
    header_end: int
    body_start: int = -1
    body_end: int = -1
    attributes: list[Attribute] = field(default_factory=list)
    children: list["Decl"] = field(default_factory=list)
    method_suffix: bool = False  # Dafny 2/3 `function method` / `predicate method`

    @property
    def kind(self) -> str:
        """The declaration as written, e.g. `ghost function`, `function method`, `least lemma`."""
        return " ".join(self.modifiers + (self.keyword,) + (("method",) if self.method_suffix else ()))

    @property
    def base(self) -> str:
        """lemma/method/function/predicate/... with Dafny-2 spellings folded in."""
        return {"copredicate": "predicate", "colemma": "lemma"}.get(self.keyword, self.keyword)

    @property
    def has_body(self) -> bool:
        return self.body_start >= 0

    @property
    def is_callable(self) -> bool:
        return self.base in CALLABLES

    def header(self, text: str) -> str:
        return text[self.start : self.header_end]

    def body(self, text: str) -> str:
        return text[self.body_start : self.body_end] if self.has_body else ""

    def walk(self) -> Iterator["Decl"]:
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class Program:
    """A parsed source: declarations plus what could not be understood."""

    text: str
    tokens: list[Token]  # code tokens only (no comments)
    decls: list[Decl]
    junk: list[Token]  # tokens at declaration level that start no declaration
    errors: list[str]  # unterminated comments/strings/braces

    def walk(self) -> Iterator[Decl]:
        for d in self.decls:
            yield from d.walk()

    def by_qualname(self) -> dict[str, list[Decl]]:
        out: dict[str, list[Decl]] = {}
        for d in self.walk():
            out.setdefault(d.qualname, []).append(d)
        return out


def position(text: str, offset: int) -> str:
    """`line L, column C` of a character offset, both counted from 1 (as in every verdict message)."""
    line_start = text.rfind("\n", 0, offset) + 1
    return f"line {text.count(chr(10), 0, offset) + 1}, column {offset - line_start + 1}"


def parse(text: str) -> Program:
    """Parse a Dafny program into declarations (never raises on malformed input)."""
    all_toks = tokenize(text)
    errors = [f"unterminated {'comment' if t.text.startswith('/*') else 'string'} at {position(text, t.start)}"
              for t in all_toks if t.kind == "error"]
    toks = [t for t in all_toks if t.kind not in ("comment", "error")]
    parser = _Parser(text, toks)
    decls = parser.decls(0, len(toks), "")
    return Program(text, toks, decls, parser.junk, errors + parser.errors)


def constructors(text: str, d: Decl) -> list[str]:
    """The constructor names of datatype `d` (attributes and `ghost` skipped): `A` and `B` of
    `datatype D<T> = {:attr} A(x: T) | ghost B`."""
    toks = [t for t in code_tokens(text[d.start:d.header_end])]
    eq = next((k for k, t in enumerate(toks) if t.text == "="), None)
    if eq is None:
        return []
    names, depth, expect = [], 0, True
    k = eq + 1
    while k < len(toks):
        tx = toks[k].text
        if is_attribute_open(toks, k):
            j = matching_brace(toks, k)
            k = len(toks) if j < 0 else j + 1
            continue
        if tx in ("(", "[", "<"):
            depth += 1
        elif tx in (")", "]", ">"):
            depth -= 1
        elif depth == 0 and tx == "|":
            expect = True
        elif expect and depth == 0 and toks[k].kind == "ident" and tx != "ghost":
            names.append(tx)
            expect = False
        k += 1
    return names


class _Parser:
    def __init__(self, text: str, toks: list[Token]):
        self.text = text
        self.toks = toks
        self.junk: list[Token] = []
        self.errors: list[str] = []

    def _is_decl_start(self, i: int, end: int) -> bool:
        """Does a declaration begin at token `i` (modifiers included)?"""
        toks = self.toks
        while i < end and toks[i].text in MODIFIERS and toks[i].kind == "ident":
            i += 1
        return i < end and toks[i].kind == "ident" and toks[i].text in DECL_KEYWORDS

    def _skip_attr(self, i: int) -> int:
        j = matching_brace(self.toks, i)
        return len(self.toks) if j < 0 else j + 1

    def _attribute(self, i: int) -> tuple[Attribute, int]:
        toks = self.toks
        j = self._skip_attr(i)
        name_tok = toks[i + 2] if i + 2 < len(toks) and toks[i + 1].text == ":" else None
        if name_tok is None and toks[i + 1].text.startswith(":") and len(toks[i + 1].text) > 1:
            name = ""  # `{::` or `{:=`: not a real attribute, still skipped as one
        else:
            name = name_tok.text if name_tok is not None and name_tok.kind == "ident" else ""
        end_off = toks[j - 1].end if j <= len(toks) else len(self.text)
        return Attribute(name, self.text[toks[i].start : end_off], toks[i].start, end_off), j

    def decls(self, i: int, end: int, prefix: str) -> list[Decl]:
        out: list[Decl] = []
        toks = self.toks
        pending_attrs: list[Attribute] = []
        while i < end:
            t = toks[i]
            if t.text == ";":
                i += 1
                continue
            if is_attribute_open(toks, i):
                a, i = self._attribute(i)
                pending_attrs.append(a)
                continue
            if not self._is_decl_start(i, end):
                self.junk.append(t)
                i += 1
                continue
            d, i = self._decl(i, end, prefix)
            d.attributes[:0] = pending_attrs
            pending_attrs = []
            out.append(d)
        return out

    def _decl(self, i: int, end: int, prefix: str) -> tuple[Decl, int]:
        toks, text = self.toks, self.text
        start_tok = i
        mods: list[str] = []
        while toks[i].text in MODIFIERS:
            mods.append(toks[i].text)
            i += 1
        kw = toks[i].text
        i += 1
        method_suffix = kw in ("function", "predicate") and i < end and toks[i].text == "method"
        if method_suffix:
            i += 1
        attrs: list[Attribute] = []
        while i < end and is_attribute_open(toks, i):
            a, i = self._attribute(i)
            attrs.append(a)
        name = ""
        if kw == "include":
            if i < end and toks[i].kind == "string":
                name = toks[i].text
                i += 1
        elif kw == "constructor" and (i >= end or toks[i].kind != "ident"):
            name = "_ctor"  # Dafny's name for an anonymous constructor
        elif i < end and toks[i].kind == "ident" and toks[i].text not in DECL_KEYWORDS:
            name = toks[i].text
            i += 1
            while kw == "module" and i + 1 < end and toks[i].text == "." and toks[i + 1].kind == "ident":
                name += "." + toks[i + 1].text  # `module A.B`
                i += 2
        if kw in ("import", "export") and not name:
            name = kw
        qual = f"{prefix}.{name}" if prefix else name
        d = Decl(kw, tuple(mods), name, qual, toks[start_tok].start, toks[i - 1].end, attributes=attrs, method_suffix=method_suffix)
        if kw == "include":
            return d, i
        body_allowed = kw not in _PLAIN_DECLS
        hdr_end, body = self._scan_header(i, end)
        if hdr_end > i:
            d.header_end = toks[hdr_end - 1].end
        i = hdr_end
        if body is None or not body_allowed:
            return d, i
        close = matching_brace(toks, body)
        if close < 0 or close >= end:
            self.errors.append(f"unclosed body of {qual or kw} at {position(self.text, toks[body].start)}")
            close = end - 1 if end > body else body
        d.body_start = toks[body].start
        d.body_end = toks[close].end
        if kw in CONTAINERS or kw in _TYPE_DECLS:
            d.children = self.decls(body + 1, close, qual)
        i = close + 1
        # Dafny 4 `function F(..): T { expr } by method { stmts }`
        if kw in ("function", "predicate") and i + 2 < end and toks[i].text == "by" and toks[i + 1].text == "method" and toks[i + 2].text == "{":
            close2 = matching_brace(toks, i + 2)
            if close2 < 0 or close2 >= end:
                self.errors.append(f"unclosed `by method` of {qual} at {position(self.text, toks[i + 2].start)}")
                close2 = end - 1
            d.body_end = toks[close2].end
            i = close2 + 1
        return d, i

    def _scan_header(self, i: int, end: int) -> tuple[int, int | None]:
        """Scan clause-level tokens from `i`: returns (index after the header, index of body `{` or None)."""
        toks = self.toks
        depth = 0
        while i < end:
            t = toks[i]
            tx = t.text
            if tx in ("(", "[", "#["):
                depth += 1
            elif tx in (")", "]"):
                depth = max(0, depth - 1)
            elif tx == "{":
                if is_attribute_open(toks, i):
                    i = self._skip_attr(i)
                    continue
                if depth == 0 and brace_opens_body(toks, i):
                    return i, i
                j = matching_brace(toks, i)
                if j < 0 or j >= end:
                    self.errors.append(f"unclosed brace at {position(self.text, t.start)}")
                    return end, None
                i = j + 1
                continue
            elif tx == "}":
                if depth == 0:
                    return i, None
            elif depth == 0 and t.kind == "ident":
                if tx == "var":
                    if brace_opens_body(toks, i):  # after an operand `var` starts a field, else a let
                        return i, None
                elif tx == "method" and i > 0 and toks[i - 1].text == "by":
                    pass
                elif self._is_decl_start(i, end):
                    return i, None
            i += 1
        return i, None


# --- builders ----------------------------------------------------------------------------------


def strip_bodies(program: str, kinds: tuple[str, ...] = ("method", "lemma")) -> str:
    """Remove the bodies of every declaration whose base keyword is in `kinds`; keep all else exact.

    Turns a reference solution into an `implement`/`prove` spec. Nested members (class methods,
    module lemmas) are included. The whitespace before a removed body is kept, so headers are
    byte-identical to the reference.
    """
    prog = parse(program)
    spans = [(d.body_start, d.body_end) for d in prog.walk() if d.base in kinds and d.has_body and d.keyword not in CONTAINERS]
    return _cut(program, spans, whole_lines=False)


def _cut(text: str, spans: list[tuple[int, int]], whole_lines: bool) -> str:
    """Delete the (non-overlapping after merge) spans; with `whole_lines`, lines left blank go too."""
    spans = sorted(spans)
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out: list[str] = []
    pos = 0
    for s, e in merged:
        if whole_lines:
            ls = text.rfind("\n", 0, s) + 1
            le = text.find("\n", e)
            le = len(text) if le < 0 else le
            before, after = text[ls:s], text[e:le]
            after_code = after.strip()
            if not before.strip() and (not after_code or after_code.startswith("//")):
                s = max(ls, pos)
                e = le + 1 if le < len(text) else le
            else:
                while s > pos and text[s - 1] in " \t":  # the hint's leading blanks go with it
                    s -= 1
        out.append(text[pos:s])
        pos = max(pos, e)
    out.append(text[pos:])
    return "".join(out)


def hint_spans(program: str, decreases_in_headers: bool = True) -> list[tuple[int, int]]:
    """Character spans of the hints DafnyBench removes: `assert` statements, loop `invariant`s and
    `decreases` clauses (also those of method/lemma/function headers when `decreases_in_headers`)."""
    prog = parse(program)
    toks = prog.tokens
    spans: list[tuple[int, int]] = []
    body_ranges = [(d.body_start, d.body_end) for d in prog.walk() if d.has_body and d.is_callable]

    def in_body(off: int) -> bool:
        return any(s <= off < e for s, e in body_ranges)

    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "ident" and t.text == "assert" and in_body(t.start):
            j = assert_end(toks, i)
            spans.append((t.start, toks[j - 1].end))
            i = j
            continue
        if t.kind == "ident" and t.text in ("invariant", "decreases") and (in_body(t.start) or (decreases_in_headers and t.text == "decreases")):
            j = clause_end(toks, i)
            spans.append((t.start, toks[j - 1].end))
            i = j
            continue
        i += 1
    return spans


def remove_hints(program: str, decreases_in_headers: bool = True) -> str:
    """DafnyBench-style hint removal: delete asserts, loop invariants and decreases clauses.

    A line that held nothing but the hint (and perhaps a trailing `//` comment) is removed whole,
    as DafnyBench's `hints_removed` files do.
    """
    return _cut(program, hint_spans(program, decreases_in_headers), whole_lines=True)


def assert_end(toks: list[Token], i: int) -> int:
    """Index after the `assert` statement starting at `i`: up to `;` or the end of a `by { }` block."""
    depth = lets = 0
    j = i + 1
    while j < len(toks):
        tx = toks[j].text
        if tx in ("(", "[", "#["):
            depth += 1
        elif tx in (")", "]"):
            depth -= 1
        elif tx == "{":
            if depth == 0 and j > 0 and toks[j - 1].text == "by" and not is_attribute_open(toks, j):
                k = matching_brace(toks, j)
                return len(toks) if k < 0 else k + 1
            k = matching_brace(toks, j)
            if k < 0:
                return len(toks)
            j = k
        elif tx == "}" and depth <= 0:
            return j  # ill-formed: the enclosing block ends first
        elif tx == "var" and depth <= 0:
            lets += 1  # `var x := e; body` let-expression: its `;` does not end the statement
        elif tx == ";" and depth <= 0:
            if lets:
                lets -= 1
            else:
                return j + 1
        j += 1
    return j


def clause_end(toks: list[Token], i: int) -> int:
    """Index after the spec clause starting at `i` (requires/ensures/invariant/decreases/...)."""
    depth = lets = 0
    j = i + 1
    while j < len(toks):
        t = toks[j]
        tx = t.text
        if tx in ("(", "[", "#["):
            depth += 1
        elif tx in (")", "]"):
            depth -= 1
        elif tx == "{":
            if is_attribute_open(toks, j) or depth > 0 or not brace_opens_body(toks, j):
                k = matching_brace(toks, j)
                if k < 0:
                    return len(toks)
                j = k + 1
                continue
            return j
        elif tx == "}" and depth <= 0:
            return j
        elif depth <= 0 and t.kind == "ident":
            if tx == "var":
                lets += 1  # let-expression; its `;` stays inside the clause
            elif toks[j - 1].text == ".":
                pass  # member access such as `f.requires(x)`
            elif tx in _CLAUSE_WORDS or tx in ("free",) or (tx in DECL_KEYWORDS and tx != "var"):
                return j
        elif tx == ";" and depth <= 0:
            if not lets:
                return j + 1
            lets -= 1
        j += 1
    return j
