"""Reward functions for TRL's `GRPOTrainer` (`reward_funcs=[ProverReward(...)]`), sync and async.

TRL calls `f(prompts=..., completions=..., completion_ids=..., **columns)` where `columns` are the
dataset's other columns, one value per completion. The statement is read from `statement_column`
(also `formal_statement` or `spec` when that column is absent); `lang`, `kind` and `header` columns
are used when the dataset has them. `error` verdicts return None: TRL then leaves this reward out
for that sample (its docs: "can also return None when the reward is not applicable"), never a 0.
`AsyncProverReward` is awaited by TRL alongside its other async reward functions.
"""

from __future__ import annotations

import asyncio
from typing import Any, Sequence

from verifier_core.records import Task, Verdict
from ..train.rewards import RewardConfig, reward_for
from .backend import backend, completion_text, fill, prepare

_STATEMENT_ALIASES = ("formal_statement", "spec")


class ProverReward:
    """Verified -> `rewards.verified` (1), failed/rejected/timeout -> theirs (0), error -> None.

    `server`: a `prover serve` URL (with `api_key`); without it an in-process pool is used, made
    with `verifier_options` (`workers`, `timeout`, ...). `style`: how to read a completion
    (`prover.extract`): "completion", "chat", "program"; default: "chat" for conversational
    completions, else "completion".
    """

    def __init__(self, server: str | None = None, api_key: str | None = None, *, lang: str = "dafny",
                 statement_column: str = "statement", style: str | None = None, rewards: RewardConfig | None = None,
                 verifier_options: dict[str, Any] | None = None):
        self.server, self.api_key, self.lang = server, api_key, lang
        self.statement_column, self.style = statement_column, style
        self.rewards = rewards or RewardConfig()
        self.verifier_options = dict(verifier_options or {})
        self.__name__ = f"prover_{lang}"  # TRL logs each reward function under its name
        self.last_verdicts: list[Verdict] = []  # the latest call's verdicts (for logging and tests)

    def _tasks(self, n: int, columns: dict[str, Any]) -> list[Task]:
        name = next((c for c in (self.statement_column, *_STATEMENT_ALIASES) if c in columns), None)
        if name is None:
            raise KeyError(f"no statement column: expected {self.statement_column!r} (or one of {_STATEMENT_ALIASES}) "
                           f"among the dataset columns TRL passed: {sorted(columns)}")

        def col(key: str, default: str) -> list:
            return list(columns.get(key) or [default] * n)

        ids = col("id", "")
        return [Task(id=str(ids[i] or i), lang=lang, statement=statement, header=header or "", kind=kind or "prove")
                for i, (statement, lang, kind, header) in enumerate(zip(columns[name], col("lang", self.lang),
                                                                           col("kind", "prove"), col("header", "")))]

    def _prepare(self, completions: Sequence[Any], columns: dict[str, Any]):
        outputs = [completion_text(c) for c in completions]
        style = self.style or ("chat" if completions and not isinstance(completions[0], str) else "completion")
        tasks = self._tasks(len(outputs), columns)
        return prepare(tasks, outputs, style)

    def _rewards(self, verdicts: list[Verdict]) -> list[float | None]:
        self.last_verdicts = verdicts
        return [reward_for(v.status, self.rewards) for v in verdicts]

    def _verifier(self, lang: str):
        return backend(lang, self.server, self.api_key, **self.verifier_options)

    def __call__(self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), **columns: Any
                 ) -> list[float | None]:
        verdicts, pairs, where = self._prepare(completions, columns)
        checked = self._check(pairs)
        return self._rewards(fill(verdicts, where, checked))

    def _check(self, pairs) -> list[Verdict]:
        """Verdicts in order; one verifier per language among the pairs."""
        out: list[Verdict | None] = [None] * len(pairs)
        for lang in {t.lang for t, _ in pairs}:
            idx = [i for i, (t, _) in enumerate(pairs) if t.lang == lang]
            for i, v in zip(idx, self._verifier(lang).check_many([pairs[i] for i in idx])):
                out[i] = v
        return [v for v in out if v is not None]


class AsyncProverReward(ProverReward):
    """The same reward as a coroutine: TRL awaits it together with its other async reward functions;
    the checks run on a thread, so the event loop stays free."""

    async def __call__(self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (),
                       **columns: Any) -> list[float | None]:
        verdicts, pairs, where = self._prepare(completions, columns)
        checked = await asyncio.to_thread(self._check, pairs)
        return self._rewards(fill(verdicts, where, checked))
