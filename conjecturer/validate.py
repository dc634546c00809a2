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
that the infrastructure could not finish is `error`: counted, never valid.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, Callable, Sequence

from prover.core import Candidate, Task, Verdict

from .config import ValidationConfig
from .records import Conjecture, statement_key

REASONS = ("unparsed", "duplicate", "near_duplicate", "gate", "ill_formed", "vacuous", "tautology", "error")
CheckMany = Callable[[Sequence[tuple[Task, Candidate]]], list[Verdict]]


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


_DAFNY_BOUND = re.compile(r"\b(?:forall|exists)\s+([^:]+?)\s*::")
_LEAN_BINDER = re.compile(r"[(\{\[]\s*([^():{}\[\]]+?)\s*:(?!=)")
_LEAN_BOUND = re.compile(r"[∀∃λ]\s*([\w₀-₉' ]+?)\s*[,:>≥<≤∈]")


def canonical(text: str, lang: str) -> str:
    """A near-duplicate key: parameter and bound-variable names replaced by their order of appearance,
    and (Dafny) requires/ensures clauses and their top-level conjuncts sorted. Two statements with the
    same key say the same thing up to renaming and reordering."""
    names: list[str] = []
    if lang == "dafny":
        from .dafny_spec import parse_lemma

        spec = parse_lemma(text)
        if spec is None:
            return re.sub(r"\s+", "", text)
        names = [p.split(":")[0].strip() for p in spec.params]
        for m in _DAFNY_BOUND.finditer(" ".join(spec.requires + spec.ensures)):
            names += [v.split(":")[0].strip() for v in m.group(1).split(",")]
        from .mutate import _top_conjuncts

        parts = [f"requires {c}" for r in spec.requires for c in _top_conjuncts(r)]
        parts += [f"ensures {c}" for e in spec.ensures for c in _top_conjuncts(e)]
        types = ",".join(p.split(":", 1)[1].strip() for p in spec.params)
        body = f"{spec.keyword}({types})" + "".join(sorted(_rename(x, names) for x in parts))
        return re.sub(r"\s+", "", body)
    for m in _LEAN_BINDER.finditer(text):
        names += m.group(1).split()
    for m in _LEAN_BOUND.finditer(text):
        names += m.group(1).split()
    return re.sub(r"\s+", "", _rename(text, names))


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
    if conj.lang == "dafny":
        from .dafny_spec import parse_lemma

        spec = parse_lemma(conj.statement, conj.target or None)
        if spec is not None:
            return spec.header()
    return conj.statement


# ---------------------------------------------------------------- languages


class DafnyChecks:
    """Gate, resolution (`dafny /noVerify`) and vacuity for Dafny conjectures."""

    lang = "dafny"

    def __init__(self, check_many: CheckMany, cfg: ValidationConfig):
        self.check_many = check_many
        self.cfg = cfg

    def gate(self, conj: Conjecture) -> tuple[str, str] | None:
        from dafny_env import soundness

        g = soundness.gate(conj.task(), "{\n}")
        if g.ok:
            return None
        if g.rule.startswith("task:"):
            return "ill_formed", f"{g.rule}: {g.detail}"
        return "gate", f"{g.rule}: {g.detail}"

    def well_formed(self, conj: Conjecture) -> tuple[str, str] | None:
        return resolve_dafny(conj.statement, self.cfg.resolve_timeout) or wellformed_dafny(conj.statement, self.cfg.resolve_timeout)

    def _variant(self, conj: Conjecture, suffix: str, keep_requires: bool, ensures: list[str] | None) -> Task | None:
        from prover.policies.dafny_target import find_target

        from .dafny_spec import clause_variant

        target = find_target(conj.statement, conj.target or None)
        if target is None:
            return None
        name = f"{target.name}_{suffix}"
        text = clause_variant(conj.statement, target.name, name, keep_requires, ensures)
        return Task(id=f"{conj.id}#{suffix.lower()}", lang="dafny", statement=text, meta={"target": name}) if text else None

    def vacuity_pairs(self, conj: Conjecture) -> list[tuple[Task, Candidate]]:
        """The portfolio's first proofs of the lemma with its own `requires` (and `decreases`,
        `reads`, `returns`) and `ensures false`: any header form."""
        from prover.policies.dafny_target import find_target
        from prover.policies.portfolio import candidates_for

        target = find_target(conj.statement, conj.target or None)
        if target is None or not target.requires:
            return []  # no hypotheses: nothing that could be contradictory
        task = self._variant(conj, "Vacuous", True, ["false"])
        return [(task, Candidate(task.id, c)) for c in candidates_for(task)[: self.cfg.vacuity_proofs]] if task else []

    def tautology_pairs(self, conj: Conjecture) -> list[tuple[Task, Candidate]]:
        """The lemma without its `requires`, proved by `{ }`: then its `ensures` holds of every input
        by Dafny's own unfolding (`ensures x == x`, `ensures true`, `ensures x > 0 && x < 0 ==> x == 5`)."""
        task = self._variant(conj, "Tautology", False, None)
        return [(task, Candidate(task.id, "{\n}"))] if task else []


