"""A fault-injecting server that speaks the OpenAI protocol over a real socket.

Real servers cannot be made to fail on demand, so this one does, per request, following a *plan*: a list of
behaviours applied to successive requests (then ``default``, normally ``ok``):

- ``ok``: a valid answer ``echo: <last user message or prompt>`` with word-count usage, after ``latency_s``;
- ``text:<T>``: a valid answer whose content is ``T`` (for structured-output tests);
- ``cut:<T>``: the same, with ``finish_reason: length`` (an answer cut at max_tokens);
- ``429`` / ``429:<s>``: rate limited, with ``Retry-After: <s>`` (default 1);
- ``500``, ``503``, ``400``: that status with an OpenAI error body;
- ``hang``: read the request and never answer (until the client gives up, or ``hang_s``);
- ``drop``: close the connection without a response;
- ``truncated``: announce a body longer than the one sent, then close;
- ``invalid_json``: a 200 whose body is not JSON;
- ``echo_auth``: a 500 whose error message repeats the request's Authorization header (a leaky server).

With ``refuse_json_schema`` it answers every request whose ``response_format`` is ``json_schema`` as llama.cpp's
server does (HTTP 500 naming the parameter, before the plan is consulted), and records each request's
``response_format`` type in ``response_formats`` (and each request body in ``bodies``).

It counts every request (``received``), the ones answered in full (``answered``, with times), and the
largest number in flight at once. Used in-process by tests (:class:`FaultServer`) and as a subprocess by the
bench (``python tests/llm_fault_server.py --latency 0.25``; it prints its base URL and serves ``GET /stats``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def request_fingerprint(body: dict[str, Any]) -> str:
    """Identity of a request at the server: its content (messages or prompt, and the sampling fields)."""
    keep = {k: body.get(k) for k in ("model", "messages", "prompt", "max_tokens", "temperature", "seed")}
    return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()[:16]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # many clients connect at once in the bench

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away (timeout, kill -9) is expected here, not an error to print


class FaultServer:
    """Start with :meth:`start` (returns the base URL); stop with :meth:`stop`."""

    def __init__(
        self,
        plan: list[str] | None = None,
        *,
        latency_s: float = 0.0,
        default: str = "ok",
        hang_s: float = 30.0,
        host: str = "127.0.0.1",
        port: int = 0,
        refuse_json_schema: bool = False,
    ) -> None:
        self.plan = list(plan or [])
        self.refuse_json_schema = refuse_json_schema
        self.response_formats: list[str | None] = []
        self.bodies: list[dict[str, Any]] = []
        self.latency_s = latency_s
        self.default = default
        self.hang_s = hang_s
        self.lock = threading.Lock()
        self.received: Counter[str] = Counter()
        self.received_by_text: Counter[str] = Counter()
        self.answered: dict[str, list[float]] = {}
        self.behaviours: list[str] = []
        self.auth_headers: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._stop = threading.Event()
        self._httpd = _Server((host, port), self._handler_class())
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def total_received(self) -> int:
        return sum(self.received.values())

    def start(self) -> str:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FaultServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def next_behaviour(self) -> str:
        with self.lock:
            b = self.plan.pop(0) if self.plan else self.default
            self.behaviours.append(b)
            return b

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "received": dict(self.received),
                "answered": {k: list(v) for k, v in self.answered.items()},
                "received_by_text": dict(self.received_by_text),
                "max_in_flight": self.max_in_flight,
            }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
                self._json(status, {"error": {"message": message, "type": "fault", "code": status}}, headers)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/stats"):
                    self._json(200, server.stats())
                elif self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "fault-model", "object": "model"}]})
                else:
                    self._error(404, "no route")

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw or b"{}")
                key = request_fingerprint(body)
                last = (body.get("messages") or [{}])[-1].get("content") if "messages" in body else body.get("prompt")
                with server.lock:
                    server.received[key] += 1
                    server.received_by_text[str(last)] += 1
                    server.auth_headers.append(self.headers.get("Authorization", ""))
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    kind = (body.get("response_format") or {}).get("type")
                    server.response_formats.append(kind)
                    server.bodies.append(body)
                try:
                    if server.refuse_json_schema and kind == "json_schema":
                        # llama-cpp-python's answer, verbatim in substance
                        self._error(500, "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
                                    "'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\"}")
                        return
                    self._respond(body, key, server.next_behaviour())
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def _respond(self, body: dict[str, Any], key: str, behaviour: str) -> None:
                name, _, arg = behaviour.partition(":")
                if name == "hang":
                    server._stop.wait(server.hang_s)
                    self.close_connection = True
                    return
                if name == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if name == "429":
                    self._error(429, "rate limited", {"Retry-After": arg or "1"})
                    return
                if name in ("500", "503", "400"):
                    self._error(int(name), f"injected {name}")
                    return
                if name == "echo_auth":
                    self._error(500, f"upstream rejected credentials {self.headers.get('Authorization', '')}")
                    return
                if name == "truncated":
                    data = b'{"id": "x", "object": "chat.completion", "choi'
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data) + 200))
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if name == "invalid_json":
                    data = b"<html>502 bad gateway</html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if server.latency_s:
                    time.sleep(server.latency_s)
                self._ok(body, key, arg if name in ("text", "cut") else None, "length" if name == "cut" else "stop")

            def _ok(self, body: dict[str, Any], key: str, text: str | None, finish_reason: str = "stop") -> None:
                chat = "messages" in body
                source = body["messages"][-1].get("content", "") if chat else body.get("prompt", "")
                if text is None:
                    text = "echo: " + source[:200]
                prompt_tokens = len(json.dumps(body.get("messages") or body.get("prompt")).split())
                choice: dict[str, Any] = {"index": 0, "finish_reason": finish_reason, "logprobs": None}
                if chat:
                    choice["message"] = {"role": "assistant", "content": text}
                else:
                    choice["text"] = text
                self._json(
                    200,
                    {
                        "id": "fault-1",
                        "object": "chat.completion" if chat else "text_completion",
                        "created": int(time.time()),
                        "model": body.get("model", "fault-model"),
                        "choices": [choice],
                        "usage": {
                            "prompt_tokens": prompt_tokens,
                            "completion_tokens": len(text.split()),
                            "total_tokens": prompt_tokens + len(text.split()),
                        },
                    },
                )
                with server.lock:
                    server.answered.setdefault(key, []).append(time.time())

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="Seconds before each ok answer.")
    parser.add_argument("--default", default="ok", help="Behaviour once the plan is used up.")
    parser.add_argument("--plan", default="", help="Comma-separated behaviours for the first requests.")
    args = parser.parse_args()
    srv = FaultServer([p for p in args.plan.split(",") if p], latency_s=args.latency, default=args.default,
                      host=args.host, port=args.port)
    srv.start()
    print(srv.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":
    main()
