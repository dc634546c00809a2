"""Step 7: the round's dataset file, the originals' new pass rates and best proofs, `metrics.json`, and
last `state.json`, which marks the round done."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from .. import dataset
from ..canaries import is_canary
from ..faults import fault_point
from ..records import Conjecture
from ..rundir import read_json, write_json
from ..select import pass_rate_histogram
from .prove import prove_stats

if TYPE_CHECKING:
    from ..rounds import Round


def dataset_rows(rnd: "Round", attempts: dict, stats: dict, conjs: dict[str, Conjecture]) -> list[dict[str, Any]]:
    tasks = rnd.files.prove_tasks()
    rows = []
    for tid, s in sorted(stats.items()):
        if is_canary(tid) or not s.proofs:
            continue
        t = tasks[tid]
        for proof, secs in s.proofs:
            c = conjs.get(tid)
            rows.append({"statement": t.statement, "header": t.header, "proof": proof, "lang": t.lang,
                         "task_id": tid, "round": rnd.r, "source": "conjecture" if c else "original",
                         "seed_id": c.seed_id if c else tid, "origin": c.origin if c else "original",
                         "pass_rate": s.pass_rate, "verify_seconds": secs,
                         "toolchain": next((a["toolchain"] for a in attempts.values() if a["task_id"] == tid), "")})
    return rows


def update_originals(state: dict[str, Any], stats: dict) -> None:
    for tid, o in state["originals"].items():
        s = stats.get(tid)
        if s is None or s.pass_rate is None:
            continue
        o["pass_rate"] = s.pass_rate
        if s.proofs:
            o["proved"] = True
            best = min(s.proofs, key=lambda p: (len(p[0]), p[0]))[0]
            if not o.get("proof") or len(best) < len(o["proof"]):
                o["proof"] = best


def metrics(rnd: "Round", attempts: dict, stats: dict, conjs: dict[str, Conjecture]) -> dict[str, Any]:
    cfg = rnd.cfg
    val = rnd.files.validations()
    sel = rnd.files.selection()
    reasons = Counter(v["status"] for v in val.values())
    verdicts = Counter(a["status"] for a in attempts.values())
    held = None
    if (rnd.rd / "eval").exists():
        ev = [a for a in rnd.files.attempts("eval").values() if a["status"] != "error"]
        held = sum(a["status"] == "verified" for a in ev) / len(ev) if ev else None
    proved_conj = sum(1 for c in conjs if stats.get(c) and stats[c].verified)
    origs = [s for t, s in stats.items() if t in rnd.state["originals"]]
    return {
        "round": rnd.r, "lang": cfg.lang,
        "conjecturer": cfg.conjecturer.kind if cfg.conjecturer.kind == "mutation" else cfg.conjecturer.policy,
        "prover": cfg.prover.policy,
        "proposed": len(conjs), "valid": reasons.get("valid", 0),
        "vacuous": reasons.get("vacuous", 0), "duplicate": reasons.get("duplicate", 0) + reasons.get("near_duplicate", 0),
        "validation": {k: reasons.get(k, 0) for k in ("valid", "unparsed", "duplicate", "near_duplicate", "gate",
                                                       "ill_formed", "vacuous", "error")},
        "by_origin": dict(sorted(Counter(c.origin for c in conjs.values()).items())),
        "canaries": sorted({a["task_id"] for a in attempts.values() if is_canary(a["task_id"])}),
        "proving_set": len({a["task_id"] for a in attempts.values()}),
        "attempts": len(attempts), "verdicts": dict(sorted(verdicts.items())),
        "conjectures_proved": proved_conj,
        "originals_proved": sum(1 for s in origs if s.verified), "originals_tried": len(origs),
        "selected": len(sel["selected"]), "selection_rejected": sel["rejected"], "audit": sel["audit"],
        "prover_examples": sel["prover_examples"], "conjecturer_examples": sel["conjecturer_examples"],
        "pass_rate_histogram": pass_rate_histogram(s for t, s in stats.items() if not is_canary(t)),
        "heldout_pass_rate": held, "models": rnd.state["models"],
        "train": read_json(rnd.rd / "train.json").get("trained", []) if (rnd.rd / "train.json").exists() else None,
        "verifier": {step: rnd.sp.resources.verifier_mode(step) for step in ("prove", "eval", "validate")},
        "seconds": dict(rnd.steps),
    }


def run(rnd: "Round") -> None:
    attempts = rnd.files.attempts()
    stats = prove_stats(rnd, attempts)
    conjs = {c.id: c for c in rnd.files.conjectures()}
    dataset.write_round(rnd.sp.out, rnd.r, dataset_rows(rnd, attempts, stats, conjs))
    fault_point("finish")
    update_originals(rnd.state, stats)
    write_json(rnd.rd / "metrics.json", metrics(rnd, attempts, stats, conjs))
    write_json(rnd.rd / "state.json", rnd.state)
