"""An OpenAI-compatible server on 127.0.0.1 (what vLLM serves): ``POST /v1/chat/completions``.

Answers with ``choices`` + ``usage``. Like fake_gemini, each request is tied to a prompt by the
tag ``[id=...]`` in its messages, and a *plan* per tag gives the actions to play in turn (the
last repeats): ``ok``, ``think`` (ok, after a ``<think>`` block), ``429`` (with Retry-After),
``500``, and the malformed answers of a broken proxy or server: ``not_json`` (a 200 whose body is
not JSON), ``html`` (a 200 HTML error page), ``html_502`` (a 502 HTML page), ``wrong_shape`` (a
200 JSON list), ``no_message`` (a choice without its message), ``length`` (a 200 cut by the token
limit: ``finish_reason: "length"`` and half a sentence; ``length_below:N`` is cut only when the
request's ``max_tokens`` is below N). Runs in its own thread and loop;
records every request (time, tag, action, headers, body) for the test to check.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter

from aiohttp import web
from loopback import LoopbackServer

TAG = re.compile(r"\[id=([^\]]+)\]")


class FakeOpenAI(LoopbackServer):
    name = "fake OpenAI server"
    url_path = "/v1"

    def __init__(self, plan: dict[str, list[str]] | None = None, *, retry_after: str = "1"):
        super().__init__()
        self.plan = plan or {}
        self.retry_after = retry_after
        self.lock = threading.Lock()
        self.by_tag: Counter = Counter()
        self.log: list[dict] = []
        self._cursor: Counter = Counter()

    @property
    def total(self) -> int:
        with self.lock:
            return len(self.log)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        prompt = "\n".join(m.get("content") or "" for m in body.get("messages", []))
        found = TAG.search(prompt)
        tag = found.group(1) if found else "<none>"
        with self.lock:
            plan = self.plan.get(tag, ["ok"])
            action = plan[min(self._cursor[tag], len(plan) - 1)]
            self._cursor[tag] += 1
            self.by_tag[tag] += 1
            self.log.append({"at": time.monotonic(), "tag": tag, "action": action,
                             "authorization": request.headers.get("Authorization", ""),
                             "body": body})
        if action == "429":
            return _error(429, "rate limit reached", headers={"Retry-After": self.retry_after})
        if action == "500":
            return _error(500, "internal server error")
        if action in MALFORMED:
            return MALFORMED[action]()
        schema = (body.get("response_format") or {}).get("json_schema")
        text = (json.dumps({"verdict": "keep", "reason": f"ok {tag}"}) if schema
                else f"Réponse de vLLM pour {tag}.")
        if action == "think":  # Qwen3 opens its answer with a reasoning block
            text = f"<think>\nJe réfléchis à {tag}.\n</think>\n\n{text}"
        finish = "stop"
        if action == "length" or (action.startswith("length_below:") and (
                body.get("max_tokens") or 0) < int(action.partition(":")[2])):
            text, finish = "Voici le début d'une tradu", "length"
        prompt_tokens = max(1, len(prompt) // 4)
        completion_tokens = max(1, len(text) // 4)
        return web.json_response({
            "id": f"chatcmpl-{tag}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": finish,
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        })


HTML_PAGE = ("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad "
             "Gateway</h1></center><hr><center>nginx</center></body></html>")

MALFORMED = {
    "not_json": lambda: web.Response(status=200, text='{"choices": [{"index": 0, "mess',
                                     content_type="application/json"),
    "html": lambda: web.Response(status=200, text=HTML_PAGE, content_type="text/html"),
    "html_502": lambda: web.Response(status=502, text=HTML_PAGE, content_type="text/html"),
    "wrong_shape": lambda: web.json_response([{"text": "une liste"}]),
    "no_message": lambda: web.json_response({
        "id": "chatcmpl-x", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop"}]}),
}


def _error(code: int, message: str, headers: dict | None = None) -> web.Response:
    return web.json_response({"error": {"message": message, "type": "server_error",
                                        "code": code}}, status=code, headers=headers)
