"""The cards are hub-ready: `huggingface_hub` parses them into its metadata classes and back, their
YAML keys are the hub's, bases and datasets are named by hub ids, the licence is the base's (LFM2
has its own), and the dataset card's YAML loads with `datasets` without a warning."""

from __future__ import annotations

import inspect
import json
import logging
from pathlib import Path

import polars as pl
import pytest
from huggingface_hub import DatasetCard, DatasetCardData, ModelCard, ModelCardData
from huggingface_hub.repocard import metadata_load

from luth_assets.stages.curation.build_mix import write_dataset_folder
from luth_assets.stages.curation.data_card import dataset_card
from luth_assets.stages.training.base_model import tiny_base_card
from luth_assets.stages.training.settings import TinyBaseConfig
from luth_train.cards import merge_card, read_front_matter, sft_card, update_card_scores, write_card
from luth_train.config import TrainConfig

# The keys the hub reads: the metadata classes' own fields, plus those the hub documents beside them
# (docs/hub/model-cards.md: base_model_relation, model-index; datasets-cards.md: configs,
# dataset_info, tags).
MODEL_KEYS = set(inspect.signature(ModelCardData).parameters) | {"base_model_relation", "model-index"}
DATASET_KEYS = set(inspect.signature(DatasetCardData).parameters) | {"configs", "dataset_info", "tags"}
HUB_LICENCES = {"apache-2.0", "mit", "other", "unknown"}  # the hub's licence ids the cards may use
MESSAGES = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))


def hub_metadata(path: Path, kind: type[ModelCard] | type[DatasetCard]) -> dict:
    """The card as the hub library reads it; the metadata class round trip must keep every key."""
    text = path.read_text(encoding="utf-8")
    card = kind(text)
    meta = metadata_load(path)
    assert meta == read_front_matter(text)
    data_class = ModelCardData if kind is ModelCard else DatasetCardData
    assert data_class(**meta).to_dict() == card.data.to_dict() == meta
    assert card.text == text.split("---\n", 2)[2] and card.text.lstrip().startswith("# ")
    return meta


