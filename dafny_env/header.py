"""Trusted Dafny task headers: the fixed context a candidate may call but never change.

A Dafny task's `header` (`Task.header`) is program text that comes before the statement, the way
Mathlib comes before a Lean statement: miniF2F-Dafny's `definitions.dfy` + `library.dfy`, whose
`{:axiom}` members *are* the benchmark's definitions. The header is never gated (its axioms are the
benchmark's). The candidate is gated exactly as in a header-less task, then checked against the header
here (`guard`): it may not declare anything whose name the header declares or opens (that would
redefine or shadow a definition the statement means), nor add modules, `include`s or axioms (the gate
already rejects those everywhere), nor name a known-inconsistent axiom of the header (listed with the
port: miniF2F-Dafny's `pos(x)` ensures `x > 0.0` for every `x`) more often than the statement does.

The header is trusted and verified once, not on every check: `compose` marks each of its callable
members `{:verify false}` in the text sent to Dafny (applied here, to header members only; a
candidate's `{:verify false}` is still rejected by the gate), and `check_header` verifies it as is,
once (`bench/minif2f_dafny_header_check.py` records it in `dafny_env/minif2f/header_check.json`).

Dafny 2.3 cannot parse miniF2F-Dafny's header (datatype members, top-level `import opened`), so a
header may have a hand-written Dafny 2.3 port, keyed by the sha256 of the original text
(`PORTS`; the changes are listed beside each port). The identity of a header is always its original
text's hash (`header_id`): it goes into every verdict's toolchain stamp and cache key, whatever port
checked it. On 2.3 the port's own member calls (`x.to_real()` on a `rat`) are rewritten in the
statement and candidate too (`rewrite_members`), by the same table as the port itself.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import syntax

PORT_DIR = Path(__file__).resolve().parent / "minif2f"
CANDIDATE_MARK = "/*@CANDIDATE@*/"


@dataclass(frozen=True)
class Port:
    """A Dafny 2.3 port of one header: a whole program with `CANDIDATE_MARK` where the candidate goes.

    `members`: Dafny-4 member calls of the original (`x.neg()`) and the module function each becomes,
    by the receiver's type: {member: {type: function}}. `types`: how a receiver's type is recognised
    from its text ({type: [type names, constructor/module prefixes]}).
    """

    name: str
    original_sha256: str
    path: Path
    members: dict[str, dict[str, str]] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=dict)
    unsound: dict[str, str] = field(default_factory=dict)  # the original's inconsistent axioms, and why
    # minimal repairs of the original's inconsistent axioms (and of header lemmas proved from them):
    # [{"member", "old", "new", "counter_model"}], each `old` exactly once in the port's file
    repairs: tuple[dict[str, str], ...] = ()

    def text(self, repaired: bool = True) -> str:
        """The port as checks use it: its file (a faithful port of the original) with `repairs` applied;
        `repaired=False` gives the faithful port, inconsistencies and all (for audits)."""
        text = self.path.read_text(encoding="utf-8")
        if not repaired:
            return text
        for r in self.repairs:
            if text.count(r["old"]) != 1:
                raise HeaderError(f"repair of {r['member']} does not apply to {self.path.name} exactly once")
            text = text.replace(r["old"], r["new"])
        return text


def header_id(header: str) -> str:
    """sha256 of the header text (16 hex digits); "" for no header."""
    return hashlib.sha256(header.encode("utf-8")).hexdigest()[:16] if header else ""


def stamp(header: str) -> str:
    """What a verdict's toolchain stamp gets for this header ("" when there is none); with the
    digest of its port's repairs, so a verdict under the original's inconsistent axioms is never
    answered for the repaired header, nor one repair set for another."""
    if not header:
        return ""
    port = port_for(header)
    repairs = ""
    if port is not None and port.repairs:
        digest = hashlib.sha256(json.dumps(port.repairs, sort_keys=True).encode()).hexdigest()[:8]
        repairs = f" +repairs:{digest}"
    return f"{repairs} +header:{header_id(header)}"


@functools.lru_cache(maxsize=None)
def ports() -> dict[str, Port]:
    """Shipped Dafny 2.3 ports by the sha256 (full) of the original header text."""
    out = {}
    for manifest in sorted(PORT_DIR.glob("*/port.json")):
        m = json.loads(manifest.read_text(encoding="utf-8"))
        out[m["original_sha256"]] = Port(m["name"], m["original_sha256"], manifest.parent / m["file"],
                                         m.get("members", {}), m.get("types", {}), m.get("unsound", {}),
                                         tuple(m.get("repairs", ())))
    return out


def port_for(header: str) -> Port | None:
    return ports().get(hashlib.sha256(header.encode("utf-8")).hexdigest())


class HeaderError(ValueError):
    """The header cannot be used with this toolchain (no port for Dafny 2.3, or unreadable)."""


class HeaderRejection(ValueError):
    """The candidate redefines or shadows a header name: a verdict of `rejected` (rule in `rule`)."""

    def __init__(self, rule: str, detail: str):
        super().__init__(detail)
        self.rule = rule


def before_bridge(header: str, program: str, major: int, statement: str = "") -> str:
    """The gated `program` checked against the header (`guard`) and, on Dafny 2.x, with the port's
    member calls rewritten; the Dafny 4 → 2.3 bridge runs next, then `after_bridge`."""
    bad = guard(header, program, statement)
    if bad:
        raise HeaderRejection(*bad)
    if major >= 3:
        return program
    port = port_for(header)
    if port is None:
        raise HeaderError(f"no Dafny 2.3 port of header {header_id(header)}")
    return rewrite_members(program, port)


def after_bridge(header: str, program: str, major: int, to_program_line: Callable[[int], int]
                 ) -> tuple[str, Callable[[int], int], tuple[int, int]]:
    """The text Dafny verifies (`compose`), its line map (a header line maps to line 0 or below) and
    the program's own lines in it (first exclusive, last inclusive)."""
    composed = compose(header, program, major)
    last = program.count("\n") + 1

    def line(n: int) -> int:
        k = n - composed.line_offset
        return to_program_line(k) if 1 <= k <= last else min(0, k)

    return composed.text, line, (composed.line_offset, composed.line_offset + last)


