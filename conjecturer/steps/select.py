"""Step 4: STP's selection of barely provable conjectures (`conjecturer.select`), the audit (each
selected proof re-verified by a fresh verifier process, appended as it finishes) and the round's SFT
examples for both roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verifier_core.records import Task
from verifier_core.jsonl import JsonlWriter, read_records

from ..canaries import check_canaries, is_canary
from ..faults import fault_point
from ..languages import selfplay_part
from ..records import Conjecture
from ..rundir import write_json, write_jsonl
from ..select import Selected, select_conjectures
from .prove import prove_stats

if TYPE_CHECKING:
    from ..rounds import Round


def target_text(task: Task) -> str:
    """What a conjecture is compared with when re-weighting (Dafny: the lemma header only)."""
    return selfplay_part(task.lang).compared_text(task.statement, task.meta.get("target"))


def _audit(rnd: "Round", selected: list[Selected], conjs: dict[str, Conjecture]) -> dict[str, dict]:
    from ..audit import fresh_checker

    path = rnd.rd / "audit.jsonl"
    audited = {r["id"]: r for r in read_records(path)}
    todo = [s for s in selected if s.conjecture_id not in audited]
    if not todo:
        return audited
    check = rnd.sp.fresh_check or fresh_checker(rnd.cfg.lang, rnd.cfg.prover.timeout)
    errors = []
    with JsonlWriter(path) as w:
        for s in todo:
            v = check(conjs[s.conjecture_id].task(), s.proof)
            if v.status == "error":  # no verdict on the proof: audited again on --resume
                errors.append(f"{s.conjecture_id}: {v.reason[:200]}")
                continue
            audited[s.conjecture_id] = {"id": s.conjecture_id, "status": v.status, "reason": v.reason,
                                        "seconds": v.seconds, "toolchain": v.toolchain}
            w.write(audited[s.conjecture_id])
            fault_point("select")
    if errors:
        raise RuntimeError(f"round {rnd.r} audit: {len(errors)} verifier errors (first: {errors[0]}); "
                           "rerun with --resume to audit them again")
    return audited


def examples(rnd: "Round", attempts: dict, conjs: dict[str, Conjecture], selected: list[Selected]):
    """(prover examples: verified attempts by expert iteration's rule; conjecturer examples: seed prompt
    -> selected conjecture, weighted by selection)."""
    from prover.train.expert_iteration import attempts_as_rows, select_examples
    from prover.train.sft import SFTExample

    from ..generate import conjecture_completion

    tasks = rnd.files.prove_tasks()
    rows_in = [a for a in attempts.values() if not is_canary(a["task_id"])]
    style = rnd.cfg.prover.prompt_style or "completion"
    tokenizer = None
    spec = rnd.state["models"]["prover"]
    if style == "chat" and spec.startswith("hf:"):
        from transformers import AutoTokenizer

        from prover.policies import resolve_model_path

        tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(spec.split(":", 1)[1]))
    prover_ex = select_examples(attempts_as_rows(rows_in, tasks, style, tokenizer), rnd.cfg.train.prover)
    conj_ex = []
    for s in selected:
        c = conjs[s.conjecture_id]
        if c.prompt:  # mutation conjectures have no prompt: there is no conjecturer model to teach
            conj_ex.append(SFTExample(c.prompt, conjecture_completion(c), s.weight * rnd.cfg.train.conjecturer_weight,
                                      c.id, {"role": "conjecturer", "seed": c.seed_id, "lemma": c.lemma}))
    for e in prover_ex:
        e.meta["role"] = "prover"
    return prover_ex, conj_ex


def run(rnd: "Round") -> None:
    attempts = rnd.files.attempts()
    check_canaries(attempts, rnd.r)
    stats = prove_stats(rnd, attempts)
    conjs = {c.id: c for c in rnd.files.conjectures()}
    valid = rnd.files.valid_conjectures()
    unproved = [target_text(rnd.sp.by_id[t]) for t, o in sorted(rnd.state["originals"].items())
                if not o.get("proved") and not (stats.get(t) and stats[t].verified)]
    selected, rejected = select_conjectures(valid, stats, rnd.cfg.selection, unproved, rnd.rng("select"))
    audit = rnd.cfg.selection.audit
    audited = _audit(rnd, selected, conjs) if audit else {}
    kept = []
    for s in selected:
        if audit:
            s.audit = audited[s.conjecture_id]["status"]
            if s.audit != "verified":
                rejected["audit_failed"] += 1
                continue
        kept.append(s)
    prover_ex, conj_ex = examples(rnd, attempts, conjs, kept)
    write_jsonl(rnd.rd / "examples_prover.jsonl", [e.to_dict() for e in prover_ex])
    write_jsonl(rnd.rd / "examples_conjecturer.jsonl", [e.to_dict() for e in conj_ex])
    write_json(rnd.rd / "selection.json", {
        "selected": [s.to_dict() for s in kept], "rejected": dict(sorted(rejected.items())),
        "audit": {"verified": sum(1 for s in selected if s.audit == "verified"),
                  "failed": sum(1 for s in selected if audit and s.audit != "verified")},
        "prover_examples": len(prover_ex), "conjecturer_examples": len(conj_ex)})