def test_sft_card_of_a_hub_base_names_it_its_licence_and_the_dataset(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    folder = lake / "models" / "sft_checkpoint"
    folder.mkdir(parents=True)
    for base, licence in [("Qwen/Qwen3-0.6B", {"license": "apache-2.0"}),
                          ("LiquidAI/LFM2-1.2B", {"license": "other", "license_name": "lfm1.0",
                           "license_link": "https://huggingface.co/LiquidAI/LFM2-1.2B/blob/main/LICENSE"})]:
        cfg = TrainConfig(base_model=base, datasets=["x"], output_dir=str(tmp_path / "out"))
        write_card(folder, sft_card(cfg, {"val_loss": 1.5}, lake, data=["gold/sft_mix"],
                                    datasets=["someone/luth-sft"]))
        meta = hub_metadata(folder / "README.md", ModelCard)
        assert set(meta) <= MODEL_KEYS, set(meta) - MODEL_KEYS
        assert meta["base_model"] == base and meta["base_model_relation"] == "finetune"
        assert meta["datasets"] == ["someone/luth-sft"]
        assert {k: meta.get(k) for k in licence} == licence and meta["license"] in HUB_LICENCES
        if licence["license"] == "apache-2.0":
            assert "license_name" not in meta


def test_demo_cards_leave_out_what_has_no_hub_id_and_merges_inherit(tmp_path: Path) -> None:
    """The demo's tiny base is on no hub: no `base_model` (a comment says why), the project's
    licence from the base's own card; the merge names the SFT by the hub id it was pushed to and
    takes its datasets; its scores carry n and a standard error."""
    lake = tmp_path / "lake"
    base = lake / "models" / "base_model"
    base.mkdir(parents=True)
    write_card(base, tiny_base_card(TinyBaseConfig()))
    assert hub_metadata(base / "README.md", ModelCard)["license"] == "apache-2.0"
    sft = lake / "models" / "sft_checkpoint"
    sft.mkdir()
    cfg = TrainConfig(base_model=str(base), datasets=["x"], output_dir=str(tmp_path / "out"))
    write_card(sft, sft_card(cfg, {}, lake, data=["gold/sft_mix"]))
    card = (sft / "README.md").read_text()
    meta = hub_metadata(sft / "README.md", ModelCard)
    assert "base_model" not in meta and "datasets" not in meta
    assert "# base_model: models/base_model has no known hub id" in card
    assert meta["license"] == "apache-2.0" and str(tmp_path) not in card

    # after a push the record names the SFT's hub id; the merge's base is a hub model
    (sft / "luth_training.json").write_text(json.dumps({"hub_id": "me/luth-sft-tiny"}))
    write_card(sft, sft_card(cfg, {}, lake, data=["gold/sft_mix"], datasets=["me/luth-sft"]))
    merged = lake / "models" / "merged" / "linear_a0.5"
    merged.mkdir(parents=True)
    write_card(merged, merge_card(name="linear_a0.5", method="linear", base_model="Qwen/Qwen3-0.6B",
                                  finetuned_model=str(sft), mergekit_yaml="merge_method: linear\n",
                                  root=lake))
    meta = hub_metadata(merged / "README.md", ModelCard)
    assert set(meta) <= MODEL_KEYS
    assert meta["base_model"] == ["Qwen/Qwen3-0.6B", "me/luth-sft-tiny"]
    assert meta["base_model_relation"] == "merge" and meta["datasets"] == ["me/luth-sft"]
    assert meta["license"] == "apache-2.0"
    assert update_card_scores(merged, {"arc_challenge_fr": {"score": 33.333, "n": 3, "stderr": 33.33},
                                       "fr_average": 20.0})
    card = (merged / "README.md").read_text()
    assert "| benchmark | score | n | standard error |" in card
    assert "| arc_challenge_fr | 33.33 | 3 | ± 33.33 |" in card and "| fr_average | 20.00 |  |  |" in card
    hub_metadata(merged / "README.md", ModelCard)  # the scores leave the front matter intact


def mix(rows: int = 12) -> pl.DataFrame:
    return pl.DataFrame({
        "sample_id": [f"s{i:02d}" for i in range(rows)], "subset": ["gathered"] * rows,
        "source": ["chat_fr"] * rows, "subject": [None] * rows,
        "messages": [[{"role": "user", "content": f"Question {i} ?"},
                      {"role": "assistant", "content": "Oui."}] for i in range(rows)],
        "n_tokens": list(range(10, 10 + rows)),
        "split": ["validation" if i % 4 == 0 else "train" for i in range(rows)],
        "copy": [0] * rows}, schema_overrides={"messages": MESSAGES, "subject": pl.String})


@pytest.mark.parametrize("hub_id", ["someone/luth-sft", None])
def test_dataset_card_is_hub_ready_and_loads_without_a_warning(tmp_path: Path, hub_id) -> None:
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "sft_mix_dataset"
    folder.mkdir()
    frame = mix()
    write_dataset_folder(frame, folder)
    write_card(folder, dataset_card(frame, [{"step": "input", "rows": 12}], {"chat_fr": "Apache-2.0"},
                                    hub_id))
    meta = hub_metadata(folder / "README.md", DatasetCard)
    assert set(meta) <= DATASET_KEYS, set(meta) - DATASET_KEYS
    assert meta["size_categories"] == ["n<1K"] and meta["license"] == "apache-2.0"
    splits = {s["name"]: s for s in meta["dataset_info"]["splits"]}
    assert splits["train"]["num_examples"] == 9 and splits["validation"]["num_examples"] == 3
    assert all(s["num_bytes"] > 0 for s in splits.values())
    card = (folder / "README.md").read_text()
    assert f'load_dataset("{hub_id or "<user>/luth-sft"}")' in card
    assert 'data_dir=' not in card
    warnings: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())
    logging.getLogger("datasets").addHandler(handler)  # the library's own logger, propagating or not
    try:
        loaded = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    finally:
        logging.getLogger("datasets").removeHandler(handler)
    assert not [w for w in warnings if "dataset_info" in w or "malformed" in w], warnings
    assert loaded["train"].num_rows == 9 and loaded["validation"].num_rows == 3
    assert loaded["train"][0]["messages"][0]["role"] == "user"


def test_the_sft_card_links_the_dataset_it_was_trained_on():
    """The published run trains on the authors' Luth-SFT: its card links that hub dataset; the
    demo's mix has no hub id until `curation.hub_id` or `push_to_hub` names one."""
    from luth_assets.run_config import load_config
    from luth_assets.stages.training.assets import training_data

    repo = Path(__file__).resolve().parents[1]
    published = load_config(repo / "configs" / "runs" / "luth_published.yaml")
    assert training_data(published) == ("hf://datasets/kurakurai/luth-sft/data/*.parquet",
                                         ["kurakurai/luth-sft"])
    demo = load_config(repo / "data_lake" / "landing" / "luth.yaml")
    assert training_data(demo)[1] == []
    named = demo.model_copy(update={"curation": demo.curation.model_copy(update={"hub_id": "me/luth-sft"})})
    assert training_data(named) == ("gold/sft_mix (its train and validation splits)", ["me/luth-sft"])
