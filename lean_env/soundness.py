"""The static soundness gate: what a Lean candidate may contain, decided before any process runs.

`gate(task, candidate)` tokenizes the candidate (`lexer`: comments, strings and char literals are
not code; `«…»` names are compared unescaped), applies the rules below, and assembles the text that
is sent to the REPL after the task's header. The gate is one layer; after the check the verifier
also requires `#print axioms` within {propext, Classical.choice, Quot.sound} and the theorem's type,
printed with `pp.all`, to equal the reference statement's (see `checker`). Rules are applied to the
whole candidate in both modes (whole-proof continuations can also end the proof and add commands).

Rules (GateResult.rule when rejected):

| rule                   | rejects                                                                        |
|------------------------|--------------------------------------------------------------------------------|
| input:too-large        | the candidate is >= 1 MB                                                        |
| input:binary           | control characters other than tab/newline/CR                                    |
|                        | (the verifier reports these as `error`, as for any malformed input)             |
| empty                  | no code at all (empty, blank or only comments)                                 |
| unterminated           | a comment, string, char or «» name that never closes (would swallow our checks) |
| sorry                  | `sorry`, `admit`, `sorryAx` (any name part, also `«sorry»` and name literals)   |
| native-code            | `native_decide`, `decide +native` / `native := true`, `Lean.ofReduceBool`,      |
|                        | `ofReduceNat`, `reduceBool`, `reduceNat`, `trustCompiler`, `implemented_by`,    |
|                        | `extern`, `csimp`                                                              |
| kernel-bypass-option   | `set_option debug.*` (e.g. `debug.skipKernelTC`), `bootstrap.*`                 |
| option-not-allowed     | `set_option` of anything outside ALLOWED_OPTIONS (pp.*, autoImplicit, ...)      |
| code-execution         | `#eval` & other `#` commands outside ALLOWED_HASH_COMMANDS (`#exit`, `#guard_msgs` |
|                        | hides errors), `run_cmd`, `run_tac`, `run_elab`, `run_meta`, `by_elab`,         |
|                        | `initialize`, `builtin_initialize`, `unsafe`, `include_str`, `include_bytes`,   |
|                        | and tactics that start processes or the network (`polyrith`, `bv_decide`,       |
|                        | `slim_check`, `plausible`)                                                     |
| import                 | `import` / `prelude` after the header                                          |
| axiom                  | `axiom` declarations                                                           |
| syntax-extension       | `macro`, `macro_rules`, `syntax`, `elab`, `elab_rules`, `notation`, `infix`,    |
|                        | `infixl`, `infixr`, `prefix`, `postfix`, `declare_syntax_cat`, `binder_predicate`, |
|                        | `simproc`, `dsimproc`, `register_*`: they could rewrite the statement or our    |
|                        | post-check commands                                                            |
| instance               | `instance`, `deriving instance`, `attribute [instance]`: they change what the   |
|                        | statement's operations elaborate to                                            |
| attribute-not-allowed  | an attribute outside ALLOWED_ATTRIBUTES (code-running ones: `tactic`, `macro`,  |
|                        | `delab`, `app_unexpander`, `norm_num`, `positivity`, `init`, `export`, ...)     |
| header-altered         | a candidate that starts with `import` but not with exactly the task's header    |
| statement-missing      | a candidate with its own imports that does not contain the statement           |
| statement-altered      | a declaration with the theorem's name whose statement is not the task's         |
| statement-repeated     | the statement (whitespace-normalised) more than once                           |
| statement-scope        | `open … in` / `variable … in` / `include … in` right before the statement, or a |
|                        | `variable`/`include` before it (they add hypotheses or re-resolve names)        |
| shadows-statement-name | a declaration before the statement whose name is a name the statement uses      |

Benign and allowed: helper `lemma`/`theorem`/`def`/`abbrev`/`structure`/`inductive` declarations,
`namespace`/`section`/`open`/`open scoped`, `set_option maxHeartbeats 400000 in` (and the other
ALLOWED_OPTIONS), `attribute [-simp] foo`, `attribute [local simp] foo`, `#check`/`#print`,
identifiers that merely contain a banned word (`h_not_sorry`, `native_decide_free`), and banned words
inside comments or plain strings.

Assembly. A candidate that contains the task's statement (whitespace-normalised: same tokens, same
spacing/no-spacing between them, comments ignored) is *full code*: its own header (if it starts with
`import`, it must be exactly the task's) is cut off and the rest is sent. Any other candidate is a
*continuation*, sent as statement + candidate. In both modes the theorem is renamed to a fresh name
of ours (`decl_name`), so the post-checks never trust a name the candidate chose.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from .syntax import ERROR, IDENT, NAME_LIT, SYMBOL, Token, code_tokens

GATE_VERSION = "1"  # part of the verdict cache key: bump when a rule changes
MAX_CANDIDATE_BYTES = 1_000_000

SORRY_NAMES = frozenset({"sorry", "admit", "sorryAx"})
NATIVE_NAMES = frozenset({"native_decide", "ofReduceBool", "ofReduceNat", "reduceBool", "reduceNat",
                          "trustCompiler", "implemented_by", "extern", "csimp"})
CODE_EXECUTION_WORDS = frozenset({
    "run_cmd", "run_tac", "run_elab", "run_meta", "by_elab", "initialize", "builtin_initialize",
    "unsafe", "include_str", "include_bytes", "polyrith", "bv_decide", "slim_check", "plausible",
})
SYNTAX_WORDS = frozenset({
    "macro", "macro_rules", "syntax", "elab", "elab_rules", "notation", "infix", "infixl", "infixr",
    "prefix", "postfix", "declare_syntax_cat", "binder_predicate", "simproc", "dsimproc",
    "builtin_simproc", "builtin_dsimproc", "register_simp_attr", "register_option",
    "register_builtin_option", "register_label_attr", "declare_config_elab", "builtin_simproc_decl",
    "simproc_decl", "dsimproc_decl",
})
ALLOWED_HASH_COMMANDS = frozenset({"#check", "#print", "#reduce", "#synth", "#norm_num", "#simp"})
# Options that only bound resources or silence linters; anything else (pp.*, autoImplicit,
# tactic.*, compiler.*, ...) could change what is elaborated or printed.
ALLOWED_OPTIONS = frozenset({"maxHeartbeats", "maxRecDepth", "synthInstance.maxHeartbeats",
                             "synthInstance.maxSize", "push_neg.use_distrib", "simprocs"})
ALLOWED_OPTION_PREFIXES = ("linter.",)
KERNEL_BYPASS_PREFIXES = ("debug.", "bootstrap.")
# Attributes that only register lemmas for existing tactics or set reducibility/inlining.
ALLOWED_ATTRIBUTES = frozenset({
    "simp", "reducible", "irreducible", "semireducible", "inline", "noinline", "specialize", "ext",
    "norm_cast", "push_cast", "elab_as_elim", "nolint", "refl", "symm", "trans", "congr", "gcongr",
    "mono", "simps", "field_simps", "match_pattern", "induction_eliminator", "cases_eliminator",
    "continuity", "measurability", "fun_prop", "bound", "zify_simps", "qify_simps", "rify_simps",
    "mfld_simps", "parity_simps", "local", "scoped",
})
DECL_KEYWORDS = frozenset({"def", "theorem", "lemma", "abbrev", "structure", "class", "inductive",
                           "opaque", "instance", "axiom"})
BINDER_KEYWORDS = frozenset({"∀", "∃", "∃!", "fun", "λ", "∑", "∏", "⋃", "⋂", "⨆", "⨅", "Σ", "Π"})
THEOREM_KEYWORDS = ("theorem", "lemma")


@dataclass
class GateResult:
    """The gate's decision. `code` (when ok) is the text to send after the header.

    `mode` is `continuation` or `full`. Positions in `code` map back to the candidate with
    `to_candidate_position`: code position `code_origin` is candidate position `candidate_origin`;
    code lines before `code_origin` belong to the task's statement (reported as line 0).
    """

    ok: bool
    code: str = ""
    rule: str = ""
    detail: str = ""
    mode: str = ""
    decl_name: str = ""
    code_origin: tuple[int, int] = (1, 0)
    candidate_origin: tuple[int, int] = (1, 0)

    def to_candidate_position(self, line: int, col: int) -> tuple[int, int]:
        """A (line, col) in `code` as a (line, col) in the candidate; line 0 = in the statement."""
        l0, c0 = self.code_origin
        lc, cc = self.candidate_origin
        if line < l0 or (line == l0 and col < c0):
            return 0, col
        if line == l0:
            return lc, col - c0 + cc
        return line - l0 + lc, col


def _reject(rule: str, detail: str, tok: Token | None = None) -> GateResult:
    where = f" (line {tok.line}, column {tok.col + 1})" if tok is not None else ""  # columns from 1
    return GateResult(False, rule=rule, detail=detail + where)


def fresh_decl_name() -> str:
    """A name no candidate can predict, for the theorem under check."""
    return "prover_check_" + secrets.token_hex(8)


# -- statement analysis ---------------------------------------------------------------------------


@dataclass
class Statement:
    """The task's statement, tokenized, with the position of its theorem name."""

    text: str
    tokens: list[Token]
    name_index: int  # index in `tokens` of the theorem's name (or of `example`)
    is_example: bool

    @property
    def name(self) -> str:
        return "" if self.is_example else self.tokens[self.name_index].name

    def renamed(self, new_name: str) -> str:
        """The statement text with its theorem named `new_name`."""
        tok = self.tokens[self.name_index]
        replacement = f"theorem {new_name}" if self.is_example else new_name
        return self.text[:tok.start] + replacement + self.text[tok.end:]


