"""The Dafny soundness gate: decide, before Dafny runs, whether a candidate may be verified at all.

Dafny reports "verified" for many things that prove nothing: a lemma without a body is an axiom,
`assume false` closes any goal, `{:verify false}` skips a member, a loop without a body assumes its
invariant. The gate rejects those, checks that the candidate keeps the task's spec exactly, and
assembles the program that will be verified (never the raw candidate for body-only answers).

Policy, construct by construct (rule names are stable; they go into `Verdict.reason`):

The gate is the fast early rejection, never the last word: after Dafny verified a program,
`evidence.check` decides again on Dafny's own reading of it (its symbols and warnings).

Rules under `parse:` and `spec:absent` mean "not a program for this task" (prose, an empty
answer, unbalanced braces, an unrelated program): the verdict is `failed`. `input:` (over 1 MB,
binary: not a candidate at all, as for Lean) and every other rule are `rejected`.

* `input:too-large`, `input:binary` — over 1 MB, or NUL/control bytes.
* `task:unparsable` — the task's own statement cannot be parsed (a data error, not the candidate's).
* `task:empty` — the statement leaves nothing to prove (empty, only comments, or no member without a
  body, with an `ensures`, or, for `hints`, no method/lemma): any program that verifies on its own
  would pass it (`statement_problem`).
* `parse:unterminated`, `parse:unrecognized` — a comment/string/brace is never closed, or text at
  declaration level starts no declaration. The gate fails closed where its parser and Dafny's could
  disagree about what is a body.
* `assume`, `expect` (Dafny 4 assumes what it checks at run time), `free` (Dafny 2 unchecked clauses)
  — anywhere in the program, also when the statement itself has them: such tasks are unsound as
  given (DafnyBench has a few dozen).
* `attr:axiom`, `attr:verify-false`, `attr:extern`, `attr:only`, `attr:options`, `attr:termination`,
  `attr:synthesize`, `attr:assumption`, `attr:dllimport`, `attr:inline` — anywhere.
  `attr:unknown` — an attribute the statement does not use and that is not known to be harmless.
  Harmless (proof-search/compilation only, may be added or removed even on spec members):
  `PROOF_ATTRIBUTES`. `{:opaque}`/`opaque`, `{:autocontracts}`, `{:compile false}` are fine on
  helpers but part of the header on spec members (changing them there is `spec:changed`).
* `include` (reads other files), `import`/`module`/`export` declarations the statement does not
  have (`added:module`; this covers `refines`, `abstract module`, `import opened`).
* `datatype:infinite-set` — an `iset`/`imap` over a user-defined type or type parameter in a type
  declaration of a program that adds a datatype: Dafny 2.3 does not check strict positivity through them (`datatype D = D(s: iset<D>)`
  proves `false` by Cantor's argument).
* `decreases-star` — `decreases *` (non-termination) unless `task.meta["allow_decreases_star"]`.
* `bitvector` — a bitvector type (`bv8`, `bv64`, ...) in a program whose statement and header have
  none. Dafny 2.3 translates the non-strict order of a bitvector termination measure backwards
  (`ge_bv` where it means `<=`): a loop with `decreases t` (t: bv64) gets the free invariant
  `t >= t_initial`, so `t := 0` in its body proves `false` after it, and mutual recursion through
  bitvector parameters passes its termination check (Dafny issue 2511, fixed after 2.3). Where the
  statement itself uses bitvectors the candidate can reach them through its types: that case stays
  open (`tests/dafny_env/test_attacks_round6.py`).
* `field:function` — a field the candidate adds to a class or trait (`const`/`var`), or a parameter
  of an iterator it adds (the iterator's fields), whose type holds a function type (`->`, `~>`,
  `-->`), written out or through a type synonym/datatype/newtype of the program. Dafny 2.3 checks
  strict positivity for datatypes only: `class Box { const f: Box -> bool }` built as
  `new Box(G)` with `G(x) = !x.f(x)` gives `G(x) == !G(x)` (Landin's knot through an object; no
  `reads` is needed for a `const`), and `iterator It(f: It -> bool)` does the same.
 Dafny 2.3 assumes the invariant/ensures of a loop or
  forall statement that has no body (a warning, even with `/noCheating:1`).
* `ensures:trivial` — more `ensures true` / `ensures false` clauses than the statement has.
* `spec:absent` — not one declaration of the statement is in the candidate (an unrelated program).
* `spec:missing`, `spec:changed` — a statement declaration is absent, or its header (signature,
  requires/ensures/reads/modifies/decreases, modifiers, non-proof attributes) differs token-wise,
  or the body of a function/predicate (or any non-callable declaration) the statement gives differs.
  Bodies of methods/lemmas the statement gives may be changed: they are in `members` and must verify.
* `body:missing` — a member the statement leaves without a body still has none.
* `added:bodyless` — a new method/lemma/function/predicate/constructor without a body.
* `duplicate` — two declarations with the same qualified name.
* `spec:rebinding` — a declaration the candidate adds, in any scope (top level, a member of a
  statement class, a hints insertion, a datatype constructor), takes a name the statement's text
  uses: Dafny would resolve the statement's unchanged text to it (`const Leaf` beside a
  constructor `Leaf`). `header:redefined` when the name is a trusted header's. Dafny's own list
  of declarations (`evidence.check`) is held to the same rule.
* A bodyless instance member of a trait that a class of the program extends is abstract, not an
  axiom, and is allowed (`abstract_trait_members`); without such a class, or `static`, it is
  `added:bodyless`.
* `hints:not-insertion`, `hints:not-hint` — (`hints` tasks) a statement line was changed or
  removed, or an inserted line is not an assert / loop invariant / decreases / helper
  lemma-function-predicate with a body, or is inserted where it would change a statement clause.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from verifier_core.records import Task

from . import header, syntax
from .syntax import Decl, Program, Token

MAX_CANDIDATE_BYTES = 1_000_000
# Bump whenever a rule changes: it is part of the Dafny verdict-cache key, so a tightened gate is
# never answered by a `verified` cached under the old one.
GATE_VERSION = 7  # 7: bitvectors only where the statement has them, no function-typed fields (red team round 6)
# Rules that say "this is not a program for the task" (garbage, prose, an unrelated program), not
# "this is a cheat": they are `failed`, every other rule is `rejected`.
FAILED_RULES = ("parse:", "spec:absent")

PROOF_ATTRIBUTES = frozenset(
    "fuel trigger induction autotriggers no_trigger nowarn vcs_split_on_every_assert vcs_max_cost "
    "vcs_max_splits vcs_max_keep_going_splits split_here focus isolate_assertions timeLimit timelimit "
    "timeLimitMultiplier rlimit resource_limit tailrecursion nativeType print "
    "warnShadowing abstemious".split()
)
# Harmless on helpers; on spec members they are compared as part of the header.
HELPER_ATTRIBUTES = frozenset("opaque autocontracts compile test main error".split())
BANNED_ATTRIBUTES = {
    "axiom": "attr:axiom",
    "extern": "attr:extern",
    "only": "attr:only",
    "options": "attr:options",
    "synthesize": "attr:synthesize",
    "assumption": "attr:assumption",
    "dllimport": "attr:dllimport",
    # Boogie inlines such a method into its callers, assumes its ensures there and never verifies
    # its own implementation: on 2.3 `method {:inline 1} H() ensures 0 == 1 { }` plus a caller
    # that uses it reports "1 verified, 0 errors".
    "inline": "attr:inline",
}
_BANNED_WORDS = {"assume": "assume", "expect": "expect"}
_INSERTABLE_DECLS = ("lemma", "function", "predicate")


@dataclass
class GateResult:
    """The gate's decision and, when it passes, the exact program to verify.

    `members`: qualified names (`Module.Class.name`, top-level ones bare) of the statement's members
    that must end verified: those it leaves bodyless plus its methods and lemmas.
    `line_offset`: candidate line i is program line i + line_offset.
    """

    ok: bool
    program: str = ""
    rule: str = ""
    detail: str = ""
    members: list[str] = field(default_factory=list)
    line_offset: int = 0

    @property
    def status(self) -> str:
        """`failed` for output that is not a program for the task, else `rejected`."""
        return "failed" if self.rule.startswith(FAILED_RULES) else "rejected"


def _reject(rule: str, detail: str, members: list[str] | None = None) -> GateResult:
    return GateResult(False, "", rule, detail, list(members or []))


def gate(task: Task, candidate: str) -> GateResult:
    """Check `candidate` for `task` (a Dafny prove/implement/hints task) and assemble the program."""
    if len(candidate.encode("utf-8", "surrogatepass")) >= MAX_CANDIDATE_BYTES:
        return _reject("input:too-large", f"candidate is {len(candidate)} characters (limit 1 MB)")
    bad = _binary_char(candidate)
    if bad is not None:
        return _reject("input:binary", f"control character {candidate[bad]!r} at {syntax.position(candidate, bad)}")
    spec = syntax.parse(task.statement)
    problem = _spec_problem(spec, task.kind)
    if problem:
        return _reject(*problem)
    targets = [d for d in spec.walk() if d.is_callable and not d.has_body]
    members = _unique([d.qualname for d in targets] + [d.qualname for d in spec.walk() if d.base in ("method", "lemma", "constructor", "iterator")])

    program, line_offset = candidate, 0
    if task.kind != "hints" and len(targets) == 1 and _is_brace_block(candidate):
        program, line_offset = _splice(task.statement, targets[0], candidate)
    cand = syntax.parse(program)
    res = (
        _check_parse(cand)
        or _check_constructs(spec, cand, allow_star=bool(task.meta.get("allow_decreases_star")))
        or _check_bitvectors(spec, cand, task.header)
        or _check_function_fields(spec, cand)
        or (_check_insertions(task.statement, program) if task.kind == "hints" else None)
        or _check_spec(spec, cand, hints=task.kind == "hints")
        or _check_rebinding(spec, cand, header.reserved_names(task.header) if task.header else frozenset())
    )
    if res is not None:
        res.members = members
        return res
    return GateResult(True, program, "", "", members, line_offset)


def nothing_to_prove(spec: Program, kind: str) -> str:
    """Why `spec` leaves a candidate nothing to prove, or "" when it has a goal: a callable without a
    body, an `ensures` anywhere in its code, or (hints: the program's own proofs, termination
    included) any callable. Read off tokens where it can, so that a declaration the parser does not
    see still counts."""
    words = {t.text for t in syntax.code_tokens(spec.text)}
    if not words:
        return "the statement is empty (no code, or only comments): any program would pass it"
    if "ensures" in words or (kind == "hints" and words & {*syntax.CALLABLES, "copredicate", "colemma"}):
        return ""
    if any(d.is_callable and not d.has_body for d in spec.walk()):
        return ""
    return ("the statement declares no member to prove (none without a body, no `ensures`): any program "
            "that verifies on its own would pass it")


def _spec_problem(spec: Program, kind: str) -> tuple[str, str] | None:
    """(rule, detail) when the statement cannot be a task at all: unparsable, or nothing to prove."""
    if spec.errors or spec.junk:
        what = (spec.errors[0] if spec.errors
                else f"unrecognized text {spec.junk[0].text!r} at {syntax.position(spec.text, spec.junk[0].start)}")
        return "task:unparsable", what
    empty = nothing_to_prove(spec, kind)
    return ("task:empty", empty) if empty else None


def statement_problem(task: Task) -> str:
    """The `task:` reason when the statement cannot be a task at all, else "": decided without Dafny,
    so that a job can refuse such a task before any work."""
    problem = _spec_problem(syntax.parse(task.statement), task.kind)
    return f"{problem[0]}: {problem[1]}" if problem else ""


_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")


def _binary_char(text: str) -> int | None:
    """Offset of a NUL anywhere or a control character in code (comments may hold stray bytes)."""
    nul = text.find("\x00")
    if nul >= 0:
        return nul
    pos = 0
    for t in syntax.tokenize(text) + [syntax.Token("end", "", len(text), len(text))]:
        for span in ((pos, t.start), (t.start, t.end) if t.kind not in ("comment", "string", "char") else (0, 0)):
            m = _CONTROL.search(text, span[0], span[1])
            if m:
                return m.start()
        pos = t.end
    return None


def _unique(xs: list[str]) -> list[str]:
    return list(dict.fromkeys(xs))


# --- assembling --------------------------------------------------------------------------------


def _is_brace_block(candidate: str) -> bool:
    """Is the candidate (comments aside) a single `{ ... }` block?"""
    toks = syntax.code_tokens(candidate)
    if not toks or toks[0].text != "{" or any(t.kind == "error" for t in syntax.tokenize(candidate)):
        return False
    return syntax.matching_brace(toks, 0) == len(toks) - 1


def _splice(statement: str, target: Decl, body: str) -> tuple[str, int]:
    """The statement with `body` put after the header of `target`, on its own lines."""
    prefix = statement[: target.header_end] + "\n"
    program = prefix + body.strip("\n") + "\n" + statement[target.header_end :]
    return program, prefix.count("\n")


# --- checks ------------------------------------------------------------------------------------


def _check_parse(cand: Program) -> GateResult | None:
    if cand.errors:
        return _reject("parse:unterminated", cand.errors[0])
    if cand.junk:
        t = cand.junk[0]
        return _reject("parse:unrecognized", f"{t.text!r} at line {_line(cand.text, t.start)} starts no declaration")
    return None


def _line(text: str, off: int) -> int:
    return text.count("\n", 0, off) + 1


def _attributes(prog: Program) -> list[tuple[str, int, int, str]]:
    """(name, start, end, args) of every `{:...}` in the program's code."""
    toks = prog.tokens
    out = []
    for i in range(len(toks)):
        if syntax.is_attribute_open(toks, i):
            j = syntax.matching_brace(toks, i)
            j = len(toks) - 1 if j < 0 else j
            name = toks[i + 2].text if i + 2 < len(toks) and toks[i + 1].text == ":" and toks[i + 2].kind == "ident" else ""
            args = " ".join(t.text for t in toks[i + 3 : j])
            out.append((name, toks[i].start, toks[j].end, args))
    return out


