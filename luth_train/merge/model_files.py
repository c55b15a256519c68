"""Files of a Hugging Face model folder: tokenizer files copied from the fine-tuned model, weight
files, and the output's content hash."""

from __future__ import annotations

import shutil
from pathlib import Path

from luth_train.digest import files_sha256
from luth_train.merge.errors import MergeError

# Files that make up a tokenizer + chat template in a Hugging Face model folder.
TOKENIZER_FILES: tuple[str, ...] = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "tokenizer.model",
    "vocab.json",
    "merges.txt",
    "chat_template.jinja",
    "chat_template.json",
)
WEIGHT_SUFFIXES = (".safetensors", ".bin")


def copy_tokenizer(src_model: str | Path, out_dir: str | Path) -> list[str]:
    """Copy tokenizer files and chat template from ``src_model`` (replacing any in ``out_dir``)."""
    src, out = Path(src_model), Path(out_dir)
    if not src.is_dir():
        raise MergeError(f"fine-tuned model {src} is not a local folder; cannot copy its tokenizer")
    copied = []
    for name in TOKENIZER_FILES:
        target = out / name
        if target.exists():
            target.unlink()
        if (src / name).is_file():
            shutil.copy2(src / name, target)
            copied.append(name)
    if "tokenizer.json" not in copied and "tokenizer.model" not in copied and "vocab.json" not in copied:
        raise MergeError(f"fine-tuned model {src} has no tokenizer files ({', '.join(TOKENIZER_FILES[:3])})")
    return copied


def weight_files(model_dir: str | Path) -> list[Path]:
    return sorted(p for p in Path(model_dir).iterdir() if p.suffix in WEIGHT_SUFFIXES)


def output_digest(model_dir: str | Path) -> tuple[str, int]:
    """sha256 over config.json and the weight files (in name order), and total folder size."""
    d = Path(model_dir)
    size = sum(p.stat().st_size for p in d.rglob("*") if p.is_file())
    return files_sha256([d / "config.json", *weight_files(d)]), size
