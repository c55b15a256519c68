"""luth_train.merge: mergekit recipes, exactness of LERP/SLERP, authors' YAMLs, validation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from merge_tiny import build_tiny_qwen3
from safetensors import safe_open
from safetensors.torch import save_file

from luth_train.cards import read_front_matter
from luth_train.merge.cli import main
from luth_train.merge.errors import MergeError, MergeValidationError
from luth_train.merge.recipes import MergeRecipe, resolve_recipe
from luth_train.merge.run import MergeRunOptions, merge
from luth_train.merge.validate import validate_merged

REPO = Path(__file__).resolve().parents[2]
FAST = MergeRunOptions(in_process=True, num_threads=1)


def load_tensors(model_dir: Path) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for p in sorted(Path(model_dir).glob("*.safetensors")):
        with safe_open(str(p), framework="pt") as f:
            for k in f.keys():
                out[k] = f.get_tensor(k)
    return out


@pytest.fixture(scope="session")
def linear_merged(tiny_pair, tmp_path_factory):
    base, ft = tiny_pair
    out = tmp_path_factory.mktemp("merged") / "linear_a0.3"
    recipe = MergeRecipe(
        method="linear", base_model=str(base), finetuned_model=str(ft), alpha=0.3, dtype="float32"
    )
    return merge(recipe, out, options=FAST)


def test_recipe_expands_to_mergekit_yaml():
    r = MergeRecipe.authors_slerp("B", "F", alpha=0.4)
    cfg = yaml.safe_load(r.to_mergekit_yaml())
    assert cfg["merge_method"] == "slerp" and cfg["base_model"] == "B"
    assert cfg["parameters"]["t"] == [
        {"filter": "self_attn", "value": [0, 0.5, 0.3, 0.7, 1]},
        {"filter": "mlp", "value": [1, 0.5, 0.7, 0.3, 0]},
        {"value": 0.4},
    ]
    lin = yaml.safe_load(MergeRecipe(base_model="B", finetuned_model="F", alpha=0.7).to_mergekit_yaml())
    assert [m["parameters"]["weight"] for m in lin["models"]] == [0.3, 0.7]
    with pytest.raises(ValueError, match="SLERP gradient"):
        MergeRecipe(base_model="B", finetuned_model="F", mlp_t=[0, 1])


def test_mergekit_yaml_passes_through_unchanged(tmp_path):
    src = (REPO / "configs/merge/merge_slerp.yaml").read_text()
    src = src.replace("model: BASE_MODEL", "model: org/base").replace("base_model: BASE_MODEL",
                                                                       "base_model: org/base")
    src = src.replace("FINETUNED_MODEL", "org/fine-tuned")
    p = tmp_path / "m.yaml"
    p.write_text(src)
    res = resolve_recipe(p)
    assert res.mergekit_yaml == src
    assert (res.base_model, res.finetuned_model, res.recipe) == ("org/base", "org/fine-tuned", None)


def test_linear_merge_equals_lerp(tiny_pair, linear_merged):
    base, ft = (load_tensors(p) for p in tiny_pair)
    merged = load_tensors(Path(linear_merged.out_dir))
    assert merged.keys() == base.keys()
    for name, b in base.items():
        expected = 0.7 * b.float() + 0.3 * ft[name].float()
        assert merged[name].dtype == torch.float32
        torch.testing.assert_close(merged[name], expected, rtol=0, atol=1e-6, msg=name)
    # recorded figures, tokenizer + chat template from the fine-tuned model
    out = Path(linear_merged.out_dir)
    assert len(linear_merged.output_sha256) == 64 and linear_merged.size_bytes > 0
    assert linear_merged.peak_rss_bytes > 0 and linear_merged.wall_time_s > 0
    assert (out / "chat_template.jinja").read_text().endswith("{# luth-ft #}")
    assert (out / "luth_merge.json").is_file()
    # its model card: a real title and both models, not mergekit's temporary folder name
    card = (out / "README.md").read_text()
    meta = read_front_matter(card)
    assert "base_model" not in meta  # local folders of no hub id: named in the body and a comment
    assert all(f"# base_model: {Path(p).as_posix()} has no known hub id" in card for p in tiny_pair)
    assert "\n# Luth merge linear_a0.3: " in card and ".partial" not in card
    assert "merge_method: linear" in card and "## Scores" in card
    assert linear_merged.validation.generated_tokens == 4


def test_linear_merge_in_row_blocks_equals_whole_tensor_merge(tiny_pair, linear_merged, tmp_path):
    """The child process merges linear recipes block by block (merge_rows); with thresholds this
    small every tensor streams in many blocks, and the output equals mergekit's own whole-tensor
    merge (run in-process, no streaming) bit for bit."""
    base, ft = tiny_pair
    recipe = MergeRecipe(
        method="linear", base_model=str(base), finetuned_model=str(ft), alpha=0.3, dtype="float32"
    )
    streamed = merge(
        recipe,
        tmp_path / "streamed",
        options=MergeRunOptions(num_threads=1, stream_rows_min_bytes=1, stream_block_bytes=512),
        validate=False,
    )
    whole = load_tensors(Path(linear_merged.out_dir))
    assert linear_merged.streamed_tensors == []
    assert sorted(streamed.streamed_tensors) == sorted(whole)  # every tensor went through rows
    got = load_tensors(Path(streamed.out_dir))
    assert got.keys() == whole.keys()
    for name, t in whole.items():
        assert torch.equal(got[name], t), name
    # SLERP takes its angle over the whole tensor: never streamed
    slerp = merge(
        MergeRecipe.authors_slerp(str(base), str(ft), dtype="float32"),
        tmp_path / "slerp",
        options=MergeRunOptions(num_threads=1, stream_rows_min_bytes=1, stream_block_bytes=512),
        validate=False,
    )
    assert slerp.streamed_tensors == []


def test_slerp_recipe_equals_mergekit_cli(tiny_pair, tmp_path):
    base, ft = tiny_pair
    ours = merge(
        MergeRecipe.authors_slerp(str(base), str(ft), alpha=0.5, dtype="float32"),
        tmp_path / "ours",  # default path: mergekit in a child process
    )
    equivalent = {
        "slices": [
            {
                "sources": [
                    {"model": str(base), "layer_range": [0, 2]},
                    {"model": str(ft), "layer_range": [0, 2]},
                ]
            }
        ],
        "merge_method": "slerp",
        "base_model": str(base),
        "parameters": {
            "t": [
                {"filter": "self_attn", "value": [0, 0.5, 0.3, 0.7, 1]},
                {"filter": "mlp", "value": [1, 0.5, 0.7, 0.3, 0]},
                {"value": 0.5},
            ]
        },
        "dtype": "float32",
    }
    cfg = tmp_path / "slerp.yaml"
    cfg.write_text(yaml.safe_dump(equivalent))
    cli = Path(sys.executable).with_name("mergekit-yaml")
    proc = subprocess.run([str(cli), str(cfg), str(tmp_path / "cli")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    a, b = load_tensors(Path(ours.out_dir)), load_tensors(tmp_path / "cli")
    assert a.keys() == b.keys()
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=0, atol=1e-6, msg=name)
    # the gradients point the authors' way: layer 0 attention = base (t=0), MLP = fine-tuned (t=1)
    tb, tf = load_tensors(base), load_tensors(ft)
    q0, up0 = "model.layers.0.self_attn.q_proj.weight", "model.layers.0.mlp.up_proj.weight"
    assert torch.equal(a[q0], tb[q0]) and torch.equal(a[up0], tf[up0])
    emb = "model.embed_tokens.weight"
    assert not torch.equal(a[emb], tb[emb]) and not torch.equal(a[emb], tf[emb])


@pytest.fixture(scope="session")
def tiny_pair_28(tmp_path_factory):
    """28 layers, like Qwen3-0.6B, so the authors' layer_range [0, 28] applies unchanged."""
    root = tmp_path_factory.mktemp("tiny28")
    base = build_tiny_qwen3(root / "base", seed=3, num_hidden_layers=28)
    ft = build_tiny_qwen3(root / "ft", seed=4, num_hidden_layers=28, chat_template_suffix="{# ft #}")
    return base, ft


