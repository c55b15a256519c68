"""SFT configuration: a dataclass close to the authors' Axolotl file, loaded from YAML.

Every field carries its help text in ``metadata["help"]`` (shown by ``luth train --help-config``).
`load_train_config` rejects unknown keys and bad values with a message that names the key and file.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LR_SCHEDULERS = ("cosine", "linear", "constant", "constant_with_warmup")
OPTIMIZERS = ("adamw_torch", "adamw_torch_fused", "adamw_8bit", "sgd")
SAVE_STRATEGIES = ("epoch", "steps", "no")
REPORT_TO = ("none", "tensorboard", "wandb")
ATTN_IMPLEMENTATIONS = ("auto", "flash_attention_2", "sdpa_varlen", "sdpa", "eager")


class ConfigError(ValueError):
    """A training config value is missing, unknown or out of range."""


def _f(default: Any, help: str, **kw: Any) -> Any:
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: default.copy(), metadata={"help": help, **kw})
    return field(default=default, metadata={"help": help, **kw})


@dataclass
class TrainConfig:
    """Full-parameter SFT settings (names follow Axolotl where Axolotl has the setting)."""

    base_model: str = _f(
        "", "Hub id (e.g. Qwen/Qwen3-0.6B) or local folder of the model to fine-tune."
    )
    datasets: list[str] = _f(
        [], "Training rows: Parquet or JSONL files/folders/globs with a `messages` column (list "
        "of {role, content}), or an hf://datasets/<owner>/<name>/<glob> (the published Luth-SFT: "
        "hf://datasets/kurakurai/luth-sft/data/*.parquet). An optional `split` column "
        "('train'/'val') selects the val rows."
    )
    output_dir: str = _f("outputs/sft", "Folder for checkpoints, the final model and logs.")
    sequence_len: int = _f(4096, "Maximum tokens per (packed) sequence; longer rows are dropped.")
    sample_packing: bool = _f(True, "Bin-pack several rows into each sequence (row-isolated attention).")
    train_on_inputs: bool = _f(
        False, "Also train on system/user tokens. False = loss on assistant turns only (paper)."
    )
    learning_rate: float = _f(5e-5, "Peak learning rate.")
    lr_scheduler: str = _f("cosine", f"Schedule after warmup: one of {', '.join(LR_SCHEDULERS)}.")
    warmup_ratio: float = _f(0.1, "Fraction of optimizer steps spent in linear warmup.")
    weight_decay: float = _f(0.0, "AdamW decoupled weight decay.")
    max_grad_norm: float = _f(0.1, "Clip the global gradient norm to this value (0 disables).")
    num_epochs: float = _f(3.0, "Passes over the training rows.")
    max_steps: int = _f(0, "Stop after this many optimizer steps (0 = run all epochs).")
    micro_batch_size: int = _f(1, "Sequences per device per forward pass.")
    gradient_accumulation_steps: int = _f(1, "Micro-batches accumulated per optimizer step.")
    gradient_checkpointing: bool = _f(False, "Recompute activations in backward to save memory.")
    bf16: bool = _f(True, "Train in bfloat16 autocast (needs a GPU/CPU with bf16 support).")
    optimizer: str = _f("adamw_torch", f"Optimizer: one of {', '.join(OPTIMIZERS)}.")
    adam_beta1: float = _f(0.9, "AdamW beta1.")
    adam_beta2: float = _f(0.999, "AdamW beta2.")
    adam_epsilon: float = _f(1e-8, "AdamW epsilon.")
    attn_implementation: str = _f(
        "auto", "Attention kernel: auto (flash_attention_2 on CUDA when installed, else sdpa_varlen "
        "with sample_packing (per-row attention on CPU), else sdpa), "
        f"or one of {', '.join(ATTN_IMPLEMENTATIONS[1:])}."
    )
    val_set_size: float = _f(
        0.05, "Validation fraction (0-1) or row count (>=1) held out when rows carry no `split`."
    )
    evals_per_epoch: int = _f(4, "Validation passes per epoch (0 disables eval).")
    save_strategy: str = _f("epoch", f"When to checkpoint: one of {', '.join(SAVE_STRATEGIES)}.")
    save_steps: int = _f(0, "Checkpoint every N optimizer steps when save_strategy is 'steps'.")
    save_total_limit: int = _f(0, "Keep only the newest N checkpoints (0 keeps all).")
    logging_steps: int = _f(10, "Log loss/lr/tokens per second every N optimizer steps.")
    report_to: str = _f("none", "Also send train/eval scalars to: none, tensorboard (under "
                        "output_dir/runs) or wandb; needs the package (extra `tracking`).")
    seed: int = _f(42, "Seed for shuffling, packing order and initialisation.")
    resume_from_checkpoint: str = _f(
        "", "Checkpoint folder to resume from, or 'latest' for the newest in output_dir."
    )
    trust_remote_code: bool = _f(False, "Allow model code from the hub (off unless needed).")

    def __post_init__(self) -> None:
        self.validate()

    # -- validation -----------------------------------------------------------------------
    def validate(self, source: str = "config") -> None:
        def bad(key: str, why: str) -> ConfigError:
            return ConfigError(f"{source}: `{key}` {why} (got {getattr(self, key)!r})")

        if not self.base_model:
            raise bad("base_model", "is required")
        if self.sequence_len < 16:
            raise bad("sequence_len", "must be >= 16")
        if not 0 < self.learning_rate < 1:
            raise bad("learning_rate", "must be in (0, 1)")
        if self.lr_scheduler not in LR_SCHEDULERS:
            raise bad("lr_scheduler", f"must be one of {LR_SCHEDULERS}")
        if not 0 <= self.warmup_ratio < 1:
            raise bad("warmup_ratio", "must be in [0, 1)")
        if self.weight_decay < 0:
            raise bad("weight_decay", "must be >= 0")
        if self.max_grad_norm < 0:
            raise bad("max_grad_norm", "must be >= 0")
        if self.num_epochs <= 0:
            raise bad("num_epochs", "must be > 0")
        if self.max_steps < 0:
            raise bad("max_steps", "must be >= 0")
        for key in ("micro_batch_size", "gradient_accumulation_steps"):
            if getattr(self, key) < 1:
                raise bad(key, "must be >= 1")
        if self.optimizer not in OPTIMIZERS:
            raise bad("optimizer", f"must be one of {OPTIMIZERS}")
        if self.attn_implementation not in ATTN_IMPLEMENTATIONS:
            raise bad("attn_implementation", f"must be one of {ATTN_IMPLEMENTATIONS}")
        if self.val_set_size < 0 or (self.val_set_size >= 1 and self.val_set_size != int(self.val_set_size)):
            raise bad("val_set_size", "must be a fraction in [0, 1) or a whole row count")
        if self.evals_per_epoch < 0:
            raise bad("evals_per_epoch", "must be >= 0")
        if self.save_strategy not in SAVE_STRATEGIES:
            raise bad("save_strategy", f"must be one of {SAVE_STRATEGIES}")
        if self.save_strategy == "steps" and self.save_steps < 1:
            raise bad("save_steps", "must be >= 1 when save_strategy is 'steps'")
        if self.save_total_limit < 0:
            raise bad("save_total_limit", "must be >= 0")
        if self.logging_steps < 1:
            raise bad("logging_steps", "must be >= 1")
        if self.report_to not in REPORT_TO:
            raise bad("report_to", f"must be one of {REPORT_TO}")

    # -- conversions ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    @property
    def global_batch_size(self) -> int:
        return self.micro_batch_size * self.gradient_accumulation_steps


_FIELDS = {f.name: f for f in dataclasses.fields(TrainConfig)}
# Axolotl spellings accepted as aliases.
_ALIASES = {"datasets_path": "datasets", "dataset": "datasets", "lr": "learning_rate"}


def _coerce(key: str, value: Any, source: str) -> Any:
    kind = _FIELDS[key].type
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
                return value.lower() in ("true", "yes", "1")
            raise TypeError
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and value != int(value)):
                raise TypeError
            return int(value)
        if kind == "float":
            if isinstance(value, bool):
                raise TypeError
            return float(value)
        if kind == "str":
            return "" if value is None else str(value)
        if kind == "list[str]":
            if isinstance(value, str):
                return [value]
            out = []
            for item in value:
                # Axolotl writes datasets as [{path: ..., type: chat_template}]
                out.append(str(item["path"]) if isinstance(item, dict) else str(item))
            return out
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(f"{source}: `{key}` has a bad value {value!r} (expected {kind})") from exc
    return value


def train_config_from_dict(data: dict[str, Any], source: str = "config") -> TrainConfig:
    """Build a `TrainConfig` from a mapping; unknown keys are an error naming the key."""
    kwargs: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = _ALIASES.get(raw_key, raw_key)
        if key not in _FIELDS:
            near = [k for k in _FIELDS if k.startswith(str(raw_key)[:4])]
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ConfigError(f"{source}: unknown key `{raw_key}`{hint}")
        kwargs[key] = _coerce(key, value, source)
    try:
        cfg = TrainConfig.__new__(TrainConfig)
        for name, f in _FIELDS.items():
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            setattr(cfg, name, kwargs.get(name, default))
    except Exception as exc:  # pragma: no cover - defensive
        raise ConfigError(f"{source}: {exc}") from exc
    cfg.validate(source)
    return cfg


def load_train_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Load a YAML training config; `overrides` (e.g. from ``key=value`` CLI args) win."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"training config {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    data.update(overrides or {})
    return train_config_from_dict(data, source=str(path))


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``["learning_rate=1e-4", "bf16=false"]`` -> dict, values parsed as YAML scalars."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"override {item!r} is not of the form key=value")
        key, value = item.split("=", 1)
        out[key.strip()] = yaml.safe_load(value)
    return out


def config_help() -> str:
    """One line per field: name, default, help."""
    lines = []
    for f in dataclasses.fields(TrainConfig):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        lines.append(f"{f.name:30s} {json.dumps(default):>14s}  {f.metadata['help']}")
    return "\n".join(lines)


def check_inputs_exist(cfg: TrainConfig, source: str) -> None:
    """A base model or dataset path that does not exist is one line naming the key and the file,
    not the hub's validation traceback. A hub id (``Qwen/Qwen3-0.6B``) is left to the hub."""
    base = Path(cfg.base_model)
    looks_local = (cfg.base_model.startswith((".", "/", "~")) or cfg.base_model.count("/") > 1
                   or base.parts[:1] == ("data_lake",))
    if looks_local and not base.exists():
        raise FileNotFoundError(f"{source}: base_model {cfg.base_model} does not exist (run `make demo` "
                                "for the lake's models/base_model, or give a hub id)")
    for path in cfg.datasets:
        if path.startswith("hf://") or any(c in path for c in "*?["):
            continue  # a hub dataset or a glob: resolved when the rows are read
        if not Path(path).exists():
            raise FileNotFoundError(f"{source}: dataset {path} does not exist (`make demo` writes "
                                    "data_lake/gold/sft_mix_dataset/)")
