"""Benchmarks by name: miniF2F (Lean) and the Dafny suites, as lists of `Task`s.

Each benchmark is a JSONL file under `verifier_core.settings.data_dir()` (the team's machines and CI have
them at `../shared/data`). Where a file is missing it is rebuilt on first use from the public
source recorded below (raw GitHub files at pinned commits) and written next to a `<file>.source.json`
naming every URL it came from; offline, that fails with a message saying what to put where.

Programs whose *reference* solution the installed Dafny cannot verify are not evaluated: a policy
cannot be blamed for them. They are listed by `excluded(name)` with the reason, based on checking
every task's reference with this project's verifier on Dafny 2.3 (`reference_checks()`), else on the
as-is Dafny 2.3 run stored with the data (`dafny_2_3`). The rule depends on the installed toolchain:
with Dafny 4 nothing is excluded (the references were written for it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from verifier_core.jsonl import read_jsonl
from verifier_core.languages import language
from verifier_core.records import Task
from verifier_core.settings import REPO_ROOT, data_dir as default_data_dir

from .errors import UserError

TEAM_TASKS = REPO_ROOT / "dafny_env" / "tasks" / "team.jsonl"


class BenchmarkError(UserError, RuntimeError):
    """A benchmark cannot be loaded (unknown name, missing data and no way to download it)."""


@dataclass(frozen=True)
class Source:
    """Where a benchmark file comes from: `repo@commit`, and the files inside it."""

    repo: str
    commit: str
    path: str  # a file, or a directory whose matching files are all fetched

    def label(self) -> str:
        return f"{self.repo}@{self.commit}:{self.path}"


@dataclass(frozen=True)
class Benchmark:
    """One named benchmark: its file (relative to the data dir), language, task kind and filter."""

    name: str
    lang: str
    file: str
    kind: str
    split: str | None = None
    source: Source | None = None
    description: str = ""
    # how a record becomes a task: `statement` (miniF2F's header + formal_statement), `lemma`
    # (miniF2F-Dafny: one lemma with a given body, under the trusted header), `reference` (a verified
    # program whose bodies are the targets, or its hints-removed version)
    form: str = "reference"


_YANGKY = Source("yangky11/miniF2F-lean4", "5746b7d6c47855ce1294bed87329618ff7f1bc31", "MiniF2F")
_DEEPSEEK = Source("deepseek-ai/DeepSeek-Prover-V1.5", "2c4ba9119eef74d0d611f494261b2c5bae98c69a",
                   "datasets/minif2f.jsonl")
_GOEDEL = Source("Goedel-LM/Goedel-Prover-V2", "2e9036e118464aa96a8bebaf9f5b9d091aa3585c", "dataset/minif2f.jsonl")
_MBPP = Source("Mondego/dafny-synthesis", "4a06e8b09f48825458458aeacbe1622c26df4461", "MBPP-DFY-153/src")
_DAFNYBENCH = Source("sun-wendy/DafnyBench", "0cd28feed9cd0179b07fdb9d002f8c39063658e4", "DafnyBench/test.json")
_CLOVER = Source("ChuyueSun/Clover", "02144bec1bbf8d38951ef2df6f0c2870965a214e", "dataset/CloverBench/textbook_algo")
# The data's README records the short commit; the download resolves and records the full one.
_MINIF2F_DAFNY = Source("dafny-lang/miniF2F", "f8db1a6", "dataset")
MINIF2F_DAFNY_HEADER_FILES = ("definitions.dfy", "library.dfy")
_VERICODING = Source("Beneficial-AI-Foundation/vericoding", "571d7533e121f0912af9ed5e1e2960afeaff221c",
                      "benchmarks/dafny")
_DAFNYCOMP = Source("Veri-Code/ReForm", "eeff49600740b4c106520ad5a2f0bcf97018cbfc",
                    "LLaMA-Factory/dafny_process/DafnyComp/code_wspec/Chain_300")

BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in [
    Benchmark("minif2f-valid", "lean", "minif2f/minif2f.jsonl", "prove", "valid", _YANGKY,
              "miniF2F valid, Lean v4.24.0 / Mathlib v4.24.0 (primary)", form="statement"),
    Benchmark("minif2f-test", "lean", "minif2f/minif2f.jsonl", "prove", "test", _YANGKY,
              "miniF2F test, Lean v4.24.0 / Mathlib v4.24.0 (primary)", form="statement"),
    Benchmark("minif2f-deepseek-valid", "lean", "minif2f/minif2f_deepseek_v1.5.jsonl", "prove", "valid", _DEEPSEEK,
              "miniF2F valid as used by DeepSeek-Prover-V1.5 / Goedel / STP (Lean v4.9.0-rc1)", form="statement"),
    Benchmark("minif2f-deepseek-test", "lean", "minif2f/minif2f_deepseek_v1.5.jsonl", "prove", "test", _DEEPSEEK,
              "miniF2F test as used by DeepSeek-Prover-V1.5 / Goedel / STP (Lean v4.9.0-rc1)", form="statement"),
    Benchmark("minif2f-goedel-test", "lean", "minif2f/minif2f_goedel_v2_test.jsonl", "prove", "test", _GOEDEL,
              "miniF2F test as used by Goedel-Prover-V2 (15 statements fixed; Lean v4.9.0-rc1)", form="statement"),
    Benchmark("minif2f-dafny-valid", "dafny", "minif2f_dafny/minif2f_dafny.jsonl", "prove", "valid", _MINIF2F_DAFNY,
              "miniF2F valid as Dafny lemmas (miniF2F-Dafny), against its trusted definitions + library header", form="lemma"),
    Benchmark("minif2f-dafny-test", "dafny", "minif2f_dafny/minif2f_dafny.jsonl", "prove", "test", _MINIF2F_DAFNY,
              "miniF2F test as Dafny lemmas (miniF2F-Dafny), against its trusted definitions + library header", form="lemma"),
    Benchmark("dafny-team", "dafny", str(TEAM_TASKS), "per-task", None, None,
              "the team's own Dafny tasks shipped in the repo (works offline, the default)"),
    Benchmark("mbpp-dfy", "dafny", "dafny/mbpp_dfy/mbpp_dfy.jsonl", "implement", None, _MBPP,
              "MBPP-DFY: implement a method against its spec"),
    Benchmark("dafnybench", "dafny", "dafny/dafnybench/dafnybench.jsonl", "hints", None, _DAFNYBENCH,
              "DafnyBench: restore the removed hints (invariants, asserts)"),
    Benchmark("clover", "dafny", "dafny/clover/clover.jsonl", "implement", None, _CLOVER,
              "CloverBench textbook_algo: implement against the strong spec"),
    Benchmark("dafnycomp", "dafny", "dafny/dafnycomp/dafnycomp.jsonl", "implement", None, _DAFNYCOMP,
              "Re:Form DafnyComp Chain_300: compositional programs"),
    Benchmark("vericoding-dafny", "dafny", "vericoding/benchmarks/dafny", "implement", None, _VERICODING,
              "Vericoding (Dafny): implement against the spec; the `assume {:axiom} false` placeholder is the "
              "target, `*_poor.jsonl` specs are left out"),
]}


def list_benchmarks() -> list[Benchmark]:
    """Every named benchmark (a path to a task JSONL file is also accepted wherever a name is)."""
    return list(BENCHMARKS.values())


def load_benchmark(name: str, data_dir: str | os.PathLike | None = None, toolchain: str | None = None) -> list[Task]:
    """The tasks of benchmark `name` (or of a task JSONL file), minus those `excluded()` lists."""
    return load_with_exclusions(name, data_dir, toolchain)[0]


def load_with_exclusions(name: str, data_dir: str | os.PathLike | None = None,
                         toolchain: str | None = None) -> tuple[list[Task], list[tuple[str, str]]]:
    """`load_benchmark` and `excluded` in one pass (building Dafny statements takes seconds)."""
    tasks, skipped = _load(name, data_dir, toolchain)
    drop = {tid for tid, _ in skipped}
    return [t for t in tasks if t.id not in drop], skipped


def excluded(name: str, data_dir: str | os.PathLike | None = None, toolchain: str | None = None) -> list[tuple[str, str]]:
    """(task id, reason) of every task left out because its reference does not verify on `toolchain`.

    `toolchain` defaults to the installed verifier's version string (`dafny_env.doctor()`).
    """
    return _load(name, data_dir, toolchain)[1]


def data_revision(name: str, data_dir: str | os.PathLike | None = None) -> str:
    """`source@commit` plus the sha256 of the file the tasks are read from: stamped on every result."""
    bench, path = _resolve(name, data_dir)
    if path.is_dir():  # vericoding: every task file and solution
        h = hashlib.sha256()
        for f in sorted(path.parents[2].glob("vericoding/**/*")):
            if f.is_file():
                h.update(f.name.encode() + b"\0" + f.read_bytes())
        return f"{bench.source.repo}@{bench.source.commit} sha256:{h.hexdigest()[:16]}"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    if bench.source is None:
        where = os.path.relpath(path, REPO_ROOT) if path.is_relative_to(REPO_ROOT) else str(path)
        return f"file:{where} sha256:{digest}"
    if bench.source is _MINIF2F_DAFNY:  # the trusted header is part of every problem
        header = hashlib.sha256(minif2f_dafny_header(path.parent).encode("utf-8")).hexdigest()[:16]
        return f"{bench.source.repo}@{bench.source.commit} sha256:{digest} header:{header}"
    return f"{bench.source.repo}@{bench.source.commit} sha256:{digest}"


def benchmark_lang(name: str) -> str:
    """`lean` or `dafny` for a named benchmark; for a task file, the language of its first task."""
    if name in BENCHMARKS:
        return BENCHMARKS[name].lang
    tasks = _load(name, None, "")[0]
    if not tasks:
        raise BenchmarkError(f"{name}: the task file holds no tasks")
    return tasks[0].lang


# ---------------------------------------------------------------------------------------------
# Loading


def _resolve(name: str, data_dir: str | os.PathLike | None) -> tuple[Benchmark, Path]:
    if name not in BENCHMARKS:
        path = Path(name).expanduser()
        if name.endswith(".jsonl") and path.is_file():
            return Benchmark(name, "", str(path.resolve()), "prove"), path.resolve()
        known = ", ".join(BENCHMARKS)
        raise BenchmarkError(f"unknown benchmark {name!r}: expected one of {known}, or a path to a task .jsonl file")
    bench = BENCHMARKS[name]
    if bench.source is None:
        path = Path(bench.file)
        if not path.is_file():
            raise BenchmarkError(f"{name}: {path} is missing from this checkout (the team's tasks ship in the repo)")
        return bench, path
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    path = root / bench.file
    if bench.source is _VERICODING:
        if not path.is_dir():
            raise BenchmarkError(f"{name}: {path} is missing (no download: copy the vericoding data there)")
        return bench, path
    if not path.is_file():
        download(bench, root)
    return bench, path


def _records(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in read_jsonl(path):
        if line.record is None:
            raise BenchmarkError(f"{path}: {line.error}")
        out.append(line.record)
    return out


def _load(name: str, data_dir, toolchain: str | None) -> tuple[list[Task], list[tuple[str, str]]]:
    bench, path = _resolve(name, data_dir)
    if bench.source is _VERICODING:
        from . import vericoding

        syntax = language("dafny").syntax
        tasks, skipped = [], []
        for t in vericoding.load(path.parents[2], bench.name):
            if any(d.is_callable and not d.has_body for d in syntax.parse(t.statement).walk()):
                tasks.append(t)
            else:
                skipped.append((t.id, "the spec declares no member to implement (empty vc-spec)"))
        return _drop_unusable(tasks, skipped)
    records = _records(path)
    if bench.source is None:  # the team's tasks or a user's file: already in Task form
        return [_file_task(path, i, r, bench.lang) for i, r in enumerate(records, 1)], []
    if bench.split:
        records = [r for r in records if r.get("split") == bench.split]
    if bench.form == "statement":
        return _drop_unusable([_lean_task(r, bench) for r in records], [])
    if bench.form == "lemma":
        header = minif2f_dafny_header(path.parent)
        return _drop_unusable([minif2f_dafny_task(r, header, bench.name) for r in records], [])
    if toolchain is None:
        toolchain = installed_toolchain(bench.lang)
    tasks, skipped = [], []
    for r in records:
        reason = _exclusion_reason(r, toolchain, bench.name)
        if reason:
            skipped.append((r["id"], reason))
        else:
            tasks.append(_dafny_task(r, bench))
    return _drop_unusable(tasks, skipped)


def _drop_unusable(tasks: list[Task], skipped: list[tuple[str, str]]) -> tuple[list[Task], list[tuple[str, str]]]:
    """Move the tasks whose statement cannot be a task (empty, only comments: a few DafnyBench and
    MBPP-DFY rows) to `skipped` with the reason; each would reward any program."""
    from .verifiers import statement_problem

    kept = []
    for t in tasks:
        problem = statement_problem(t)
        if problem:
            skipped.append((t.id, problem))
        else:
            kept.append(t)
    return kept, skipped


def _file_task(path: Path, number: int, record: dict[str, Any], lang: str) -> Task:
    try:
        return Task.from_dict(record, lang=lang or None)
    except (ValueError, TypeError) as e:
        raise BenchmarkError(f"{path}: task {number}: {e} (each line needs id, lang, statement)") from None


def _lean_task(r: dict[str, Any], bench: Benchmark) -> Task:
    meta = {k: v for k, v in r.items() if k not in ("name", "header", "formal_statement")}
    meta["benchmark"] = bench.name
    return Task(id=r["name"], lang="lean", statement=r["formal_statement"], header=r["header"], kind="prove", meta=meta)


def _dafny_task(r: dict[str, Any], bench: Benchmark) -> Task:
    reference = r["reference"]
    if bench.kind == "hints":
        if not r.get("spec_only"):
            raise BenchmarkError(f"{bench.name}: {r['id']} has no hints-removed program (`spec_only`)")
        statement = r["spec_only"]
    else:
        statement = language("dafny").syntax.strip_bodies(reference)
    meta = {k: v for k, v in r.items() if k not in ("id", "spec_only", "dafny_2_3")}
    meta["benchmark"] = bench.name
    return Task(id=r["id"], lang="dafny", statement=statement, kind=bench.kind, meta=meta)


def minif2f_dafny_header(directory: str | os.PathLike) -> str:
    """miniF2F-Dafny's trusted header: `definitions.dfy` + newline + `library.dfy`, as shipped.

    Every task carries it as `Task.header` (never gated; see `dafny_env.header`); its sha256 names
    the shipped Dafny 2.3 port.
    """
    texts = []
    for name in MINIF2F_DAFNY_HEADER_FILES:
        f = Path(directory) / name
        if not f.is_file():
            raise BenchmarkError(f"miniF2F-Dafny: {f} is missing (it is the trusted header of every problem)")
        texts.append(f.read_text(encoding="utf-8"))
    return "\n".join(texts)


def minif2f_dafny_task(r: dict[str, Any], header: str, benchmark: str) -> Task:
    """The problem's lemma without its body: the body a candidate replaces. The file's own body
    (`{}`, in one problem `{ assert 1 != 0; }`) is kept as `meta["given_body"]`: what the authors'
    empty-proof run checked."""
    text = r["statement"].rstrip()
    lemmas = [d for d in language("dafny").syntax.parse(text).decls if d.base == "lemma" and d.has_body]
    if len(lemmas) != 1 or text[lemmas[0].body_end:].strip():
        raise BenchmarkError(f"{benchmark}: {r['id']} is not one lemma ending in its body")
    body = lemmas[0]
    meta = {k: v for k, v in r.items() if k not in ("id", "statement")}
    meta.update(benchmark=benchmark, given_body=text[body.body_start:body.body_end])
    unsound = minif2f_dafny_unsound().get(r["id"])
    if unsound:
        meta["upstream_unsound"] = unsound
    return Task(id=r["id"], lang="dafny", statement=text[:body.body_start].rstrip() + "\n", header=header,
                kind="prove", meta=meta)


MINIF2F_DAFNY_UNSOUND = Path(__file__).resolve().parent / "data" / "minif2f_dafny_unsound.jsonl"


@functools.lru_cache(maxsize=None)
def minif2f_dafny_unsound() -> dict[str, str]:
    """{problem id: why} of the miniF2F-Dafny statements that upstream issue dafny-lang/miniF2F#8 and its
    PR #9 name as false or unprovable as translated; the tasks carry it as `meta["upstream_unsound"]`,
    so that pass rates can be given with and without them. Only the part of the issue that could be
    read here is listed (10 statements; the issue names more)."""
    return {r["id"]: r["reason"] for ln in read_jsonl(MINIF2F_DAFNY_UNSOUND) if (r := ln.record)}


@functools.lru_cache(maxsize=None)
def installed_toolchain(lang: str) -> str:
    """The version string of the installed verifier for `lang` ("" when there is none)."""
    try:
        report = language(lang).doctor()
    except Exception:  # a broken or missing env: no toolchain, nothing can be excluded on its behalf
        return ""
    return str(report.get("version", "")) if report.get("found") else ""


def _dafny_major(toolchain: str) -> int | None:
    m = re.search(r"(\d+)\.\d+", toolchain)
    return int(m.group(1)) if m else None


REFERENCE_CHECKS = Path(__file__).resolve().parent / "data" / "dafny_2_3_reference_checks.jsonl"


@functools.lru_cache(maxsize=None)
def reference_checks() -> dict[tuple[str, str], dict[str, Any]]:
    """{(benchmark, id): result} of checking each Dafny benchmark task's own reference solution with
    this project's verifier on Dafny 2.3 (gate, Dafny 4 -> 2.3 bridge, verifier), as measured by
    `bench/dafny_dialect_coverage.py --backend pooled`. Empty when the file is absent."""
    if not REFERENCE_CHECKS.exists():
        return {}
    return {(r["benchmark"], r["id"]): r for ln in read_jsonl(REFERENCE_CHECKS) if (r := ln.record)}


def _short_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _exclusion_reason(record: dict[str, Any], toolchain: str, benchmark: str = "") -> str:
    """Why the reference of `record` cannot count on `toolchain` ("" = keep it).

    Only Dafny 2.x has measurements; Dafny 3+ keeps everything, and an unknown toolchain keeps
    everything too (the verifier will then report `error`, not fail). On 2.x the measurement of the
    reference through this project's own verifier decides (`reference_checks()`: the bridge rescues
    most Dafny-4-only syntax, the gate rejects references that use `assume` and the like); records it
    does not cover fall back to the as-is Dafny 2.3 run stored with the data (`dafny_2_3`).
    """
    if _dafny_major(toolchain) != 2:
        return ""
    checked = reference_checks().get((benchmark, record.get("id")))
    if checked is not None and checked.get("reference_sha256") != _short_sha(record.get("reference", "")):
        checked = None  # measured on another program text: says nothing about this one
    if checked is not None:
        if checked["status"] == "verified":
            return ""
        return (f"the reference solution is {checked['status']} by this verifier on Dafny 2.3 "
                f"(gate + Dafny 4 bridge): {checked.get('reason', '')}").rstrip(": ")
    measured = record.get("dafny_2_3")
    if not measured:
        return ""
    if measured.get("status") == "verified":
        return ""
    first = (measured.get("first_error") or "").strip()
    return f"reference does not verify on Dafny 2.3: {measured.get('status')}" + (f" ({first})" if first else "")


# ---------------------------------------------------------------------------------------------
# Download on first use


def _fetch(url: str) -> bytes:
    """GET `url` (raw GitHub file or GitHub tree listing); raises BenchmarkError when offline."""
    req = urllib.request.Request(url, headers={"User-Agent": "prover-rl-benchmarks"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.read()
    except (urllib.error.URLError, OSError) as e:
        raise BenchmarkError(f"cannot download {url}: {e}") from e


def _raw_url(src: Source, path: str) -> str:
    return f"https://raw.githubusercontent.com/{src.repo}/{src.commit}/{urllib.parse.quote(path)}"


def _list_files(src: Source, pattern: str) -> list[str]:
    """Paths under `src.path` matching `pattern` at the pinned commit (GitHub's git tree API)."""
    url = f"https://api.github.com/repos/{src.repo}/git/trees/{src.commit}?recursive=1"
    tree = json.loads(_fetch(url))
    rx = re.compile(re.escape(src.path.rstrip("/") + "/") + pattern + "$")
    return sorted(e["path"] for e in tree.get("tree", []) if e.get("type") == "blob" and rx.match(e["path"]))


def _text(src: Source, path: str, fetched: list[str]) -> str:
    url = _raw_url(src, path)
    fetched.append(url)
    return _fetch(url).decode("utf-8")


def _build_yangky(src: Source, fetched: list[str]) -> list[dict[str, Any]]:
    informal = {r["name"].lower(): r.get("informal_prefix", "") for r in _build_deepseek(_DEEPSEEK, fetched)}
    rows = []
    for path in _list_files(src, r"(Valid|Test)/[^/]+\.lean"):
        text = _text(src, path, fetched)
        cut = re.search(r"^theorem\s", text, re.M)
        if not cut:
            continue
        statement = re.sub(r"\s*sorry\s*$", "", text[cut.start():]).rstrip()
        name = Path(path).stem
        rows.append({"name": name, "split": path.split("/")[-2].lower(), "header": text[:cut.start()],
                     "formal_statement": statement, "informal_prefix": informal.get(name.lower(), ""),
                     "source": f"{src.repo}@{src.commit}:{path}"})
    return rows


def _build_deepseek(src: Source, fetched: list[str]) -> list[dict[str, Any]]:
    rows = []
    for line in _text(src, src.path, fetched).splitlines():
        if line.strip():
            r = json.loads(line)
            r["formal_statement"] = r["formal_statement"].rstrip("\n")
            r["source"] = src.label()
            rows.append(r)
    return rows


def _build_goedel(src: Source, fetched: list[str]) -> list[dict[str, Any]]:
    rows = []
    for r in _build_deepseek(src, fetched):
        # Goedel-V2 ships header + docstring + theorem as one `formal_statement`; split them out.
        full = r["formal_statement"]
        cut = re.search(r"^(/--|theorem\s)", full, re.M)
        start = cut.start() if cut else 0
        header, rest = full[:start], full[start:]
        prefix = ""
        if rest.startswith("/--"):
            end = rest.index("-/") + 2
            prefix, rest = rest[:end] + "\n", rest[end:].lstrip("\n")
        r.update(header=r.get("header") or header, informal_prefix=r.get("informal_prefix") or prefix,
                 formal_statement=rest, split=r.get("split", "test"))
        rows.append(r)
    return rows


def _build_mbpp(src: Source, fetched: list[str]) -> list[dict[str, Any]]:
    rows = []
    for path in _list_files(src, r"task_id_\d+\.dfy"):
        n = int(re.search(r"task_id_(\d+)", path).group(1))
        rows.append({"id": f"mbpp_dfy_{n}", "source": f"{src.repo}@{src.commit}:{path}", "spec_only": None,
                     "reference": _text(src, path, fetched), "description": "", "task_id": n})
    return sorted(rows, key=lambda r: r["task_id"])


def _build_dafnybench(src: Source, fetched: list[str]) -> list[dict[str, Any]]:
    return [{"id": f"dafnybench_{e['test_ID']}", "source": f"{src.label()}[test_ID={e['test_ID']}]",
             "spec_only": e["hints_removed"], "reference": e["ground_truth"], "description": "",
             "test_file": e.get("test_file", "")}
            for e in json.loads(_text(src, src.path, fetched))]


def _build_clover(src: Source, fetched: list[str]) -> list[dict[str, Any]]:
    rows = []
    for path in _list_files(src, r"([^/]+)/\1_strong\.dfy"):
        name = path.split("/")[-2]
        spec = path[: -len("_strong.dfy")] + "_spec.txt"
        try:
            description = _text(src, spec, fetched).strip()
        except BenchmarkError:
            description = ""
        rows.append({"id": f"clover_{name}", "source": f"{src.repo}@{src.commit}:{path}", "spec_only": None,
                     "reference": _text(src, path, fetched), "description": description})
    return rows


def _build_dafnycomp(src: Source, fetched: list[str]) -> list[dict[str, Any]]:
    return [{"id": f"dafnycomp_{path.split('/')[-2]}", "source": f"{src.repo}@{src.commit}:{path}",
             "spec_only": None, "reference": _text(src, path, fetched), "description": ""}
            for path in _list_files(src, r"[^/]+/dafny_code\.dfy")]


def _build_minif2f_dafny(src: Source, fetched: list[str], root: Path) -> list[dict[str, Any]]:
    """The problem files, minus their `include` lines; the header files go beside the JSONL."""
    commit = json.loads(_fetch(f"https://api.github.com/repos/{src.repo}/commits/{src.commit}"))["sha"]
    src = Source(src.repo, commit, src.path)
    outcomes: dict[str, str] = {}
    # The authors' empty-proof run (Dafny 4.11), where the tree has it: copied into each record.
    for path in _list_files(Source(src.repo, commit, "results/dafny"), r"[^/]*empty[^/]*/results\.json"):
        for e in json.loads(_text(src, path, fetched)):
            outcomes[e["id"]] = e["status"]
    rows = []
    for path in _list_files(src, r"(valid|test)/[^/]+\.dfy"):
        text = _text(src, path, fetched)
        statement = re.sub(r'^\s*include\s+"[^"]*"\s*\n', "", text, flags=re.M).strip("\n")
        row = {"id": Path(path).stem, "split": path.split("/")[-2], "statement": statement,
               "includes": list(MINIF2F_DAFNY_HEADER_FILES), "source": f"{src.repo}@{commit}:{path}"}
        if path in outcomes:
            row["empty_proof_dafny_4_11"] = outcomes[path]
        rows.append(row)
    for name in MINIF2F_DAFNY_HEADER_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(_text(src, f"{src.path}/{name}", fetched), encoding="utf-8")
    return rows


_BUILDERS: dict[Source, Callable[[Source, list[str]], list[dict[str, Any]]]] = {
    _YANGKY: _build_yangky, _DEEPSEEK: _build_deepseek, _GOEDEL: _build_goedel, _MBPP: _build_mbpp,
    _DAFNYBENCH: _build_dafnybench, _CLOVER: _build_clover, _DAFNYCOMP: _build_dafnycomp,
}


def download(bench: Benchmark, root: str | os.PathLike) -> Path:
    """Fetch `bench` from its public source into `root/bench.file`; the URLs go to `<file>.source.json`.

    The file is written only once everything was fetched, so an interrupted download leaves nothing
    half-built behind. Downloaded Dafny records carry no Dafny 2.3 measurement, so nothing is excluded
    for them: a reference that the installed Dafny rejects then shows up as a failure, and the report
    says that no measurement was available.
    """
    assert bench.source is not None
    target = Path(root) / bench.file
    fetched: list[str] = []
    try:
        if bench.source is _MINIF2F_DAFNY:  # the only builder that also writes its header files
            rows = _build_minif2f_dafny(bench.source, fetched, target.parent)
        else:
            rows = _BUILDERS[bench.source](bench.source, fetched)
    except BenchmarkError as e:
        raise BenchmarkError(
            f"benchmark {bench.name!r} is not in {Path(root)} and could not be downloaded from "
            f"{bench.source.label()} ({e}). Connect to the internet once, or set PROVER_DATA_DIR to a "
            f"directory holding {bench.file}."
        ) from e
    if not rows:
        raise BenchmarkError(f"downloading {bench.name!r} from {bench.source.label()} produced no tasks")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".partial")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, target)
    with open(target.with_name(target.name + ".source.json"), "w", encoding="utf-8") as f:
        json.dump({"benchmark": bench.name, "source": bench.source.label(), "files": fetched}, f, indent=1)
    return target