@dataclass(frozen=True)
class Composed:
    """Header + program as Dafny sees it. Program line i is line i + `line_offset` of `text`."""

    text: str
    line_offset: int


def compose(header: str, program: str, major: int, trusted: bool = True, prune: bool = True,
            repaired: bool = True) -> Composed:
    """The text to verify: the header (ported for Dafny 2.x) around `program`, which goes where the
    port's `CANDIDATE_MARK` is (after the original header for Dafny 3+).

    With `trusted` (every check), each header member is `{:verify false}` and the header is cut to
    what `program` can reach (`_Outline.prune`; `prune=False` keeps it whole, for measurements);
    without it, the header is given whole and verified, as `check_header` does once.
    `repaired=False` uses the faithful port without its `repairs` (audits of the original).
    """
    outline = _outline(header, major, trusted, repaired)
    before = outline.prune(program) if trusted and prune else outline.before
    return Composed(before + program + outline.after, before.count("\n"))


@dataclass
class _Callable:
    names: tuple[str, str]  # (name, qualified name)
    span: tuple[int, int]  # the whole declaration
    cut: tuple[int, int] | None  # a trusted lemma's body: dropped (the lemma was verified once)
    refs: frozenset[str]  # identifiers it uses (in what is kept of it)


@dataclass
class _Outline:
    """A header split at the program's place, with its callables located for pruning."""

    before: str
    after: str
    callables: list[_Callable]

    def reached(self, program: str) -> set[int]:
        """Indices of the callables `program` reaches by name, transitively through what each keeps."""
        by_name: dict[str, list[int]] = {}
        for k, c in enumerate(self.callables):
            for n in c.names:
                by_name.setdefault(n, []).append(k)
        keep: set[int] = set()
        todo = list(_identifiers(program))
        seen: set[str] = set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            for k in by_name.get(n, ()):
                if k not in keep:
                    keep.add(k)
                    todo.extend(self.callables[k].refs)
        return keep

    def prune(self, program: str) -> str:
        """`before` with only the callables `program` reaches, by name, transitively.

        Dropping a declaration only removes axioms (Dafny's function axioms and lemma contracts
        are triggered by terms that mention the declaration's name), so a program that verifies
        against the pruned header verifies against the whole one. Names are matched without
        resolution (every `sum` is kept when `sum` is used): it can only keep too much.
        """
        keep = self.reached(program)
        cuts = []
        for k, c in enumerate(self.callables):
            if k not in keep:
                cuts.append(c.span)
            elif c.cut:
                cuts.append(c.cut)
        text = self.before
        for a, b in sorted(cuts, reverse=True):
            text = text[:a] + "\n" * text.count("\n", a, b) + text[b:]
        return text