def _check_constructs(spec: Program, cand: Program, allow_star: bool) -> GateResult | None:
    toks, text = cand.tokens, cand.text
    for k, t in enumerate(toks):
        if t.kind != "ident":
            continue
        where = f"line {_line(text, t.start)}"
        if t.text in _BANNED_WORDS:
            return _reject(_BANNED_WORDS[t.text], f"`{t.text}` at {where}")
        if t.text == "free" and k + 1 < len(toks) and toks[k + 1].text in ("requires", "ensures", "invariant", "modifies", "reads", "decreases"):
            return _reject("free", f"unchecked `free {toks[k + 1].text}` at {where}")
        if t.text == "decreases" and k + 1 < len(toks) and toks[k + 1].text == "*" and not allow_star:
            return _reject("decreases-star", f"`decreases *` at {where} (the task does not allow non-termination)")
    spec_attrs: dict[str, int] = {}
    for name, *_ in _attributes(spec):
        spec_attrs[name] = spec_attrs.get(name, 0) + 1
    seen: dict[str, int] = {}
    for name, start, _end, args in _attributes(cand):
        where = f"line {_line(text, start)}"
        seen[name] = seen.get(name, 0) + 1
        if name in BANNED_ATTRIBUTES:
            return _reject(BANNED_ATTRIBUTES[name], f"{{:{name}}} at {where}")
        if name == "verify" and args.strip() != "true":
            return _reject("attr:verify-false", f"{{:verify {args}}} at {where}")
        if name == "termination" and args.strip() != "true":
            return _reject("attr:termination", f"{{:termination {args}}} at {where}")
        if name not in PROOF_ATTRIBUTES and name not in HELPER_ATTRIBUTES and name not in ("verify", "termination"):
            if seen[name] > spec_attrs.get(name, 0):
                return _reject("attr:unknown", f"{{:{name}}} at {where} is not known to be harmless")
    spec_structure = Counter(_structure_key(spec, d) for d in spec.walk() if d.keyword in _STRUCTURE)
    for d in cand.walk():
        where = f"line {_line(text, d.start)}"
        if d.keyword == "include":
            return _reject("include", f"include {d.name} at {where}")
        if d.keyword in _STRUCTURE:
            key = _structure_key(cand, d)
            if spec_structure[key] <= 0:
                return _reject("added:module", f"{d.kind} {d.name} at {where} is not in the statement")
            spec_structure[key] -= 1
    res = _check_bodyless_statements(cand) or _check_infinite_sets_in_types(spec, cand)
    if res:
        return res
    # the statement's own clauses only: a helper's `ensures false` under a contradictory `requires`
    # (ex falso) or its `ensures true` is proved like any other helper, not assumed
    spec_keys = {(d.qualname, d.keyword) for d in spec.walk()}
    n_spec = _trivial_ensures(spec)
    n_cand = _trivial_ensures(cand, [d for d in cand.walk() if (d.qualname, d.keyword) in spec_keys and d.is_callable])
    if n_cand > n_spec:
        return _reject("ensures:trivial", f"{n_cand - n_spec} `ensures true/false` clause(s) added to the statement")
    return None


