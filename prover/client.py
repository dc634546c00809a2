"""Clients of `prover serve`: `VerifierClient` (sync), `AsyncVerifierClient`, and `RemoteVerifier`
(the `verifier_core.records.Verifier` protocol over HTTP, what `prover verify --server` and the reward
functions use).

Retries with exponential backoff (and the server's `Retry-After` when it sends one) on 429, 5xx
and connection errors; any other 4xx is the request's fault and raises `ServeError` at once. A retry
is safe: verdicts are a function of the item, and the server's cache answers a repeated one.
Requests are cut into batches of at most `batch_size` items (the server's `max_items` is 256 by default).
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any, Sequence

import httpx

from verifier_core.records import Candidate, OnResult, Task, Verdict

RETRY_STATUSES = (429, 500, 502, 503, 504)


class ServeError(RuntimeError):
    """The server refused the request (a 4xx other than 429), or retries ran out."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def _delay(attempt: int, response: httpx.Response | None, backoff: float, max_backoff: float) -> float:
    """Exponential backoff with jitter, never shorter than the server's `Retry-After` (an estimate)."""
    wait = min(max_backoff, backoff * 2 ** attempt) * (0.5 + random.random() / 2)
    after = response.headers.get("retry-after") if response is not None else None
    if after and after.isdigit():
        wait = max(wait, min(max_backoff, float(after)))
    return wait


def _outcome(response: httpx.Response) -> dict[str, Any] | None:
    """The JSON body of a success, None for a status worth retrying; raise for any other."""
    if response.status_code == 200:
        return response.json()
    if response.status_code in RETRY_STATUSES:
        return None
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    raise ServeError(f"{response.request.method} {response.request.url.path}: {response.status_code}: {detail}",
                     response.status_code)


class _Retry:
    """One request's tries (shared by the sync and async clients): what the last one met, and how
    long to wait before the next; `delay` raises `ServeError` when no try is left."""

    def __init__(self, client: Any, method: str, path: str):
        self.client, self.what = client, f"{method} {client.url}{path}"
        self.attempt, self.response, self.last = 0, None, ""

    def outcome(self, response: httpx.Response) -> dict[str, Any] | None:
        self.response = response
        out = _outcome(response)
        if out is None:
            self.last = f"{response.status_code}: {response.text[:200]}"
        return out

    def failed(self, e: Exception) -> None:
        self.response, self.last = None, f"{type(e).__name__}: {e}"

    def delay(self) -> float:
        if self.attempt >= self.client.retries:
            raise ServeError(f"{self.what}: gave up after {self.attempt + 1} tries; last: {self.last}")
        wait = _delay(self.attempt, self.response, self.client.backoff, self.client.max_backoff)
        self.attempt += 1
        return wait