def repaired_members_reached(header: str, program: str) -> list[str]:
    """The port's repaired members that `program` reaches through the trusted header (what a check
    of it keeps of the header): the problems whose verdicts the repairs can change."""
    port = port_for(header)
    if port is None or not port.repairs:
        return []
    outline = _outline(header, 2, True)
    repaired = {r["member"] for r in port.repairs}
    names = {outline.callables[k].names[0] for k in outline.reached(program)}
    return sorted(names & repaired)


def _identifiers(text: str) -> set[str]:
    return {t.text for t in syntax.code_tokens(text) if t.kind == "ident"}


@functools.lru_cache(maxsize=8)
def _outline(header: str, major: int, trusted: bool, repaired: bool = True) -> _Outline:
    if major >= 3:
        full = _without_includes(header) + "\n" + CANDIDATE_MARK + "\n"
    else:
        port = port_for(header)
        if port is None:
            raise HeaderError(f"no Dafny 2.3 port of header {header_id(header)} "
                              f"(ports: {', '.join(p.name for p in ports().values()) or 'none'})")
        full = port.text(repaired)
    if full.count(CANDIDATE_MARK) != 1:
        raise HeaderError(f"header {header_id(header)}: expected one {CANDIDATE_MARK} line")
    if trusted:
        full = mark_unverified(full)
    # Parsed whole: cut at the mark, a port's last module would be unclosed and mis-parsed.
    prog = syntax.parse(full)
    text, after = full.split(CANDIDATE_MARK)
    callables = []

    def visit(decls: list[syntax.Decl]) -> None:
        for d in decls:
            if d.keyword == "module":
                visit(d.children)
            elif d.is_callable and d.start < len(text):
                end = d.body_end if d.has_body else d.header_end
                # Dafny 2.3 takes a bodyless {:verify false} lemma as is; Dafny 4 wants it marked
                # an axiom, so there lemma bodies stay (and what they use is kept with them).
                cut = (d.header_end, d.body_end) if d.has_body and d.base == "lemma" and major < 3 else None
                kept = text[d.start: cut[0] if cut else end]
                callables.append(_Callable((d.name, d.qualname), (d.start, end), cut, frozenset(_identifiers(kept))))

    visit(prog.decls)
    return _Outline(text, after, callables)


def _without_includes(text: str) -> str:
    """The original header is several files joined; their `include`s of one another are dropped."""
    mask = syntax.code_mask(text)
    spans = [m.span() for m in re.finditer(r'^[ \t]*include\s+"[^"\n]*"[ \t]*$', mask, re.M)]
    for a, b in reversed(spans):
        text = text[:a] + text[b:]
    return text


def mark_unverified(text: str) -> str:
    """`text` with `{:verify false}` after the keyword of every callable (no line moves): bodyless
    ones too, since Dafny checks the well-formedness of their specs."""
    prog = syntax.parse(text)
    spots = []
    for d in prog.walk():
        if d.is_callable and not any(a.name == "verify" for a in d.attributes):
            kw = next(t for t in prog.tokens if d.start <= t.start and t.text == d.keyword)
            end = kw.end
            if d.method_suffix:  # `function method`: the attribute goes after `method`
                end = next(t for t in prog.tokens if t.start > kw.start and t.text == "method").end
            spots.append(end)
    for pos in sorted(spots, reverse=True):
        text = text[:pos] + " {:verify false}" + text[pos:]
    return text


# -- guarding the candidate ---------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def reserved_names(header: str) -> frozenset[str]:
    """Names a candidate may not declare: every header declaration at top level, every module and
    what the header opens (`import opened M`: M's members, types and constructors)."""
    prog = syntax.parse(_without_includes(header))
    names: set[str] = set()
    modules = {d.name: d for d in prog.decls if d.keyword == "module"}
    opened = set(re.findall(r"\bimport\s+opened\s+([A-Za-z_][\w']*)", syntax.code_mask(prog.text)))
    for d in prog.decls:
        names.add(d.name)
        if d.keyword == "module" and d.name in opened:
            names.update(c.name for c in modules[d.name].walk())
    for d in prog.walk():  # datatype constructors are names at the datatype's level
        if d.keyword in ("datatype", "codatatype"):
            names.update(syntax.constructors(prog.text, d))
    names.discard("")
    return frozenset(names)


