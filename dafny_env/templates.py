"""The portfolio's Dafny proof templates: an empty body, induction templates over nat/int/seq
parameters that call the lemma on smaller arguments (each also followed by calls of the helper lemmas
the statement declares), one-step unfolding of `a + b` for append lemmas, `reveal` of opaque functions,
and for `implement` tasks assignments read off the postcondition and linear-scan loops with the
invariant derived from an `exists`/`forall` postcondition; for `hints` tasks the hints-removed program
itself (does it verify without hints?)."""

from __future__ import annotations

import itertools
import re

from verifier_core.records import Task

from .target import DafnyTarget, find_target, proved_lemmas

_INDUCTIVE = ("nat", "int")


def dafny_candidates(task: Task) -> list[str]:
    if task.kind == "hints":
        # The program as given, no hints added: the baseline DafnyBench reports as "verifies without
        # hints". Generic hint templates would need the program's loops, so none beyond that.
        return [task.statement]
    target = find_target(task.statement, task.meta.get("target"))
    if target is None:
        return ["{\n}"]
    reveals = [f"reveal {f}();" for f in re.findall(r"function\s+(?:method\s+)?\{:opaque\}\s*(\w+)", task.statement)]
    if task.kind == "implement" or target.kind in ("method", "constructor"):
        bodies = _implement_bodies(target)
    else:
        bodies = _with_helper_calls(_lemma_bodies(target), _helper_calls(task.statement, target))
    out = [_body(b) for b in bodies]
    if reveals:
        out += [_body([*reveals, *b]) for b in bodies]
    return out


def _body(stmts: list[str]) -> str:
    return "{\n" + "".join(f"  {s}\n" for s in stmts) + "}"


def _call(t: DafnyTarget, replace: dict[str, str]) -> str:
    return f"{t.name}({', '.join(replace.get(p.name, p.name) for p in t.params)});"


def _lemma_bodies(t: DafnyTarget) -> list[list[str]]:
    """Empty body, structural induction on each nat/int/seq parameter, the concatenation-unfolding
    induction for `a + b` in the postcondition, then induction on all parameters at once."""
    bodies: list[list[str]] = [[]]
    steps: list[tuple[str, dict[str, str]]] = []
    for p in t.params:
        ty = p.type.replace(" ", "")
        if ty in _INDUCTIVE:
            bodies.append([f"if {p.name} > 0 {{ {_call(t, {p.name: f'{p.name} - 1'})} }}"])
            bodies.append([f"if {p.name} >= 2 {{ {_call(t, {p.name: f'{p.name} - 1'})} "
                           f"{_call(t, {p.name: f'{p.name} - 2'})} }}"])
            steps.append((f"{p.name} > 0", {p.name: f"{p.name} - 1"}))
            if ty == "int":
                bodies.append([f"if {p.name} > 0 {{ {_call(t, {p.name: f'{p.name} - 1'})} }} "
                               f"else if {p.name} < 0 {{ {_call(t, {p.name: f'{p.name} + 1'})} }}"])
        elif ty.startswith("seq<") or ty == "string":
            bodies.append([f"if |{p.name}| > 0 {{ {_call(t, {p.name: f'{p.name}[1..]'})} }}"])
            bodies.append([f"if |{p.name}| > 0 {{ {_call(t, {p.name: f'{p.name}[..|{p.name}| - 1]'})} }}"])
            steps.append((f"|{p.name}| > 0", {p.name: f"{p.name}[1..]"}))
    seqs = [p.name for p in t.params if p.type.replace(" ", "").startswith("seq<")]
    ensures = " ".join(t.ensures)
    for a in seqs:
        for b in seqs:
            if a != b and re.search(rf"\b{a}\s*\+\s*{b}\b", ensures):
                # unfold the concatenation one step: Dafny does not see (a + b)[1..] == a[1..] + b itself
                bodies.append([f"if |{a}| == 0 {{ assert {a} + {b} == {b}; }} else {{ "
                               f"assert ({a} + {b})[1..] == {a}[1..] + {b}; {_call(t, {a: f'{a}[1..]'})} }}"])
    if len(steps) > 1:
        cond = " && ".join(c for c, _ in steps)
        both: dict[str, str] = {}
        for _, r in steps:
            both.update(r)
        bodies.append([f"if {cond} {{ {_call(t, both)} }}"])
    return bodies


