"""Loss-based view: mean token loss of a model on held-out French and English text.

Accuracy on a few demo items says nothing about a tiny model; its loss on text it never trained
on does: fine-tuning on French should lower the French loss and raise the English one (the
forgetting the paper's merging answers), merges lying between. Each text is read as plain text
(turns joined by newlines, as the demo base was pre-trained), truncated to the model's window;
the loss of a text is the mean negative log-likelihood of its tokens after the first, and a
benchmark's value is the token-weighted mean over its texts (nats per token).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from luth_train.evaluation.model_io import LoadedModel

MIN_TOKENS = 2


class LanguageLossError(ValueError):
    """No usable held-out text; the message says which table and why."""


def messages_text(messages) -> str:
    """A conversation as plain text: its turns' contents joined by newlines."""
    return "\n".join(str(m.get("content") or "") for m in messages or []).strip()


def text_losses(
    lm: LoadedModel, texts: Sequence[str], *, batch_size: int = 8, max_tokens: int = 512
) -> list[tuple[float, int]]:
    """(mean token loss, tokens scored) per text."""
    import torch

    tok = lm.tokenizer
    limit = min(max_tokens, lm.max_length)
    encoded = [tok(t, add_special_tokens=False).input_ids[:limit] for t in texts]
    out: list[tuple[float, int] | None] = [None] * len(texts)
    order = sorted(range(len(texts)), key=lambda i: -len(encoded[i]))
    pad = tok.pad_token_id or 0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        width = max(len(encoded[i]) for i in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, i in enumerate(batch):
            ids[row, : len(encoded[i])] = torch.tensor(encoded[i], dtype=torch.long)
            mask[row, : len(encoded[i])] = 1
        with torch.inference_mode():
            logits = lm.model(input_ids=ids.to(lm.device), attention_mask=mask.to(lm.device)).logits
        logp = torch.log_softmax(logits[:, :-1].float(), dim=-1).cpu()
        target = ids[:, 1:]
        nll = -logp.gather(-1, target[..., None])[..., 0]
        valid = mask[:, 1:].bool()
        for row, i in enumerate(batch):
            n = int(valid[row].sum())
            out[i] = (float(nll[row][valid[row]].mean()) if n else float("nan"), n)
    return [o for o in out if o is not None]


def loss_rows(
    benchmark: str, texts: Sequence[tuple[str, str]], lm: LoadedModel, batch_size: int = 8
) -> list[dict]:
    """`gold/benchmark_scores` rows for (sample_id, text) pairs: one row per text, `loss` and
    `n_tokens` set, `correct` null."""
    usable = [(sid, t) for sid, t in texts if t and t.strip()]
    if not usable:
        raise LanguageLossError(f"{benchmark}: no held-out text to score")
    values = text_losses(lm, [t for _, t in usable], batch_size=batch_size)
    rows = []
    for (sid, text), (loss, n) in zip(usable, values, strict=True):
        if n < MIN_TOKENS - 1:
            continue
        rows.append(
            {
                "benchmark": benchmark,
                "item_id": sid,
                "sample_id": sid,
                "run": 0,
                "prompt": text[:2000],
                "response": None,
                "choice_logliks": None,
                "extracted": None,
                "correct": None,
                "loss": loss,
                "n_tokens": n,
                "details": json.dumps({"chars": len(text)}),
            }
        )
    return rows


def weighted_loss(rows: Sequence[dict]) -> float | None:
    total = sum(r["n_tokens"] for r in rows)
    return sum(r["loss"] * r["n_tokens"] for r in rows) / total if total else None


def french_held_out(mix, max_texts: int) -> list[tuple[str, str]]:
    """(sample_id, text) of `gold/sft_mix` rows in the validation split (never trained on)."""
    need = {"sample_id", "messages", "split"}
    if missing := need - set(mix.columns):
        raise LanguageLossError(f"gold/sft_mix lacks column(s) {sorted(missing)}")
    rows = mix.filter(mix["split"] == "validation").head(max_texts).select("sample_id", "messages")
    if rows.is_empty():
        raise LanguageLossError(
            "gold/sft_mix has no validation row: set curation.mixing.validation_share > 0"
        )
    return [(sid, messages_text(m)) for sid, m in rows.iter_rows()]


def english_held_out(seeds, max_texts: int) -> list[tuple[str, str]]:
    """(sample_id, text) of `bronze/english_seed_prompts` rows: English conversations that only
    reach training translated into French."""
    need = {"sample_id", "messages"}
    if missing := need - set(seeds.columns):
        raise LanguageLossError(f"bronze/english_seed_prompts lacks column(s) {sorted(missing)}")
    rows = seeds.sort("sample_id").head(max_texts).select("sample_id", "messages")
    if rows.is_empty():
        raise LanguageLossError("bronze/english_seed_prompts has no row")
    return [(sid, messages_text(m)) for sid, m in rows.iter_rows()]


def score_language_loss(lm: LoadedModel, benchmark: str, read_table, max_texts: int, batch_size: int = 8):
    """The rows of one `language_loss_{fr,en}` cell; `read_table(("gold", "sft_mix"))` returns a
    lake table as a Polars frame."""
    if benchmark == "language_loss_fr":
        texts = french_held_out(read_table(("gold", "sft_mix")), max_texts)
    elif benchmark == "language_loss_en":
        texts = english_held_out(read_table(("bronze", "english_seed_prompts")), max_texts)
    else:
        raise LanguageLossError(f"unknown loss benchmark {benchmark!r}")
    return loss_rows(benchmark, texts, lm, batch_size=batch_size)
