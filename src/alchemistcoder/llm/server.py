"""``alchemist serve``: a small OpenAI-compatible HTTP server over an in-process backend.

Endpoints: ``POST /v1/chat/completions``, ``POST /v1/completions``, ``GET /v1/models``, ``GET /health``.
Built on the standard library (``ThreadingHTTPServer``): each connection gets a thread, and one batching worker
collects the requests that arrive together (up to ``batch_size``, waiting at most ``batch_wait_s`` for more)
into one ``generate`` call, so concurrent clients share the model's batched decoding. Streaming and ``n > 1``
are not supported (a clear 400). If ``api_key_env`` names a set variable, requests must carry that key as a
Bearer token.
"""

from __future__ import annotations

import hmac
import json
import queue
import threading
import time
import uuid
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from alchemistcoder.llm.types import ChatRequest, Completion


class BadRequest(ValueError):
    """A request the server refuses with HTTP 400 (the message says why)."""


class BatchingWorker:
    """Runs ``backend.generate_batch`` on one thread over requests gathered from many handler threads."""

    def __init__(self, backend: Any, batch_size: int = 8, batch_wait_s: float = 0.01) -> None:
        self.backend = backend
        self.batch_size = batch_size
        self.batch_wait_s = batch_wait_s
        self._queue: queue.Queue[tuple[ChatRequest, Future[Completion]] | None] = queue.Queue()
        self.batches = 0
        self.max_batch = 0
        self._thread = threading.Thread(target=self._loop, name="alchemist-serve-batcher", daemon=True)
        self._thread.start()

    def submit(self, request: ChatRequest) -> Future[Completion]:
        fut: Future[Completion] = Future()
        self._queue.put((request, fut))
        return fut

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            deadline = time.monotonic() + self.batch_wait_s
            while len(batch) < self.batch_size:
                try:
                    nxt = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            self.batches += 1
            self.max_batch = max(self.max_batch, len(batch))
            try:
                results = self.backend.generate_batch([r for r, _ in batch])
                for (_, fut), res in zip(batch, results, strict=True):
                    fut.set_result(res)
            except Exception as exc:  # report to every waiting request; keep serving
                for _, fut in batch:
                    fut.set_exception(exc)


def _stop_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(s, str) for s in value):
        return value
    raise BadRequest("'stop' must be a string or a list of strings")


def parse_request(body: dict[str, Any], chat: bool, default_max_tokens: int) -> ChatRequest:
    """A ChatRequest from an OpenAI request body; BadRequest naming the field otherwise."""
    if body.get("stream"):
        raise BadRequest("streaming is not supported by this server; send stream=false")
    if int(body.get("n", 1) or 1) != 1:
        raise BadRequest("only n=1 is supported")
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens") or default_max_tokens
    common: dict[str, Any] = {
        "max_tokens": int(max_tokens),
        "temperature": float(body.get("temperature", 0.0) if body.get("temperature") is not None else 0.0),
        "top_p": float(body.get("top_p", 1.0) if body.get("top_p") is not None else 1.0),
        "stop": _stop_list(body.get("stop")),
        "seed": body.get("seed"),
    }
    if chat:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise BadRequest("'messages' must be a non-empty list")
        clean = []
        for n, m in enumerate(messages):
            if not isinstance(m, dict) or "role" not in m:
                raise BadRequest(f"messages[{n}] must be an object with 'role' and 'content'")
            content = m.get("content") or ""
            if isinstance(content, list):  # content parts: keep the text ones
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            clean.append({"role": str(m["role"]), "content": str(content)})
        return ChatRequest(messages=clean, **common)
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise BadRequest("'prompt' must be a string")
    return ChatRequest(prompt=prompt, **common)


def completion_body(c: Completion, model: str, chat: bool) -> dict[str, Any]:
    """The OpenAI response body for one completion."""
    choice: dict[str, Any] = {"index": 0, "finish_reason": c.finish_reason, "logprobs": None}
    if chat:
        choice["message"] = {"role": "assistant", "content": c.text}
    else:
        choice["text"] = c.text
    return {
        "id": ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex[:24],
        "object": "chat.completion" if chat else "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": {
            "prompt_tokens": c.prompt_tokens,
            "completion_tokens": c.completion_tokens,
            "total_tokens": c.prompt_tokens + c.completion_tokens,
        },
    }


class OpenAIServer(ThreadingHTTPServer):
    """The HTTP server; ``worker`` does the generation, ``model_name`` is what ``/v1/models`` lists."""

    daemon_threads = True
    request_queue_size = 128  # accept bursts of concurrent clients without SYN retries

    def __init__(
        self,
        address: tuple[str, int],
        worker: BatchingWorker,
        model_name: str,
        api_key: str | None = None,
        default_max_tokens: int = 256,
    ) -> None:
        super().__init__(address, _Handler)
        self.worker = worker
        self.model_name = model_name
        self.api_key = api_key
        self.default_max_tokens = default_max_tokens

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: OpenAIServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet; never prints headers
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        self._send(status, {"error": {"message": message, "type": kind, "code": status}})

    def _authorized(self) -> bool:
        if not self.server.api_key:
            return True
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {self.server.api_key}"
        if hmac.compare_digest(given.encode(), expected.encode()):
            return True
        self._error(401, "invalid or missing API key", "authentication_error")
        return False

    def do_GET(self) -> None:
        path = self.path.rstrip("/")
        if path == "/health":
            worker = self.server.worker
            self._send(200, {"status": "ok", "batches": worker.batches, "max_batch": worker.max_batch})
        elif path in ("/v1/models", "/models"):
            if self._authorized():
                model = {"id": self.server.model_name, "object": "model", "created": 0, "owned_by": "alchemistcoder"}
                self._send(200, {"object": "list", "data": [model]})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.rstrip("/")
        if path in ("/v1/chat/completions", "/chat/completions"):
            chat = True
        elif path in ("/v1/completions", "/completions"):
            chat = False
        else:
            self._error(404, f"no route {self.path}")
            return
        if not self._authorized():
            return
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise BadRequest("the request body must be a JSON object")
            request = parse_request(body, chat, self.server.default_max_tokens)
        except (BadRequest, ValueError, TypeError) as exc:
            self._error(400, str(exc))
            return
        try:
            completion = self.server.worker.submit(request).result()
        except Exception as exc:
            self._error(500, f"generation failed: {type(exc).__name__}: {exc}", "server_error")
            return
        self._send(200, completion_body(completion, self.server.model_name, chat))


def make_server(
    backend: Any,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    model_name: str | None = None,
    batch_size: int = 8,
    batch_wait_s: float = 0.01,
    api_key: str | None = None,
    default_max_tokens: int = 256,
) -> OpenAIServer:
    """An OpenAI-compatible server over ``backend`` (not yet serving: call ``serve_forever``)."""
    worker = BatchingWorker(backend, batch_size=batch_size, batch_wait_s=batch_wait_s)
    return OpenAIServer(
        (host, port), worker, model_name or backend.name, api_key=api_key, default_max_tokens=default_max_tokens
    )


def serve_in_thread(server: OpenAIServer) -> threading.Thread:
    """Start ``server`` on a daemon thread (for tests and notebooks); stop with ``server.shutdown()``."""
    thread = threading.Thread(target=server.serve_forever, name="alchemist-serve", daemon=True)
    thread.start()
    return thread
