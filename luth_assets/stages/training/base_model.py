"""The demo's tiny base model: texts from the raw multilingual rows, tokenizer, short pre-training.

The tokenizer is trained on every turn of every raw row (all languages, so French is covered); the
pre-training uses only the rows detected as `pretrain_language` (English), so that the base knows
some English and has something to forget during the French SFT.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import polars as pl

from luth_assets.stages.training.checkpoints import checkpoint_digest, fingerprint, write_record
from luth_assets.stages.training.settings import TinyBaseConfig
from luth_train.cards import write_card

CODE_VERSION = "2"  # 2: the folder has a card


def raw_texts(raw: pl.DataFrame, language: str | None = None) -> list[str]:
    """One text per row (its turns joined by newlines); only rows of `language` when given."""
    frame = raw if language is None else raw.filter(pl.col("language") == language)
    if frame.is_empty():
        return []
    texts = frame.select(
        pl.col("messages").list.eval(pl.element().struct.field("content")).list.join("\n").alias("t")
    )["t"]
    return [t for t in texts.to_list() if t and t.strip()]


def tiny_fingerprint(tiny: TinyBaseConfig, texts: list[str], pretrain: list[str]) -> str:
    return fingerprint({"code_version": CODE_VERSION, "tiny": tiny.model_dump(),
                        "texts": fingerprint({"t": texts}), "pretrain": fingerprint({"t": pretrain})})


def tiny_base_card(tiny: TinyBaseConfig) -> str:
    """The tiny base's card: built here from nothing (no hub base), so the project's licence,
    which the SFT and the merges made from it inherit."""
    from luth_train.cards import front_matter

    meta = {"library_name": "transformers", "pipeline_tag": "text-generation", "language": ["fr", "en"],
            "license": "apache-2.0", "tags": ["luth", "demo", "tiny"]}
    return (front_matter(meta, ["base_model: none, built from a random initialisation"])
            + "\n# Luth demo tiny base\n\nA tiny Qwen3 built by the Luth lakehouse's demo: a "
            f"byte-level BPE tokenizer trained on the raw demo text, {tiny.num_layers} layers of "
            f"width {tiny.hidden_size}, {tiny.pretrain_steps} pre-training steps on the "
            f"`{tiny.pretrain_language}` rows. A test fixture, not a language model.\n")


def build_demo_base(out_dir: str | Path, texts: list[str], pretrain: list[str], tiny: TinyBaseConfig,
                    wanted_fingerprint: str, threads: int = 1) -> dict[str, Any]:
    """Build the tiny base into `out_dir` (atomically: a sibling folder renamed into place).

    A model this small trains fastest on one thread (more only adds contention)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _build(Path(out_dir), texts, pretrain, tiny, wanted_fingerprint)
    finally:
        torch.set_num_threads(before)


def _build(out: Path, texts: list[str], pretrain: list[str], tiny: TinyBaseConfig,
           wanted_fingerprint: str) -> dict[str, Any]:
    from luth_train.tiny_model import build_tiny_model, pretrain_tiny_model

    if not texts:
        raise ValueError("no raw rows to train the tiny tokenizer on (is bronze/raw_multilingual empty?)")
    work = out.with_name(f".{out.name}.partial")
    shutil.rmtree(work, ignore_errors=True)
    t0 = time.perf_counter()
    build_tiny_model(work, texts, vocab_size=tiny.vocab_size, hidden_size=tiny.hidden_size,
                     num_layers=tiny.num_layers, num_heads=tiny.num_heads,
                     num_kv_heads=tiny.num_kv_heads, intermediate_size=tiny.intermediate_size,
                     seed=tiny.seed)
    stats: dict[str, Any] = {"pretrain_rows": len(pretrain), "tokenizer_rows": len(texts)}
    if tiny.pretrain_steps and pretrain:
        stats.update(pretrain_tiny_model(
            work, pretrain, tiny.pretrain_steps, sequence_len=tiny.pretrain_sequence_len,
            batch_size=tiny.pretrain_batch_size, learning_rate=tiny.pretrain_learning_rate,
            seed=tiny.seed))
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    write_card(work, tiny_base_card(tiny))
    stats["checkpoint_sha256"] = checkpoint_digest(work)
    write_record(work, {"fingerprint": wanted_fingerprint, **stats})
    if out.exists():
        shutil.rmtree(out)
    os.replace(work, out)
    return stats