def guard(header: str, program: str, statement: str = "") -> tuple[str, str] | None:
    """(rule, detail) when the gated `program` redefines or shadows a header name, or mentions a
    name that reaches one of the header's known-inconsistent axioms more often than the task's
    `statement` does; else None."""
    reserved = reserved_names(header)
    prog = syntax.parse(program)
    for d in prog.walk():
        # a constructor is a module-level name wherever its datatype is: Dafny resolves it before
        # a function of an opened module (`datatype D = abs(r: real)` turns the header's `abs`)
        own = [d.name] if "." not in d.qualname else []
        ctors = syntax.constructors(prog.text, d) if d.keyword in ("datatype", "codatatype") else []
        hit = next((n for n in own + ctors if n in reserved), None)
        if hit:
            what = f"{d.keyword} {d.name}" if hit == d.name else f"constructor {hit} of {d.keyword} {d.name}"
            return ("header:redefined", f"{what} is declared by the trusted header; call it, "
                                        "do not redeclare or shadow it")
    tainted = unsound_names(header)
    if tainted:  # where the text binds one of the names, the verifier also asks Dafny (`resolved_mentions`)
        return unsound_excess(header, _mentions(program, tainted), _mentions(statement, tainted))
    return None


def unsound_excess(header: str, used: Counter[str], given: Counter[str]) -> tuple[str, str] | None:
    """The rejection when `used` mentions of the header's unsound names exceed the statement's `given`."""
    tainted = unsound_names(header)
    extra = sorted(n for n in used if used[n] > given[n])
    if extra:
        return ("header:unsound-axiom", f"{extra[0]} reaches an inconsistent axiom of the trusted header "
                                        f"({tainted[extra[0]]}); a proof may not use it")
    return None


def _mentions(text: str, names: dict[str, str]) -> Counter[str]:
    """Mentions of `names` in `text` that can be the header's declarations, read from the text: every
    call `n(`, and any other use of a name the text never binds (`binds_unsound_name` decides the rest
    on Dafny's resolution)."""
    toks = syntax.code_tokens(text)
    out: Counter[str] = Counter()
    for k, t in enumerate(toks):
        if t.kind == "ident" and t.text in names:
            if (k + 1 < len(toks) and toks[k + 1].text == "(") or not _binds(text, t.text):
                out[t.text] += 1
    return out


def _binds(text: str, name: str) -> bool:
    n = re.escape(name)
    return bool(re.search(rf"\b{n}\s*:(?!:)|\bvar\s+{n}\b|\b(?:forall|exists)\s+(?:\w+\s*,\s*)*{n}\b|\b{n}\s*=>"
                          rf"|\(\s*{n}\s*[,)]|,\s*{n}\s*[,)]", syntax.code_mask(text)))


def binds_unsound_name(header: str, text: str) -> bool:
    """Does `text` bind (as a parameter, variable or bound variable) a name of the header's unsound
    axioms? Then which mention means the header's declaration is a question of scope, which only
    Dafny's resolution answers (`resolved_mentions`): miniF2F problems name variables `e`, also a
    header function, and a helper's parameter `pos` must not hide a `var p := pos` elsewhere."""
    return any(_binds(text, n) for n in unsound_names(header))


RENAMED = "__unsound_in_header"


def renamed_unsound(header: str, composed: str, own_lines: tuple[int, int]) -> str:
    """`composed` (the header around a program, `after_bridge`) with every header token naming an
    unsound axiom renamed (the header stays consistent with itself): a mention in the program's own
    lines that Dafny resolved to one of them is then an "unresolved identifier" error there."""
    names = unsound_names(header)
    lines = composed.split("\n")
    first = len("\n".join(lines[:own_lines[0]]))
    last = len("\n".join(lines[:own_lines[1]]))
    out, pos = [], 0
    for t in syntax.code_tokens(composed):
        if t.kind == "ident" and t.text in names and not (first < t.start < last):
            out.append(composed[pos:t.start] + t.text + RENAMED)
            pos = t.end
    return "".join(out) + composed[pos:]


