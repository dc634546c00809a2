"""Validation before proving: each conjecture is `valid` or rejected for exactly one reason.

In order (cheap first): `unparsed` (the conjecturer's output held no statement), `duplicate` (same
statement up to whitespace and the theorem's own name, against the originals, every earlier round and
this batch), `near_duplicate` (equal up to renaming variables and reordering clauses; optionally
also a difflib token ratio of at least `near_duplicate_ratio`), `ill_formed` (Dafny: the spec
program does not resolve under `dafny /noVerify`; Lean: `statement sorry` does not elaborate with the
sorry warning as its only message), `gate` (the soundness gate refuses the statement itself:
`assume`, `{:axiom}`, a second bodyless lemma, `sorry`, ...), `vacuous` (the
hypotheses prove `false`: Dafny, a lemma with the same `requires` (and every other clause) and
`ensures false` verifies with one of the portfolio's first proofs; Lean, the statement is proved by
`exfalso` and a closer), `tautology` (Dafny: the lemma without its `requires` verifies with an empty
body). Dafny's `ill_formed` also covers a spec that resolves but is not well-formed (Dafny's
`CheckWellformed` of it fails: `requires s[0] > 0` with `s` possibly empty). Vacuity that needs
induction or a quantifier instantiation beyond the first `vacuity_proofs` portfolio proofs is not
caught (`requires Fib(n) == 100`). A check
that the infrastructure could not finish is `error`: counted, never valid. The gate, well-formedness,
vacuity and tautology checks are each language's (`<env>/conjecture_checks.py`).
"""

from __future__ import annotations

import difflib
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, Callable

from .languages import ConjectureChecks, selfplay_part
from .records import Conjecture, statement_key

REASONS = ("unparsed", "duplicate", "near_duplicate", "gate", "ill_formed", "vacuous", "tautology", "error")


@dataclass
class ValidationResult:
    id: str
    status: str  # "valid" or one of REASONS
    detail: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\s\w]", text)


def canonical(text: str, lang: str) -> str:
    """A near-duplicate key: parameter and bound-variable names replaced by their order of appearance,
    and (Dafny) requires/ensures clauses and their top-level conjuncts sorted. Two statements with the
    same key say the same thing up to renaming and reordering."""
    parts = selfplay_part(lang).canonical_parts(text)
    if parts is None:
        return re.sub(r"\s+", "", text)
    names, prefix, clauses = parts
    return re.sub(r"\s+", "", prefix + "".join(sorted(_rename(x, names) for x in clauses)))


def _rename(text: str, names: list[str]) -> str:
    order = {n: f"_v{i}" for i, n in enumerate(dict.fromkeys(n for n in names if re.fullmatch(r"[^\W\d][\w'₀-₉]*", n)))}
    if not order:
        return text
    pattern = re.compile(r"(?<![\w'.])(" + "|".join(map(re.escape, order)) + r")(?![\w'₀-₉])")
    return pattern.sub(lambda m: order[m.group(1)], text)


class Deduper:
    """Exact duplicates (whitespace and the theorem's own name ignored) and near duplicates (same
    `canonical` key; optionally also a difflib token ratio >= `ratio` on those keys)."""

    def __init__(self, lang: str, ratio: float | None = None):
        self.lang = lang
        self.ratio = ratio
        self.keys: set[str] = set()
        self.canon: set[str] = set()
        self.known: list[list[str]] = []

    def register(self, text: str, name: str = "") -> None:
        self.keys.add(statement_key(text, name))
        key = canonical(_named(text, name), self.lang)
        self.canon.add(key)
        if self.ratio is not None:
            self.known.append(_tokens(key))

    def exact(self, text: str, name: str = "") -> bool:
        return statement_key(text, name) in self.keys

    def near(self, text: str, name: str = "") -> str:
        """Why `text` is a near-duplicate of a registered statement, or "" when it is not."""
        key = canonical(_named(text, name), self.lang)
        if key in self.canon:
            return "equal up to renaming variables and reordering clauses"
        if self.ratio is not None:
            toks = _tokens(key)
            for other in self.known:
                m = difflib.SequenceMatcher(None, toks, other, autojunk=False)
                if m.real_quick_ratio() >= self.ratio and m.quick_ratio() >= self.ratio and m.ratio() >= self.ratio:
                    return f"token similarity {m.ratio():.3f}"
        return ""