def _helper_calls(spec: str, t: DafnyTarget, per_helper: int = 4) -> list[str]:
    """Calls of the proved lemmas `spec` declares (other than the target), each argument a target
    parameter of the same type, the same-named one first: a composed conjecture renames the helper's
    `n` to `n2`, so the call it needs is `Helper(n2)`. Up to `per_helper` argument choices each; a
    lemma with a parameter type the target lacks is left out."""
    calls = []
    for h in proved_lemmas(spec):
        if h.name == t.name:
            continue
        options = [sorted((q.name for q in t.params if _same_type(q, p)), key=lambda n: n != p.name)
                   for p in h.params]
        for args in itertools.islice(itertools.product(*options), per_helper):
            calls.append(f"{h.name}({', '.join(args)});")
    return calls


def _same_type(a, b) -> bool:
    return a.type.replace(" ", "") == b.type.replace(" ", "")


def _with_helper_calls(bodies: list[list[str]], calls: list[str]) -> list[list[str]]:
    """Each body, then the same body followed by the helper calls: a proof that needs a helper lemma's
    fact (z3 does not instantiate a lemma by itself) needs the call, often after the target's own
    induction step. Without helpers, the bodies unchanged."""
    if not calls:
        return bodies
    out = []
    for b in bodies:
        out += [b, b + calls]
    return out


_SCAN = re.compile(
    r"^\(?\s*(\w+)\s*<==>\s*\(?\s*(exists|forall)\s+(\w+)(?:\s*:\s*\w+)?\s*::\s*0\s*<=\s*\3\s*<\s*"
    r"(\w+(?:\.Length)?|\|\w+\|)\s*(&&|==>)\s*(.+?)\)?\s*$"
)


def _implement_bodies(t: DafnyTarget) -> list[list[str]]:
    """Assignments read off `ensures r == E`, and a scan loop for `r <==> exists/forall i :: ...`."""
    outs = {p.name for p in t.returns}
    bodies: list[list[str]] = []
    assigns = []
    for e in t.ensures:
        for conj in _conjuncts(e):
            m = re.fullmatch(r"\s*(\w+)\s*==\s*(.+?)\s*", conj)
            if m and m.group(1) in outs and not re.search(rf"\b{m.group(1)}\b", m.group(2)):
                assigns.append(f"{m.group(1)} := {m.group(2)};")
    if assigns:
        bodies.append(assigns)
    for e in t.ensures:
        m = _SCAN.match(e.strip())
        if m and m.group(1) in outs:
            bodies.append(_scan_loop(*m.group(1, 2, 3, 4, 6)))
    if not outs:
        bodies.insert(0, [])
    return bodies


def _scan_loop(result: str, quant: str, var: str, bound: str, cond: str) -> list[str]:
    """A linear scan whose invariant is the postcondition restricted to the prefix seen so far."""
    idx = "i" if var != "i" else "k"
    at_idx = re.sub(rf"\b{re.escape(var)}\b", idx, cond)
    inv = f"{result} <==> {quant} {var} :: 0 <= {var} < {idx} {'&&' if quant == 'exists' else '==>'} {cond}"
    start, hit = ("false", "true") if quant == "exists" else ("true", "false")
    test = f"({at_idx})" if quant == "exists" else f"!({at_idx})"
    return [
        f"{result} := {start};",
        f"var {idx} := 0;",
        f"while {idx} < {bound}\n    invariant 0 <= {idx} <= {bound}\n    invariant {inv}\n  {{\n"
        f"    if {test} {{ {result} := {hit}; }}\n    {idx} := {idx} + 1;\n  }}",
    ]


def _conjuncts(expr: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    i = 0
    while i < len(expr):
        c = expr[i]
        depth += c in "([{"
        depth -= c in ")]}"
        if depth == 0 and expr.startswith("&&", i):
            parts.append(cur)
            cur, i = "", i + 2
            continue
        cur += c
        i += 1
    return [p for p in (*parts, cur) if p.strip()]