def parse_statement(text: str) -> Statement:
    """Find the theorem name in a task statement; raises ValueError when there is none."""
    toks = code_tokens(text)
    bad = [t for t in toks if t.kind == ERROR]
    if bad:
        raise ValueError(f"statement has an {bad[0].detail}")
    for i, t in enumerate(toks):
        if t.kind == IDENT and t.text in THEOREM_KEYWORDS:
            if i + 1 < len(toks) and toks[i + 1].kind == IDENT:
                return Statement(text, toks, i + 1, False)
            raise ValueError(f"`{t.text}` without a name in the statement")
        if t.kind == IDENT and t.text == "example":
            return Statement(text, toks, i, True)
    raise ValueError("the statement declares no `theorem`, `lemma` or `example`")


def _bound_names(toks: list[Token]) -> set[str]:
    """Names bound inside the statement (binders), as opposed to global names it refers to."""
    bound: set[str] = set()
    n = len(toks)
    for i, t in enumerate(toks):
        if t.kind == SYMBOL and t.text in ("(", "{", "⦃", "[", "⟨"):
            j = i + 1
            names = []
            while j < n and toks[j].kind == IDENT:
                names.append(toks[j].name)
                j += 1
            if names and j < n and toks[j].text == ":":
                bound.update(names)
        elif t.text in BINDER_KEYWORDS:
            j = i + 1
            while j < n and (toks[j].kind == IDENT or toks[j].text in ("(", ")", "_")):
                if toks[j].kind == IDENT:
                    bound.add(toks[j].name)
                j += 1
    return bound


