"""One self-play round as a resumable state machine over `STEPS`, each step a module in `steps/`.

A step whose time is in `steps.json` is done and skipped; the others run (again) and each skips the
work whose result is already on disk, so a round killed anywhere continues at the step it was in:

- `conjectures.jsonl`   the proposals (written whole, once)                          steps.conjecture
- `validation.jsonl`    one verdict per conjecture, appended as each finishes         steps.validate
- `prove_tasks.jsonl`   the proving set (valid conjectures, canaries, originals)      steps.prove
- `prove/`              the resumable eval run over that set                          steps.prove
- `selection.json`, `audit.jsonl`, `examples_*.jsonl`   selection and SFT examples   steps.select
- `checkpoint/`, `train.json`   the trained model (idempotent)                       steps.train
- `eval/`               held-out eval run                                             steps.evaluate
- `metrics.json`, `state.json` (the round is done)                                   steps.finish
- `steps.json`          seconds spent in each finished step
"""

from __future__ import annotations

import importlib
import json
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .rundir import RoundFiles, read_json, write_json

if TYPE_CHECKING:
    from .context import RunContext

__all__ = ["STEPS", "Round"]

# step name -> module in conjecturer.steps (the name is also the fault point's and the timing key's)
STEPS = {"conjecture": "conjecture", "validate": "validate", "prove": "prove", "select": "select",
         "train": "train", "eval": "evaluate", "finish": "finish"}


class Round:
    def __init__(self, sp: "RunContext", r: int, rd: Path, state: dict[str, Any]):
        self.sp, self.cfg, self.r, self.rd = sp, sp.cfg, r, rd
        self.files = RoundFiles(rd)
        self.state = json.loads(json.dumps(state))  # never mutate the previous round's state
        steps_file = rd / "steps.json"
        self.steps: dict[str, float] = read_json(steps_file) if steps_file.exists() else {}
        if (rd / "train.json").exists():  # resumed after training: the eval must use the new checkpoint
            self.state["models"] = read_json(rd / "train.json")["models"]

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"{self.cfg.seed}/{self.r}/{purpose}")

    def run(self) -> dict[str, Any]:
        for step, module in STEPS.items():
            if step in self.steps:
                continue
            t0 = time.monotonic()
            importlib.import_module(f"{__package__}.steps.{module}").run(self)
            self.steps[step] = round(time.monotonic() - t0, 3)
            if step != "finish":
                write_json(self.rd / "steps.json", self.steps)
        return self.state