@pytest.mark.parametrize("name", ["merge_linear.yaml", "merge_slerp.yaml"])
def test_authors_yaml_runs_unchanged(name, tiny_pair_28, tmp_path):
    base, ft = tiny_pair_28
    text = (REPO / "configs/merge" / name).read_text()
    text = text.replace("FINETUNED_MODEL", str(ft)).replace("BASE_MODEL", str(base))
    recipe = tmp_path / name
    recipe.write_text(text)
    out = tmp_path / "out"
    assert main([str(recipe), str(out), "--in-process", "--threads", "1"]) == 0
    assert (out / "mergekit_config.yml").read_text() == text
    merged = load_tensors(out)
    assert merged.keys() == load_tensors(base).keys()
    assert all(t.dtype == torch.bfloat16 for t in merged.values())


def _rewrite(model_dir: Path, edit) -> None:
    (shard,) = model_dir.glob("*.safetensors")
    tensors = load_tensors(model_dir)
    edit(tensors)
    save_file(tensors, str(shard), metadata={"format": "pt"})


def test_validation_catches_dropped_tensor(tiny_pair, linear_merged, tmp_path):
    base, ft = tiny_pair
    bad = tmp_path / "bad"
    shutil.copytree(linear_merged.out_dir, bad)
    validate_merged(bad, base, ft)  # the copy is fine
    _rewrite(bad, lambda t: t.pop("model.layers.1.self_attn.v_proj.weight"))
    with pytest.raises(MergeValidationError, match=r"model\.layers\.1\.self_attn\.v_proj\.weight .*missing"):
        validate_merged(bad, base, ft)