_STRUCTURE = ("module", "import", "export")
_FIELD_OWNERS = ("class", "trait")
_ITERATOR_CLAUSES = ("requires", "ensures", "reads", "modifies", "decreases", "yield")


def _is_arrow(toks: list[Token], k: int) -> bool:
    """`->` (also the tail of `-->`) or `~>` at token k."""
    return toks[k].text == "->" or (toks[k].text == "~" and k + 1 < len(toks) and toks[k + 1].text == ">")


def _function_types(prog: Program) -> set[str]:
    """Type declarations of `prog` whose definition holds a function type, directly or through another."""
    decls = _type_decls(prog)
    out: set[str] = set()
    grew = True
    while grew:
        grew = False
        for name, (_d, _params, body) in decls.items():
            if name not in out and any(_is_arrow(body, k) or t.text in out for k, t in enumerate(body)):
                out.add(name)
                grew = True
    return out


def _check_function_fields(spec: Program, cand: Program) -> GateResult | None:
    """No function-typed field in a class, trait or iterator the candidate adds to (rule
    `field:function` in the module docstring): Dafny 2.3 checks positivity through datatypes only."""
    spec_keys = {(d.qualname, d.keyword) for d in spec.walk()}
    functional = _function_types(cand)
    fields = [m for c in cand.walk() if c.keyword in _FIELD_OWNERS for m in c.children if m.keyword in ("var", "const")]
    fields += [d for d in cand.walk() if d.keyword == "iterator"]
    for d in fields:
        if (d.qualname, d.keyword) in spec_keys:
            continue
        toks = [t for t in cand.tokens if d.start <= t.start < d.header_end]
        end = next((k for k, t in enumerate(toks) if t.text in (":=",) or (d.keyword == "iterator" and t.text in _ITERATOR_CLAUSES)),
                   len(toks))
        toks = toks[:end]
        if any(_is_arrow(toks, k) or (t.kind == "ident" and t.text in functional) for k, t in enumerate(toks)):
            what = "parameter of iterator" if d.keyword == "iterator" else "field"
            return _reject("field:function", f"{what} {d.qualname} at line {_line(cand.text, d.start)} holds a function type: "
                                             "Dafny 2.3 does not check strict positivity through objects (a function stored "
                                             "in an object can be applied to that object and prove false)")
    return None