def resolved_mentions(header: str, output_messages: list, own_lines: tuple[int, int]) -> Counter[str]:
    """Mentions of the header's unsound names that Dafny resolved to the header, from its errors on
    `renamed_unsound` text (each `unresolved identifier: n` on the program's own lines)."""
    names = unsound_names(header)
    out: Counter[str] = Counter()
    for m in output_messages:
        if m.severity != "error" or not own_lines[0] < m.line <= own_lines[1]:
            continue
        # `unresolved identifier: pos`, or `member pos does not exist in module MiniF2F`
        for word in set(re.findall(r"[A-Za-z_][\w']*", m.text)) & set(names):
            out[word] += 1
    return out


@functools.lru_cache(maxsize=8)
def unsound_names(header: str) -> dict[str, str]:
    """The header's known-inconsistent axioms (its port manifest's `unsound`) and every header
    callable whose contract mentions one, transitively: {name: the axiom it reaches}.

    Dafny instantiates an axiom on terms that name it; a candidate that never names these (beyond
    what the statement itself names) cannot make one appear through its own terms.
    """
    port = port_for(header)
    if port is None or not port.unsound:
        return {}
    tainted = {n: n for n in port.unsound}
    prog = syntax.parse(_without_includes(header))
    contracts = [(d.name, _identifiers(prog.text[d.start:d.header_end])) for d in prog.walk() if d.is_callable]
    grew = True
    while grew:
        grew = False
        for name, refs in contracts:
            hit = next((r for r in sorted(refs) if r in tainted and r != name), None)
            if hit and name not in tainted:
                tainted[name] = tainted[hit]
                grew = True
    return tainted


# -- Dafny-4 member calls on 2.3 ----------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z0-9_'?]")


def rewrite_members(text: str, port: Port) -> str:
    """`E.m()` → `F(E)` for the port's members `m`, with `F` chosen by `E`'s type (same line count).

    The type is read from the receiver's text (`Rat.mul(...)`, `Rational(...)`) or, for a plain
    name, from its declaration in `text` (`x: rat`, `var x := Rat.of_int(1)`). A receiver whose type
    cannot be told is left as it is: Dafny 2.3 then reports the member missing, so an unrewritten
    call can only fail, never verify.
    """
    if not port.members:
        return text
    pattern = re.compile(r"\.\s*(" + "|".join(map(re.escape, port.members)) + r")\s*\(\s*\)")
    for _ in range(1000):  # each pass rewrites the innermost-last call; chains need several
        mask = syntax.code_mask(text)
        done = True
        for m in reversed(list(pattern.finditer(mask))):
            start = _receiver_start(mask, m.start())
            receiver = text[start:m.start()]
            func = port.members[m.group(1)].get(_type_of(receiver, text, port) or "")
            if start == m.start() or func is None:
                continue
            text = text[:start] + f"{func}({receiver})" + text[m.end():]
            done = False
            break
        if done:
            return text
    return text


def _receiver_start(mask: str, dot: int) -> int:
    i = dot
    while i > 0:
        c = mask[i - 1]
        if c in ")]":
            i = _opening(mask, i - 1)
            if i < 0:
                return dot
            continue
        if _IDENT.match(c):
            while i > 0 and _IDENT.match(mask[i - 1]):
                i -= 1
            if i > 0 and mask[i - 1] == ".":
                i -= 1
                continue
            return i
        return i
    return i


def _opening(mask: str, close: int) -> int:
    pairs = {")": "(", "]": "["}
    want, depth = pairs[mask[close]], 0
    for k in range(close, -1, -1):
        if mask[k] == mask[close]:
            depth += 1
        elif mask[k] == want:
            depth -= 1
            if depth == 0:
                return k
    return -1


