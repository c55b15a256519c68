"""A local checkpoint through `transformers` (llm.provider: transformers): offline generation.

- `llm.model` is a checkpoint folder (or a hub id already in the local Hugging Face cache; a
  download happens only with `llm.transformers.allow_download`, never under HF_HUB_OFFLINE=1).
  `trust_remote_code` is off unless `llm.transformers.trust_remote_code` says otherwise.
- Each request's messages go through the tokenizer's chat template (generation prompt added).
- Requests are gathered into batches (up to `batch_size`, same generation parameters), left
  padded, and generated in one worker thread, so the client's event loop keeps running.
- Greedy when the temperature is 0 or unset, sampled otherwise (`temperature`, `top_p`, `seed`).
- Structured requests: the JSON schema is written into the prompt (a local model has no
  response-schema API); the client validates the answer and makes its one repair attempt.
- Token counts: prompt tokens without padding; generated tokens up to the end of turn.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luth_assets.lib.llm.errors import (
    ConfigurationError,
    EmptyOutput,
    ProviderCallError,
    Truncated,
)
from luth_assets.lib.llm.settings import TransformersSettings
from luth_assets.lib.llm.types import GenerationParams, LLMRequest, ProviderResponse, has_images

OFFLINE_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


class RepeatableEmptyOutput(EmptyOutput):
    """Greedy decoding gave an empty answer: asking again gives the same, so no retry."""

    retryable = False


def schema_instruction(schema: dict[str, Any]) -> str:
    return ("Answer with only one JSON object, no other text, matching this JSON schema: "
            + json.dumps(schema, ensure_ascii=False))


def chat_messages(request: LLMRequest) -> list[dict[str, str]]:
    """The request as chat-template messages; a structured request carries its JSON schema
    in its last user turn."""
    messages = [{"role": m.role, "content": m.content} for m in request.messages]
    schema = request.schema_json()
    if schema is not None:
        last_user = max(i for i, m in enumerate(messages) if m["role"] == "user") \
            if any(m["role"] == "user" for m in messages) else None
        note = schema_instruction(schema)
        if last_user is None:
            messages.append({"role": "user", "content": note})
        else:
            messages[last_user] = {"role": "user",
                                   "content": f"{messages[last_user]['content']}\n\n{note}"}
    return messages


def is_offline(env: Mapping[str, str]) -> bool:
    return any(env.get(name, "").strip().lower() in ("1", "true", "yes", "on")
               for name in OFFLINE_ENV)


def resolve_checkpoint(model: str | None, settings: TransformersSettings,
                       env: Mapping[str, str]) -> tuple[str, bool]:
    """(what to pass to from_pretrained, local_files_only). Fails fast and clearly when the
    checkpoint is not on this machine and may not be downloaded."""
    if not model:
        raise ConfigurationError(
            "llm.provider is transformers but llm.model is not set: give a checkpoint folder "
            "(e.g. data_lake/models/sft) or a hub id already in the local cache")
    path = Path(model).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ConfigurationError(f"llm.model {model!r} is a folder without config.json; "
                                     "not a transformers checkpoint")
        return str(path), True
    looks_like_path = model.startswith((".", "/", "~")) or model.count("/") > 1 \
        or os.sep in model and os.sep != "/"
    if looks_like_path:
        raise ConfigurationError(f"llm.model checkpoint folder {model!r} not found")
    # a hub id ("Qwen/Qwen3-0.6B"): only from the local cache unless downloads are allowed
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(model, "config.json")
    if isinstance(cached, str):
        return model, True
    if is_offline(env):
        raise ConfigurationError(
            f"llm.model {model!r} is a hub id not in the local Hugging Face cache and the hub "
            "is offline (HF_HUB_OFFLINE=1): download it first (`hf download "
            f"{model}`) or set llm.model to a checkpoint folder")
    if not settings.allow_download:
        raise ConfigurationError(
            f"llm.model {model!r} is a hub id not in the local Hugging Face cache; download it "
            f"first (`hf download {model}`), point llm.model at a checkpoint folder, or set "
            "llm.transformers.allow_download: true")
    return model, False


@dataclass
class _Pending:
    request: LLMRequest
    future: asyncio.Future
    params: GenerationParams = field(init=False)

    def __post_init__(self) -> None:
        self.params = self.request.params


class TransformersProvider:
    name = "transformers"
    cacheable = True

    def __init__(self, model: str | None, settings: TransformersSettings | None = None, *,
                 env: Mapping[str, str] | None = None):
        self.settings = settings or TransformersSettings()
        env = os.environ if env is None else env
        source, local_only = resolve_checkpoint(model, self.settings, env)
        self.model = str(model)
        self.source = source
        self.calls = 0          # prompts generated (a test counts them)
        self.batches = 0
        self.batch_spans: list[tuple[float, float]] = []   # (start, end) monotonic, per batch
        self._load(source, local_only)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="luth-generate")
        self._queue: asyncio.Queue | None = None
        self._worker: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._torch_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TransformersProvider(model={self.model!r}, device={self.device!r})"

    # -- loading -----------------------------------------------------------------------

    def _load(self, source: str, local_only: bool) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        s = self.settings
        device = s.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ConfigurationError(f"llm.transformers.device is {device} but no CUDA device")
        dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16,
                 "float16": torch.float16}.get(s.dtype)
        if dtype is None:
            dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        kwargs = dict(local_files_only=local_only, trust_remote_code=s.trust_remote_code)
        try:
            tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
            model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype, **kwargs)
        except (OSError, ValueError) as err:
            raise ConfigurationError(f"cannot load llm.model {source!r}: {err}") from None
        if not getattr(tokenizer, "chat_template", None):
            raise ConfigurationError(f"llm.model {source!r}: the tokenizer has no chat template")
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        model.to(device)
        model.eval()
        self.device = device
        self.tokenizer = tokenizer
        self.hf_model = model
        eos = model.generation_config.eos_token_id
        eos = [eos] if isinstance(eos, int) else list(eos or [])
        if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in eos:
            eos.append(tokenizer.eos_token_id)
        self._eos = eos

    # -- the async side: gather requests into batches ----------------------------------

    async def generate(self, request: LLMRequest) -> ProviderResponse:
        if has_images(request):  # a text model: never answer a page it cannot see
            raise ProviderCallError("the transformers provider takes text only; send image "
                                    "requests to gemini or an openai_compatible VLM")
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._worker is None or self._worker.done():
            self._loop = loop
            self._queue = asyncio.Queue()
            self._worker = loop.create_task(self._batch_loop(), name="luth-transformers-batches")
        future = loop.create_future()
        await self._queue.put(_Pending(request, future))
        return await future

    async def _batch_loop(self) -> None:
        queue = self._queue
        loop = asyncio.get_running_loop()
        while True:
            first: _Pending = await queue.get()
            batch = [first]
            deadline = loop.time() + self.settings.batch_wait_s
            while len(batch) < self.settings.batch_size:
                timeout = deadline - loop.time()
                try:
                    item = queue.get_nowait() if timeout <= 0 else \
                        await asyncio.wait_for(queue.get(), timeout)
                except (asyncio.QueueEmpty, TimeoutError):
                    break
                batch.append(item)
            # one batch per set of generation parameters; the rest waits its turn
            same = [p for p in batch if p.params == first.params]
            for other in batch:
                if other.params != first.params:
                    queue.put_nowait(other)
            live = [p for p in same if not p.future.done()]   # a timed-out caller is gone
            if not live:
                continue
            try:
                answers = await loop.run_in_executor(
                    self._executor, self._generate_batch, [p.request for p in live],
                    first.params)
            except Exception as err:  # noqa: BLE001 - every row of the batch is rejected
                failure = ProviderCallError(
                    f"local generation failed for a batch of {len(live)}: "
                    f"{type(err).__name__}: {err}")
                for p in live:
                    if not p.future.done():
                        p.future.set_exception(failure)
                continue
            for p, answer in zip(live, answers, strict=True):
                if p.future.done():
                    continue
                if isinstance(answer, Exception):
                    p.future.set_exception(answer)
                else:
                    p.future.set_result(answer)

    # -- the worker thread: one batched generate ---------------------------------------

    def _prompt(self, request: LLMRequest) -> str:
        return self.tokenizer.apply_chat_template(
            chat_messages(request), tokenize=False, add_generation_prompt=True,
            **self.settings.chat_template_kwargs,
            **({} if request.params.thinking is None
               else {"enable_thinking": request.params.thinking}))

    def _generate_batch(self, requests: list[LLMRequest], params: GenerationParams
                        ) -> list[ProviderResponse | Exception]:
        import torch

        with self._torch_lock:
            started = time.monotonic()
            prompts = [self._prompt(r) for r in requests]
            enc = self.tokenizer(prompts, return_tensors="pt", padding=True,
                                 add_special_tokens=False).to(self.device)
            greedy = not params.temperature
            kwargs: dict[str, Any] = dict(
                max_new_tokens=params.max_output_tokens or self.settings.max_new_tokens,
                do_sample=not greedy, pad_token_id=self.tokenizer.pad_token_id,
                eos_token_id=self._eos)
            if greedy:
                kwargs.update(temperature=None, top_p=None, top_k=None)
            else:
                kwargs.update(temperature=params.temperature, top_p=params.top_p or 1.0,
                              top_k=None)
                if params.seed is not None:
                    torch.manual_seed(params.seed)
            with torch.inference_mode():
                out = self.hf_model.generate(**enc, **kwargs)
            self.calls += len(requests)
            self.batches += 1
            self.batch_spans.append((started, time.monotonic()))
            width = enc["input_ids"].shape[1]
            answers: list[ProviderResponse | Exception] = []
            for i in range(len(requests)):
                tokens = out[i, width:].tolist()
                stop = next((j for j, t in enumerate(tokens) if t in self._eos), None)
                produced = tokens if stop is None else tokens[:stop]
                text = self.tokenizer.decode(produced, skip_special_tokens=True).strip()
                finish = "length" if stop is None else "stop"
                if not text and stop is None:  # max_new_tokens reached before any text
                    answers.append(Truncated(
                        f"cut at {kwargs['max_new_tokens']} new tokens before any answer",
                        finish_reason=finish))
                    continue
                if not text:
                    error_class = RepeatableEmptyOutput if greedy else EmptyOutput
                    answers.append(error_class(f"empty answer (finish {finish})"))
                    continue
                answers.append(ProviderResponse(
                    text=text, finish_reason=finish,
                    input_tokens=int(enc["attention_mask"][i].sum()),
                    output_tokens=len(produced) + (0 if stop is None else 1)))
            return answers

    async def aclose(self) -> None:
        if self._worker is not None and not self._worker.done():
            self._worker.cancel()
            try:
                await self._worker
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
        self._worker = None
