"""Benchmarks by name from the shared data dir; exclusions per toolchain; download from the sources."""

import json
import shutil
import urllib.parse

import pytest

from prover import benchmarks as B
from verifier_core.settings import data_dir
from verifier_core.jsonl import read_records

from tests.helpers.datasets import dafnybench_sample, needs_dataset

DAFNY2 = "Dafny 2.3.0.10506"
DAFNY4 = "4.11.0"
MINIF2F = ("minif2f/minif2f.jsonl", "minif2f/minif2f_deepseek_v1.5.jsonl", "minif2f/minif2f_goedel_v2_test.jsonl")
DAFNY = ("dafny/mbpp_dfy/mbpp_dfy.jsonl", "dafny/dafnybench/dafnybench.jsonl", "dafny/clover/clover.jsonl",
         "dafny/dafnycomp/dafnycomp.jsonl")


@needs_dataset(*MINIF2F)
@pytest.mark.parametrize("name,count", [("minif2f-valid", 244), ("minif2f-test", 244),
                                        ("minif2f-deepseek-test", 244), ("minif2f-goedel-test", 244)])
def test_minif2f(name, count):
    tasks = B.load_benchmark(name)
    assert len(tasks) == count and len({t.id for t in tasks}) == count
    t = tasks[0]
    assert t.lang == "lean" and t.kind == "prove" and t.statement.rstrip().endswith(":= by")
    assert t.header.startswith("import Mathlib") and t.meta["split"] == name.rsplit("-", 1)[1]
    assert B.excluded(name) == []


@needs_dataset(*DAFNY)
# on_dafny2: the references the stored Dafny 2.3 run verified, less the statements that are no task at
# all (`task:`: empty or comment-only, or unreadable by the gate; 2 of MBPP-DFY, 13 of DafnyBench).
@pytest.mark.parametrize("name,total,on_dafny2,no_task", [("mbpp-dfy", 166, 80, 2), ("dafnybench", 782, 532, 27),
                                                          ("clover", 62, 55, 0), ("dafnycomp", 300, 148, 0)])
def test_without_reference_checks_exclusion_follows_the_stored_dafny_2_3_run(name, total, on_dafny2, no_task,
                                                                              monkeypatch):
    monkeypatch.setattr(B, "reference_checks", dict)
    kept, skipped = B.load_benchmark(name, toolchain=DAFNY2), B.excluded(name, toolchain=DAFNY2)
    assert len(kept) == on_dafny2 and len(kept) + len(skipped) == total
    assert {t.id for t in kept}.isdisjoint(tid for tid, _ in skipped)
    assert all(r.startswith(("reference does not verify on Dafny 2.3: ", "task:")) for _, r in skipped)
    on_dafny4 = B.excluded(name, toolchain=DAFNY4)
    assert len(on_dafny4) == no_task and all(r.startswith("task:") for _, r in on_dafny4)
    assert len(B.load_benchmark(name, toolchain=DAFNY4)) == total - no_task


@needs_dataset(*DAFNY)
@pytest.mark.parametrize("name", ["mbpp-dfy", "dafnybench", "clover", "dafnycomp"])
def test_reference_checks_through_our_verifier_decide_exclusion_on_dafny_2(name):
    checks = {tid: r for (bench, tid), r in B.reference_checks().items() if bench == name}
    if not checks:
        pytest.skip(f"no reference checks shipped for {name}")
    kept, skipped = B.load_benchmark(name, toolchain=DAFNY2), dict(B.excluded(name, toolchain=DAFNY2))
    for t in kept:
        assert t.id not in checks or checks[t.id]["status"] == "verified"
    for tid, reason in skipped.items():
        if tid in checks and not reason.startswith("task:"):  # task: the statement is no task at all
            assert checks[tid]["status"] != "verified" and checks[tid]["status"] in reason
    # the bridge is what makes most Dafny-4-only references count on 2.3
    as_is = sum((r.get("as_is") == "verified") for r in checks.values())
    assert len(kept) >= as_is - sum(r["status"] == "rejected" for r in checks.values())
    no_task = len(B.excluded(name, toolchain=DAFNY4))  # `task:` ones, whatever the toolchain
    assert len(B.load_benchmark(name, toolchain=DAFNY4)) == len(kept) + len(skipped) - no_task


