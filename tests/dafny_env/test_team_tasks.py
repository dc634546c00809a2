"""The team's own Dafny task set (`dafny_env/tasks/team.jsonl`): schema, counts, and real verification."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from dafny_env.dialect import to_dafny2
from dafny_env.cli_backend import verify_program
from dafny_env.syntax import code_mask

TASKS_FILE = Path(__file__).resolve().parents[2] / "dafny_env" / "tasks" / "team.jsonl"
DAFNY = os.environ.get("DAFNY", "/usr/bin/dafny")
needs_dafny = pytest.mark.skipif(not os.path.exists(DAFNY), reason=f"no Dafny at {DAFNY}")
DECL = re.compile(r"^\s*(?:lemma|method|function|predicate)\s+(?:\{:[^}]*\}\s*)*([A-Za-z_]\w*)", re.M)


def load() -> list[dict]:
    with open(TASKS_FILE, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


TASKS = load()


def test_schema_counts_and_unique_ids():
    ids = [t["id"] for t in TASKS]
    assert len(ids) == len(set(ids))
    kinds = [t["kind"] for t in TASKS]
    assert kinds.count("prove") >= 40 and kinds.count("implement") >= 20
    for t in TASKS:
        assert set(t) == {"id", "lang", "kind", "statement", "reference", "meta"}, t["id"]
        assert t["lang"] == "dafny" and t["kind"] in ("prove", "implement")
        assert t["id"].startswith(f"team/{t['kind']}/")
        meta = t["meta"]
        assert meta["difficulty"] in (1, 2, 3) and meta["topic"] and meta["target"]
        assert isinstance(meta["empty_body_verifies"], bool)


def test_team_jsonl_is_regenerated_from_its_source_byte_for_byte(tmp_path):
    """`team_source.py` is the source of `team.jsonl`: an edit to either alone fails here."""
    from dafny_env.tasks import team_source

    assert team_source.OUT == TASKS_FILE
    # The flags are Dafny's measurement (`--check`), the one input that is not in the source.
    empty = {t["id"]: t["meta"]["empty_body_verifies"] for t in TASKS}
    assert sorted(empty) == sorted(t.id for t in team_source.TASKS)
    team_source.write(tmp_path / "team.jsonl", empty)
    assert (tmp_path / "team.jsonl").read_bytes() == TASKS_FILE.read_bytes()


def test_tasks_build_into_core_tasks():
    from verifier_core.records import Task

    for t in TASKS:
        task = Task.from_dict(t)
        assert task.lang == "dafny" and task.meta["target"] == t["meta"]["target"]


@pytest.mark.parametrize("t", TASKS, ids=lambda t: t["id"])
def test_statement_is_the_reference_with_the_target_body_missing(t):
    stmt, ref = t["statement"], t["reference"]
    # The reference is the statement verbatim, then the body (and optional helper lemmas).
    assert ref.startswith(stmt) and ref[len(stmt):].lstrip().startswith("{")
    names = DECL.findall(stmt)
    assert names and names[-1] == t["meta"]["target"], "the target is the statement's last declaration"
    keyword = "lemma" if t["kind"] == "prove" else "method"
    assert re.search(rf"^{keyword}\s+(?:\{{:[^}}]*\}}\s*)*{t['meta']['target']}\b", stmt, re.M)
    # Nothing after the target's spec clauses: no body in the statement.
    tail = stmt[stmt.rindex(t["meta"]["target"]):]
    assert "{" not in code_mask(tail).replace("{:induction false}", "")
    for name in names:
        assert re.search(rf"\b{name}\b", ref)


@pytest.mark.parametrize("t", TASKS, ids=lambda t: t["id"])
def test_tasks_stay_in_the_common_dafny2_dafny4_subset(t):
    code = code_mask(t["reference"])
    for banned in (r"\bfunction\s+method\b", r"\bpredicate\s+method\b", r"\bfor\s+\w+\s*:=", r"\bassume\b",
                   r"\{:axiom\}", r"\{:verify\s+false\}", r"\bghost\s+(function|predicate)\b"):
        assert not re.search(banned, code), (t["id"], banned)
    # The bridge has nothing to translate: the same text is checked on Dafny 2.3 and Dafny 4.
    assert to_dafny2(t["reference"]).rewrites == []


def test_difficulty_spread_is_real():
    hard = [t for t in TASKS if t["meta"]["difficulty"] >= 2]
    easy = [t for t in TASKS if t["meta"]["difficulty"] == 1]
    assert any(t["meta"]["empty_body_verifies"] for t in easy)
    assert sum(not t["meta"]["empty_body_verifies"] for t in hard) >= 0.8 * len(hard)
    assert {t["meta"]["difficulty"] for t in TASKS if t["kind"] == "prove"} == {1, 2, 3}


def _run(program: str):
    return verify_program(program, timeout=120)


def _sample() -> list[dict]:
    # One task per (kind, difficulty) bucket, first in file order: deterministic and spread out.
    seen, out = set(), []
    for t in TASKS:
        key = (t["kind"], t["meta"]["difficulty"])
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out[:5]


@needs_dafny
@pytest.mark.parametrize("t", _sample(), ids=lambda t: t["id"])
def test_sample_references_verify_on_real_dafny(t):
    res = _run(t["reference"])
    assert res.status == "verified", res.output


@needs_dafny
def test_a_claimed_hard_task_does_not_verify_with_an_empty_body():
    t = next(t for t in TASKS if t["meta"]["difficulty"] == 3 and not t["meta"]["empty_body_verifies"])
    res = _run(t["statement"] + "\n{\n}\n")
    assert res.status != "verified", res.output


@pytest.mark.slow
@needs_dafny
@pytest.mark.parametrize("t", TASKS, ids=lambda t: t["id"])
def test_every_reference_verifies_on_real_dafny(t):
    res = _run(t["reference"])
    assert res.status == "verified", res.output
