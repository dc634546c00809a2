"""The self-play loop: rounds of conjecture -> validate -> prove -> select -> train -> eval -> finish.

Everything a round produces lies in OUT/rounds/NNN/ and each step is skipped when its result is there,
so a run killed anywhere (SIGKILL included) continues with `--resume` at the step it was in:

- `conjectures.jsonl`   the proposals (written whole, once)
- `validation.jsonl`    one verdict per conjecture, appended as each finishes
- `prove_tasks.jsonl`   the proving set (valid conjectures, canaries, originals), written whole, once
- `prove/`              the resumable eval run (`prover.evaluation.runner.EvalRun`) over that set
- `selection.json`      selected conjectures (weights, proofs, audit), rejection counts
- `audit.jsonl`         fresh re-verification of each selected conjecture's proof, appended
- `examples_prover.jsonl`, `examples_conjecturer.jsonl`   the round's SFT examples
- `checkpoint/`         the trained model (`prover.train.sft.weighted_sft`, idempotent)
- `eval/`               held-out eval run; `metrics.json`, `state.json` (the round is done)
- `steps.json`          seconds spent in each finished step

OUT/metrics.jsonl, OUT/report.md and OUT/dataset/ are rebuilt from the rounds after each round.
Random choices use `random.Random` seeded by (config seed, round, purpose), so a resumed run makes
the same choices as an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from prover.configfile import to_dict
from prover.core import Candidate, Task
from prover.jsonl import JsonlWriter, read_records

from . import dataset
from .canaries import canary_tasks, check_canaries, is_canary
from .config import SelfPlayConfig
from .records import Conjecture, Seed, short_hash
from .select import (Selected, originals_to_prove, pass_rate_histogram, seed_eligible, select_conjectures,
                     task_stats)

STEPS = ("conjecture", "validate", "prove", "select", "train", "eval", "finish")
KILL_ENV = "PROVER_SELFPLAY_KILL_AT"


class RunDirMismatch(RuntimeError):
    """OUT holds a run made with another config, or exists and --resume was not given."""


def fault_point(step: str) -> None:
    """Fault injection for the resume tests: `PROVER_SELFPLAY_KILL_AT=step:N` SIGKILLs this process at
    the N-th fault point of `step` (counted from 1 in this process)."""
    spec = os.environ.get(KILL_ENV)
    if not spec:
        return
    name, _, n = spec.partition(":")
    if name != step:
        return
    with _fault_lock:
        _fault_counts[step] = _fault_counts.get(step, 0) + 1
        if _fault_counts[step] >= int(n or 1):
            os.kill(os.getpid(), signal.SIGKILL)


_fault_counts: dict[str, int] = {}
_fault_lock = threading.Lock()


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".partial")
    tmp.write_text(json.dumps(obj, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(path.suffix + ".partial")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


class _FaultChecker:
    """A checker that passes through a fault point after every check (see `fault_point`)."""

    def __init__(self, inner: Any, step: str):
        self.inner, self.step = inner, step

    def check(self, task: Task, cand: Candidate):
        v = self.inner.check(task, cand)
        fault_point(self.step)
        return v

    def close(self) -> None:
        self.inner.close()


class SelfPlay:
    """One self-play run in `out`; `run()` does every missing round and returns the metrics rows."""

    def __init__(self, cfg: SelfPlayConfig, out: str | os.PathLike, *, resume: bool = False,
                 ray_address: str | None = None, progress: bool = True, config_text: str = "",
                 checker_factory: Any = None, lean_command: Any = None, fresh_check: Any = None):
        """`checker_factory` (checkers for validation, proving and eval), `lean_command` (header,
        request) -> PoolResult for Lean elaboration, and `fresh_check` (task, proof) -> Verdict for the
        audit replace the real verifiers; they exist so the loop is testable without Lean."""
        self.cfg = cfg
        self.checker_factory = checker_factory
        self.lean_command = lean_command
        self.fresh_check = fresh_check
        self.out = Path(out)
        self.resume = resume
        self.ray_address = ray_address
        self.progress = progress
        self.config_text = config_text
        self._policies: dict[str, Any] = {}

    # ------------------------------------------------------------------ setup

    def _open(self) -> None:
        cfg_file = self.out / "config.json"
        mine = to_dict(self.cfg)
        if cfg_file.exists():
            if not self.resume:
                raise RunDirMismatch(f"{self.out} already holds a self-play run; pass --resume to continue it "
                                     "or choose another --out")
            theirs = json.loads(cfg_file.read_text(encoding="utf-8"))
            if theirs != mine:
                diff = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
                raise RunDirMismatch(f"{self.out} was made with another config (differs in: {', '.join(diff)})")
        else:
            self.out.mkdir(parents=True, exist_ok=True)
            _write_json(cfg_file, mine)

    def _rng(self, round_no: int, purpose: str) -> random.Random:
        return random.Random(f"{self.cfg.seed}/{round_no}/{purpose}")

    def _factory(self, step: str):
        from prover.evaluation import backends

        options = self._verifier_options(step)
        if self.checker_factory is not None:
            inner = self.checker_factory
        elif self.ray_address:
            self._ray_init()
            inner = backends.ray_factory(self.cfg.lang, options, self.ray_address, self.cfg.prover.workers)
        else:
            inner = backends.local_factory(self.cfg.lang, options)
        return lambda: _FaultChecker(inner(), step)

    def _verifier_options(self, step: str) -> dict[str, Any]:
        """The verifier options of a step (they shape verdicts, so an eval run records them).

        Dafny: proving uses `prover.confirm_failures` (the fast mode by default), the held-out
        eval `heldout.confirm_failures` (exact by default), and validation the exact mode (a
        false negative there would let a vacuous conjecture through).
        """
        options: dict[str, Any] = {"timeout": self.cfg.prover.timeout}
        if self.cfg.lang == "dafny":
            options["confirm_failures"] = {"prove": self.cfg.prover.confirm_failures,
                                           "eval": self.cfg.heldout.confirm_failures}.get(step, True)
        return options

    def verifier_mode(self, step: str) -> str:
        """The verifier's mode of a step, as run.json and metrics record it."""
        from prover.verifiers import verifier_mode

        return verifier_mode(self.cfg.lang, self._verifier_options(step))

    def _policy(self, spec: str, role: str) -> Any:
        """Policies by spec, shared between roles (one model in memory when both roles use it)."""
        pc = self.cfg.prover if role == "prover" else self.cfg.conjecturer
        sampling = {"temperature": pc.temperature, "top_p": pc.top_p, "max_new_tokens": pc.max_new_tokens}
        if spec not in self._policies:
            opts = {**sampling, "prompt_style": pc.prompt_style, "batch_size": pc.batch_size, "seed": self.cfg.seed}
            opts = {k: v for k, v in opts.items() if v is not None}
            if self.ray_address:
                from .ray_policy import RayPolicy

                self._ray_init()
                self._policies[spec] = RayPolicy(spec, opts, self.cfg.prover.rollout_actors)
            else:
                from prover.policies import load_policy

                # the config's sampling settings go to whichever policy takes them (the portfolio takes none)
                self._policies[spec] = load_policy(spec, hints=opts)
        policy = self._policies[spec]
        # a model shared by both roles samples with the settings of the role asking
        if hasattr(policy, "set_sampling"):
            policy.set_sampling(sampling)
        else:
            for k, v in sampling.items():
                if hasattr(policy, k):
                    setattr(policy, k, v)
        return policy

    def _ray_init(self) -> None:
        import ray

        if not ray.is_initialized():
            if self.ray_address == "local":
                ray.init(num_cpus=max(1, self.cfg.prover.workers + self.cfg.prover.rollout_actors),
                         include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=self.ray_address, log_to_driver=False)

    def _drop_policies(self) -> None:
        for p in self._policies.values():
            p.close()
        self._policies.clear()

    # ------------------------------------------------------------------ run

    def run(self) -> list[dict[str, Any]]:
        from .seeds import load_originals, reference_proof, split_heldout

        self._open()
        originals = load_originals(self.cfg.seeds, self.cfg.lang)
        if not originals:
            raise ValueError("no seed statements: check seeds.benchmarks / seeds.files")
        self.train_tasks, self.heldout = split_heldout(originals, self.cfg.seeds)
        self.by_id = {t.id: t for t in originals}
        self.originals = originals  # every loaded statement counts for duplicates, used or not
        # `proof`: any verified proof (a reference seeds round 0); `proved`: the prover itself has
        # proved it in some round (unproved ones are always re-proved and are the re-weighting targets)
        state = {"originals": {t.id: {"proved": False, "pass_rate": None, "proof": reference_proof(t)}
                               for t in self.train_tasks},
                 "models": {"prover": self.cfg.prover.policy, "conjecturer": self.cfg.conjecturer.policy}}
        try:
            for r in range(self.cfg.rounds):
                rd = self.out / "rounds" / f"{r:03d}"
                done = rd / "state.json"
                if done.exists():
                    state = json.loads(done.read_text(encoding="utf-8"))
                    continue
                rd.mkdir(parents=True, exist_ok=True)
                state = _Round(self, r, rd, state).run()
                self._drop_policies()  # the next round may load a new checkpoint
                self._publish()
        finally:
            self._drop_policies()
        self._publish()
        return read_records(self.out / "metrics.jsonl")

    def _publish(self) -> None:
        from .report import write_report

        rows = []
        for rd in sorted((self.out / "rounds").glob("[0-9][0-9][0-9]")):
            if (rd / "metrics.json").exists():
                rows.append(json.loads((rd / "metrics.json").read_text(encoding="utf-8")))
        _write_jsonl(self.out / "metrics.jsonl", rows)
        write_report(self.out, self.config_text)


