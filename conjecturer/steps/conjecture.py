"""Step 1: proposals from the round's seeds, by mutation or by the conjecturer policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..faults import fault_point
from ..languages import selfplay_part
from ..records import Conjecture, Seed
from ..rundir import write_json, write_jsonl
from ..select import seed_eligible

if TYPE_CHECKING:
    from ..rounds import Round


def seeds(rnd: "Round") -> list[Seed]:
    """Originals eligible as seeds, each with its best proof and the lemmas that proof calls."""
    part = selfplay_part(rnd.cfg.lang)
    out = []
    for tid, o in sorted(rnd.state["originals"].items()):
        if not seed_eligible(o.get("pass_rate"), bool(o.get("proof")), rnd.cfg.selection):
            continue
        task = rnd.sp.by_id[tid]
        out.append(Seed(task, o["proof"], part.seed_lemmas(task, o["proof"]), o.get("pass_rate")))
    return out


def run(rnd: "Round") -> None:
    chosen = seeds(rnd)
    rng = rnd.rng("conjecture")
    cc = rnd.cfg.conjecturer
    if not chosen:
        conjs: list[Conjecture] = []
    elif cc.kind == "mutation":
        from ..mutate import mutation_conjectures

        conjs = mutation_conjectures(chosen, cc, rng, rnd.r, rnd.cfg.lang)
    else:
        from ..generate import policy_conjectures

        policy = rnd.sp.resources.policy(rnd.state["models"]["conjecturer"], "conjecturer")
        conjs = policy_conjectures(chosen, policy, cc, rng, rnd.r, rnd.cfg.lang)
    fault_point("conjecture")
    write_jsonl(rnd.rd / "conjectures.jsonl", [c.to_dict() for c in conjs])
    write_json(rnd.rd / "seeds.json", {"seeds": [s.task.id for s in chosen]})