_BITVECTOR = re.compile(r"bv[0-9]+")


def _bitvector_types(text: str) -> list[Token]:
    return [t for t in syntax.code_tokens(text) if t.kind == "ident" and _BITVECTOR.fullmatch(t.text)]


def _check_bitvectors(spec: Program, cand: Program, header_text: str) -> GateResult | None:
    """No bitvector type where the statement and header have none: a bitvector termination measure
    is unsound on Dafny 2.3 (rule `bitvector` in the module docstring). Without a bitvector type
    name in the program's text no value has one (literals are `int`)."""
    if _bitvector_types(spec.text) or _bitvector_types(header_text or ""):
        return None
    found = _bitvector_types(cand.text)
    if found:
        return _reject("bitvector", f"`{found[0].text}` at line {_line(cand.text, found[0].start)}: the statement uses no "
                                    "bitvectors, and Dafny 2.3 checks termination over them unsoundly")
    return None
_INFINITE_COLLECTIONS = ("iset", "imap")


def _check_infinite_sets_in_types(spec: Program, cand: Program) -> GateResult | None:
    """Dafny 2.3 checks strict positivity of datatypes for arrows only, not through `iset`/`imap`:
    `datatype D = D(s: iset<D>)` (Cantor: D would be as large as its power set) proves `false`.
    So no datatype may reach itself through an `iset`/`imap` (directly, through a synonym, a tuple,
    another datatype, or a generic type that puts its parameter under one), unless the statement
    already has that cycle. `datatype Palette = Palette(cs: iset<Color>)` over a plain `Color` is
    fine; an `iset` whose element type is left to inference counts as reaching its own datatype."""
    spec_cycles = {c[0] for c in _infinite_cycles(spec)}
    for name, where, via in _infinite_cycles(cand):
        if name not in spec_cycles:
            return _reject("datatype:infinite-set", f"{name} at line {_line(cand.text, where)} reaches itself through "
                                                    f"`{via}` (Dafny 2.3 does not check strict positivity through it)")
    return None


def _type_decls(prog: Program) -> dict[str, tuple[Decl, list[str], list[Token]]]:
    """Type declarations by name: (decl, its type parameters, the tokens of its definition)."""
    out = {}
    for d in prog.walk():
        if d.keyword not in ("datatype", "codatatype", "type", "newtype") or not d.name:
            continue
        toks, k = [t for t in prog.tokens if d.start <= t.start < d.header_end], 0
        while k < len(toks) and toks[k].text != d.name:
            k += 1
        params: list[str] = []
        if k + 1 < len(toks) and toks[k + 1].text == "<":
            j = k + 2
            while j < len(toks) and toks[j].text != ">":
                if toks[j].kind == "ident" and toks[j - 1].text in ("<", ",", "+", "-", "!", "*"):
                    params.append(toks[j].text)
                j += 1
        eq = next((j for j in range(k, len(toks)) if toks[j].text == "="), None)
        body = toks[eq + 1:] if eq is not None else []
        if d.keyword in ("type", "newtype") and len(body) > 1 and body[1].text == ":":
            # a subset type `x: T | constraint`: only T is a type
            bar = next((j for j in range(2, len(body)) if body[j].text in ("|", "witness")), len(body))
            body = body[2:bar]
        attrs = [(a.start, a.end) for a in d.attributes]
        out[d.name] = (d, params, [t for t in body if not any(a <= t.start < b for a, b in attrs)])
    return out


