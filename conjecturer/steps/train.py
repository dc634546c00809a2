"""Step 5: weighted SFT of each trainable model on its roles' examples of this round plus the replay
buffer (`prover.train.sft.weighted_sft`, idempotent); `train.json` names the new checkpoints and says
per model how many steps ran, their losses and learning rates, and how far the weights moved."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from verifier_core.jsonl import read_records

from ..faults import fault_point
from ..rundir import read_json, write_json

if TYPE_CHECKING:
    from ..rounds import Round


def run(rnd: "Round") -> None:
    if not rnd.cfg.train.enabled:
        return
    from prover.policies import resolve_model_path
    from prover.train.expert_iteration import ReplayBuffer
    from prover.train.sft import DONE_FILE, SFTExample, weighted_sft

    models = rnd.state["models"]
    roles = {role: [SFTExample.from_dict(d) for d in read_records(rnd.rd / f"examples_{role}.jsonl")]
             for role in ("prover", "conjecturer")}
    trainable = {role: spec for role, spec in models.items() if spec.startswith("hf:")}
    by_model: dict[str, list[str]] = {}
    for role, spec in sorted(trainable.items()):
        by_model.setdefault(spec, []).append(role)
    rnd.sp.resources.drop_policies()  # free the model memory before training
    trained = []
    for k, (spec, role_names) in enumerate(sorted(by_model.items())):
        examples = [e for role in role_names for e in roles[role]]
        buffer = ReplayBuffer(rnd.sp.out / f"replay_{'_'.join(role_names)}.jsonl",
                              rnd.cfg.train.prover.replay_rounds)
        training_set = buffer.add_round(rnd.r, examples)
        fault_point("train")
        base = resolve_model_path(spec.split(":", 1)[1])
        out = weighted_sft(base, training_set, rnd.cfg.train.sft,
                           rnd.rd / ("checkpoint" if len(by_model) == 1 else f"checkpoint_{k}"))
        for role in role_names:
            models[role] = f"hf:{out.resolve()}"
        done = read_json(out / DONE_FILE)
        trained.append({"roles": role_names, "examples": len(training_set), "steps": done.get("steps", 0),
                        "train_loss": done.get("train_loss"), "log": done.get("log", []),
                        "weight_change": weight_change(base, out)})
    write_json(rnd.rd / "train.json", {"models": models, "trained": trained})


def weight_change(before: Path, after: Path) -> float:
    """||after - before|| / ||before|| over all weights: 0.0 means training changed nothing."""
    import torch
    from safetensors.torch import load_file

    a, b = load_file(str(before / "model.safetensors")), load_file(str(after / "model.safetensors"))
    diff = sum(float(torch.sum((b[k].float() - a[k].float()) ** 2)) for k in a if k in b)
    norm = sum(float(torch.sum(a[k].float() ** 2)) for k in a)
    return round((diff / norm) ** 0.5, 10) if norm else 0.0