def resolve_dafny(program: str, timeout: float) -> tuple[str, str] | None:
    """None when `program` parses and resolves (no verification), else (`ill_formed`|`error`, detail)."""
    return _run_dafny(program, timeout, verify=False)


def wellformed_dafny(program: str, timeout: float) -> tuple[str, str] | None:
    """None when Dafny verifies the well-formedness of every spec in `program` (its
    `CheckWellformed$$...` implementations: `requires s[0] > 0` where `s` may be empty is not), else
    (`ill_formed`|`error`, detail). `dafny /noVerify` resolves names and types only."""
    return _run_dafny(program, timeout, verify=True)


def _run_dafny(program: str, timeout: float, verify: bool) -> tuple[str, str] | None:
    from dafny_env.aot import dafny_argv
    from dafny_env.dialect import to_dafny2
    from dafny_env.toolchain import DafnyNotFound, detect
    from prover.procs import run_limited

    try:
        tc = detect()
    except DafnyNotFound as e:
        return "error", f"no dafny: {e}"
    if tc.major < 3:
        program = to_dafny2(program).text
    with tempfile.TemporaryDirectory(prefix="conj-resolve-") as tmp:
        path = os.path.join(tmp, "conjecture.dfy")
        with open(path, "w", encoding="utf-8") as f:
            f.write(program)
        if tc.major >= 3:
            argv = [tc.dafny, "verify" if verify else "resolve", path]
        else:
            argv = [*(dafny_argv(tc) or [tc.dafny]), "/compile:0", "/nologo", path]
            argv[-1:-1] = ["/proc:CheckWellformed$$*", f"/timeLimit:{max(1, int(timeout * 0.8))}"] if verify else ["/noVerify"]
        r = run_limited(argv, timeout=timeout, memory_mb=4096, cwd=tmp, env=dict(os.environ, LC_ALL="C.UTF-8"))
    out = (r.stdout + r.stderr).replace(path, "conjecture.dfy")
    what = "the well-formedness check" if verify else "dafny /noVerify"
    if r.timed_out:
        return "error", f"{what} gave no answer within {timeout:g} s"
    if "parse errors detected" in out or "resolution/type errors detected" in out or r.returncode == 2:
        first = next((ln for ln in out.splitlines() if "Error" in ln or "error" in ln), out.strip()[:300])
        return "ill_formed", first.strip()[:300]
    if verify:
        summary = re.search(r"finished with (\d+) verified, (\d+) errors?(?:, (\d+) time outs?)?", out)
        if summary is None:
            return "error", f"{what}: no summary from dafny (status {r.returncode}): {out.strip()[-300:]}"
        if int(summary.group(2)):
            first = next((ln for ln in out.splitlines() if "Error" in ln and "Prover error" not in ln), "")
            return "ill_formed", f"not well-formed: {first.strip()[:300]}"
        if summary.group(3) and int(summary.group(3)):
            return "error", f"{what} timed out on a proof obligation"
    if r.returncode not in (0, 1, 3, 4):
        return "error", f"dafny exited with status {r.returncode}: {out.strip()[:300]}"
    return None


LEAN_SORRY_WARNING = "declaration uses 'sorry'"
LEAN_VACUITY_CLOSERS = ("linarith", "nlinarith", "omega", "simp_all", "norm_num at *", "positivity")