def _type_refs(body: list[Token], owners_infinite) -> list[tuple[Token, bool, str]]:
    """Every identifier of a type definition, with whether it sits under an `iset`/`imap` (or a
    generic argument that `owners_infinite(owner, index)` says is put under one), and which."""
    out: list[tuple[Token, bool, str]] = []
    stack: list[list] = []  # [owner, argument index]
    for k, t in enumerate(body):
        tx = t.text
        if t.kind == "ident":
            infinite = next((o for o, i in stack if o in _INFINITE_COLLECTIONS or owners_infinite(o, i)), "")
            if tx in _INFINITE_COLLECTIONS and not (k + 1 < len(body) and body[k + 1].text == "<"):
                out.append((t, True, f"{tx} of an inferred type"))
            out.append((t, bool(infinite), infinite))
            if k + 1 < len(body) and body[k + 1].text == "<":
                stack.append([tx, 0])
        elif tx == "(":
            stack.append(["(", 0])
        elif tx == "," and stack:
            stack[-1][1] += 1
        elif tx == ")" and stack and stack[-1][0] == "(":
            stack.pop()
        elif tx != "<":
            for _ in range(tx.count(">") if tx != "->" else 0):
                if stack and stack[-1][0] != "(":
                    stack.pop()
    return out


def _infinite_cycles(prog: Program) -> list[tuple[str, int, str]]:
    """(datatype, offset, collection) for each datatype that reaches itself through an `iset`/`imap`."""
    decls = _type_decls(prog)
    infinite_params: dict[str, set[int]] = {n: set() for n in decls}
    grew = True
    while grew:  # which type parameters a declaration puts under an iset/imap, transitively
        grew = False
        for name, (_d, params, body) in decls.items():
            for t, infinite, _ in _type_refs(body, lambda o, i: i in infinite_params.get(o, ())):
                if infinite and t.text in params and params.index(t.text) not in infinite_params[name]:
                    infinite_params[name].add(params.index(t.text))
                    grew = True
    edges: dict[str, list[tuple[str, bool, str]]] = {n: [] for n in decls}
    for name, (_d, params, body) in decls.items():
        for t, infinite, via in _type_refs(body, lambda o, i: i in infinite_params.get(o, ())):
            if via.endswith("inferred type"):
                edges[name].append((name, True, via))
            elif t.text in decls and t.text not in params:
                edges[name].append((t.text, infinite, via))

    def reaches(a: str, b: str) -> bool:
        seen, todo = set(), [a]
        while todo:
            n = todo.pop()
            if n == b:
                return True
            if n not in seen:
                seen.add(n)
                todo.extend(m for m, _, _ in edges.get(n, ()))
        return False

    out = []
    for name, (d, _params, _body) in decls.items():
        if d.keyword not in ("datatype", "codatatype"):
            continue
        # an infinite edge n -> m on a cycle through this datatype
        hit = next(((m, via) for n in decls for m, infinite, via in edges[n]
                    if infinite and reaches(name, n) and reaches(m, name)), None)
        if hit:
            out.append((name, d.start, hit[1]))
    return out


def _structure_key(prog: Program, d: Decl) -> tuple[str, ...]:
    """Modules by name and header; imports/exports by their whole text (there may be several)."""
    return (d.qualname,) + tuple(t.text for t in prog.tokens if d.start <= t.start < d.header_end)


def _check_bodyless_statements(cand: Program) -> GateResult | None:
    """Loops and forall statements without a body: Dafny assumes their invariants/ensures."""
    toks = cand.tokens
    code_bodies = [(d.body_start, d.body_end) for d in cand.walk() if d.is_callable and d.has_body and d.base not in ("function", "predicate")]
    for k, t in enumerate(toks):
        if t.kind != "ident" or t.text not in ("while", "for", "forall"):
            continue
        if not any(s < t.start < e for s, e in code_bodies):
            continue  # function bodies are expressions: `forall` there is a quantifier
        if t.text == "forall" and not _statement_position(toks, k):
            continue  # a quantifier, not a statement
        if not _statement_has_body(toks, k):
            rule = "forall:bodyless" if t.text == "forall" else "loop:bodyless"
            return _reject(rule, f"`{t.text}` without a body at line {_line(cand.text, t.start)}")
    return None


def _statement_position(toks: list[Token], k: int) -> bool:
    """Can a statement start at `k`: after `;`/`{`/`}`, a label `label L:`, or a `case P =>`?"""
    if k == 0 or toks[k - 1].text in (";", "{", "}"):
        return True
    if toks[k - 1].text == ":" and k >= 3 and toks[k - 3].text == "label":
        return True
    if toks[k - 1].text == "=>":
        # `case P =>` of a match/if-case statement (a lambda's `=>` is preceded by its parameters,
        # with no `case` before them at the same nesting).
        depth = 0
        for j in range(k - 2, -1, -1):
            tx = toks[j].text
            if tx in (")", "]", "}"):
                depth += 1
            elif tx in ("(", "[", "{"):
                if depth == 0:
                    return False
                depth -= 1
            elif depth == 0 and tx in (";", "=>"):
                return False
            elif depth == 0 and tx == "case":
                return True
    return False