@needs_dataset("dafny/dafnybench/dafnybench.jsonl", "dafny/clover/clover.jsonl")
def test_task_kinds():
    from dafny_env.syntax import strip_bodies

    records = {r["id"]: r for r in read_records(data_dir() / "dafny/dafnybench/dafnybench.jsonl")}
    for t in B.load_benchmark("dafnybench", toolchain=DAFNY4)[:20]:
        assert t.kind == "hints" and t.statement == records[t.id]["spec_only"]
        assert t.meta["reference"] == records[t.id]["reference"]
    clover = {r["id"]: r for r in read_records(data_dir() / "dafny/clover/clover.jsonl")}
    t = next(t for t in B.load_benchmark("clover", toolchain=DAFNY4) if t.id == "clover_abs")
    assert t.kind == "implement" and t.statement == strip_bodies(clover["clover_abs"]["reference"])
    assert "return -x" not in t.statement and "ensures x>=0 ==> x==y" in t.statement


def test_unknown_name_is_a_clear_error():
    with pytest.raises(B.BenchmarkError, match="unknown benchmark 'nope'.*minif2f-valid"):
        B.load_benchmark("nope")


def test_task_file_as_benchmark(tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text(json.dumps({"id": "a", "lang": "dafny", "statement": "lemma L() ensures true", "kind": "prove"}) + "\n")
    assert [t.id for t in B.load_benchmark(str(f))] == ["a"]
    rev = B.data_revision(str(f))
    f.write_text(json.dumps({"id": "b", "lang": "dafny", "statement": "lemma L() ensures true"}) + "\n")
    assert B.data_revision(str(f)) != rev and B.benchmark_lang(str(f)) == "dafny"


@needs_dataset("dafny/clover/clover.jsonl")
def test_data_revision_names_the_source_commit():
    assert B.data_revision("clover").startswith("ChuyueSun/Clover@02144bec1bbf8d38951ef2df6f0c2870965a214e sha256:")


# ---------------------------------------------------------------- download

def _fake_github(monkeypatch):
    """Serve the recorded sources (GitHub tree listing + raw files) rebuilt from the shared data."""
    files: dict[tuple[str, str], bytes] = {}

    def add(source_label, content):
        repo_commit, path = source_label.split(":", 1)
        files[(repo_commit, path)] = content.encode()

    for bench in ("mbpp_dfy", "clover", "dafnycomp"):
        for r in read_records(data_dir() / f"dafny/{bench}/{bench}.jsonl"):
            add(r["source"], r["reference"])
            if bench == "clover":
                add(r["source"].replace("_strong.dfy", "_spec.txt"), r["description"])
    bench_rows = read_records(data_dir() / "dafny/dafnybench/dafnybench.jsonl")
    test_json = [{"test_ID": r["id"].split("_", 1)[1], "test_file": r["test_file"], "ground_truth": r["reference"],
                  "hints_removed": r["spec_only"]} for r in bench_rows]
    add(B._DAFNYBENCH.label(), json.dumps(test_json))
    ds = read_records(data_dir() / "minif2f/minif2f_deepseek_v1.5.jsonl")
    add(B._DEEPSEEK.label(), "".join(json.dumps({**{k: v for k, v in r.items() if k != "source"},
                                                  "formal_statement": r["formal_statement"] + "\n"}) + "\n" for r in ds))
    goedel = read_records(data_dir() / "minif2f/minif2f_goedel_v2_test.jsonl")
    add(B._GOEDEL.label(), "".join(json.dumps({"name": r["name"], "split": r["split"], "formal_statement":
                                               r["header"] + r["informal_prefix"] + r["formal_statement"]}) + "\n"
                                   for r in goedel))
    fetched = []

    def fetch(url):
        fetched.append(url)
        if url.startswith("https://api.github.com/repos/"):
            repo = url.split("/repos/", 1)[1].split("/git/trees/")[0]
            commit = url.split("/git/trees/")[1].split("?")[0]
            return json.dumps({"tree": [{"path": p, "type": "blob"} for (rc, p) in files
                                        if rc == f"{repo}@{commit}"]}).encode()
        owner, name, commit, path = url.removeprefix("https://raw.githubusercontent.com/").split("/", 3)
        key = (f"{owner}/{name}@{commit}", urllib.parse.unquote(path))
        if key not in files:
            raise B.BenchmarkError(f"HTTP 404 for {url}")
        return files[key]

    monkeypatch.setattr(B, "_fetch", fetch)
    return fetched


@needs_dataset(*MINIF2F, *DAFNY)
@pytest.mark.parametrize("name,local", [("mbpp-dfy", "dafny/mbpp_dfy/mbpp_dfy.jsonl"),
                                        ("clover", "dafny/clover/clover.jsonl"),
                                        ("dafnycomp", "dafny/dafnycomp/dafnycomp.jsonl"),
                                        ("dafnybench", "dafny/dafnybench/dafnybench.jsonl"),
                                        ("minif2f-deepseek-test", "minif2f/minif2f_deepseek_v1.5.jsonl"),
                                        ("minif2f-goedel-test", "minif2f/minif2f_goedel_v2_test.jsonl")])
def test_download_rebuilds_the_benchmark_from_its_source(tmp_path, monkeypatch, name, local):
    fetched = _fake_github(monkeypatch)
    got = B.load_benchmark(name, data_dir=tmp_path, toolchain=DAFNY4)
    want = B.load_benchmark(name, data_dir=data_dir(), toolchain=DAFNY4)
    key = lambda t: (t.id, t.statement, t.header, t.meta.get("reference"))
    assert sorted(map(key, got)) == sorted(map(key, want))
    stamp = json.loads((tmp_path / (local + ".source.json")).read_text())
    assert stamp["source"] == B.BENCHMARKS[name].source.label()
    assert stamp["files"] and all(u in fetched for u in stamp["files"])
    # downloaded once: a second load reads the file and fetches nothing
    n = len(fetched)
    B.load_benchmark(name, data_dir=tmp_path, toolchain=DAFNY4)
    assert len(fetched) == n


def test_download_builds_dafnybench_tasks_from_the_shipped_sample(tmp_path, monkeypatch):
    """The path a clone without the team's data takes, on the DafnyBench rows shipped in the repo."""
    rows = dafnybench_sample()
    test_json = json.dumps([{"test_ID": r["id"].split("_", 1)[1], "ground_truth": r["reference"],
                             "hints_removed": r["spec_only"]} for r in rows]).encode()
    fetched = []

    def fetch(url):
        fetched.append(url)
        assert url == B._raw_url(B._DAFNYBENCH, B._DAFNYBENCH.path), url
        return test_json

    monkeypatch.setattr(B, "_fetch", fetch)
    got = {t.id: t for t in B.load_benchmark("dafnybench", data_dir=tmp_path, toolchain=DAFNY4)}
    assert sorted(got) == sorted(r["id"] for r in rows) and len(fetched) == 1
    for r in rows:
        t = got[r["id"]]
        assert t.kind == "hints" and t.statement == r["spec_only"] and t.meta["reference"] == r["reference"]
    stamp = json.loads((tmp_path / "dafny/dafnybench/dafnybench.jsonl.source.json").read_text())
    assert stamp["source"] == B._DAFNYBENCH.label() and stamp["files"] == fetched
    B.load_benchmark("dafnybench", data_dir=tmp_path, toolchain=DAFNY4)
    assert len(fetched) == 1  # downloaded once


def test_offline_download_says_what_to_do(tmp_path, monkeypatch):
    def offline(url):
        raise B.BenchmarkError(f"cannot download {url}: <urlopen error [Errno -3] Temporary failure in name resolution>")

    monkeypatch.setattr(B, "_fetch", offline)
    with pytest.raises(B.BenchmarkError, match=r"not in .* could not be downloaded from ChuyueSun/Clover@.*PROVER_DATA_DIR"):
        B.load_benchmark("clover", data_dir=tmp_path)
    assert not (tmp_path / "dafny/clover/clover.jsonl").exists()


@needs_dataset("dafny/clover/clover.jsonl")
def test_dafny_measurements_apply_only_to_dafny2(tmp_path):
    # a data dir whose records carry no 2.3 measurement (a fresh download): nothing can be excluded
    d = tmp_path / "dafny/clover"
    d.mkdir(parents=True)
    rows = read_records(data_dir() / "dafny/clover/clover.jsonl")
    (d / "clover.jsonl").write_text("".join(json.dumps({**r, "dafny_2_3": None}) + "\n" for r in rows))
    measured = dict(B.excluded("clover", data_dir=tmp_path, toolchain=DAFNY2))
    # only the shipped checks of our own verifier remain, and only for identical program texts
    assert all(reason.startswith("the reference solution is") for reason in measured.values())
    edited = [{**r, "dafny_2_3": None, "reference": r["reference"] + "\n// edited\n"} for r in rows]
    (d / "clover.jsonl").write_text("".join(json.dumps(r) + "\n" for r in edited))
    assert B.excluded("clover", data_dir=tmp_path, toolchain=DAFNY2) == []
    shutil.rmtree(d)
