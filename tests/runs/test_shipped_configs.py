"""Every run, training, merge and accelerate configuration shipped in the repository validates,
and the paper's run says what the paper did (configs/runs/luth_paper.yaml; luth_plus.yaml differs
from it only in the curation)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from luth_assets.run_config import load_config
from luth_train.config import load_train_config
from luth_train.merge.recipes import resolve_recipe

REPO = Path(__file__).resolve().parents[2]
RUNS = sorted((REPO / "configs/runs").glob("*.yaml")) + [REPO / "data_lake/landing/luth.yaml"]
TRAIN = sorted(p for p in (REPO / "configs/train").rglob("*.yaml") if "accelerate" not in p.parts)
ACCELERATE = sorted((REPO / "configs/train/accelerate").glob("*.yaml"))
MERGE = sorted((REPO / "configs/merge").glob("*.yaml"))
PAPER_MODELS = {"qwen3_0.6b": "Qwen/Qwen3-0.6B", "qwen3_1.7b": "Qwen/Qwen3-1.7B",
                "lfm2_350m": "LiquidAI/LFM2-350M", "lfm2_700m": "LiquidAI/LFM2-700M",
                "lfm2_1.2b": "LiquidAI/LFM2-1.2B"}


@pytest.mark.parametrize("path", RUNS, ids=lambda p: p.name)
def test_run_configuration_validates(path: Path):
    config = load_config(path)
    assert load_train_config(config.training.train_config).base_model
    for spec in config.plan.models.values():
        assert load_train_config(spec.train_config).sequence_len > 0


@pytest.mark.parametrize("path", TRAIN, ids=lambda p: str(p.relative_to(REPO / "configs/train")))
def test_training_configuration_validates(path: Path):
    assert load_train_config(path).num_epochs > 0


@pytest.mark.parametrize("path", ACCELERATE, ids=lambda p: p.name)
def test_accelerate_configuration_is_complete(path: Path):
    data = yaml.safe_load(path.read_text())
    assert data["distributed_type"] in {"DEEPSPEED", "FSDP", "MULTI_GPU", "NO"}
    assert int(data["num_processes"]) >= 1 and data["mixed_precision"] == "bf16"


@pytest.mark.parametrize("path", MERGE, ids=lambda p: p.name)
def test_merge_recipe_resolves_to_mergekit(path: Path):
    resolved = resolve_recipe(path, base_model="Qwen/Qwen3-0.6B", finetuned_model="runs/sft_checkpoint")
    assert "merge_method" in resolved.mergekit_yaml and resolved.method in {"slerp", "linear"}
    assert "Qwen/Qwen3-0.6B" in resolved.mergekit_yaml and "BASE_MODEL" not in resolved.mergekit_yaml


@pytest.mark.parametrize(("name", "base"), PAPER_MODELS.items())
def test_paper_training_follows_the_authors_batch_geometry(name: str, base: str):
    cfg = load_train_config(REPO / f"configs/train/paper/{name}.yaml")
    assert cfg.base_model == base
    assert cfg.micro_batch_size * cfg.gradient_accumulation_steps == 20   # on one GPU
    assert (cfg.sequence_len, cfg.sample_packing, cfg.train_on_inputs) == (16384, True, False)
    assert (cfg.learning_rate, cfg.lr_scheduler, cfg.warmup_ratio) == (5e-5, "cosine", 0.1)
    assert (cfg.weight_decay, cfg.max_grad_norm, cfg.num_epochs) == (0.0, 0.1, 3)
    assert (cfg.optimizer, cfg.bf16, cfg.gradient_checkpointing) == ("adamw_torch_fused", True, True)
    assert (cfg.val_set_size, cfg.evals_per_epoch, cfg.save_strategy) == (0.05, 2, "epoch")


def test_the_paper_run_names_its_seven_components_with_the_paper_counts():
    config = load_config(REPO / "configs/runs/luth_paper.yaml")
    counts = {n: s.expected_rows for n, s in
              {**config.sources, **config.translation.sources}.items()}
    counts["scholar"] = config.scholar.expected_rows
    assert counts == {"openhermes_fr": 406516, "smoltalk2": 50474, "tulu3_persona_math": 47440,
                      "scholar": 30282, "tulu3_persona_instruct": 20617, "croissantllm": 13872,
                      "aya": 1422}
    assert sum(counts.values()) == 570623
    assert all(s.uri.startswith("hf://") for s in config.sources.values())
    assert config.sources["openhermes_fr"].exclude_when == {"bad_entry": True}
    # judges: quality on OpenHermes-FR only, cleaning on Tulu-3 persona instruct only
    judges = config.translation.judges
    assert (judges.quality.sources, judges.cleaning.sources) == (
        ["openhermes_fr"], ["tulu3_persona_instruct"])
    # the authors' generation: Qwen3-32B on vLLM, thinking off, 0.7 / 0.8; Gemini for Scholar
    llm = config.llm
    assert (llm.provider, llm.model) == ("openai_compatible", "Qwen/Qwen3-32B")
    for step in ("translate", "regenerate", "quality_judge", "cleaning_judge"):
        s = llm.steps[step]
        assert (s.temperature, s.top_p, s.thinking) == (0.7, 0.8, False)
    assert llm.for_step("scholar_answers").resolved_model() == "gemini-2.5-flash"
    assert llm.for_step("scholar_clean").resolved_model() == "gemini-2.5-pro"
    # the authors' curation: no near-dedup, no decontamination, 16,384 tokens, weights 1
    cur = config.curation
    assert not cur.dedup.near.enabled and not cur.decontamination.enabled
    assert cur.max_tokens == 16384
    assert {s.weight for s in cur.mixing.subsets.values()} == {1.0}
    assert not config.language_id.confirm_function_words
    # Qwen3 merged with SLERP (the authors' gradients); LFM2 with LERP in the plan
    assert config.merging.recipe_names() == ["slerp_authors"]
    assert {m: s.merge for m, s in config.plan.models.items()} == {
        "qwen3_0.6b": "slerp", "qwen3_1.7b": "slerp", "lfm2_350m": "linear",
        "lfm2_700m": "linear", "lfm2_1.2b": "linear"}


def _flat(data, prefix=""):
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            out.update(_flat(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): data}


def test_luth_plus_differs_from_the_paper_run_only_in_the_curation_and_the_llm_prompts():
    paper = _flat(yaml.safe_load((REPO / "configs/runs/luth_paper.yaml").read_text()))
    plus = _flat(yaml.safe_load((REPO / "configs/runs/luth_plus.yaml").read_text()))
    changed = {k for k in paper.keys() | plus.keys() if paper.get(k) != plus.get(k)}
    assert changed == {
        "language_id.confirm_function_words", "curation.dedup.near.enabled",
        "curation.dedup.near.threshold", "curation.dedup.near.num_perm",
        "curation.dedup.near.shingle_words", "curation.dedup.near.seed",
        "curation.decontamination.enabled", "curation.decontamination.ngram",
        "curation.decontamination.min_words", "curation.decontamination.fields",
        "curation.mixing.subsets.scholar.weight",
        # the authors' prompt sets (True/False judges in 10 tokens) against ours (JSON in 256)
        "translation.prompts", "llm.steps.quality_judge.max_output_tokens",
        "llm.steps.cleaning_judge.max_output_tokens", "scholar.chain"}
    plus_config = load_config(REPO / "configs/runs/luth_plus.yaml")
    assert plus_config.curation.dedup.near.enabled and plus_config.curation.decontamination.enabled
    assert plus_config.curation.mixing.subsets["scholar"].weight == 2.0


def test_a_hub_source_without_expected_rows_is_an_error_naming_the_key(tmp_path: Path):
    from luth_assets.run_config import ConfigError, parse_config

    with pytest.raises(ConfigError) as err:
        parse_config({"sources": {"aya": {"uri": "hf://datasets/CohereLabs/aya_dataset/x.parquet",
                                          "format": "parquet",
                                          "mapping": {"prompt": "inputs", "response": "targets"}}}})
    assert "sources.aya" in str(err.value) and "expected_rows: required" in str(err.value)
    with pytest.raises(ConfigError, match="translation.judges.quality.sources: unknown source"):
        parse_config({"translation": {"judges": {"quality": {"sources": ["nope"]}}}})
