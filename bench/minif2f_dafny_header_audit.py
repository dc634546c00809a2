"""Audit miniF2F-Dafny's trusted header: try to derive `false` from each of its unproved members.

For every `{:axiom}` member and every bodyless lemma or function of the Dafny 2.3 port, a battery of
lemmas `ensures false` that call the member at boundary arguments, chosen by parameter type:
0, -1, 1 (ints, reals), `[]` and `[0, 0]` (sequences: empty, and a duplicate), `{}` (sets),
`Rational(1, 2)` / `Rational(2, 4)` (one value, two representations), a step function and constants
(function arguments), `Complex(0.0, 0.0)`; type parameters are `int`. Each lemma is verified against
the header as every check composes it (its members `{:verify false}`, pruned to what is reached);
a lemma that verifies has derived `false` from the header: the header is inconsistent there.
`--original` audits the faithful port (no repairs), to show what the repairs close.

Each attempt's verdict is printed (`member #k args: verdict`) and appended to `--out` (resumable:
attempts already there are not run again). Exit status 1 when any attempt verified.

    python bench/minif2f_dafny_header_audit.py [--original] [--out runs/minif2f_header_audit.jsonl]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
from pathlib import Path

# values by parameter type (the type's text, type parameters read as int)
VALUES = {
    "int": ["0", "-1", "1"],
    "nat": ["0", "1", "2"],
    "PosInt": ["1", "2"],
    "real": ["0.0", "-1.0", "1.0", "0.5", "2.0"],
    "bool": ["false", "true"],
    "Rat.rat": ["Rat.Rational(1, 2)", "Rat.Rational(2, 4)", "Rat.Rational(-1, 2)", "Rat.Rational(0, 3)"],
    "rat": ["Rat.Rational(1, 2)", "Rat.Rational(2, 4)", "Rat.Rational(-1, 2)", "Rat.Rational(0, 3)"],
    "Complex.complex": ["Complex.Complex(0.0, 0.0)", "Complex.Complex(1.0, 0.0)", "Complex.Complex(0.0, 1.0)"],
    "complex": ["Complex.Complex(0.0, 0.0)", "Complex.Complex(1.0, 0.0)", "Complex.Complex(0.0, 1.0)"],
    "seq": ["[]", "[0, 0]", "[0, 1]"],
    "set": ["{}", "{0}", "{0, 1}"],
    "iset": ["iset{}", "iset{0}"],
    "real -> real": ["(x: real) => if x < 0.0 then 0.0 else 1.0", "(x: real) => 0.0", "(x: real) => x"],
    "nat -> real": ["(n: nat) => 0.0", "(n: nat) => n as real", "(n: nat) => 1.0"],
}
MAX_ATTEMPTS = 5


def _values(ty: str, generics: set[str]) -> list[str]:
    ty = " ".join(ty.split())
    for g in generics:
        ty = re.sub(rf"\b{re.escape(g)}\b", "int", ty)
    if ty in VALUES:
        return VALUES[ty]
    base = ty.split("<", 1)[0].strip()
    if base in ("seq", "set", "iset", "multiset") and ty.endswith("<int>"):
        return VALUES.get(base, ["[]"])
    if "->" in ty:
        arg, res = (s.strip() for s in ty.split("->", 1))
        arg_name = "x"
        bodies = {"int": ["1", "x", "0"], "real": ["1.0", "0.0"], "bool": ["true", "false"],
                  "Rat.rat": ["Rat.Rational(1, 2)", "Rat.Rational(2, 4)"], "Complex.complex": ["Complex.Complex(1.0, 0.0)"]}
        arg_ty = arg.strip("()") or "int"
        out = [f"({arg_name}: {arg_ty}) => {b}" for b in bodies.get(res, [])]
        if res == arg_ty == "int":
            out.append("(x: int) => x")
        return out or []
    return []


def attempts(port_text: str) -> list[dict]:
    """The battery: per audited member, up to MAX_ATTEMPTS calls (one lemma each)."""
    from dafny_env import syntax
    from dafny_env.target import _signature

    prog = syntax.parse(port_text)
    out = []
    for d in prog.walk():
        if not d.is_callable or d.base not in ("function", "predicate", "lemma"):
            continue
        axiom = any(a.name == "axiom" for a in d.attributes)
        if not axiom and d.has_body:
            continue
        sig = _signature(port_text, d.kind, d.name, d.start, d.header_end, nested=False)
        head = syntax.code_mask(port_text[d.start:d.header_end])
        gen = re.search(rf"\b{re.escape(d.name)}\s*<([^>]*)>", head)
        generics = {g.strip().split("(")[0] for g in gen.group(1).split(",")} if gen else set()
        choices = [_values(p.type, generics) for p in sig.params]
        if any(not c for c in choices):
            continue  # a parameter type the battery has no values for
        qual = d.qualname.removeprefix("MiniF2F.")
        combos = list(itertools.product(*choices)) if choices else [()]
        # spread the picks: each value of each parameter appears, then the rest by order
        picked = [tuple(c[k % len(c)] for c in choices) for k in range(max((len(c) for c in choices), default=1))]
        picked += [c for c in combos if c not in picked]
        for k, args in enumerate(picked[:MAX_ATTEMPTS]):
            call = f"{qual}({', '.join(args)})"
            line = f"{call};" if d.base == "lemma" else f"var r := {call};"
            out.append({"member": qual, "k": k, "args": list(args), "body": line})
    return out


def _name(a: dict) -> str:
    return "audit_" + re.sub(r"\W", "_", a["member"]) + f"_{a['k']}"


def _lemma(a: dict) -> str:
    return f"lemma {_name(a)}()\n  ensures false\n{{\n  {a['body']}\n}}\n"


def _key(a: dict, original: bool) -> str:
    return hashlib.sha256(json.dumps([original, a["member"], a["body"]]).encode()).hexdigest()[:16]


def run_attempts(header: str, batch: list[dict], original: bool, time_limit: int, timeout: float) -> list[str]:
    """Each attempt's verdict: verified (false derived) | failed | timeout | unresolved | <reply kind>.

    The attempts of one member share a Dafny process (one implementation each); when the program
    does not resolve, each is run alone, so one ill-typed attempt spoils no other."""
    from dafny_env import header as H
    from dafny_env.cli_backend import CliRunner
    from dafny_env.messages import impl_name_parts, parse_output
    from dafny_env.toolchain import detect

    tc = detect()
    text = H.compose(header, "".join(_lemma(a) for a in batch), tc.major, repaired=not original).text
    reply = CliRunner(tc, memory_mb=4096).run(text, timeout * len(batch), time_limit)
    if reply.kind != "done":
        return [reply.kind] * len(batch) if len(batch) == 1 else [
            run_attempts(header, [a], original, time_limit, timeout)[0] for a in batch]
    parsed = parse_output(reply.output, tc.major)
    if parsed.frontend_errors:
        return ["unresolved"] if len(batch) == 1 else [
            run_attempts(header, [a], original, time_limit, timeout)[0] for a in batch]
    outcome = {}
    for i in parsed.impls:
        parts = impl_name_parts(i.name)
        if i.name.startswith("Impl$$") and parts and parts[-1].startswith("audit__"):
            outcome[parts[-1].replace("__", "_")] = i.outcome
    verdicts = []
    for a in batch:
        o = outcome.get(_name(a))
        verdicts.append("verified" if o == "verified" and parsed.completed else
                        "timeout" if o == "timeout" else "failed" if o else "missing")
    return verdicts


def main(argv: list[str] | None = None) -> int:
    from dafny_env import header as H
    from prover.benchmarks import minif2f_dafny_header
    from verifier_core.jsonl import JsonlWriter, read_records

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--original", action="store_true", help="audit the faithful port, without the repairs")
    ap.add_argument("--out", type=Path, default=None,
                    help="results JSONL (default runs/minif2f_header_audit[_original].jsonl; resumed)")
    ap.add_argument("--member", action="append", default=[], help="audit only these members (repeatable)")
    ap.add_argument("--time-limit", type=int, default=30, help="Dafny's per-VC limit, seconds")
    ap.add_argument("--timeout", type=float, default=180.0, help="hard limit per attempt, seconds")
    args = ap.parse_args(argv)
    header = minif2f_dafny_header(H.PORT_DIR / "original")
    port = H.port_for(header)
    out = args.out or Path(f"runs/minif2f_header_audit{'_original' if args.original else ''}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    done = {r["key"]: r for r in read_records(out)} if out.exists() else {}
    battery = [a for a in attempts(port.text(repaired=not args.original))
               if not args.member or a["member"] in args.member]
    counts: dict[str, int] = {}
    with JsonlWriter(out) as w:
        for member, group in itertools.groupby(battery, key=lambda a: a["member"]):
            group = list(group)
            todo = [a for a in group if _key(a, args.original) not in done]
            if todo:
                for a, verdict in zip(todo, run_attempts(header, todo, args.original, args.time_limit, args.timeout)):
                    key = _key(a, args.original)
                    done[key] = {"key": key, "original": args.original, **a, "verdict": verdict}
                    w.write(done[key])
            for a in group:
                verdict = done[_key(a, args.original)]["verdict"]
                counts[verdict] = counts.get(verdict, 0) + 1
                flag = "  <-- FALSE DERIVED" if verdict == "verified" else ""
                print(f"{a['member']} #{a['k']} ({', '.join(a['args'])}): {verdict}{flag}", flush=True)
    which = "faithful port (no repairs)" if args.original else "repaired header"
    print(f"\n{which}: {len(battery)} attempts on {len({a['member'] for a in battery})} members: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if counts.get("verified") else 0


if __name__ == "__main__":
    sys.exit(main())