def _statement_has_body(toks: list[Token], k: int) -> bool:
    """Does the loop/forall statement at `k` have a `{ }` body (scanning its guard and clauses)?"""
    depth, lets = 0, 0
    j = k + 1
    if j + 1 < len(toks) and toks[j].text == "{" and toks[j + 1].text == "case":
        return True  # `while { case ... }` alternative loop
    while j < len(toks):
        tx = toks[j].text
        if tx in ("(", "[", "#["):
            depth += 1
        elif tx in (")", "]"):
            depth -= 1
        elif tx == "{":
            if depth <= 0 and not syntax.is_attribute_open(toks, j) and (
                syntax.brace_opens_body(toks, j) or (j == k + 2 and toks[j - 1].text == "*")  # `while * {`
            ):
                return True
            m = syntax.matching_brace(toks, j)
            if m < 0:
                return False
            j = m + 1
            continue
        elif depth <= 0 and tx == "var":
            lets += 1  # let-expression inside a clause: `var x := e; body`
        elif depth <= 0 and tx == ";" and lets:
            lets -= 1
        elif depth <= 0 and tx == ";":
            # Dafny 2 ends loop clauses with `;`: `while c decreases n; invariant p; { ... }`
            if j + 1 < len(toks) and toks[j + 1].text in ("{", "invariant", "decreases", "modifies", "free"):
                j += 1
                continue
            return False
        elif depth <= 0 and tx == "}":
            return False
        elif tx == "::" and depth <= 0 and toks[k].text == "forall":
            return True  # a quantifier (e.g. a calc step), not a forall statement
        j += 1
    return False


def _trivial_ensures(prog: Program, within: list[Decl] | None = None) -> int:
    """`ensures true`/`ensures false` clauses, in the headers of `within` (default: anywhere)."""
    toks = prog.tokens
    spans = None if within is None else [(d.start, d.header_end) for d in within]
    n = 0
    for k, t in enumerate(toks):
        if spans is not None and not any(a <= t.start < b for a, b in spans):
            continue
        if t.text == "ensures" and t.kind == "ident":
            j = k + 1
            while j < len(toks) and syntax.is_attribute_open(toks, j):
                j = syntax.matching_brace(toks, j) + 1 or len(toks)
            end = syntax.clause_end(toks, k)
            body = [x.text for x in toks[j:end] if x.text != ";"]
            if body in (["true"], ["false"]):
                n += 1
    return n


# --- spec integrity ----------------------------------------------------------------------------


def _signature(prog: Program, start: int, end: int, drop: list[tuple[int, int]]) -> tuple[str, ...]:
    """Code token texts in [start, end), minus those inside `drop` spans."""
    return tuple(t.text for t in prog.tokens if start <= t.start < end and not any(s <= t.start < e for s, e in drop))


def _drop_spans(prog: Program, hints: bool) -> list[tuple[int, int]]:
    """Spans ignored when comparing with the statement: proof attributes; for hints also hints."""
    drops = [(s, e) for name, s, e, args in _attributes(prog) if name in PROOF_ATTRIBUTES or (name, args.strip()) == ("verify", "true")]
    if hints:
        drops += syntax.hint_spans(prog.text, decreases_in_headers=True)
    return drops


def _check_spec(spec: Program, cand: Program, hints: bool) -> GateResult | None:
    cand_by = cand.by_qualname()
    for name, ds in cand_by.items():
        if len(ds) > 1 and ds[0].keyword not in ("import", "export"):
            return _reject("duplicate", f"{name!r} is declared {len(ds)} times")
    spec_drop, cand_drop = _drop_spans(spec, hints), _drop_spans(cand, hints)
    spec_by = spec.by_qualname()
    if spec_by and not any(name in cand_by for name in spec_by):
        return _reject("spec:absent", "none of the statement's declarations is in the candidate")
    for sd in spec.walk():
        found = [d for d in cand_by.get(sd.qualname, []) if d.keyword == sd.keyword]
        if not found:
            return _reject("spec:missing", f"{sd.kind} {sd.qualname or sd.keyword} of the statement is missing")
        cd = found[0] if len(found) == 1 else _closest(spec, sd, cand, found, spec_drop, cand_drop)
        if _signature(spec, sd.start, sd.header_end, spec_drop) != _signature(cand, cd.start, cd.header_end, cand_drop):
            return _reject("spec:changed", f"the header of {sd.kind} {sd.qualname} differs from the statement")
        if sd.is_callable and not sd.has_body and not cd.has_body:
            return _reject("body:missing", f"{sd.kind} {sd.qualname} still has no body")
        keep_body = sd.has_body and (sd.base in ("function", "predicate") or not sd.is_callable) and not sd.children
        if keep_body and _signature(spec, sd.body_start, sd.body_end, spec_drop) != _signature(cand, cd.body_start, cd.body_end, cand_drop):
            return _reject("spec:changed", f"the body of {sd.kind} {sd.qualname} differs from the statement")
        if sd.has_body and not cd.has_body:
            return _reject("spec:changed", f"{sd.kind} {sd.qualname} lost its body")
    abstract = [m for _, m in abstract_trait_members(cand)]
    for d in cand.walk():
        if d.qualname not in spec_by and d.is_callable and not d.has_body and not any(m is d for m in abstract):
            return _reject("added:bodyless", f"added {d.kind} {d.qualname} has no body (it would be an axiom)")
    return None


