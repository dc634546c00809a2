"""Decide on Dafny's own reading of the program, after the verifier said it verified.

The scanner in `syntax.py` guesses at Dafny's grammar and is only the fast early rejection; what
decides is what Dafny itself parsed and resolved (the verifier also turns Dafny's warnings "this
loop / forall statement has no body" into `dafny:loop:bodyless` / `dafny:forall:bodyless`). DafnyServer's `symbols` request answers, for the
exact program that was verified, every method/lemma/constructor/function/predicate with the byte
span of its body (none for a bodyless one) and its `requires`/`ensures` as Dafny prints them.
From that and the verifier's own warnings:

* `added:bodyless` / `body:missing` — some callable has no body in Dafny's reading (an axiom),
  however its text was disguised from the scanner.
* `unverified` — a method/lemma/constructor with a body and an `ensures` has no implementation
  that Dafny reported `verified` (Boogie lists every such implementation: each `ensures` is a
  proof obligation; measured on 2.3, only a `{:verify false}`-like switch leaves one out).
* `spec:missing` / `spec:changed` — a callable of the statement is absent from Dafny's reading of
  the program, or its clauses (Dafny's printing) or, for functions and predicates, the code tokens
  of its definition differ from Dafny's reading of the statement.

Members Dafny generates are not the program's text and are skipped: an iterator's `_ctor`, `Valid`
and `MoveNext` (bodyless, at the iterator's own position; only when the iterator has a body) and an opaque function's `reveal_F`
(bodyless, at the function's position).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import syntax
from .messages import ImplOutcome, Symbol, impl_name_parts


@dataclass(frozen=True)
class Finding:
    rule: str
    detail: str


def _generated(symbols: list[Symbol]) -> set[tuple[str, str, str, str]]:
    # Only an iterator with a body has generated members: a bodyless one's `MoveNext` is an axiom
    # (Dafny then reports the iterator's class with no body span).
    classes = {(s.module, s.name, s.position) for s in symbols if s.kind == "Class" and s.has_body}
    functions = {(s.module, s.parent, f"reveal_{s.name}", s.position) for s in symbols if s.kind in ("Function", "Predicate")}
    return {s.key for s in symbols if s.is_callable and not s.has_body and (
        (s.module, s.parent, s.position) in classes or (s.module, s.parent, s.name, s.position) in functions)}


def identifiers(text: str) -> set[str]:
    return {t.text for t in syntax.code_tokens(text) if t.kind == "ident"}


def _abstract_members(program: str) -> set[tuple[str, str, str]]:
    """(module, trait, member) as Dafny names them in symbols, for the bodyless trait members that
    are abstract, not axioms (`soundness.abstract_trait_members`)."""
    from .soundness import abstract_trait_members

    out = set()
    for trait, member in abstract_trait_members(syntax.parse(program)):
        module, _, name = trait.qualname.rpartition(".")
        out.add((module or "_module", name, member.name))
    return out


def _where(s: Symbol) -> str:
    owner = "" if s.parent in ("_default", "__default", "") else f"{s.parent}."
    module = "" if s.module in ("_module", "") else f"{s.module}."
    return f"{s.kind.lower()} {module}{owner}{s.name} (line {s.line})"


def _code(source: bytes, s: Symbol) -> tuple[str, ...]:
    """Code tokens of a declaration from its name to the end of its body, attributes left out."""
    text = source[s.position : s.end_position + 1].decode("utf-8", "replace")
    toks = syntax.code_tokens(text)
    out, i = [], 0
    while i < len(toks):
        if syntax.is_attribute_open(toks, i):
            j = syntax.matching_brace(toks, i)
            i = len(toks) if j < 0 else j + 1
            continue
        out.append(toks[i].text)
        i += 1
    return tuple(out)


def _impl_of(s: Symbol, impls: list[ImplOutcome]) -> list[ImplOutcome]:
    """The Boogie implementations Dafny made of method/lemma `s` (`Impl$$_0_M.C.name`)."""
    # Boogie doubles every `_` of a Dafny name (`amc12_2000_p6` -> `amc12__2000__p6`) and spells
    # `'` as `_k` and `?` as `_q` (`L'` -> `L_k`).
    boogie = s.name.replace("_", "__").replace("'", "_k").replace("?", "_q")
    last = {s.name, boogie, f"_default_{s.name}", f"{s.name}_h", f"{boogie}_h",
            "__ctor" if s.name == "_ctor" else s.name}
    default_class = s.parent in ("_default", "__default", "")
    owner = (s.module.split(".")[-1] if s.module not in ("_module", "") else None) if default_class else s.parent
    out = []
    for i in impls:
        if not i.name.startswith("Impl$$"):
            continue
        parts = impl_name_parts(i.name)
        if parts and parts[-1] in last and (parts[-2] if len(parts) > 1 else None) == owner:
            out.append(i)
    return out


def check(program: str, symbols: list[Symbol], statement: str, spec_symbols: list[Symbol],
          impls: list[ImplOutcome], names: set[str] | None = None) -> Finding | None:
    """The first soundness finding in Dafny's report on `program` (translated as verified), or None.

    `statement`/`spec_symbols`: the task's statement (translated the same way) and its symbols;
    `impls`: the implementations the verifier listed, with their outcomes; `names`: the
    identifiers of the statement's own text (default: of `statement`; a trusted header around it
    is not the statement's text).
    """
    skip = _generated(symbols) | _generated(spec_symbols)
    spec_keys = {s.key for s in spec_symbols if s.is_callable}
    abstract = _abstract_members(program)
    for s in symbols:
        if s.is_callable and not s.has_body and s.key not in skip and (s.module, s.parent, s.name) not in abstract:
            rule = "body:missing" if s.key in spec_keys else "added:bodyless"
            return Finding(rule, f"{_where(s)} has no body in Dafny's reading of the program (it would be an axiom)")
    for s in symbols:
        if s.kind == "Method" and s.has_body and s.ensures and s.key not in skip:
            if not any(i.outcome == "verified" for i in _impl_of(s, impls)):
                return Finding("unverified", f"{_where(s)} has a body and an ensures but Dafny verified no implementation of it")
    used = names if names is not None else identifiers(statement)
    all_spec_keys = {s.key for s in spec_symbols}
    for s in symbols:
        if s.name in used and s.key not in all_spec_keys and s.key not in skip:
            return Finding("spec:rebinding", f"{_where(s)} takes `{s.name}`, a name the statement uses, in Dafny's "
                                             "reading of the program (it may rebind what the statement means)")
    by_key: dict[tuple[str, str, str, str], list[Symbol]] = {}
    for s in symbols:
        by_key.setdefault(s.key, []).append(s)
    prog_bytes, spec_bytes = program.encode("utf-8"), statement.encode("utf-8")
    for sd in spec_symbols:
        if not sd.is_callable or sd.key in skip:
            continue
        found = by_key.get(sd.key, [])
        if len(found) != 1:
            return Finding("spec:missing", f"{_where(sd)} of the statement is not in Dafny's reading of the program")
        cd = found[0]
        if (cd.requires, cd.ensures) != (sd.requires, sd.ensures):
            return Finding("spec:changed", f"the requires/ensures of {_where(sd)} differ from the statement's (as Dafny printed them)")
        if sd.has_body and sd.kind in ("Function", "Predicate") and _code(spec_bytes, sd) != _code(prog_bytes, cd):
            return Finding("spec:changed", f"the definition of {_where(sd)} differs from the statement's in Dafny's reading")
    return None