def _named(text: str, name: str) -> str:
    return re.sub(rf"(?<![\w']){re.escape(name)}(?![\w'])", "THM", text) if name else text


def dedup_text(conj: Conjecture) -> str:
    """What duplicates are judged on: Dafny, the new lemma's header (the context is the seed's)."""
    return selfplay_part(conj.lang).compared_text(conj.statement, conj.target or None)


# ---------------------------------------------------------------- driver


def _expensive(checks: ConjectureChecks, conj: Conjecture) -> ValidationResult:
    t0 = time.monotonic()
    task = conj.task()
    # the gate reads a statement the way the verifier would; on one that does not resolve its verdict
    # would say more about the text's garbling than about soundness, so it runs second
    bad = checks.well_formed(task) or checks.gate(task)
    if bad is None:
        pairs = checks.vacuity_pairs(task)
        if pairs:
            verdicts = checks.check_many(pairs)
            proved = [c.text for (_, c), v in zip(pairs, verdicts) if v.status == "verified"]
            if proved:
                bad = ("vacuous", f"the hypotheses prove false with: {' '.join(proved[0].split())}")
            elif any(v.status == "error" for v in verdicts):
                bad = ("error", "vacuity check: " + next(v.reason for v in verdicts if v.status == "error")[:300])
    if bad is None:
        pairs = checks.tautology_pairs(task)
        if pairs:
            verdict = checks.check_many(pairs)[0]
            if verdict.status == "verified":
                bad = ("tautology", "its ensures hold with no requires and an empty body")
            elif verdict.status == "error":
                bad = ("error", "tautology check: " + verdict.reason[:300])
    status, detail = bad if bad else ("valid", "")
    return ValidationResult(conj.id, status, detail, round(time.monotonic() - t0, 3))


def validate(conjectures: list[Conjecture], checks: ConjectureChecks, deduper: Deduper, done: dict[str, ValidationResult],
             on_result: Callable[[ValidationResult], None], workers: int = 2,
             progress: bool = False) -> list[ValidationResult]:
    """Validate in order; results already in `done` (a resumed run) are reused, new ones reported to
    `on_result` as each finishes. The duplicate checks run first and sequentially (they depend on order);
    `deduper` ends with every valid statement registered."""
    cheap: dict[str, ValidationResult] = {}
    todo: list[Conjecture] = []
    for conj in conjectures:
        text = dedup_text(conj) if conj.statement else ""
        if not conj.statement:
            cheap[conj.id] = ValidationResult(conj.id, "unparsed", conj.parse_error or "no statement in the output")
        elif deduper.exact(text, conj.target):
            cheap[conj.id] = ValidationResult(conj.id, "duplicate", "same statement up to whitespace and name")
        elif (r := deduper.near(text, conj.target)):
            cheap[conj.id] = ValidationResult(conj.id, "near_duplicate", r)
        else:
            todo.append(conj)
        if conj.statement and conj.id not in cheap:
            deduper.register(text, conj.target)
        elif conj.statement:
            deduper.keys.add(statement_key(text, conj.target))
    for conj in conjectures:
        if conj.id in cheap and conj.id not in done:
            on_result(cheap[conj.id])
    pending = [c for c in todo if c.id not in done]
    results = dict(done)
    results.update(cheap)
    from tqdm import tqdm

    bar = tqdm(total=len(todo), initial=len(todo) - len(pending), desc="validate", unit="conj",
               disable=not progress, dynamic_ncols=True)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for res in pool.map(lambda c: _expensive(checks, c), pending):
            results[res.id] = res
            on_result(res)
            bar.update(1)
    bar.close()
    return [results[c.id] for c in conjectures]