def _global_names(stmt: Statement) -> set[str]:
    """Last components of the global names the statement refers to (helpers must not reuse them)."""
    bound = _bound_names(stmt.tokens)
    out = set()
    for i, t in enumerate(stmt.tokens):
        if t.kind != IDENT or i == stmt.name_index or t.name in bound:
            continue
        out.add(t.parts[-1])
    return out


# -- candidate scanning ---------------------------------------------------------------------------


def _bad_input(text: Any) -> tuple[str, str]:
    """(rule, problem) for text that is not a checkable candidate; ("", "") when it is.

    A huge or binary candidate is the model's output and is rejected like any other bad proof (the
    same rule names as the Dafny gate); only a non-string is a caller bug (`bad-input`, an error).
    """
    if not isinstance(text, str):
        return "bad-input", f"candidate text must be a string, got {type(text).__name__}"
    size = len(text.encode("utf-8", "surrogatepass"))
    if size >= MAX_CANDIDATE_BYTES:
        return "input:too-large", f"candidate is {size} bytes (limit {MAX_CANDIDATE_BYTES})"
    for ch in text:
        if (ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 0x7F:
            return "input:binary", f"candidate contains control character U+{ord(ch):04X} (binary input?)"
    return "", ""


def _attribute_entries(toks: list[Token], open_index: int) -> tuple[list[list[Token]], int]:
    """The comma-separated entries of an attribute list whose `[` (or `@[`) is at `open_index`."""
    entries: list[list[Token]] = [[]]
    depth = 0
    j = open_index + 1
    while j < len(toks):
        t = toks[j]
        if t.text in ("[", "(", "{", "@["):
            depth += 1
        elif t.text in ("]", ")", "}"):
            if depth == 0:
                return entries, j
            depth -= 1
        elif t.text == "," and depth == 0:
            entries.append([])
            j += 1
            continue
        entries[-1].append(t)
        j += 1
    return entries, j


def _check_attributes(toks: list[Token], open_index: int) -> GateResult | None:
    entries, _ = _attribute_entries(toks, open_index)
    for entry in entries:
        words = [t for t in entry if t.kind == IDENT]
        # Leading modifiers: `-simp`, `local simp`, `scoped simp`.
        k = 0
        while k < len(words) and words[k].name in ("local", "scoped"):
            k += 1
        if k >= len(words):
            continue
        name = words[k].name
        if name == "instance" or name == "default_instance":
            return _reject("instance", f"attribute `{name}` makes a new instance", words[k])
        if name in NATIVE_NAMES:
            return _reject("native-code", f"attribute `{name}` replaces kernel-checked code", words[k])
        if name not in ALLOWED_ATTRIBUTES:
            return _reject("attribute-not-allowed",
                           f"attribute `{name}` is not in the allowed list {sorted(ALLOWED_ATTRIBUTES)}",
                           words[k])
    return None


def _scan(toks: list[Token]) -> GateResult | None:
    """Token rules that hold everywhere in a candidate; None when nothing is wrong."""
    for i, t in enumerate(toks):
        if t.kind == ERROR:
            return _reject("unterminated", t.detail, t)
        if t.kind in (IDENT, NAME_LIT):
            parts = set(t.parts)
            if parts & SORRY_NAMES:
                return _reject("sorry", f"`{t.text}` fakes a proof", t)
            if parts & NATIVE_NAMES:
                return _reject("native-code", f"`{t.text}` trusts compiled code instead of the kernel", t)
            if t.kind == NAME_LIT:
                continue
            word = t.text
            if word == "native" and ((i > 0 and toks[i - 1].text == "+" and not t.space_before)
                                     or (i + 1 < len(toks) and toks[i + 1].text == ":=")):
                return _reject("native-code", "`decide +native` / `native := true` runs compiled code", t)
            if word in CODE_EXECUTION_WORDS:
                return _reject("code-execution", f"`{word}` runs code or external programs", t)
            if word in ("import", "prelude"):
                return _reject("import", f"`{word}` after the header", t)
            if word == "axiom":
                return _reject("axiom", "new axioms are not allowed", t)
            if word == "instance":
                return _reject("instance", "new instances change what the statement elaborates to", t)
            if word in SYNTAX_WORDS:
                return _reject("syntax-extension", f"`{word}` can change how the statement is read", t)
            if word == "set_option":
                bad = _check_option(toks, i)
                if bad:
                    return bad
            if word == "attribute" and i + 1 < len(toks) and toks[i + 1].text == "[":
                bad = _check_attributes(toks, i + 1)
                if bad:
                    return bad
        elif t.kind == SYMBOL:
            if t.text.startswith("#") and len(t.text) > 1 and t.text not in ALLOWED_HASH_COMMANDS:
                return _reject("code-execution", f"`{t.text}` is not an allowed command", t)
            if t.text == "@[":
                bad = _check_attributes(toks, i)
                if bad:
                    return bad
    return None


def _check_option(toks: list[Token], i: int) -> GateResult | None:
    if i + 1 >= len(toks) or toks[i + 1].kind != IDENT:
        return _reject("option-not-allowed", "`set_option` without an option name", toks[i])
    opt = toks[i + 1].name
    if opt.startswith(KERNEL_BYPASS_PREFIXES):
        return _reject("kernel-bypass-option", f"`set_option {opt}` weakens kernel checking", toks[i + 1])
    if opt not in ALLOWED_OPTIONS and not opt.startswith(ALLOWED_OPTION_PREFIXES):
        return _reject("option-not-allowed",
                       f"`set_option {opt}` is not in the allowed list {sorted(ALLOWED_OPTIONS)} + linter.*",
                       toks[i + 1])
    return None


def _find_statement(cand: list[Token], stmt: list[Token]) -> list[int]:
    """Start indices in `cand` where `stmt` occurs (same texts, same spacing between tokens)."""
    m = len(stmt)
    hits = []
    first = stmt[0].text
    for i in range(len(cand) - m + 1):
        if cand[i].text != first:
            continue
        if all(cand[i + k].text == stmt[k].text and cand[i + k].space_before == stmt[k].space_before
               for k in range(1, m)):
            hits.append(i)
    return hits


def _header_prefix_end(cand: list[Token], header: str) -> int | GateResult:
    """Index of the first body token after the candidate's own header (which must be the task's)."""
    head = code_tokens(header)
    if len(cand) < len(head) or any(a.text != b.text for a, b in zip(cand, head)):
        return _reject("header-altered", "a candidate that starts with `import` must start with exactly the "
                       "task's header", cand[0])
    k = len(head)
    if k < len(cand):
        nxt, prev = cand[k], cand[k - 1]
        if nxt.line == prev.line:  # the header's last command would go on into the body
            return _reject("header-altered", "the candidate extends the header's last command", nxt)
        if nxt.text in ("import", "prelude"):
            return _reject("header-altered", "the candidate imports more than the task's header", nxt)
    return k


def _check_statement_scope(body: list[Token], at: int) -> GateResult | None:
    """Reject `X … in` right before the statement unless X is an allowed `set_option`, and any
    `variable`/`include` before it."""
    for t in body[:at]:
        if t.kind == IDENT and t.text in ("variable", "include"):
            return _reject("statement-scope", f"`{t.text}` before the statement can add hypotheses to it", t)
    j = at - 1
    # Skip attributes and modifiers attached to the statement itself.
    while j >= 0:
        t = body[j]
        if t.text == "]":
            depth = 0
            while j >= 0:
                if body[j].text == "]":
                    depth += 1
                elif body[j].text in ("[", "@["):
                    depth -= 1
                    if depth == 0:
                        break
                j -= 1
            j -= 1
            continue
        if t.kind == IDENT and t.text in ("private", "protected", "noncomputable", "nonrec"):
            j -= 1
            continue
        break
    while j >= 0 and body[j].text == "in":
        # Find the command this `in` closes: the nearest command keyword before it.
        k = j - 1
        while k >= 0 and not (body[k].kind == IDENT and body[k].text in
                              ("set_option", "open", "variable", "include", "omit", "namespace", "section")):
            k -= 1
        if k < 0 or body[k].text != "set_option":
            return _reject("statement-scope", "`… in` before the statement changes how its names resolve",
                           body[j])
        j = k - 1
    return None


def _declared_names(body: list[Token], upto: int) -> list[Token]:
    out = []
    for i in range(min(upto, len(body)) - 1):
        t = body[i]
        if t.kind == IDENT and t.text in DECL_KEYWORDS and body[i + 1].kind == IDENT:
            out.append(body[i + 1])
    return out


def gate(task: Any, candidate: Any, *, decl_name: str | None = None) -> GateResult:
    """Decide whether `candidate` (a `Candidate` or its text) may be checked for `task`.

    Returns ok=False with `rule`/`detail` for a rejected candidate (rule `bad-input` for input that
    is not a candidate at all), else ok=True with the assembled `code` (sent after `task.header`)
    in which the theorem is named `decl_name` (fresh when not given).
    """
    text = getattr(candidate, "text", candidate)
    rule, problem = _bad_input(text)
    if problem:
        return GateResult(False, rule=rule, detail=problem)
    problem = statement_problem(task)
    if problem:
        rule, _, detail = problem.partition(": ")
        return GateResult(False, rule=rule, detail=detail)
    stmt = parse_statement(task.statement)
    name = decl_name or fresh_decl_name()
    cand = code_tokens(text)
    if not cand:
        return GateResult(False, rule="empty", detail="the candidate has no code (empty or only comments)")
    # A candidate with its own imports must repeat the task's header exactly; the rules below then
    # apply to what follows it.
    body_start = 0
    starts_with_import = cand[0].text == "import"
    if starts_with_import:
        end = _header_prefix_end(cand, task.header)
        if isinstance(end, GateResult):
            return end
        body_start = end
    bad = _scan(cand[body_start:])
    if bad:
        return bad

    hits = [h for h in _find_statement(cand, stmt.tokens) if h >= body_start]
    if len(hits) > 1:
        return _reject("statement-repeated", f"the statement occurs {len(hits)} times", cand[hits[1]])
    if not hits:
        if starts_with_import:
            return _reject("statement-missing", "a candidate with its own imports must contain the statement "
                           "verbatim", cand[0])
        if stmt.name:
            for i in range(len(cand) - 1):
                if cand[i].text in THEOREM_KEYWORDS and cand[i + 1].name == stmt.name:
                    return _reject("statement-altered", f"`{stmt.name}` is declared with a different statement",
                                   cand[i + 1])
        return _assemble_continuation(stmt, text, name)

    body = cand[body_start:]
    at = hits[0] - body_start
    bad = _check_statement_scope(body, at)
    if bad:
        return bad
    globals_ = _global_names(stmt)
    for tok in _declared_names(body, at):
        if tok.parts[-1] in globals_:
            return _reject("shadows-statement-name",
                           f"`{tok.text}` is declared before the statement, which uses the name "
                           f"`{tok.parts[-1]}`", tok)
    cut = cand[body_start].start
    name_tok = cand[hits[0] + stmt.name_index]
    replacement = f"theorem _root_.{name}" if stmt.is_example else f"_root_.{name}"
    code = text[cut:name_tok.start] + replacement + text[name_tok.end:]
    return GateResult(True, code=code, mode="full", decl_name=name, code_origin=(1, 0),
                      candidate_origin=(cand[body_start].line, cand[body_start].col))


def statement_problem(task: Any) -> str:
    """The `task:` reason when the statement cannot be a task at all (empty, only comments, or no
    theorem to prove), else "": decided without Lean, so that a job can refuse it before any work."""
    if not code_tokens(task.statement):
        return f"task:empty: task {task.id!r}: the statement is empty (no code, or only comments)"
    try:
        parse_statement(task.statement)
    except ValueError as e:
        return f"task:unparsable: task {task.id!r}: {e}"
    return ""


def _assemble_continuation(stmt: Statement, text: str, name: str) -> GateResult:
    prefix = stmt.renamed(name)
    # A continuation normally starts with a line break ("\n  simp"); one that does not is joined
    # with a space, so `:= by` and the first tactic stay apart.
    if not text[:1].isspace() and not prefix[-1:].isspace():
        prefix += " "
    code = prefix + text
    line = prefix.count("\n") + 1
    col = len(prefix) - (prefix.rfind("\n") + 1)
    return GateResult(True, code=code, mode="continuation", decl_name=name, code_origin=(line, col),
                      candidate_origin=(1, 0))


def reference_code(statement: str, decl_name: str) -> str:
    """The task's statement under `decl_name`, closed with `sorry`: elaborated in the header env
    alone, it gives the reference type the candidate's theorem must have."""
    stmt = parse_statement(statement)
    return stmt.renamed(decl_name) + " sorry"


__all__ = ["GateResult", "GATE_VERSION", "gate", "parse_statement", "reference_code", "fresh_decl_name",
           "statement_problem"]