def lean_elaboration_verdict(response: Any) -> tuple[str, str] | None:
    """None when a REPL response to `statement sorry` shows a well-formed statement: no error, and the
    one `declaration uses 'sorry'` warning as the only warning. Pure: tested on recorded transcripts."""
    if response.error is not None:
        return "error", f"the REPL refused the command: {response.error}"
    errors = [m for m in response.messages if m.severity == "error"]
    if errors:
        return "ill_formed", f"Lean error: {errors[0].data[:300]}"
    warnings = [m for m in response.messages if m.severity == "warning"]
    sorry_warnings = [m for m in warnings if LEAN_SORRY_WARNING in m.data]
    if len(sorry_warnings) != 1:
        return "ill_formed", "no `declaration uses 'sorry'` warning: the command declared no theorem"
    if len(warnings) > 1:
        other = next(m for m in warnings if LEAN_SORRY_WARNING not in m.data)
        return "ill_formed", f"warning besides the sorry warning: {other.data[:300]}"
    return None


class LeanChecks:
    """Gate, elaboration through a REPL (`run_command(header, request)` -> `PoolResult`) and vacuity."""

    lang = "lean"

    def __init__(self, check_many: CheckMany, cfg: ValidationConfig, run_command: Callable[[str, dict], Any] | None):
        self.check_many = check_many
        self.cfg = cfg
        self.run_command = run_command

    def gate(self, conj: Conjecture) -> tuple[str, str] | None:
        from lean_env import soundness

        # full-code form (the statement written out in the candidate), so the statement's own text is
        # scanned too: a `sorry` or `native_decide` inside a hypothesis is refused like one in a proof
        g = soundness.gate(conj.task(), conj.statement.rstrip() + "\n  rfl")
        if g.ok:
            return None
        if g.rule in ("task:unparsable", "bad-input"):
            return "ill_formed", f"{g.rule}: {g.detail}"
        return "gate", f"{g.rule}: {g.detail}"

    def well_formed(self, conj: Conjecture) -> tuple[str, str] | None:
        if self.run_command is None:
            return "error", "no Lean REPL available to elaborate the statement (`prover doctor`)"
        result = self.run_command(conj.header, {"cmd": conj.statement.rstrip() + " sorry"})
        if result.status == "timeout":
            return "error", "the statement did not elaborate within the time limit"
        if result.status != "ok" or result.response is None:
            return "error", f"REPL {result.status}: {result.detail}"
        return lean_elaboration_verdict(result.response)

    def vacuity_pairs(self, conj: Conjecture) -> list[tuple[Task, Candidate]]:
        task = conj.task()
        closers = LEAN_VACUITY_CLOSERS[: self.cfg.vacuity_proofs]
        return [(task, Candidate(task.id, f"\n  exfalso\n  {c}")) for c in closers]


# ---------------------------------------------------------------- driver


def _expensive(checks: Any, conj: Conjecture) -> ValidationResult:
    t0 = time.monotonic()
    # the gate reads a statement the way the verifier would; on one that does not resolve its verdict
    # would say more about the text's garbling than about soundness, so it runs second
    bad = checks.well_formed(conj) or checks.gate(conj)
    if bad is None:
        pairs = checks.vacuity_pairs(conj)
        if pairs:
            verdicts = checks.check_many(pairs)
            proved = [c.text for (_, c), v in zip(pairs, verdicts) if v.status == "verified"]
            if proved:
                bad = ("vacuous", f"the hypotheses prove false with: {' '.join(proved[0].split())}")
            elif any(v.status == "error" for v in verdicts):
                bad = ("error", "vacuity check: " + next(v.reason for v in verdicts if v.status == "error")[:300])
    if bad is None and hasattr(checks, "tautology_pairs"):
        pairs = checks.tautology_pairs(conj)
        if pairs:
            verdict = checks.check_many(pairs)[0]
            if verdict.status == "verified":
                bad = ("tautology", "its ensures hold with no requires and an empty body")
            elif verdict.status == "error":
                bad = ("error", "tautology check: " + verdict.reason[:300])
    status, detail = bad if bad else ("valid", "")
    return ValidationResult(conj.id, status, detail, round(time.monotonic() - t0, 3))


def validate(conjectures: list[Conjecture], checks: Any, deduper: Deduper, done: dict[str, ValidationResult],
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
