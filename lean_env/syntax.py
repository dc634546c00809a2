"""A Lean 4 tokenizer, just precise enough for the soundness gate.

The gate must not be fooled by text that is not code (a `sorry` inside `-- comment`, `/- nested -/`
comments or a string) nor miss code that looks like something else (`h_not_sorry` is one
identifier; `«sorryAx»` is the identifier `sorryAx`; `{...}` inside an interpolated string
`s!"…{sorry}…"` is code). It does not parse Lean: it splits text into comments, strings, char
literals, name literals, numbers, identifiers (dotted, `«»`-escaped parts) and symbols, with
positions. Hand-written because no maintained Python Lean 4 lexer exists; it follows the rules of
Lean's own scanner (`Lean.Parser.Basic`: `isIdFirst`/`isIdRest`, nested block comments, string
escapes) for the subset above.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

# Kinds of tokens. COMMENT covers `--`, `/- -/`, `/-- -/` and `/-! -/` (nested).
IDENT, SYMBOL, NUMBER, STRING, CHAR, NAME_LIT, COMMENT, ERROR = (
    "ident", "symbol", "number", "string", "char", "name_lit", "comment", "error")

# Characters that Lean's `isLetterLike` accepts in identifiers, besides ASCII letters.
_LETTER_LIKE_RANGES = (
    (0x3B1, 0x3C9),  # α-ω (λ is excluded below)
    (0x391, 0x3A9),  # Α-Ω (Π and Σ are excluded below)
    (0x3CA, 0x3FB),  # Coptic
    (0x1F00, 0x1FFE),  # Polytonic Greek
    (0x2100, 0x214F),  # Letter-like block (ℝ, ℕ, ℤ, ℚ, ℂ, ...)
    (0x1D49C, 0x1D59F),  # Script, double-struck, fraktur letters
)
_NOT_LETTER_LIKE = {0x3BB, 0x3A0, 0x3A3}  # λ, Π, Σ are tokens, not letters
_SUBSCRIPTS = set(range(0x2080, 0x208A)) | set(range(0x2090, 0x209D)) | set(range(0x1D62, 0x1D6B)) | {0x2C7C}


def _letter_like(c: str) -> bool:
    o = ord(c)
    if o in _NOT_LETTER_LIKE:
        return False
    return any(lo <= o <= hi for lo, hi in _LETTER_LIKE_RANGES)


def is_id_first(c: str) -> bool:
    if ord(c) in _NOT_LETTER_LIKE:
        return False
    return c.isalpha() or c == "_" or _letter_like(c)


def is_id_rest(c: str) -> bool:
    if ord(c) in _NOT_LETTER_LIKE:
        return False
    return c.isalnum() or c in "_'!?" or _letter_like(c) or ord(c) in _SUBSCRIPTS


@dataclass(frozen=True)
class Token:
    """One token. `text` is the source text; for identifiers `parts` is the unescaped dotted name.

    `line` is 1-based and `col` 0-based in code points, as the Lean REPL reports positions.
    `space_before` says whether whitespace or a comment separates it from the previous token.
    """

    kind: str
    text: str
    start: int
    end: int
    line: int
    col: int
    parts: tuple[str, ...] = ()
    escaped: bool = False
    space_before: bool = True
    detail: str = ""

    @property
    def name(self) -> str:
        """The dotted name an identifier denotes, with «» escapes removed."""
        return ".".join(self.parts)

    @property
    def is_code(self) -> bool:
        return self.kind != COMMENT


class _Scanner:
    def __init__(self, text: str):
        self.s = text
        self.n = len(text)
        # Offsets of line starts, to turn offsets into (line, col).
        self.line_starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self.line_starts.append(i + 1)

    def pos(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo]

    def tokens(self, i: int = 0, stop_at_close_brace: bool = False) -> Iterator[Token]:
        """Tokens from offset `i`; in interpolation mode, stop before the `}` that closes it."""
        s, n = self.s, self.n
        depth = 0
        spaced = True
        while i < n:
            c = s[i]
            if c.isspace():
                i += 1
                spaced = True
                continue
            start = i
            if s.startswith("--", i):
                j = s.find("\n", i)
                j = n if j < 0 else j
                yield self._tok(COMMENT, start, j, spaced)
                i, spaced = j, True
                continue
            if s.startswith("/-", i):
                j = self._block_comment_end(i)
                if j is None:
                    yield self._tok(ERROR, start, n, spaced, detail="unterminated block comment")
                    return
                yield self._tok(COMMENT, start, j, spaced)
                i, spaced = j, True
                continue
            if stop_at_close_brace:
                if c == "{":
                    depth += 1
                elif c == "}":
                    if depth == 0:
                        self._interp_end = i
                        return
                    depth -= 1
            if c == '"' or (c == "r" and self._raw_string_start(i)):
                yield from self._string(i, spaced)
                i, spaced = self._after_string, False
                continue
            if c == "'" and self._char_literal_end(i) is not None:
                j = self._char_literal_end(i)
                yield self._tok(CHAR, start, j, spaced)
                i, spaced = j, False
                continue
            if c == "`" and i + 1 < n and (s[i + 1] == "`" or is_id_first(s[i + 1]) or s[i + 1] == "«"):
                j = i + 1
                if s[j] == "`":
                    j += 1
                ident = self._ident(j, spaced)
                if ident is not None:
                    tok, j = ident
                    yield Token(NAME_LIT, s[start:j], start, j, *self.pos(start), parts=tok.parts,
                                escaped=tok.escaped, space_before=spaced)
                    i, spaced = j, False
                    continue
            if c.isdigit():
                j = self._number_end(i)
                yield self._tok(NUMBER, start, j, spaced)
                i, spaced = j, False
                continue
            if is_id_first(c) or c == "«":
                ident = self._ident(i, spaced)
                if ident is not None:
                    tok, i = ident
                    yield tok
                    spaced = False
                    continue
                if c == "«":
                    yield self._tok(ERROR, start, n, spaced, detail="unterminated «» identifier")
                    return
            if c == "#" and i + 1 < n and is_id_first(s[i + 1]):
                # `#eval`, `#print`, `#exit`: one token, so the gate sees the command name.
                j = i + 1
                while j < n and is_id_rest(s[j]):
                    j += 1
                yield self._tok(SYMBOL, start, j, spaced)
                i, spaced = j, False
                continue
            j = self._symbol_end(i)
            yield self._tok(SYMBOL, start, j, spaced)
            i, spaced = j, False
        if stop_at_close_brace:
            self._interp_end = None

    # -- pieces -----------------------------------------------------------------------------

    def _tok(self, kind: str, start: int, end: int, spaced: bool, **kw) -> Token:
        line, col = self.pos(start)
        return Token(kind, self.s[start:end], start, end, line, col, space_before=spaced, **kw)

    def _block_comment_end(self, i: int) -> int | None:
        """Offset just past the `-/` closing the comment opened at `i`; comments nest."""
        s, n = self.s, self.n
        depth, j = 1, i + 2
        while j < n:
            if s.startswith("/-", j):
                depth, j = depth + 1, j + 2
            elif s.startswith("-/", j):
                depth, j = depth - 1, j + 2
                if depth == 0:
                    return j
            else:
                j += 1
        return None

    def _raw_string_start(self, i: int) -> bool:
        """`r"…"` or `r#"…"#` (raw strings), not an identifier starting with `r`."""
        j = i + 1
        while j < self.n and self.s[j] == "#":
            j += 1
        return j < self.n and self.s[j] == '"' and (i == 0 or not is_id_rest(self.s[i - 1]))

    def _string(self, i: int, spaced: bool) -> Iterator[Token]:
        """A string literal; the contents of `{…}` are tokenized as code (interpolation)."""
        s, n = self.s, self.n
        start = i
        if s[i] == "r":
            hashes = 0
            j = i + 1
            while s[j] == "#":
                hashes, j = hashes + 1, j + 1
            close = '"' + "#" * hashes
            end = s.find(close, j + 1)
            if end < 0:
                yield self._tok(ERROR, start, n, spaced, detail="unterminated raw string")
                self._after_string = n
                return
            self._after_string = end + len(close)
            yield self._tok(STRING, start, self._after_string, spaced)
            return
        j = i + 1
        inner: list[Token] = []
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c == '"':
                yield self._tok(STRING, start, j + 1, spaced)
                yield from inner
                self._after_string = j + 1
                return
            if c == "{":
                # Interpolated strings (`s!"…"`, `m!"…"`, `throwError "…"`) run the braces as code.
                # Plain strings are scanned the same way: a false alarm costs only a rejected
                # string with odd braces, a miss would let code hide in a string.
                inner.extend(self.tokens(j + 1, stop_at_close_brace=True))
                if self._interp_end is None:
                    yield self._tok(ERROR, start, n, spaced, detail="unterminated string interpolation")
                    self._after_string = n
                    return
                j = self._interp_end + 1
                continue
            j += 1
        yield self._tok(ERROR, start, n, spaced, detail="unterminated string literal")
        self._after_string = n

    def _char_literal_end(self, i: int) -> int | None:
        s, n = self.s, self.n
        if i + 2 < n and s[i + 1] == "\\":
            # '\n', '\\', '\'', '\x41', '\u{3b1}'
            j = i + 2
            if s[j] == "x":
                j += 3
            elif s[j] == "u" and j + 1 < n and s[j + 1] == "{":
                k = s.find("}", j)
                j = k + 1 if k > 0 else n
            else:
                j += 1
            return j + 1 if j < n and s[j] == "'" else None
        if i + 2 < n and s[i + 1] not in "'\n" and s[i + 2] == "'":
            return i + 3
        return None

    def _number_end(self, i: int) -> int:
        s, n = self.s, self.n
        j = i
        if s.startswith(("0x", "0X", "0b", "0B", "0o", "0O"), i):
            j = i + 2
            while j < n and (s[j].isalnum() or s[j] == "_"):
                j += 1
            return j
        while j < n and s[j].isdigit():
            j += 1
        if j + 1 < n and s[j] == "." and s[j + 1].isdigit():
            j += 1
            while j < n and s[j].isdigit():
                j += 1
        if j < n and s[j] in "eE":
            k = j + 1
            if k < n and s[k] in "+-":
                k += 1
            if k < n and s[k].isdigit():
                j = k
                while j < n and s[j].isdigit():
                    j += 1
        return j

    def _ident(self, i: int, spaced: bool) -> tuple[Token, int] | None:
        """A dotted identifier `a.«b c».d` starting at `i`, or None when none starts there."""
        s, n = self.s, self.n
        parts: list[str] = []
        escaped = False
        j = i
        while True:
            if s[j] == "«":
                k = s.find("»", j + 1)
                if k < 0:
                    if not parts:
                        return None
                    # `a.«…` never closed: the name ends before the dot; the caller reports the rest.
                    return self._ident_token(i, j - 1, parts, escaped, spaced), j - 1
                parts.append(s[j + 1:k])
                escaped = True
                j = k + 1
            elif is_id_first(s[j]):
                k = j + 1
                while k < n and is_id_rest(s[k]):
                    k += 1
                parts.append(s[j:k])
                j = k
            else:
                return None
            # A dot continues the name only when another name part follows it at once (`h.1` is
            # the name `h` followed by the projection `.1`).
            if j + 1 < n and s[j] == "." and (is_id_first(s[j + 1]) or s[j + 1] == "«"):
                j += 1
                continue
            return self._ident_token(i, j, parts, escaped, spaced), j

    def _ident_token(self, start: int, end: int, parts: list[str], escaped: bool, spaced: bool) -> Token:
        line, col = self.pos(start)
        return Token(IDENT, self.s[start:end], start, end, line, col, parts=tuple(parts), escaped=escaped,
                     space_before=spaced)

    _MULTI = (":=", "=>", "<;>", "←", "->", "<-", "<|>", "<|", "|>.", "|>", "..", "::", "≠", "≤", "≥",
              "@[", "%[", "++", "+=", "==", "!=", "&&", "||", "^^^", "⁻¹", "''")

    def _symbol_end(self, i: int) -> int:
        for m in sorted(self._MULTI, key=len, reverse=True):
            if self.s.startswith(m, i):
                return i + len(m)
        return i + 1


def tokenize(text: str) -> list[Token]:
    """All tokens of `text`, comments included (kind COMMENT); see `code_tokens` for code only.

    Never raises: an unterminated comment, string or «» name becomes one final ERROR token.
    """
    return list(_Scanner(text).tokens())


def code_tokens(text: str) -> list[Token]:
    """The tokens of `text` that are code: comments dropped, with `space_before` kept."""
    return [t for t in tokenize(text) if t.is_code]