def abstract_trait_members(prog: Program) -> list[tuple[Decl, Decl]]:
    """(trait, member) for each bodyless instance member of a trait that some class of `prog`
    extends: abstract, not an axiom. Dafny 2.3 refuses a class that extends the trait without
    implementing the member ("class 'C' does not implement trait function 'T.F'", a resolution
    error) and verifies every implementation against the trait's contract, and only classes make
    values of a trait type. With no class extending it the member is an axiom: 2.3 lets a lemma
    use an uninitialised `var t: T;` (`t.L()` with `L` bodyless, `ensures 0 == 1`, proves it with
    no class at all). A `static` member needs no value and no class implements it: an axiom too."""
    extended = set()
    for c in prog.walk():
        if c.keyword == "class":
            head = [t.text for t in prog.tokens if c.start <= t.start < c.header_end]
            if "extends" in head:
                extended.update(head[head.index("extends") + 1:])
    return [(t, m) for t in prog.walk() if t.keyword == "trait" and t.name in extended
            for m in t.children if m.is_callable and not m.has_body and "static" not in m.modifiers]


def _check_rebinding(spec: Program, cand: Program, reserved: frozenset[str]) -> GateResult | None:
    """No declaration the candidate adds, in any scope, may take a name the statement's text uses.

    Dafny resolves a name to the innermost declaration in scope, and at module level a datatype's
    constructor before a function of an opened module: an added `const Leaf` (or function `Node`,
    or constructor `abs`) makes the statement's unchanged text `Size(Leaf) == 1` mean something
    else, and so does a member `Valid` added to a statement class whose method's `ensures` calls a
    top-level `Valid`. The printed clauses stay identical, so only the names can tell. Every
    identifier of the statement counts (parameters and bound variables too): a helper named like
    one is rare, and refusing it is the safe side.
    """
    used = {t.text for t in spec.tokens if t.kind == "ident"}
    spec_keys = {(d.qualname, d.keyword) for d in spec.walk()}
    for d in cand.walk():
        if (d.qualname, d.keyword) in spec_keys:
            continue
        for name in declared_names(cand, d):
            if name in reserved:  # a trusted header's name (`header.guard` says the same, later)
                return _reject("header:redefined", f"{d.kind} {d.qualname or name} at line {_line(cand.text, d.start)} "
                                                   f"declares `{name}`, a name of the trusted header; call it, do not "
                                                   "redeclare or shadow it")
            if name in used:
                return _reject("spec:rebinding", f"{d.kind} {d.qualname or name} at line {_line(cand.text, d.start)} "
                                                 f"declares `{name}`, a name the statement uses; give it another name")
    return None


def declared_names(prog: Program, d: Decl) -> list[str]:
    """The names `d` puts in scope: its own, a datatype's constructors, every name of `var a, b: T`."""
    names = [d.name] if d.name and d.keyword not in ("import", "export", "include") else []
    if d.keyword in ("datatype", "codatatype"):
        names += syntax.constructors(prog.text, d)
    elif d.keyword in ("var", "const"):
        toks = [t for t in prog.tokens if d.start <= t.start < d.header_end]
        depth = 0
        for k, t in enumerate(toks):
            if t.text in ("(", "[", "<", "{"):
                depth += 1
            elif t.text in (")", "]", ">", "}"):
                depth -= 1
            elif depth == 0 and t.text in (":=", "="):
                break
            elif depth == 0 and t.text == "," and k + 1 < len(toks) and toks[k + 1].kind == "ident":
                names.append(toks[k + 1].text)
    return names


def _closest(spec: Program, sd: Decl, cand: Program, found: list[Decl], sdrop, cdrop) -> Decl:
    """Among same-named imports/exports, the one whose header matches (else the first)."""
    want = _signature(spec, sd.start, sd.header_end, sdrop)
    for d in found:
        if _signature(cand, d.start, d.header_end, cdrop) == want:
            return d
    return found[0]


# --- hints: insertions only --------------------------------------------------------------------


def _norm(line: str) -> str:
    return re.sub(r"\s+", "", line)


def _lines(text: str) -> tuple[list[str], list[int]]:
    """Lines split as Dafny counts them (at `\n` only; a `\r` before it is blank space) and the
    offset where each starts. `str.splitlines` also splits at `\x0b`, `\u2028`, ... which Dafny
    does not, and drops the `\r`s that offsets must count."""
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return lines, starts


def _code_by_line(text: str, starts: list[int]) -> dict[int, tuple[str, ...]]:
    """Code token texts (comments dropped) grouped by the line each token starts on."""
    import bisect

    out: dict[int, list[str]] = {}
    for t in syntax.code_tokens(text):
        out.setdefault(bisect.bisect_right(starts, t.start) - 1, []).append(t.text)
    return {k: tuple(v) for k, v in out.items()}


def _check_insertions(statement: str, program: str) -> GateResult | None:
    """`program` must be `statement` with whole lines inserted, each run of them being hints."""
    s_raw, s_starts = _lines(statement)
    p_lines, line_starts = _lines(program)
    s_lines = [_norm(l) for l in s_raw]
    s_idx = [i for i, l in enumerate(s_lines) if l]
    p_idx = [i for i, l in enumerate(p_lines) if _norm(l)]
    a = [s_lines[i] for i in s_idx]
    b = [_norm(p_lines[i]) for i in p_idx]
    inserted = _inserted_lines(a, b)
    if inserted is None:
        return _reject("hints:not-insertion", "a line of the statement was changed or removed")
    # Same text is not enough: an inserted `/*` ... `*/` (or an unclosed string) turns statement
    # lines into comments. Every kept line must hold exactly the code it holds in the statement.
    kept = [p_idx[j] for j in sorted(set(range(len(b))) - set(inserted))]
    s_code, p_code = _code_by_line(statement, s_starts), _code_by_line(program, line_starts)
    for si, pj in zip(s_idx, kept):
        if s_code.get(si, ()) != p_code.get(pj, ()):
            return _reject("hints:not-insertion", f"line {pj + 1} reads differently than the statement's line {si + 1} "
                                                  "(inserted lines changed what is code and what is comment)")
    runs: list[list[int]] = []
    for k in sorted(p_idx[j] for j in inserted):
        if runs and all(not _norm(p_lines[m]) for m in range(runs[-1][-1] + 1, k)):
            runs[-1].append(k)
        else:
            runs.append([k])
    ptoks = syntax.code_tokens(program)
    for run in runs:
        lo, hi = line_starts[run[0]], line_starts[run[-1]] + len(p_lines[run[-1]])
        res = _check_run(program, ptoks, lo, hi)
        if res is not None:
            return res
    return None


