"""A Gemini-REST-compatible server on 127.0.0.1 for tests and benchmarks.

Speaks what `google-genai` sends: ``POST /{api_version}/models/{model}:generateContent`` with
``x-goog-api-key``, and answers with ``candidates`` + ``usageMetadata``. Each request is tied to
a prompt by the tag ``[id=...]`` in its text; a *plan* gives, per tag, the actions to play one
after the other (the last one repeats):

  ok, 429 (with Retry-After), 500, 503, slow (answers after `slow_s`, past the client timeout),
  malformed (broken JSON for a schema call), empty (no candidates), safety (finishReason
  SAFETY), prompt_block (promptFeedback.blockReason), echo_key (400 whose message repeats the
  API key the client sent, to prove the client scrubs it); the malformed answers of a broken
  proxy or server: not_json (a 200 whose body is not JSON), html (a 200 HTML error page),
  html_502 (a 502 HTML page), wrong_shape (a 200 JSON list), bad_parts (a candidate whose
  content is a string); max_tokens (a 200 cut by the token limit: finishReason MAX_TOKENS and
  half a sentence; max_tokens_below:N is cut only when maxOutputTokens is below N).

The server counts requests per exact request body and per tag, and runs in its own thread with
its own event loop (so the client under test cannot starve it, and sync tests can use it).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp import web
from loopback import LoopbackServer

TAG = re.compile(r"\[id=([^\]]+)\]")


def default_text(tag: str, prompt: str) -> str:
    return f"Réponse en français pour {tag}."


def default_json(tag: str, prompt: str) -> dict[str, Any]:
    return {"verdict": "keep", "reason": f"ok {tag}"}


class FakeGemini(LoopbackServer):
    name = "fake Gemini server"

    def __init__(self, plan: Callable[[str], list[str]] | dict[str, list[str]] | None = None, *,
                 latency_s: float = 0.0, slow_s: float = 2.0, retry_after: str = "1",
                 text_answer: Callable[[str, str], str] = default_text,
                 json_answer: Callable[[str, str], dict] = default_json):
        super().__init__()
        self._plan = plan or {}
        self.latency_s = latency_s
        self.slow_s = slow_s
        self.retry_after = retry_after
        self.text_answer = text_answer
        self.json_answer = json_answer
        self.lock = threading.Lock()
        self.by_body: Counter = Counter()
        self.by_tag: Counter = Counter()
        self.ok_tags: Counter = Counter()   # tags that got a 200 answer with content
        self.actions: Counter = Counter()
        self.log: list[tuple[str, str, str]] = []  # (tag, body hash, action)
        self.paths: set[str] = set()
        self.keys_seen: set[str] = set()
        self._cursor: Counter = Counter()

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.by_body.values())

    def reset_counts(self) -> None:
        with self.lock:
            self.by_body.clear()
            self.by_tag.clear()
            self.ok_tags.clear()
            self.actions.clear()
            self.log.clear()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/{version}/models/{call}", self._handle)
        app.router.add_get("/stats", self._stats)

    # -- protocol ----------------------------------------------------------------------

    def _next_action(self, tag: str) -> str:
        plan = self._plan(tag) if callable(self._plan) else self._plan.get(tag, ["ok"])
        plan = plan or ["ok"]
        i = self._cursor[tag]
        self._cursor[tag] += 1
        return plan[min(i, len(plan) - 1)]

    async def _stats(self, request: web.Request) -> web.Response:
        with self.lock:
            return web.json_response({"total": sum(self.by_body.values()),
                                      "actions": dict(self.actions)})

    async def _handle(self, request: web.Request) -> web.Response:
        call = request.match_info["call"]
        model, _, method = call.partition(":")
        if method != "generateContent":
            return web.json_response({"error": {"code": 404, "message": f"no method {method}",
                                                "status": "NOT_FOUND"}}, status=404)
        key = request.headers.get("x-goog-api-key", "")
        raw = await request.read()
        body = json.loads(raw)
        texts = [p.get("text", "") for c in body.get("contents", []) for p in c.get("parts", [])]
        prompt = "\n".join(texts)
        found = TAG.search(prompt)
        tag = found.group(1) if found else "<none>"
        digest = hashlib.sha256(raw).hexdigest()
        schema_call = (body.get("generationConfig") or {}).get("responseMimeType") == \
            "application/json"
        with self.lock:
            self.paths.add(request.path)
            if key:
                self.keys_seen.add(key)
            action = self._next_action(tag)
            self.by_body[digest] += 1
            self.by_tag[tag] += 1
            self.actions[action] += 1
            self.log.append((tag, digest, action))
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if not key:
            return _error(403, "PERMISSION_DENIED", "missing API key")
        if action == "429":
            return _error(429, "RESOURCE_EXHAUSTED", "quota exceeded",
                          headers={"Retry-After": self.retry_after})
        if action in ("500", "503"):
            return _error(int(action), "INTERNAL" if action == "500" else "UNAVAILABLE",
                          "backend error")
        if action == "echo_key":
            return _error(400, "INVALID_ARGUMENT", f"bad request for key {key}")
        if action == "slow":
            await asyncio.sleep(self.slow_s)
        if action in MALFORMED:
            return MALFORMED[action]()
        usage = {"promptTokenCount": max(1, len(prompt) // 4)}
        if action == "empty":
            return web.json_response({"candidates": [], "usageMetadata": usage})
        if action == "prompt_block":
            return web.json_response({"promptFeedback": {"blockReason": "SAFETY"},
                                      "usageMetadata": usage})
        if action == "safety":
            return web.json_response({
                "candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": [
                    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH",
                     "blocked": True}]}],
                "usageMetadata": usage})
        if schema_call:
            text = '{"verdict": "keep", "reason": ' if action == "malformed" else \
                json.dumps(self.json_answer(tag, prompt), ensure_ascii=False)
        else:
            text = self.text_answer(tag, prompt)
        finish = "STOP"
        limit = (body.get("generationConfig") or {}).get("maxOutputTokens") or 0
        if action == "max_tokens" or (action.startswith("max_tokens_below:")
                                      and limit < int(action.partition(":")[2])):
            text, finish = "Voici le début d'une tradu", "MAX_TOKENS"
        with self.lock:
            self.ok_tags[tag] += 1
        usage["candidatesTokenCount"] = max(1, len(text) // 4)
        usage["totalTokenCount"] = usage["promptTokenCount"] + usage["candidatesTokenCount"]
        return web.json_response({
            "candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": finish, "index": 0}],
            "usageMetadata": usage, "modelVersion": model,
        })


HTML_PAGE = ("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad "
             "Gateway</h1></center><hr><center>nginx</center></body></html>")

MALFORMED = {
    "not_json": lambda: web.Response(status=200, text='{"candidates": [{"content": {"par',
                                     content_type="application/json"),
    "html": lambda: web.Response(status=200, text=HTML_PAGE, content_type="text/html"),
    "html_502": lambda: web.Response(status=502, text=HTML_PAGE, content_type="text/html"),
    "wrong_shape": lambda: web.json_response([{"text": "une liste"}]),
    "bad_parts": lambda: web.json_response({"candidates": [
        {"content": "pas un objet", "finishReason": "STOP", "index": 0}]}),
}


def _error(code: int, status: str, message: str, headers: dict | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message, "status": status}},
                             status=code, headers=headers)


def main() -> None:
    """Serve in a process of its own (benchmarks): prints the port, runs until killed."""
    import argparse
    import time

    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.0)
    args = ap.parse_args()
    server = FakeGemini(latency_s=args.latency)
    server.start()
    print(server.port, flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
