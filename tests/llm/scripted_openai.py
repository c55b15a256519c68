"""An OpenAI-compatible server on 127.0.0.1 that answers scripted texts (a vLLM stand-in).

Each request is tied to a scripted answer by a marker found anywhere in its messages: `answers`
maps a marker (any substring, e.g. a row's own text) to the answer text; the first marker found
wins, and a request with none gets `default`. Every request body is recorded in `log`, so a test
can check what went over the wire byte for byte (messages, max_tokens, extra_body).
"""

from __future__ import annotations

import json
import threading
import time

from aiohttp import web
from loopback import LoopbackServer


class ScriptedOpenAI(LoopbackServer):
    name = "scripted OpenAI server"
    url_path = "/v1"

    def __init__(self, answers: dict[str, str], default: str = "True"):
        super().__init__()
        self.answers = answers
        self.default = default
        self.lock = threading.Lock()
        self.log: list[dict] = []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._handle)

    def answer_for(self, body: dict) -> str:
        text = "\n".join(m.get("content") or "" for m in body.get("messages", []))
        return next((a for marker, a in self.answers.items() if marker in text), self.default)

    async def _handle(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        text = self.answer_for(body)
        with self.lock:
            self.log.append(body)
        return web.json_response({
            "id": f"chatcmpl-{len(self.log)}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
        })
