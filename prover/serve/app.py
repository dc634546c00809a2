"""The FastAPI app of `prover serve`: routes, the guard (API key, body size), errors, metrics.

Routes: `POST /v1/verify` (this project's items and verdict records), Kimina's `POST /api/check`
and `POST /verify` for Lean snippets and the same under `/dafny` for Dafny programs (`kimina.py`),
`GET /health` (open to all: no key needed), `GET /metrics`, and the OpenAPI docs at `/docs`.
"""

from __future__ import annotations

import hmac
import json
import time
from contextlib import asynccontextmanager
from typing import Any, Callable

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from ..commands.verify import verdict_record
from verifier_core.records import Candidate, Task, Verifier
from . import kimina
from .queue import Busy, Closed
from .schemas import VerifyRequest, VerifyResponse
from .service import ClientGone, LimitError, ServeSettings, Service

OPEN_PATHS = ("/health", "/dafny/health")
_ROUTES = ("/v1/verify", "/api/check", "/verify", "/dafny/api/check", "/dafny/verify", "/health", "/dafny/health",
           "/metrics", "/docs", "/openapi.json")


class Guard:
    """ASGI middleware in front of everything: the API key (constant-time compare), the body-size
    limit (from Content-Length and while streaming), and the request metrics."""

    def __init__(self, app: Any, service: Service, api_key: str | None, max_body: int):
        self.app = app
        self.service = service
        self.key = ("Bearer " + api_key).encode() if api_key else None
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        route = path if path in _ROUTES else "other"
        start = time.monotonic()
        status = {"code": 500}

        async def send_counted(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self._guarded(scope, receive, send_counted, path)
        finally:
            metrics = self.service.metrics
            metrics.requests.labels(route, str(status["code"])).inc()
            metrics.request_seconds.labels(route).observe(time.monotonic() - start)

    async def _guarded(self, scope, receive, send, path):
        headers = dict(scope["headers"])
        if self.key is not None and path not in OPEN_PATHS:
            given = headers.get(b"authorization", b"")
            if not hmac.compare_digest(given, self.key):
                return await _reply(send, 401, {"detail": "missing or wrong API key: send `Authorization: Bearer <key>`"},
                                    [(b"www-authenticate", b"Bearer")])
        too_big = {"detail": f"request body over max_body_bytes = {self.max_body}", "limit": "max_body_bytes"}
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await _reply(send, 413, too_big)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    # an HTTPException, so that FastAPI's body reading passes it on as it is
                    raise HTTPException(413, too_big["detail"])
            return message

        await self.app(scope, limited_receive, send)


async def _reply(send, status: int, body: dict, headers: list | None = None) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


def create_app(settings: ServeSettings, factory: Callable[[str, float], Verifier] | None = None) -> FastAPI:
    """The app over a fresh `Service` (its verifiers start on first use, stop at shutdown)."""
    service = Service(settings, factory)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        service.close()  # uvicorn has finished every request in flight by now (SIGTERM drains)

    app = FastAPI(title="prover serve", lifespan=lifespan,
                  description="Formal verifiers (Dafny, Lean) as a service: this project's verdicts, and "
                              "Kimina Lean Server's API (under `/` for Lean, `/dafny` for Dafny programs).")
    app.state.service = service

    @app.exception_handler(LimitError)
    async def _limit(_: Request, e: LimitError):
        return JSONResponse({"detail": e.detail, "limit": e.limit}, status_code=e.status_code)

    @app.exception_handler(Busy)
    async def _busy(_: Request, e: Busy):
        return JSONResponse({"detail": str(e), "limit": "max_queue"}, status_code=429,
                            headers={"Retry-After": str(e.retry_after)})

    @app.exception_handler(Closed)
    async def _closed(_: Request, e: Closed):
        return JSONResponse({"detail": str(e)}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(ClientGone)
    async def _gone(_: Request, e: ClientGone):
        return JSONResponse({"detail": "client disconnected; its pending items were cancelled"}, status_code=499)

    @app.post("/v1/verify", response_model=VerifyResponse, response_model_exclude_none=True, tags=["verify"],
              summary="verify items; the same verdict records as `prover verify`, in request order")
    async def verify(body: VerifyRequest, request: Request, response: Response) -> dict:
        items = body.items
        service.check_items([it.id for it in items],
                            [(f"{field} of item {it.id!r}", len(getattr(it, field).encode("utf-8", "surrogatepass")))
                             for it in items for field in ("statement", "candidate", "header")])
        jobs = []
        for it in items:
            task = Task(id=str(it.id), lang=it.lang, statement=it.statement, header=it.header, kind=it.kind)
            jobs.append((task, Candidate(task_id=task.id, text=it.candidate), service.timeout_for(it.timeout)))
        verdicts = await service.run(request, jobs)
        queued, checking = request.state.timing
        response.headers["Server-Timing"] = f"queue;dur={1000 * queued:.2f}, check;dur={1000 * checking:.2f}"
        return {"results": [verdict_record(it.id, v.to_dict()) for it, v in zip(items, verdicts)]}

    async def health() -> dict:
        pools = service.verifiers.describe()
        return {"status": "ok", "queue": service.queue.stats(),
                "toolchains": {p["lang"]: p["toolchain"] for p in pools if p["timeout"] == settings.timeout},
                "pools": [{**p, "workers": settings.workers} for p in pools],
                "limits": {"max_items": settings.max_items, "max_body_bytes": settings.max_body_bytes,
                           "max_item_bytes": settings.max_item_bytes, "max_timeout": settings.max_timeout,
                           "max_queue": settings.max_queue}}

    app.get("/health", tags=["ops"], summary="pools, toolchains, queue depth (no key needed)")(health)
    app.get("/dafny/health", include_in_schema=False)(health)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics")
    async def metrics() -> Response:
        service.metrics.queue_depth.set(service.queue.depth)
        return Response(service.metrics.text(), media_type="text/plain; version=0.0.4")

    app.include_router(kimina.router("lean"))
    app.include_router(kimina.router("dafny"), prefix="/dafny")
    app.add_middleware(Guard, service=service, api_key=settings.api_key, max_body=settings.max_body_bytes)
    return app