class _Round:
    def __init__(self, sp: SelfPlay, r: int, rd: Path, state: dict[str, Any]):
        self.sp, self.cfg, self.r, self.rd = sp, sp.cfg, r, rd
        self.state = json.loads(json.dumps(state))  # never mutate the previous round's state
        steps_file = rd / "steps.json"
        self.steps: dict[str, float] = json.loads(steps_file.read_text()) if steps_file.exists() else {}
        if (rd / "train.json").exists():  # resumed after training: the eval must use the new checkpoint
            self.state["models"] = json.loads((rd / "train.json").read_text())["models"]

    def run(self) -> dict[str, Any]:
        for step in STEPS:
            if step in self.steps:
                continue
            t0 = time.monotonic()
            getattr(self, f"_step_{step}")()
            self.steps[step] = round(time.monotonic() - t0, 3)
            if step != "finish":
                _write_json(self.rd / "steps.json", self.steps)
        return self.state

    # ------------------------------------------------------------------ conjecture

    def _seeds(self) -> list[Seed]:
        from .dafny_spec import called_names, lemma_names

        seeds = []
        for tid, o in sorted(self.state["originals"].items()):
            if not seed_eligible(o.get("pass_rate"), bool(o.get("proof")), self.cfg.selection):
                continue
            task = self.sp.by_id[tid]
            lemmas = []
            if task.lang == "dafny":
                target = task.meta.get("target")
                lemmas = [n for n in called_names(o["proof"], lemma_names(task.statement)) if n != target]
            seeds.append(Seed(task, o["proof"], lemmas, o.get("pass_rate")))
        return seeds

    def _step_conjecture(self) -> None:
        seeds = self._seeds()
        rng = self.sp._rng(self.r, "conjecture")
        cc = self.cfg.conjecturer
        if not seeds:
            conjs: list[Conjecture] = []
        elif cc.kind == "mutation":
            from .mutate import mutation_conjectures

            conjs = mutation_conjectures(seeds, cc, rng, self.r, self.cfg.lang)
        else:
            from .generate import policy_conjectures

            policy = self.sp._policy(self.state["models"]["conjecturer"], "conjecturer")
            conjs = policy_conjectures(seeds, policy, cc, rng, self.r, self.cfg.lang)
        fault_point("conjecture")
        _write_jsonl(self.rd / "conjectures.jsonl", [c.to_dict() for c in conjs])
        _write_json(self.rd / "seeds.json", {"seeds": [s.task.id for s in seeds]})

    def conjectures(self) -> list[Conjecture]:
        return [Conjecture.from_dict(d) for d in read_records(self.rd / "conjectures.jsonl")]

    # ------------------------------------------------------------------ validate

    def _deduper(self):
        from .validate import Deduper, dedup_text

        d = Deduper(self.cfg.lang, self.cfg.validation.near_duplicate_ratio)
        for t in self.sp.originals:
            c = Conjecture(t.id, t.lang, t.statement, t.id, "original", target=t.meta.get("target", ""))
            if t.lang == "lean":
                from .mutate import lean_theorem_name

                c.target = lean_theorem_name(t.statement)
            d.register(dedup_text(c), c.target)
        for prev in range(self.r):
            for rec in read_records(self.sp.out / "rounds" / f"{prev:03d}" / "conjectures.jsonl"):
                c = Conjecture.from_dict(rec)
                if c.statement:
                    d.register(dedup_text(c), c.target)
        return d

    def _checks(self, check_many):
        if self.cfg.lang == "dafny":
            from .validate import DafnyChecks

            return DafnyChecks(check_many, self.cfg.validation)
        from .validate import LeanChecks

        if self.sp.lean_command is not None:
            return LeanChecks(check_many, self.cfg.validation, self.sp.lean_command)
        from prover.verifiers import get_verifier

        lean = get_verifier("lean", workers=1, timeout=self.cfg.prover.timeout)
        self._lean = lean
        pool = lean.pool
        return LeanChecks(check_many, self.cfg.validation,
                          (lambda header, req: pool.run(header, req)) if pool is not None else None)

    def _step_validate(self) -> None:
        from .validate import ValidationResult, validate

        path = self.rd / "validation.jsonl"
        done = {r["id"]: ValidationResult(**r) for r in read_records(path)}
        factory = self.sp._factory("validate")
        local = threading.local()
        made: list[Any] = []
        lock = threading.Lock()

        def check_many(pairs):
            if not hasattr(local, "checker"):
                local.checker = factory()
                with lock:
                    made.append(local.checker)
            return [local.checker.inner.check(t, c) for t, c in pairs]

        checks = self._checks(check_many)
        with JsonlWriter(path) as w:
            def record(res: ValidationResult) -> None:
                with lock:
                    w.write(res.to_dict())
                fault_point("validate")

            try:
                validate(self.conjectures(), checks, self._deduper(), done, record,
                         workers=self.cfg.prover.workers, progress=self.sp.progress)
            finally:
                for c in made:
                    c.close()
                if getattr(self, "_lean", None) is not None:
                    self._lean.close()

    def validations(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in read_records(self.rd / "validation.jsonl")}

    # ------------------------------------------------------------------ prove

    def _proving_set(self) -> list[Task]:
        path = self.rd / "prove_tasks.jsonl"
        if path.exists():
            return [Task.from_dict(d) for d in read_records(path)]
        val = self.validations()
        tasks = [c.task() for c in self.conjectures() if val.get(c.id, {}).get("status") == "valid"]
        if self.cfg.canaries.enabled:
            tasks += canary_tasks(self.cfg.lang, self.cfg.canaries.count, self.r)
        keep = originals_to_prove(self.state["originals"], self.cfg.selection, self.sp._rng(self.r, "originals"),
                                  first_round=self.r == 0)
        tasks += [self.sp.by_id[t] for t in keep]
        _write_jsonl(path, [t.to_dict() for t in tasks])
        return tasks

    def _eval(self, name: str, tasks: list[Task], samples: int):
        from prover.benchmarks import installed_toolchain
        from prover.evaluation.runner import EvalRun, EvalSettings, final_attempts

        spec = self.state["models"]["prover"]
        policy = self.sp._policy(spec, "prover")
        if hasattr(policy, "reset"):
            policy.reset()  # the portfolio continues down its list per task; every run starts at the top
        revision = "sha256:" + short_hash(*(t.statement for t in tasks))
        settings = EvalSettings(bench=f"selfplay/{self.r:03d}/{name}", data_revision=revision, policy=spec,
                                samples=samples, limit=None, lang=self.cfg.lang,
                                toolchain=installed_toolchain(self.cfg.lang), task_ids=[t.id for t in tasks],
                                verifier={**self.sp._verifier_options(name), "mode": self.sp.verifier_mode(name)})
        run = EvalRun(self.rd / name, settings, tasks, policy, self.sp._factory(name),
                      workers=self.cfg.prover.workers, gen_batch=self.cfg.prover.gen_batch,
                      progress=self.sp.progress)
        run.run()
        if run.failure:
            raise RuntimeError(f"round {self.r} {name}: {run.failure}; rerun with --resume to continue")
        attempts = final_attempts(self.rd / name)
        errors = [a for a in attempts.values() if a["status"] == "error"]
        if errors:
            raise RuntimeError(f"round {self.r} {name}: {len(errors)} verifier errors (first: {errors[0]['reason'][:200]}); "
                               "rerun with --resume to retry them")
        return attempts

    def _step_prove(self) -> None:
        tasks = self._proving_set()
        attempts = self._eval("prove", tasks, self.cfg.prover.samples)
        check_canaries(attempts, self.r)

    def attempts(self, name: str = "prove") -> dict:
        from prover.evaluation.runner import final_attempts

        return final_attempts(self.rd / name)

    # ------------------------------------------------------------------ select

    def _step_select(self) -> None:
        from .audit import fresh_checker

        attempts = self.attempts()
        check_canaries(attempts, self.r)
        stats = task_stats(attempts.values())
        conjs = {c.id: c for c in self.conjectures()}
        val = self.validations()
        valid = [c for c in conjs.values() if val.get(c.id, {}).get("status") == "valid"]
        unproved = [self._target_text(self.sp.by_id[t]) for t, o in sorted(self.state["originals"].items())
                    if not o.get("proved") and not (stats.get(t) and stats[t].verified)]
        selected, rejected = select_conjectures(valid, stats, self.cfg.selection, unproved,
                                                self.sp._rng(self.r, "select"))
        audit_path = self.rd / "audit.jsonl"
        audited = {r["id"]: r for r in read_records(audit_path)}
        if self.cfg.selection.audit and selected:
            check = self.sp.fresh_check or fresh_checker(self.cfg.lang, self.cfg.prover.timeout)
            with JsonlWriter(audit_path) as w:
                for s in selected:
                    if s.conjecture_id not in audited:
                        v = check(conjs[s.conjecture_id].task(), s.proof)
                        audited[s.conjecture_id] = {"id": s.conjecture_id, "status": v.status, "reason": v.reason,
                                                    "seconds": v.seconds, "toolchain": v.toolchain}
                        w.write(audited[s.conjecture_id])
                        fault_point("select")
        kept = []
        for s in selected:
            if self.cfg.selection.audit:
                s.audit = audited[s.conjecture_id]["status"]
                if s.audit != "verified":
                    rejected["audit_failed"] += 1
                    continue
            kept.append(s)
        prover_ex, conj_ex = self._examples(attempts, conjs, kept)
        _write_jsonl(self.rd / "examples_prover.jsonl", [e.to_dict() for e in prover_ex])
        _write_jsonl(self.rd / "examples_conjecturer.jsonl", [e.to_dict() for e in conj_ex])
        _write_json(self.rd / "selection.json", {
            "selected": [s.to_dict() for s in kept], "rejected": dict(sorted(rejected.items())),
            "audit": {"verified": sum(1 for s in selected if s.audit == "verified"),
                      "failed": sum(1 for s in selected if self.cfg.selection.audit and s.audit != "verified")},
            "prover_examples": len(prover_ex), "conjecturer_examples": len(conj_ex)})

    @staticmethod
    def _target_text(task: Task) -> str:
        """What a conjecture is compared with when re-weighting (Dafny: the lemma header only)."""
        from .dafny_spec import parse_lemma

        spec = parse_lemma(task.statement, task.meta.get("target")) if task.lang == "dafny" else None
        return spec.header() if spec else task.statement

    def _examples(self, attempts: dict, conjs: dict[str, Conjecture], selected: list[Selected]):
        from prover.train.expert_iteration import attempts_as_rows, select_examples
        from prover.train.sft import SFTExample

        from .generate import conjecture_completion

        tasks = {t.id: t for t in (Task.from_dict(d) for d in read_records(self.rd / "prove_tasks.jsonl"))}
        rows_in = [a for a in attempts.values() if not is_canary(a["task_id"])]
        style = self.cfg.prover.prompt_style or "completion"
        tokenizer = None
        spec = self.state["models"]["prover"]
        if style == "chat" and spec.startswith("hf:"):
            from transformers import AutoTokenizer

            from prover.policies import resolve_model_path

            tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(spec.split(":", 1)[1]))
        prover_ex = select_examples(attempts_as_rows(rows_in, tasks, style, tokenizer), self.cfg.train.prover)
        conj_ex = []
        for s in selected:
            c = conjs[s.conjecture_id]
            if c.prompt:  # mutation conjectures have no prompt: there is no conjecturer model to teach
                conj_ex.append(SFTExample(c.prompt, conjecture_completion(c), s.weight * self.cfg.train.conjecturer_weight,
                                          c.id, {"role": "conjecturer", "seed": c.seed_id, "lemma": c.lemma}))
        for e in prover_ex:
            e.meta["role"] = "prover"
        return prover_ex, conj_ex

    # ------------------------------------------------------------------ train

    def _step_train(self) -> None:
        from prover.train.sft import SFTExample

        if not self.cfg.train.enabled:
            return
        from prover.train.expert_iteration import ReplayBuffer
        from prover.train.sft import weighted_sft

        models = self.state["models"]
        prover_ex = [SFTExample.from_dict(d) for d in read_records(self.rd / "examples_prover.jsonl")]
        conj_ex = [SFTExample.from_dict(d) for d in read_records(self.rd / "examples_conjecturer.jsonl")]
        roles = {"prover": prover_ex, "conjecturer": conj_ex}
        trainable = {role: spec for role, spec in models.items() if spec.startswith("hf:")}
        by_model: dict[str, list[str]] = {}
        for role, spec in sorted(trainable.items()):
            by_model.setdefault(spec, []).append(role)
        self.sp._drop_policies()  # free the model memory before training
        for k, (spec, role_names) in enumerate(sorted(by_model.items())):
            from prover.policies import resolve_model_path

            examples = [e for role in role_names for e in roles[role]]
            buffer = ReplayBuffer(self.sp.out / f"replay_{'_'.join(role_names)}.jsonl",
                                  self.cfg.train.prover.replay_rounds)
            training_set = buffer.add_round(self.r, examples)
            fault_point("train")
            out = weighted_sft(resolve_model_path(spec.split(":", 1)[1]), training_set, self.cfg.train.sft,
                               self.rd / ("checkpoint" if len(by_model) == 1 else f"checkpoint_{k}"))
            for role in role_names:
                models[role] = f"hf:{out.resolve()}"
        _write_json(self.rd / "train.json", {"models": models})

    # ------------------------------------------------------------------ eval / finish

    def _step_eval(self) -> None:
        if self.cfg.heldout.enabled and self.sp.heldout:
            self._eval("eval", self.sp.heldout, self.cfg.heldout.samples)

    def _step_finish(self) -> None:
        attempts = self.attempts()
        stats = task_stats(attempts.values())
        conjs = {c.id: c for c in self.conjectures()}
        tasks = {t.id: t for t in (Task.from_dict(d) for d in read_records(self.rd / "prove_tasks.jsonl"))}
        rows = []
        for tid, s in sorted(stats.items()):
            if is_canary(tid) or not s.proofs:
                continue
            t = tasks[tid]
            for proof, secs in s.proofs:
                c = conjs.get(tid)
                rows.append({"statement": t.statement, "header": t.header, "proof": proof, "lang": t.lang,
                             "task_id": tid, "round": self.r, "source": "conjecture" if c else "original",
                             "seed_id": c.seed_id if c else tid, "origin": c.origin if c else "original",
                             "pass_rate": s.pass_rate, "verify_seconds": secs,
                             "toolchain": next((a["toolchain"] for a in attempts.values() if a["task_id"] == tid), "")})
        dataset.write_round(self.sp.out, self.r, rows)
        fault_point("finish")
        for tid, o in self.state["originals"].items():
            s = stats.get(tid)
            if s is None or s.pass_rate is None:
                continue
            o["pass_rate"] = s.pass_rate
            if s.proofs:
                o["proved"] = True
                best = min(s.proofs, key=lambda p: (len(p[0]), p[0]))[0]
                if not o.get("proof") or len(best) < len(o["proof"]):
                    o["proof"] = best
        _write_json(self.rd / "metrics.json", self._metrics(attempts, stats, conjs))
        _write_json(self.rd / "state.json", self.state)

    def _metrics(self, attempts: dict, stats: dict, conjs: dict[str, Conjecture]) -> dict[str, Any]:
        val = self.validations()
        sel = json.loads((self.rd / "selection.json").read_text())
        reasons = Counter(v["status"] for v in val.values())
        verdicts = Counter(a["status"] for a in attempts.values())
        held = None
        if (self.rd / "eval").exists():
            ev = [a for a in self.attempts("eval").values() if a["status"] != "error"]
            held = sum(a["status"] == "verified" for a in ev) / len(ev) if ev else None
        proved_conj = sum(1 for c in conjs if stats.get(c) and stats[c].verified)
        origs = [s for t, s in stats.items() if t in self.state["originals"]]
        return {
            "round": self.r, "lang": self.cfg.lang,
            "conjecturer": self.cfg.conjecturer.kind if self.cfg.conjecturer.kind == "mutation" else self.cfg.conjecturer.policy,
            "prover": self.cfg.prover.policy,
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
            "heldout_pass_rate": held, "models": self.state["models"],
            "verifier": {step: self.sp.verifier_mode(step) for step in ("prove", "eval", "validate")},
            "seconds": dict(self.steps),
        }
