"""Fixtures of the evaluation tests: one tiny Qwen3 model per session, a tokenizer with a
Qwen3-style chat template (thinking switch included), the real benchmark files of
../shared/data/benchmarks mapped to registry entries, and the demo benchmark files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

DEMO_BENCHMARKS = REPO / "data_lake" / "landing" / "benchmarks"

TINY_TEXTS = [
    "Question : Quel organe pompe le sang ? Réponse : le cœur.",
    "Question: Which organ pumps blood? Answer: the heart.",
    "Le chat dort sur le canapé pendant que la pluie tombe.",
    "The quick brown fox jumps over the lazy dog.",
    "Calculez 3 + 4. La réponse est \\boxed{7}. Compute 2 + 2. The answer is \\boxed{4}.",
    "Réponse : A. Réponse : B. Answer: C. Answer: D.",
] * 4

# registry name -> (file under shared/data/benchmarks, format): what the shared folder holds.
# `hub`: the file has the hub dataset's own columns; the others are stand-ins converted to them.
SHARED = {
    "ifeval_fr": ("ifeval_fr_m-ifeval.jsonl", "hub"),
    "ifeval_en": ("ifeval_en_m-ifeval.jsonl", "hub"),
    "mmlu_fr": ("mmlu_fr/test", "mmlu_csv"),
    "math500_fr": ("mgsm_fr.tsv", "mgsm_tsv"),  # MGSM French: the maths stand-in
    "math500_en": ("math500_en_sample.jsonl", "hub"),
    "arc_challenge_en": ("arc_challenge_en_sample.jsonl", "hub"),
    "gpqa_diamond_en": ("gpqa_diamond_en_prompts.jsonl", "gpqa_prompts"),
}

# The generation-prompt part of Qwen3's chat template (Qwen/Qwen3-0.6B tokenizer_config.json): an
# empty think block is written when `enable_thinking` is false, so the model answers directly.
QWEN3_STYLE_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false %}"
    "{{- '<think>\\n\\n</think>\\n\\n' }}"
    "{%- endif %}"
    "{%- endif %}"
)


@pytest.fixture(autouse=True)
def _one_thread():
    import torch

    torch.set_num_threads(1)
    yield


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    import torch

    from luth_train.tiny_model import build_tiny_model

    torch.set_num_threads(1)
    return build_tiny_model(tmp_path_factory.mktemp("eval_tiny") / "model", list(TINY_TEXTS), vocab_size=400)


@pytest.fixture(scope="session")
def qwen3_style_tokenizer(tiny_model_dir):
    """The tiny model's tokenizer with the Qwen3-style template (thinking switch)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    tok.chat_template = QWEN3_STYLE_TEMPLATE
    return tok


@pytest.fixture(scope="session")
def tiny_lm(tiny_model_dir):
    from luth_train.evaluation.model_io import load_model

    return load_model(str(tiny_model_dir), device="cpu", dtype="float32")


# Rows of the ARC stand-in whose answerKey is not one of their labels (labels "1".."4", key "C"):
# a defect of that reformatted copy (ai2_arc's own rows are consistent). lighteval's `arc` prompt
# fails on them and so does ours (tested); the other tests read the file without them.
ARC_SAMPLE_DEFECTS = ("arc-9", "arc-25", "arc-66", "arc-92")


def _arc_without_defects(source: Path) -> Path:
    import json
    import tempfile

    out = Path(tempfile.mkdtemp(prefix="arc_sample_")) / source.name
    lines = [
        line
        for line in source.read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line)["id"] not in ARC_SAMPLE_DEFECTS
    ]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def shared_spec(shared_data: Path, name: str):
    from luth_train.evaluation.registry import get_spec

    file, fmt = SHARED[name]
    path = shared_data / "benchmarks" / file
    if name == "arc_challenge_en":
        print(f"reading {path.name} without its rows {ARC_SAMPLE_DEFECTS} (answerKey not among labels)")
        path = _arc_without_defects(path)
    return get_spec(name).with_source(path=str(path), format=fmt)