def _inserted_lines(a: list[str], b: list[str]) -> list[int] | None:
    """Indices of `b` not matched when `a` is aligned as a subsequence of `b`, or None if impossible.

    difflib's alignment first (it keeps insertions where a human diff would put them); if that shows
    deletions, a greedy subsequence match (always finds one when one exists). Any alignment that
    passes the hint checks is a witness that the program is the statement plus hints.
    """
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ops = sm.get_opcodes()
    if all(op in ("equal", "insert") for op, *_ in ops):
        return [j for op, _i1, _i2, j1, j2 in ops if op == "insert" for j in range(j1, j2)]
    out, i = [], 0
    for j, line in enumerate(b):
        if i < len(a) and line == a[i]:
            i += 1
        else:
            out.append(j)
    return out if i == len(a) else None


def _check_run(program: str, ptoks: list[Token], lo: int, hi: int) -> GateResult | None:
    """One run of inserted lines (character span lo..hi of the program) must be hints only."""
    idx = [k for k, t in enumerate(ptoks) if lo <= t.start < hi]
    if not idx:
        return None  # blank or comment-only lines
    first, last = idx[0], idx[-1]
    if ptoks[last].end > hi:
        return _reject("hints:not-insertion", f"inserted text at line {_line(program, lo)} runs into a statement line")
    where = f"line {_line(program, ptoks[first].start)}"
    prev = ptoks[first - 1] if first > 0 else None
    nxt = ptoks[last + 1] if last + 1 < len(ptoks) else None
    toks = ptoks[first : last + 1]
    if syntax.brace_opens_body(ptoks, first) and _is_decl_run(toks):
        sub = syntax.parse(program[ptoks[first].start : ptoks[last].end])
        ok = not sub.junk and not sub.errors and all(d.base in _INSERTABLE_DECLS and d.has_body for d in sub.decls)
        next_ok = nxt is None or nxt.text == "}" or _starts_decl(ptoks, last + 1)
        if ok and next_ok:
            return None
        return _reject("hints:not-hint", f"inserted declarations at {where} are not helper lemmas/functions with bodies")
    res = _check_hint_items(program, ptoks, first, last + 1, prev)
    if res is not None:
        return res
    if toks[-1].text not in (";", "}") and nxt is not None and nxt.text not in ("{", "invariant", "decreases", "modifies", "requires", "ensures", "reads", "}"):
        return _reject("hints:not-hint", f"inserted clause at {where} is followed by `{nxt.text}`, so it would change a statement clause")
    return None


def _check_hint_items(program: str, ptoks: list[Token], lo: int, hi: int, prev: Token | None) -> GateResult | None:
    """Tokens lo..hi must be asserts, loop invariants/decreases, or `{ }` blocks of asserts (calc hints)."""
    k = lo
    while k < hi:
        t = ptoks[k]
        where = f"line {_line(program, t.start)}"
        before = prev if k == lo else ptoks[k - 1]
        statement_position = before is None or before.text in (";", "{", "}")
        if t.text == "assert":
            if not (statement_position or before.text in ("=>", ":", "then", "else")):
                return _reject("hints:not-hint", f"assert inserted inside an expression at {where}")
            end = syntax.assert_end(ptoks, k)
        elif t.text in ("invariant", "decreases"):
            if before is not None and not syntax.ends_operand(ptoks, k - 1):
                return _reject("hints:not-hint", f"`{t.text}` inserted inside an expression at {where}")
            end = syntax.clause_end(ptoks, k)
            if _has_assignment(ptoks, k, end):
                return _reject("hints:not-hint", f"`{t.text}` clause at {where} contains an assignment")
        elif t.text == "{" and statement_position and not syntax.is_attribute_open(ptoks, k):
            end = syntax.matching_brace(ptoks, k) + 1
            if 0 < end <= hi:
                res = _check_hint_items(program, ptoks, k + 1, end - 1, t)
                if res is not None:
                    return res
        else:
            return _reject("hints:not-hint", f"inserted `{t.text}` at {where} is not an assert, invariant or decreases")
        if end <= k or end > hi:
            return _reject("hints:not-insertion", f"inserted hint at {where} swallows statement text")
        k = end
    return None


def _has_assignment(toks: list[Token], lo: int, hi: int) -> bool:
    """A top-level `:=` that is not a let-expression's (`var x := e; ...`)."""
    depth = lets = 0
    for t in toks[lo:hi]:
        if t.text in ("(", "[", "{", "#["):
            depth += 1
        elif t.text in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and t.text == "var":
            lets += 1
        elif depth == 0 and t.text == ":=":
            if not lets:
                return True
            lets -= 1
    return False


def _is_decl_run(toks: list[Token]) -> bool:
    return bool(toks) and toks[0].kind == "ident" and (toks[0].text in syntax.DECL_KEYWORDS or toks[0].text in syntax.MODIFIERS)


def _starts_decl(ptoks: list[Token], k: int) -> bool:
    while k < len(ptoks) and ptoks[k].text in syntax.MODIFIERS:
        k += 1
    return k < len(ptoks) and ptoks[k].text in syntax.DECL_KEYWORDS
