"""Token counts equal the tokenizer with the chat template applied; split and weights are
deterministic, stratified and follow the config."""

from __future__ import annotations

import polars as pl
import pytest

from luth_assets.stages.curation.mixing import assign_split, mix
from luth_assets.stages.curation.settings import MixingConfig, SubsetMixConfig
from luth_assets.stages.curation.tokens import TokenizerError, count_tokens, load_tokenizer
from luth_train.sample_ids import make_sample_id

from .helpers import chat_frame, exchange


def _ids(value) -> list[int]:
    return list(value["input_ids"] if hasattr(value, "keys") else value)


def test_token_counts_equal_the_chat_template_tokenisation(tiny_tokenizer_dir) -> None:
    tokenizer = load_tokenizer(str(tiny_tokenizer_dir))
    assert tokenizer.is_fast
    chats = [
        exchange("Bonjour, comment vas-tu ?", "Très bien, merci !"),
        [{"role": "system", "content": "Tu es un assistant francophone."},
         *exchange("Explique la photosynthèse en une phrase.",
                   "Les plantes captent la lumière pour fabriquer du sucre à partir de CO₂ et "
                   "d'eau.")],
        exchange("x" * 300, "ok"),
    ]
    counts = count_tokens(tokenizer, chats * 5, batch_size=4)
    expected = [len(_ids(tokenizer.apply_chat_template(c, tokenize=True))) for c in chats * 5]
    assert counts == expected
    assert counts[1] > counts[0] > 0


def test_missing_tokenizer_fails_clearly(tmp_path) -> None:
    with pytest.raises(TokenizerError, match="cannot load the base tokenizer"):
        load_tokenizer(str(tmp_path / "no_model_here"))


def _rows(subset: str, n: int) -> pl.DataFrame:
    frame = chat_frame([{"sample_id": make_sample_id(subset, str(i)), "subset": subset,
                         "source": subset, "messages": exchange(f"q{i}", f"a{i}")}
                        for i in range(n)])
    return frame.with_columns(pl.lit(10, dtype=pl.Int64).alias("n_tokens"))


def test_split_is_stratified_and_deterministic() -> None:
    rows = pl.concat([_rows("gathered", 200), _rows("translated", 100), _rows("scholar", 20)])
    split = assign_split(rows, 0.05, seed=0)
    counts = dict(split.filter(pl.col("split") == "validation").group_by("subset").len()
                  .iter_rows())
    assert counts == {"gathered": 10, "translated": 5, "scholar": 1}
    shuffled = assign_split(rows.sample(fraction=1.0, shuffle=True, seed=3), 0.05, seed=0)
    assert split.sort("sample_id").equals(shuffled.sort("sample_id"))
    other = assign_split(rows, 0.05, seed=1)
    assert set(split.filter(pl.col("split") == "validation")["sample_id"]) != \
        set(other.filter(pl.col("split") == "validation")["sample_id"])


def test_weights_and_caps_upsample_and_downsample_by_seed() -> None:
    rows = pl.concat([_rows("gathered", 100), _rows("translated", 100), _rows("scholar", 40)])
    cfg = MixingConfig(seed=0, validation_share=0.05, subsets={
        "scholar": SubsetMixConfig(weight=2.5),
        "translated": SubsetMixConfig(weight=0.5),
        "gathered": SubsetMixConfig(cap=60)})
    mixed, rejected = mix(rows, cfg)
    train = mixed.filter(pl.col("split") == "train")
    per_subset = dict(train.group_by("subset").len().iter_rows())
    assert per_subset == {"scholar": 38 * 2 + 19, "translated": 48, "gathered": 60}
    assert dict(rejected.group_by("reason").len().iter_rows()) == {"downsampled": 47,
                                                                  "over_cap": 35}
    # validation rows are never weighted; every input row is kept once or rejected once
    assert mixed.filter(pl.col("split") == "validation")["copy"].to_list() == [0] * 12
    distinct = mixed.filter(pl.col("copy") == 0)["sample_id"]
    assert distinct.n_unique() + rejected.height == rows.height
    again, _ = mix(rows.reverse(), cfg)
    assert again.equals(mixed)
