"""`verifier_core.batch.check_batch`: one raising check costs only its own item."""

from verifier_core.batch import check_batch
from verifier_core.cache import VerdictCache
from verifier_core.records import Verdict


def test_a_raising_check_gets_an_error_verdict_and_the_rest_are_kept():
    seen = {}

    def check(item):
        if item == "boom":
            raise RuntimeError("checker bug")
        return Verdict("verified" if item.startswith("ok") else "failed")

    cache = VerdictCache()
    items = ["ok1", "boom", "bad", "ok2", "boom"]
    out = check_batch(items, key=lambda x: x, check_one=check, cache=cache, workers=2,
                      on_result=lambda i, v: seen.__setitem__(i, v.status))
    assert [v.status for v in out] == ["verified", "error", "failed", "verified", "error"]
    assert out[1].reason == "infra:check-raised: RuntimeError: checker bug"
    assert seen == {0: "verified", 1: "error", 2: "failed", 3: "verified", 4: "error"}
    assert cache.get("boom") is None and cache.get("ok1").status == "verified"


def test_groups_share_a_check_and_keep_cache_dedupe_and_order():
    """Items of one group go to `check_group` in chunks; cached and duplicate items never do."""
    calls: list[list[str]] = []

    def check_group(items):
        calls.append(list(items))
        return [Verdict("verified" if x.endswith("ok") else "failed") for x in items]

    cache = VerdictCache()
    cache.put("a:cached-ok", Verdict("verified"))
    items = ["a:1ok", "a:2", "a:3ok", "a:1ok", "a:cached-ok", "b:1ok", "solo", "a:4", "a:5ok"]
    seen = {}
    out = check_batch(items, key=lambda x: x, check_one=lambda x: Verdict("failed", "alone"), cache=cache, workers=1,
                      on_result=lambda i, v: seen.__setitem__(i, v.status), group=lambda x: x.split(":")[0] if ":" in x else None,
                      check_group=check_group, group_size=3)
    assert [v.status for v in out] == ["verified", "failed", "verified", "verified", "verified", "failed", "failed",
                                       "failed", "verified"]
    assert out[5].reason == out[6].reason == "alone" and sorted(seen) == list(range(len(items)))
    # group a: 5 unique uncached items in chunks of at most 3; group b's one item is checked alone
    assert sorted(map(len, calls)) == [2, 3] and all(x.startswith("a:") for chunk in calls for x in chunk)
    assert cache.get("a:5ok").status == "verified"


def test_few_groups_are_cut_so_every_worker_gets_one():
    """A GRPO reward call holds one task's generations: with 2 workers they go out as two chunks."""
    calls: list[int] = []

    def check_group(items):
        calls.append(len(items))
        return [Verdict("failed") for _ in items]

    check_batch([f"g:{i}" for i in range(8)], key=lambda x: x, check_one=lambda x: Verdict("failed"), cache=None,
                workers=2, group=lambda x: "g", check_group=check_group, group_size=8)
    assert sorted(calls) == [4, 4]


def test_a_raising_group_check_costs_only_its_chunk():
    def check_group(items):
        if "g:boom" in items:
            raise RuntimeError("batch bug")
        return [Verdict("verified") for _ in items]

    out = check_batch(["g:boom", "g:x", "h:1", "h:2"], key=lambda x: x, check_one=lambda x: Verdict("failed"),
                      cache=None, workers=1, group=lambda x: x[0], check_group=check_group)
    assert [v.status for v in out] == ["error", "error", "verified", "verified"]
    assert "batch bug" in out[0].reason


def test_chunks_share_the_work_and_respect_the_cap():
    from verifier_core.batch import chunks

    assert [len(c) for c in chunks(list(range(7)), 2)] == [4, 3]
    assert [len(c) for c in chunks(list(range(20)), 1, cap=8)] == [8, 8, 4]
    assert [len(c) for c in chunks(list(range(3)), 8)] == [1, 1, 1]
    assert chunks([], 2) == [] and sum(chunks(list(range(9)), 2, cap=4), []) == list(range(9))