def _type_of(receiver: str, text: str, port: Port, depth: int = 0) -> str | None:
    receiver = receiver.strip()
    while receiver.startswith("(") and receiver.endswith(")"):
        receiver = receiver[1:-1].strip()
    for ty, marks in port.types.items():
        if any(receiver.startswith(m + ".") or receiver.startswith(m + "(") for m in marks):
            return ty
    if not re.fullmatch(r"[A-Za-z_][\w']*", receiver) or depth > 3:
        return None
    name = re.escape(receiver)
    for ty, marks in port.types.items():
        names = "|".join(re.escape(m) for m in marks)
        if re.search(rf"\b{name}\s*:\s*(?:(?:{names})\.)?(?:{names})\b(?!\s*[.(])", text):
            return ty
    init = re.search(rf"\bvar\s+{name}\s*:=\s*([^;\n]+)", text)
    return _type_of(init.group(1), text, port, depth + 1) if init else None


# -- the one-time check of the header itself ------------------------------------------------------

CHECK_RECORD = PORT_DIR / "header_check.json"


def check_header(header: str, time_limit: int = 120, timeout: float = 3600.0, part_size: int = 8,
                 workers: int = 1, done: dict[str, dict] | None = None,
                 on_part: Callable[[dict], None] | None = None, retry_limit: int | None = None) -> dict:
    """Verify the header once, whole and as is (no member skipped), on the installed Dafny.

    On Dafny 2.x the header's implementations (`header_implementations`) are verified in parts of
    `part_size`, one process each (`/proc:`, `workers` at a time): the same checks as one run of the
    whole header, since Boogie verifies each implementation on its own, but a slow member is seen
    by name and a stopped check resumes from the parts in `done` (`check_header_part` results by
    `part_key`; `on_part` gets each new one). Every implementation must be accounted for: one whose
    part stopped without its outcome is recorded as `missing`, not verified. With `retry_limit`, each
    implementation without a verdict (timed out, or its part stopped) is verified again alone under
    that longer per-VC limit (a loaded machine's wall clock starves z3) and keeps that outcome; the
    record lists both, and every part that did not end normally (`incidents`).

    Returns the record `CHECK_RECORD` keeps: the header's id, the toolchain, Dafny's summary and
    every implementation's outcome. Trusted checks rely on this record, not on re-verifying.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .toolchain import detect

    tc = detect()
    if tc.major >= 3:
        listed, names, parts = {}, [], [None]
    else:
        listed = header_implementations(header)
        # parts of the whole listing (a skipped member's /proc: selects nothing): the same parts
        # as long as the header is, so a resumed check finds them
        names = list(listed)
        parts = [names[k:k + part_size] for k in range(0, len(names), part_size)]
    done = dict(done or {})

    def run_parts(parts: list[list[str] | None], limit: int) -> list[dict]:
        todo = [q for q in parts if part_key(q, limit) not in done]
        with ThreadPoolExecutor(max(1, workers)) as pool:
            for q, res in zip(todo, pool.map(lambda q: check_header_part(header, q, limit, timeout), todo)):
                done[part_key(q, limit)] = res
                if on_part:
                    on_part(res)
        return [done[part_key(q, limit)] for q in parts]

    results = run_parts(parts, time_limit)
    # the original's own `{:verify false}` members: Boogie skips them, as it does in any run
    outcome = {n: "missing" if checked else "skipped" for n, checked in listed.items()}
    seconds: dict[str, float] = {}
    for r in results:
        if r["reply"] == "done":  # outcomes of a part that stopped early are not a normal exit's report
            outcome.update(r["outcomes"])
        seconds.update(r["impl_seconds"])
    retried: dict[str, str] = {}
    if retry_limit and names:
        again = run_parts([[n] for n, o in outcome.items() if o in _UNDECIDED], retry_limit)
        for r in again:
            n = r["names"][0]
            # alone in its process, a hard timeout is this implementation's (z3 can overrun
            # Boogie's per-VC limit in nonlinear arithmetic)
            retried[n] = (r["outcomes"].get(n, "missing") if r["reply"] == "done"
                          else "timeout" if r["reply"] == "timeout" else "missing")
            outcome[n] = retried[n]
            seconds.update(r["impl_seconds"])
        results += again
    incidents = [{"reply": r["reply"], "time_limit": r["time_limit"], "names": r["names"], "errors": r["errors"][-3:]}
                 for r in results if r["reply"] != "done"]
    frontend = max(r["frontend_errors"] for r in results)
    return {
        "header": header_id(header), "toolchain": tc.stamp, "port": port.name if (port := port_for(header)) and tc.major < 3 else "",
        # "done": every implementation has an outcome from a normal Dafny exit (a part that stopped
        # early is an incident; its implementations were then checked alone, see `retried`)
        "reply": "done" if "missing" not in outcome.values() and not frontend else "incomplete",
        "incidents": incidents,
        "seconds": round(sum(r["seconds"] for r in results), 1), "per_vc_time_limit_s": time_limit,
        "retry_time_limit_s": retry_limit, "retried": retried,
        "processes": len(results), "implementations_listed": len(listed),
        "frontend_errors": frontend,
        "verify_errors": sum(v == "error" for v in outcome.values()),
        "timeouts": sum(v == "timeout" for v in outcome.values()),
        "implementations": dict(Counter(outcome.values())),
        "not_verified": {n: v for n, v in sorted(outcome.items()) if v != "verified"},
        "slowest_s": dict(sorted(seconds.items(), key=lambda kv: -kv[1])[:15]),
        "errors": [e for r in results for e in r["errors"]][:50],
    }


_UNDECIDED = ("timeout", "missing", "inconclusive", "memory")


def part_key(names: list[str] | None, time_limit: int) -> str:
    return f"{time_limit}:" + ("|".join(names) if names is not None else "*")


_IMPLEMENTATION = re.compile(r"^implementation ((?:\{[^}]*\}\s*)*)([^\s(]+)\(", re.M)
_IMPL_SECONDS = re.compile(r"^Verifying (\S+) \.\.\.\n\s+\[([\d.]+) s,", re.M)


@functools.lru_cache(maxsize=2)
def header_implementations(header: str) -> dict[str, bool]:
    """The Boogie implementations Dafny 2.x makes of the whole header, in program order, each with
    whether Dafny verifies it (False: `{:verify false}` in the header itself): what a check of it
    verifies, read from Dafny's `/print` of the translated program (nothing is verified)."""
    import tempfile

    from .cli_backend import CliRunner
    from .toolchain import detect

    text = compose(header, "", 2, trusted=False).text
    with tempfile.TemporaryDirectory(prefix="dafny-bpl-") as d:
        reply = CliRunner(detect(), memory_mb=8192).run(
            text, 600, 1, [f"/print:{Path(d) / 'header.bpl'}", "/proc:<nothing>"])
        bpl = [f.read_text(encoding="utf-8") for f in sorted(Path(d).glob("*.bpl"))]
    if reply.kind != "done" or not bpl:
        raise HeaderError(f"cannot list the header's implementations ({reply.kind}: {reply.detail or reply.output[-300:]})")
    return {name: not re.search(r"\{:verify\s+false\}", attrs) for b in bpl for attrs, name in _IMPLEMENTATION.findall(b)}


