"""Fixtures of the evaluation tests: one tiny Qwen3 model per session, the real benchmark files
of ../shared/data/benchmarks mapped to registry entries, and the demo benchmark files."""

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
SHARED = {
    "ifeval_fr": ("ifeval_fr_m-ifeval.jsonl", "ifeval"),
    "ifeval_en": ("ifeval_en_m-ifeval.jsonl", "ifeval"),
    "mmlu_fr": ("mmlu_fr/test", "mmlu_csv"),
    "math500_fr": ("mgsm_fr.tsv", "mgsm_tsv"),  # MGSM French: the maths stand-in
    "math500_en": ("math500_en_sample.jsonl", "math"),
    "arc_challenge_en": ("arc_challenge_en_sample.jsonl", "arc"),
    "gpqa_diamond_en": ("gpqa_diamond_en_prompts.jsonl", "gpqa_prompts"),
}


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
def tiny_lm(tiny_model_dir):
    from luth_train.evaluation.model_io import load_model

    return load_model(str(tiny_model_dir), device="cpu", dtype="float32")


def shared_spec(shared_data: Path, name: str):
    from luth_train.evaluation.registry import get_spec

    file, fmt = SHARED[name]
    return get_spec(name).with_source(path=str(shared_data / "benchmarks" / file), format=fmt)