def _batches(items: Sequence[dict], size: int) -> list[Sequence[dict]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class VerifierClient:
    """`verify(items)` -> the verdict records, in order (see `POST /v1/verify`)."""

    def __init__(self, url: str, api_key: str | None = None, *, timeout: float = 900.0, retries: int = 6,
                 backoff: float = 0.5, max_backoff: float = 30.0, batch_size: int = 64):
        self.url = url.rstrip("/")
        self.retries, self.backoff, self.max_backoff, self.batch_size = retries, backoff, max_backoff, batch_size
        self._http = httpx.Client(base_url=self.url, headers=_headers(api_key), timeout=timeout)

    def _request(self, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
        retry = _Retry(self, method, path)
        while True:
            try:
                out = retry.outcome(self._http.request(method, path, json=body))
                if out is not None:
                    return out
            except httpx.TransportError as e:
                retry.failed(e)
            time.sleep(retry.delay())

    def verify(self, items: Sequence[dict]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for batch in _batches(items, self.batch_size):
            out += self._request("POST", "/v1/verify", {"items": list(batch)})["results"]
        return out

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "VerifierClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncVerifierClient:
    """The same as `VerifierClient`, for asyncio; batches of one call run concurrently."""

    def __init__(self, url: str, api_key: str | None = None, *, timeout: float = 900.0, retries: int = 6,
                 backoff: float = 0.5, max_backoff: float = 30.0, batch_size: int = 64):
        self.url = url.rstrip("/")
        self.api_key, self.timeout = api_key, timeout
        self.retries, self.backoff, self.max_backoff, self.batch_size = retries, backoff, max_backoff, batch_size

    async def _request(self, http: httpx.AsyncClient, method: str, path: str, body: dict | None = None) -> dict:
        retry = _Retry(self, method, path)
        while True:
            try:
                out = retry.outcome(await http.request(method, path, json=body))
                if out is not None:
                    return out
            except httpx.TransportError as e:
                retry.failed(e)
            await asyncio.sleep(retry.delay())

    def _http(self) -> httpx.AsyncClient:
        # A client per call: an asyncio client is bound to the loop it was made on, and TRL runs
        # async reward functions on a loop of its own.
        return httpx.AsyncClient(base_url=self.url, headers=_headers(self.api_key), timeout=self.timeout)

    async def verify(self, items: Sequence[dict]) -> list[dict[str, Any]]:
        async with self._http() as http:
            parts = await asyncio.gather(*(self._request(http, "POST", "/v1/verify", {"items": list(b)})
                                           for b in _batches(items, self.batch_size)))
        return [r for part in parts for r in part["results"]]

    async def health(self) -> dict[str, Any]:
        async with self._http() as http:
            return await self._request(http, "GET", "/health")


def items_for(pairs: Sequence[tuple[Task, Candidate]]) -> list[dict[str, Any]]:
    """`/v1/verify` items for (task, candidate) pairs; the index is the id (task ids may repeat)."""
    return [{"id": i, "lang": t.lang, "statement": t.statement, "candidate": c.text, "kind": t.kind, "header": t.header}
            for i, (t, c) in enumerate(pairs)]


class RemoteVerifier:
    """`verifier_core.records.Verifier` over a `prover serve` URL (one language's items, or both)."""

    def __init__(self, url: str, api_key: str | None = None, lang: str = "", **client_options: Any):
        self.lang = lang
        self.client = VerifierClient(url, api_key, **client_options)

    def toolchain(self) -> str:
        return self.client.health().get("toolchains", {}).get(self.lang, "")

    def check(self, task: Task, candidate: Candidate) -> Verdict:
        return self.check_many([(task, candidate)])[0]

    def check_many(self, pairs: Sequence[tuple[Task, Candidate]], on_result: OnResult | None = None) -> list[Verdict]:
        items = items_for(pairs)
        verdicts: list[Verdict] = []
        for batch in _batches(items, self.client.batch_size):
            for v in self._verify(batch):
                if on_result:
                    on_result(len(verdicts), v)
                verdicts.append(v)
        return verdicts

    def _verify(self, batch: Sequence[dict]) -> list[Verdict]:
        """A batch the server refuses (one item over a limit) is sent again item by item, so that
        only the bad item gets the refusal, as its verdict; the rest of the batch goes on."""
        try:
            return [Verdict.from_dict(r) for r in self.client.verify(batch)]
        except ServeError as e:
            if e.status is None:
                raise
            if len(batch) > 1:
                return [v for item in batch for v in self._verify([item])]
            if e.status == 413:
                return [Verdict("rejected", f"input:too-large: the server refused it: {e}")]
            return [Verdict("error", f"input:server-refused: {e}")]

    def close(self) -> None:
        self.client.close()


def read_key(path: str) -> str:
    """The API key in the first line of `path` (keys come from files, never from a command line)."""
    with open(path, encoding="utf-8") as f:
        key = f.readline().strip()
    if len(key) < 16:
        raise ValueError(f"the API key in {path} is {len(key)} characters; use at least 16")
    return key