def check_header_part(header: str, names: list[str] | None, time_limit: int, timeout: float) -> dict:
    """One process's share of `check_header`: the implementations `names` (None: all of them)."""
    from .cli_backend import CliRunner
    from .messages import parse_output
    from .toolchain import detect

    tc = detect()
    text = compose(header, "", tc.major, trusted=False).text
    extra = [f"/proc:{n}" for n in names] if names is not None else []
    reply = CliRunner(tc, memory_mb=8192).run(text, timeout, time_limit, extra)
    parsed = parse_output(reply.output, tc.major)
    outcomes = {i.name: i.outcome for i in parsed.impls}
    if names is not None:
        stray = sorted(set(outcomes) - set(names))
        if stray:  # a /proc: pattern matched more than its own implementation
            raise HeaderError(f"/proc: selected unexpected implementations {stray[:3]}")
    return {
        "names": names, "time_limit": time_limit, "reply": reply.kind, "seconds": round(reply.seconds, 1),
        "frontend_errors": parsed.frontend_errors, "outcomes": outcomes,
        "impl_seconds": {n: float(t) for n, t in _IMPL_SECONDS.findall(reply.output)},
        "errors": [f"line {m.line}: {m.text}" for m in parsed.messages if m.severity == "error"]
                  + ([f"{reply.kind}: {reply.detail}"] if reply.kind != "done" else []),
    }


def recorded_check(header: str) -> dict | None:
    """The recorded one-time check of `header` (None when it was never checked)."""
    if not CHECK_RECORD.exists():
        return None
    records = json.loads(CHECK_RECORD.read_text(encoding="utf-8"))
    return next((r for r in records if r["header"] == header_id(header)), None)
