"""Image parts: a request carrying a rendered page reaches Gemini (``inlineData``) and an
OpenAI-compatible VLM (an ``image_url`` data URL) on loopback servers; the cache key holds the
image's sha256 (never the bytes), so another image is another call and the same one a hit."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import polars as pl
import pymupdf
from aiohttp import web
from fake_gemini import FakeGemini
from fake_openai import FakeOpenAI
from llm_helpers import FAKE_KEY, fast_settings

from luth_assets.lib.llm import ImagePart, LLMCache, LLMClient, LLMRequest, Message, build_provider
from luth_assets.lib.llm.types import cache_key, request_fingerprint


def page_png(text: str) -> bytes:
    """A small page with `text` on it, as PNG bytes (what the vision fallback sends)."""
    doc = pymupdf.open()
    page = doc.new_page(width=200, height=100)
    page.insert_text((10, 50), text, fontsize=12)
    return page.get_pixmap(dpi=72).tobytes("png")


def image_request(tag: str, png: bytes) -> LLMRequest:
    return LLMRequest(sample_id=tag, stage="scholar_vision", messages=[
        Message(role="system", content="Tu transcris une page."),
        Message(role="user", content=f"Transcris cette page. [id={tag}]",
                images=(ImagePart(mime_type="image/png", data=png),))])


class RecordingGemini(FakeGemini):
    """The fake Gemini server, keeping every request body."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bodies: list[dict] = []

    async def _handle(self, request: web.Request) -> web.Response:
        self.bodies.append(json.loads(await request.read()))
        return await super()._handle(request)


class VisionOpenAI(FakeOpenAI):
    """A vLLM-like server for a VLM: messages whose content is a list of text and image parts."""

    def __init__(self):
        super().__init__()
        self.bodies: list[dict] = []

    async def _handle(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.bodies.append(body)
        return web.json_response({
            "id": "chatcmpl-vision", "object": "chat.completion", "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": "Soit $f(x) = x^2$ sur $\\mathbb{R}$."}}],
            "usage": {"prompt_tokens": 1300, "completion_tokens": 12, "total_tokens": 1312}})


def test_gemini_receives_the_page_as_inline_data(lake: Path):
    png = page_png("f(x) = x^2")
    settings = fast_settings(provider="gemini", model="gemini-2.5-flash")
    with RecordingGemini() as server:
        env = {"LUTH_GEMINI_BASE_URL": server.base_url, "GEMINI_API_KEY": FAKE_KEY}
        out = LLMClient(build_provider(settings, env=env), settings=settings,
                        cache=LLMCache.in_lake(lake)).run([image_request("p1", png)])
    assert out.results[0].status == "ok", out.results[0]
    (body,) = server.bodies
    parts = body["contents"][0]["parts"]
    assert parts[0] == {"text": "Transcris cette page. [id=p1]"}
    assert parts[1]["inlineData"]["mimeType"] == "image/png"
    assert base64.b64decode(parts[1]["inlineData"]["data"]) == png
    assert body["systemInstruction"]["parts"][0]["text"] == "Tu transcris une page."


def test_openai_compatible_vlm_receives_an_image_url_part_and_the_cache_keys_the_image(lake: Path):
    png, other = page_png("u(n+1) = 2u(n)"), page_png("v(n) = n + 1")
    settings = fast_settings(provider="openai_compatible", model="Qwen/Qwen2.5-VL-7B-Instruct")
    with VisionOpenAI() as server:
        env = {"LUTH_OPENAI_BASE_URL": server.base_url}

        def run(requests):
            return LLMClient(build_provider(settings, env=env), settings=settings,
                             cache=LLMCache.in_lake(lake, flush_rows=1)).run(requests)

        first = run([image_request("p1", png)])
        assert first.results[0].text == "Soit $f(x) = x^2$ sur $\\mathbb{R}$."
        user = server.bodies[0]["messages"][1]
        assert user["role"] == "user" and user["content"][0] == {
            "type": "text", "text": "Transcris cette page. [id=p1]"}
        url = user["content"][1]["image_url"]["url"]
        assert user["content"][1]["type"] == "image_url"
        assert url == "data:image/png;base64," + base64.b64encode(png).decode()
        assert server.bodies[0]["messages"][0] == {"role": "system",
                                                   "content": "Tu transcris une page."}

        # the same page again: a cache hit, no call; another page under the same id: a call
        again = run([image_request("p1", png)])
        assert again.results[0].cache_hit and len(server.bodies) == 1
        changed = run([image_request("p1", other)])
        assert not changed.results[0].cache_hit and len(server.bodies) == 2

    # the key and the stored request hold the image's sha256, never its bytes
    key_a = cache_key("openai_compatible", settings.model, image_request("p1", png))
    key_b = cache_key("openai_compatible", settings.model, image_request("p1", other))
    assert key_a != key_b
    stored = pl.read_parquet(lake / "ops" / "llm_cache" / "*.parquet")["request"].to_list()
    assert any(hashlib.sha256(png).hexdigest() in r for r in stored)
    assert not any(base64.b64encode(png).decode()[:40] in r for r in stored)


def test_a_text_only_request_keeps_its_key():
    """Messages without images fingerprint as [role, content], as before image parts."""
    request = LLMRequest(sample_id="t", messages=[Message(role="user", content="Bonjour")])
    payload = json.loads(request_fingerprint("gemini", "gemini-2.5-flash", request))
    assert payload["messages"] == [["user", "Bonjour"]]