def test_validation_catches_zeroed_and_fresh_init_tensors(tiny_pair, linear_merged, tmp_path):
    from transformers import AutoConfig, AutoModelForCausalLM

    base, ft = tiny_pair
    bad = tmp_path / "bad"
    shutil.copytree(linear_merged.out_dir, bad)
    torch.manual_seed(0)
    fresh = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(str(base)), dtype=torch.float32)
    k_fresh = "model.layers.0.mlp.down_proj.weight"
    k_zero = "model.layers.1.mlp.gate_proj.weight"

    def edit(t):
        t[k_fresh] = fresh.state_dict()[k_fresh].clone()
        t[k_zero] = torch.zeros_like(t[k_zero])

    _rewrite(bad, edit)
    with pytest.raises(MergeValidationError) as err:
        validate_merged(bad, base, ft)
    text = str(err.value)
    assert f"{k_fresh} equals a fresh initialisation" in text
    assert f"{k_zero} is constant" in text


def test_validation_catches_wrong_tokenizer_and_cli_reports(tiny_pair, linear_merged, tmp_path, capsys):
    base, ft = tiny_pair
    bad = tmp_path / "bad"
    shutil.copytree(linear_merged.out_dir, bad)
    shutil.copy(base / "chat_template.jinja", bad / "chat_template.jinja")
    with pytest.raises(MergeValidationError, match="chat_template.jinja differs"):
        validate_merged(bad, base, ft)
    # CLI: a bad recipe is a clear error and exit 1; a non-empty out dir is refused
    assert main([str(tmp_path / "nope.yaml"), str(tmp_path / "o")]) == 1
    assert "does not exist" in capsys.readouterr().err
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        yaml.safe_dump({"method": "linear", "base_model": str(base), "finetuned_model": str(ft)})
    )
    assert main([str(recipe), str(bad), "--in-process"]) == 1
    assert "not empty" in capsys.readouterr().err
    with pytest.raises(MergeError, match="not a valid merge recipe"):
        resolve_recipe({"method": "ties", "base_model": "B", "finetuned_model": "F"})
