"""`prover train`: held-out eval -> SFT warm start -> expert-iteration rounds and/or GRPO -> held-out
eval, all in OUT.

Curriculum: train tasks whose empty body verifies are measured first (`trivial.json`) and left out of
EI and GRPO (`skip_trivial`): their shortest proof is `{}`, and training on it collapses the policy onto
`{}`. EI keeps proofs of tasks solved sometimes (0 < p <= max_pass_rate); GRPO samples only tasks with
0 < p < 1 by the last measurement (the last EI round's samples, else `curriculum/`), since a group whose
rewards are all equal has zero advantage.

OUT layout (every piece is written before the next starts and skipped when present, so a SIGKILL
anywhere resumes with `--resume` and nothing finished is done again):

    config.json            the config of the run (a resume with another config is refused)
    trivial.json           train tasks whose empty body verifies (left out of RL)
    sft/ckpt/              the warm start's checkpoint (method sft+...)
    curriculum/samples/    train-task pass rates measured before GRPO when no EI round ran
    metrics.jsonl          one line per EI round, GRPO step and held-out eval
    eval/<label>/          held-out evals (the eval runner's resumable directories)
    ei/round_NNN/samples/  the round's samples and verdicts (resumable EvalRun)
    ei/round_NNN/ckpt/     the round's weighted-SFT checkpoint
    ei/replay.jsonl        the replay buffer
    grpo/trainer/          TRL checkpoints; grpo/final/ the trained model
    report.md, *.png       plots of the training reward and the held-out pass@1
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..configfile import to_dict
from verifier_core.languages import language
from verifier_core.records import STATUSES, Task
from ..errors import UserError
from ..rundir import did_no_work
from ..evaluation.backends import CheckerFactory
from .config import TrainConfig
from .metrics import MetricsLog, pass1, pass1_per_task, write_report

CONFIG_FILE = "config.json"


class RunDirError(UserError, RuntimeError):
    """OUT belongs to another run (or exists and --resume was not given)."""


@dataclass
class EvalResult:
    label: str
    checkpoint: str
    per_task: dict[str, tuple[int, int]]
    pass1: float


class Training:
    """One `prover train` run in `out`; `run()` does whatever is not done yet."""

    def __init__(self, cfg: TrainConfig, out: str | Path, factory: CheckerFactory, *, resume: bool = False,
                 progress: bool = True, heldout_factory: CheckerFactory | None = None):
        """`factory` checks training samples and rewards; `heldout_factory` (default: the same) the
        held-out evals (their verifier options: `cfg.verifier.options(lang, heldout=True)`)."""
        self.cfg = cfg
        self.out = Path(out)
        self.factory = factory
        self.heldout_factory = heldout_factory or factory
        self.progress = progress
        self.main = _rank() == 0
        if _world_size() > 1:
            if cfg.method != "grpo":
                raise RunDirError("under `accelerate launch` only `method: grpo` is distributed; run expert "
                                  "iteration in one process and start GRPO from its checkpoint")
            state = _distributed_state()
            if self.main:
                self._open(resume)
            state.wait_for_everyone()  # no rank writes into OUT before rank 0 has claimed it
        else:
            self._open(resume)
        # OUT's records (metrics, evals, report) are rank 0's; the other ranks only train
        self.metrics = MetricsLog(self.out) if self.main else None
        self.evals: list[EvalResult] = []

    def _open(self, resume: bool) -> None:
        f = self.out / CONFIG_FILE
        mine = to_dict(self.cfg)
        if f.exists() and not resume and did_no_work(self.out):
            f.unlink()  # a start that failed before any work (no model, say): begin again
        if f.exists():
            if not resume:
                raise RunDirError(f"{self.out} already holds a training run; pass --resume to continue it, "
                                  "or choose another --out")
            theirs = json.loads(f.read_text(encoding="utf-8"))
            if theirs != json.loads(json.dumps(mine)):
                diff = [k for k in mine if json.loads(json.dumps(mine[k])) != theirs.get(k)]
                raise RunDirError(f"{self.out} was started with another config (differs in: {', '.join(diff)}); "
                                  "resume with the original config or choose another --out")
            return
        if self.out.exists() and not did_no_work(self.out) and not resume:
            raise RunDirError(f"{self.out} exists and is not empty; choose another --out")
        self.out.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(mine, indent=1), encoding="utf-8")

    # ------------------------------------------------------------------ the whole run
    def run(self, train: Sequence[Task], heldout: Sequence[Task]) -> Path:
        from ..policies import resolve_model_path

        ckpt = resolve_model_path(self.cfg.model.path)
        self.train_tasks, self.heldout = list(train), list(heldout)
        stages = self.cfg.stages()
        if self.cfg.eval_before:
            self.heldout_eval(ckpt, "base", 0)
        if "sft" in stages:
            ckpt = self.warm_start(ckpt)
            self.heldout_eval(ckpt, "sft", 1)
        if "ei" in stages or "grpo" in stages:
            self.rl_tasks = self._rl_tasks()
        if "ei" in stages:
            ckpt = self.expert_iteration(ckpt)
        if "grpo" in stages:
            ckpt = self.grpo(ckpt)
            self.heldout_eval(ckpt, "grpo", self._offset() + self._ei_rounds() + 1)
        if self.main:
            write_report(self.out)
        return ckpt

    def _ei_rounds(self) -> int:
        return self.cfg.ei.rounds if "ei" in self.cfg.stages() else 0

    def _offset(self) -> int:
        """Eval steps taken before the first EI round: the warm start's."""
        return 1 if "sft" in self.cfg.stages() else 0

    # ------------------------------------------------------------------ curriculum
    def trivial_train(self) -> set[str]:
        """Train tasks (Dafny prove/implement) whose empty body verifies; measured once, kept in trivial.json."""
        from verifier_core.records import Candidate

        f = self.out / "trivial.json"
        if f.exists():
            return set(json.loads(f.read_text(encoding="utf-8"))["trivial"])
        tasks = [t for t in self.train_tasks if t.kind != "hints" and language(t.lang).empty_proof is not None]
        checker = self.factory()
        try:
            verdicts = checker.check_many([(t, Candidate(t.id, language(t.lang).empty_proof, "empty-body"))
                                           for t in tasks])
        finally:
            checker.close()
        trivial = sorted(t.id for t, v in zip(tasks, verdicts) if v.status == "verified")
        errors = sum(v.status == "error" for v in verdicts)
        f.write_text(json.dumps({"trivial": trivial, "checked": len(tasks), "errors": errors}), encoding="utf-8")
        return set(trivial)

    def _rl_tasks(self) -> list[Task]:
        if not self.cfg.skip_trivial:
            return list(self.train_tasks)
        trivial = self.trivial_train()
        keep = [t for t in self.train_tasks if t.id not in trivial]
        print(f"curriculum: {len(trivial)} train tasks solved by the empty body are left out of RL; "
              f"{len(keep)} remain", file=sys.stderr)
        return keep

    def grpo_tasks(self, ckpt: Path) -> list[Task]:
        """RL tasks solved sometimes (0 < p < 1) by the last measurement; all RL tasks if none is."""
        from .expert_iteration import pass_rates

        if not self.cfg.grpo.curriculum:
            return list(self.rl_tasks)
        last = self.out / "ei" / f"round_{self._ei_rounds():03d}" / "samples"
        if self._ei_rounds() and last.exists():
            from ..evaluation.runner import final_attempts

            attempts = list(final_attempts(last).values())
        else:
            if _world_size() > 1:
                raise RunDirError("grpo.curriculum needs pass rates measured in one process: run EI (or "
                                  "prover train with grpo.curriculum) first, or set grpo.curriculum: false")
            attempts = self._sample(ckpt, self.rl_tasks, self.cfg.grpo.curriculum_samples,
                                    self.out / "curriculum" / "samples", "train", phase="grpo")
        rates = pass_rates(attempts)
        keep = [t for t in self.rl_tasks if 0 < rates.get(t.id, 0.0) < 1]
        print(f"curriculum: GRPO samples {len(keep)} of {len(self.rl_tasks)} RL tasks (0 < pass rate < 1)",
              file=sys.stderr)
        return keep

    # ------------------------------------------------------------------ SFT warm start
    def warm_start(self, ckpt: Path) -> Path:
        """Plain SFT on the corpus of verified solutions (`warm_start.corpus`)."""
        from dataclasses import replace

        from .corpus import read_corpus, sft_examples
        from .sft import weighted_sft

        ws = self.cfg.warm_start
        if not ws.corpus:
            raise RunDirError("method has an `sft` stage but warm_start.corpus names no corpus file")
        out = self.out / "sft" / "ckpt"
        tokenizer = None
        if self.cfg.model.prompt_style == "chat":
            from transformers import AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(ckpt)
        examples = sft_examples(read_corpus(ws.corpus), self.cfg.model.prompt_style, tokenizer)
        t0 = time.monotonic()
        new = weighted_sft(ckpt, examples, replace(self.cfg.sft, epochs=ws.epochs, learning_rate=ws.learning_rate),
                           out)
        if self.main:
            self.metrics.write({"phase": "sft", "step": 1, "global_step": 0, "examples": len(examples),
                                "seconds": {"update": time.monotonic() - t0}})
        return new

    # ------------------------------------------------------------------ shared pieces
    def _policy(self, ckpt: Path, phase: str):
        from ..policies.hf import HFPolicy

        m = self.cfg.model
        temperature, top_p, max_new = self.cfg.sampling_for(phase)
        return HFPolicy(ckpt, temperature=temperature, top_p=top_p, max_new_tokens=max_new,
                        batch_size=m.batch_size, prompt_style=m.prompt_style, seed=self.cfg.seed)

    def _verifier_mode(self, heldout: bool) -> str:
        """The verifier's mode of training checks or held-out evals (Dafny's fast mode names its
        measured false negatives), recorded in every run.json and metrics line."""
        from ..verifiers import verifier_mode

        lang = (self.train_tasks or self.heldout)[0].lang
        return verifier_mode(lang, self.cfg.verifier.options(lang, heldout=heldout))

    def _sample(self, ckpt: Path, tasks: Sequence[Task], n: int, run_dir: Path, name: str, heldout: bool = False,
                phase: str = "ei"):
        """Sample-and-verify with the eval runner (resumable); returns the attempt records."""
        from ..benchmarks import installed_toolchain
        from ..evaluation.runner import EvalRun, EvalSettings, final_attempts

        lang = tasks[0].lang
        ids = [t.id for t in tasks]
        rev = "train-tasks sha256:" + hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
        m = self.cfg.model
        temperature, top_p, max_new = self.cfg.sampling_for(phase)
        settings = EvalSettings(bench=name, data_revision=rev,
                                policy=f"hf:{ckpt} temperature={temperature} top_p={top_p} "
                                       f"max_new_tokens={max_new} prompt_style={m.prompt_style}",
                                samples=n, limit=None, lang=lang, toolchain=installed_toolchain(lang), task_ids=ids,
                                verifier={**self.cfg.verifier.options(lang, heldout=heldout),
                                          "mode": self._verifier_mode(heldout)})
        policy = self._policy(ckpt, phase)
        try:
            runner = EvalRun(run_dir, settings, tasks, policy, self.heldout_factory if heldout else self.factory,
                             workers=self.cfg.verifier.workers,
                             gen_batch=self.cfg.ei.gen_batch, progress=self.progress)
            runner.run((1,))
        finally:
            policy.close()
        if runner.failure:
            raise RuntimeError(f"sampling in {run_dir} stopped: {runner.failure}; rerun with --resume")
        return list(final_attempts(run_dir).values())

    def heldout_eval(self, ckpt: Path, label: str, step: int) -> EvalResult | None:
        if not self.heldout or self.cfg.heldout_samples < 1 or not self.main:
            return None
        for r in self.metrics.records():
            if r.get("phase") == "eval" and r.get("step") == step:  # done before a crash: read it back
                res = EvalResult(label, str(ckpt), {k: tuple(v) for k, v in r["per_task"].items()}, r["heldout_pass1"])
                self.evals.append(res)
                return res
        t0 = time.monotonic()
        attempts = self._sample(ckpt, self.heldout, self.cfg.heldout_samples, self.out / "eval" / label,
                                "heldout", heldout=True, phase="heldout")
        per_task = pass1_per_task(attempts)
        res = EvalResult(label, str(ckpt), per_task, pass1(per_task, [t.id for t in self.heldout]))
        self.evals.append(res)
        self.metrics.write({"phase": "eval", "step": step, "label": label, "heldout_pass1": res.pass1,
                            "samples": self.cfg.heldout_samples, "tasks": len(self.heldout),
                            "verifier": self._verifier_mode(heldout=True),
                            "verdicts": _counts(attempts), "seconds": {"total": time.monotonic() - t0},
                            "per_task": {k: list(v) for k, v in per_task.items()}})
        print(f"held-out pass@1 after {label}: {100 * res.pass1:.1f}% "
              f"({len(self.heldout)} tasks x {self.cfg.heldout_samples})", file=sys.stderr)
        return res

    # ------------------------------------------------------------------ expert iteration
    def expert_iteration(self, ckpt: Path) -> Path:
        from ..policies.hf import HFPolicy  # noqa: F401  (fail early if transformers is missing)
        from .expert_iteration import ReplayBuffer, attempts_as_rows, select_examples
        from .sft import weighted_sft

        ei = self.cfg.ei
        replay = ReplayBuffer(self.out / "ei" / "replay.jsonl", ei.replay_rounds)
        tasks_by_id = {t.id: t for t in self.rl_tasks}
        tokenizer = None
        for r in range(1, ei.rounds + 1):
            rdir = self.out / "ei" / f"round_{r:03d}"
            done = rdir / "round_done.json"
            if done.exists():
                ckpt = rdir / "ckpt"
                continue
            t0 = time.monotonic()
            if not self.rl_tasks:
                raise RunDirError("no train task is left for expert iteration (all are solved by the empty body)")
            attempts = self._sample(ckpt, self.rl_tasks, ei.samples_per_task, rdir / "samples", "train")
            if tokenizer is None and self.cfg.model.prompt_style == "chat":
                from transformers import AutoTokenizer

                tokenizer = AutoTokenizer.from_pretrained(ckpt)
            rows = attempts_as_rows(attempts, tasks_by_id, self.cfg.model.prompt_style, tokenizer)
            selected = select_examples(rows, ei)
            training = replay.add_round(r, selected)
            t1 = time.monotonic()
            new = weighted_sft(ckpt, training, self.cfg.sft, rdir / "ckpt")
            sft_s = time.monotonic() - t1
            counts = _counts(attempts)
            scored = sum(v for k, v in counts.items() if k != "error")
            rec: dict[str, Any] = {
                "phase": "ei", "step": r, "global_step": r,
                "reward_mean": counts["verified"] / scored if scored else 0.0,
                "verdicts": counts, "verifier": self._verifier_mode(heldout=False),
                "selected": len(selected), "trained_on": len(training),
                "tasks_learnable": len({e.task_id for e in selected}),
                "seconds": {"generation": sum(float(a.get("gen_seconds", 0.0)) for a in attempts),
                            "verification": sum(float(a.get("seconds", 0.0)) for a in attempts
                                                if not a.get("cached")),
                            "update": sft_s, "wall": time.monotonic() - t0},
            }
            self.metrics.write(rec)
            ckpt = new
            if r == ei.rounds or (ei.eval_every and r % ei.eval_every == 0):
                self.heldout_eval(ckpt, f"ei-round-{r}", self._offset() + r)
            done.write_text(json.dumps({"round": r, "checkpoint": str(new)}), encoding="utf-8")
            print(f"EI round {r}/{ei.rounds}: train pass {100 * rec['reward_mean']:.1f}%, {len(selected)} new "
                  f"examples, trained on {len(training)}", file=sys.stderr)
        return ckpt

    # ------------------------------------------------------------------ GRPO
    def grpo(self, ckpt: Path) -> Path:
        from .grpo import _last_checkpoint, run_grpo
        from .rewards import RewardService

        g = self.cfg.grpo
        gdir = self.out / "grpo"
        offset = self._ei_rounds()
        tasks = self.grpo_tasks(ckpt)
        if not tasks:
            raise RunDirError("no train task is solved sometimes (0 < pass rate < 1): GRPO would have no signal")
        last = _last_checkpoint(gdir / "trainer")
        done_steps = int(last.name.split("-")[-1]) if last else 0
        if self.main:
            self.metrics.drop_after("grpo", done_steps)  # a step logged but not checkpointed is redone
        service = RewardService(self.factory, self.cfg.rewards, self.cfg.verifier.workers)
        verifier = self._verifier_mode(heldout=False)

        def on_step(step: int, logs: dict[str, Any], stats) -> None:
            # every rank verifies its own rollouts: add them up (a collective, so before the rank test);
            # TRL's logs are already averaged over processes, and rank 0 writes the one line per step
            counts, check_s = _summed_over_ranks(*service.take_counts())
            if not self.main:
                return
            wall = time.monotonic() - stats.started
            self.metrics.write({
                "phase": "grpo", "step": step, "global_step": offset + step,
                "reward_mean": logs.get("reward"), "reward_std": logs.get("reward_std"),
                "verdicts": counts, "verifier": verifier, "kl": logs.get("kl"), "entropy": logs.get("entropy"),
                "loss": logs.get("loss"),
                "seconds": {"generation": stats.generation, "verification": check_s,
                            "verification_wait": stats.verification_wait,
                            "update": max(0.0, wall - stats.generation - stats.verification_wait), "wall": wall},
            }, once=False)

        temperature, top_p, max_new = self.cfg.sampling_for("grpo")
        try:
            return run_grpo(ckpt, tasks, g, service, gdir, temperature=temperature, top_p=top_p,
                            max_new_tokens=max_new, prompt_style=self.cfg.model.prompt_style, on_step=on_step,
                            resume=last is not None)
        finally:
            service.close()


def _rank() -> int:
    import os

    return int(os.environ.get("RANK", "0"))


def _world_size() -> int:
    import os

    return int(os.environ.get("WORLD_SIZE", "1"))


def _distributed_state():
    """accelerate's process state, created before TRL's so its timeout is ours: the other ranks wait in
    the first collective while rank 0 runs the held-out eval, which on a big model outlasts torch's
    default 30 minutes."""
    from datetime import timedelta

    import torch
    from accelerate import PartialState

    return PartialState(cpu=not torch.cuda.is_available(), timeout=timedelta(hours=6))


def _summed_over_ranks(counts: dict[str, int], seconds: float) -> tuple[dict[str, int], float]:
    if _world_size() == 1:
        return counts, seconds
    from accelerate.utils import gather_object

    parts = gather_object([(counts, seconds)])
    return {s: sum(c[s] for c, _ in parts) for s in counts}, sum(x for _, x in parts)


def _counts(attempts: Sequence[dict[str, Any]]) -> dict[str, int]:
    out = {s: 0 for s in STATUSES}
    for a in attempts:
        out[a["status"]] += 1
    return out
