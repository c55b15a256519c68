"""The `training:` section of the run configuration.

Stage: tiny/real base model and the SFT checkpoint (through Dagster Pipes).

```yaml
training:
  base_model: null                  # hub id (Qwen/Qwen3-0.6B) or local path; null: demo tiny base
  train_config: ../../configs/train/tiny_full_sft_cpu.yaml
  overrides: {num_epochs: 3}        # TrainConfig keys that win over the YAML
  launcher: subprocess              # subprocess | accelerate | k8s
  accelerate: {config_file: null, num_processes: 2}
  k8s: {image: ghcr.io/me/luth:latest, namespace: default}
  tiny: {hidden_size: 64, num_layers: 2, pretrain_steps: 150}
  sft_dataset:                      # train on a published dataset instead of gold/sft_mix
    uri: hf://datasets/kurakurai/luth-sft/data/*.parquet
    validation_share: 0.05
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from luth_assets.lib.strict import StrictModel


class TinyBaseConfig(StrictModel):
    """The demo's tiny Qwen3 base: architecture, tokenizer and its short English pre-training."""

    vocab_size: int = Field(512, ge=300, description="byte-level BPE vocabulary (trained on the demo text)")
    hidden_size: int = Field(64, ge=16)
    num_layers: int = Field(2, ge=1)
    num_heads: int = Field(4, ge=1)
    num_kv_heads: int = Field(2, ge=1)
    intermediate_size: int = Field(128, ge=16)
    pretrain_steps: int = Field(150, ge=0, description="causal-LM steps on the English demo rows")
    pretrain_sequence_len: int = Field(64, ge=16)
    pretrain_batch_size: int = Field(8, ge=1)
    pretrain_learning_rate: float = Field(3e-3, gt=0, lt=1)
    pretrain_language: str = Field("en", description="language of the rows the base pre-trains on")
    seed: int = 0


class AccelerateLaunch(StrictModel):
    """`accelerate launch` options used when `launcher: accelerate`."""

    config_file: Path | None = Field(
        None, description="accelerate config (configs/train/accelerate/deepspeed_zero1.yaml, fsdp.yaml)")
    num_processes: int = Field(1, ge=1)
    extra_args: list[str] = Field(default_factory=list, description="more `accelerate launch` flags")


class K8sLaunch(StrictModel):
    """Pod settings used when `launcher: k8s` (dagster-k8s `PipesK8sClient`; install dagster-k8s)."""

    image: str | None = Field(None, description="image with this repository installed")
    namespace: str = "default"
    load_incluster_config: bool = Field(False, description="true when Dagster itself runs in the cluster")
    kubeconfig_file: str | None = None
    base_pod_spec: dict[str, Any] = Field(
        default_factory=dict, description="merged into the pod spec (GPU limits, volumes for the lake)")


class SftDatasetConfig(StrictModel):
    """A published SFT dataset trained on as it is, instead of `gold/sft_mix`: no generation,
    no curation (`configs/runs/luth_published.yaml`: the authors' Luth-SFT)."""

    uri: str = Field(description="hf://datasets/<owner>/<name>/<glob> (hub layout: "
                     "data/<split>-NNNNN-of-NNNNN.parquet), or a local file, folder or glob")
    name: str = Field("luth-sft", min_length=1, description="dataset name in the rows' sample_id")
    messages: str = Field("messages", description="column with the [{role, content}] turns")
    validation_share: float = Field(
        0.05, ge=0.0, lt=1.0, description="rows held out for validation (the authors' "
        "val_set_size), chosen by the hash of their sample_id")
    expected_rows: int | None = Field(
        None, ge=1, description="rows of the published dataset: what `luth plan` counts for an "
        "hf:// dataset it never opens (Luth-SFT: 570,623)")
    expected_tokens: int | None = Field(
        None, ge=1, description="tokens of the dataset for `luth plan` (Luth-SFT: ~338M); unset: "
        "the plan's assumed tokens per row")


class TrainingConfig(StrictModel):
    """Settings of the training stage. Unknown keys are errors."""

    base_model: str | None = Field(
        None, description="hub id (Qwen/Qwen3-0.6B) or local checkpoint path of the base model; "
        "unset: the demo's tiny Qwen3 base built by the `base_model` asset")
    train_config: Path = Field(
        Path("configs/train/tiny_full_sft_cpu.yaml"),
        description="luth_train YAML (configs/train/*.yaml); relative to the run configuration")
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="TrainConfig keys that win over `train_config`")
    push_to_hub: str | None = Field(None, description="hub model repo id (owner/name) to push the "
                                    "SFT checkpoint to, card included; unset: no push")
    launcher: Literal["subprocess", "accelerate", "k8s"] = Field(
        "subprocess", description="how the Pipes training process starts")
    accelerate: AccelerateLaunch = Field(default_factory=AccelerateLaunch)
    k8s: K8sLaunch = Field(default_factory=K8sLaunch)
    tiny: TinyBaseConfig = Field(default_factory=TinyBaseConfig)
    threads: int | None = Field(None, ge=1, description="OMP/torch threads of the training process")
    sft_dataset: SftDatasetConfig | None = Field(
        None, description="train on this published dataset instead of gold/sft_mix (the data "
        "stages then have nothing to feed: sources, translation, curation are left out)")

    def with_base(self, base: Path) -> TrainingConfig:
        """Resolve relative paths against the run configuration's folder."""
        update: dict[str, Any] = {}
        if not self.train_config.is_absolute():
            update["train_config"] = (base / self.train_config).resolve()
        acc = self.accelerate.config_file
        if acc is not None and not acc.is_absolute():
            update["accelerate"] = self.accelerate.model_copy(update={"config_file": (base / acc).resolve()})
        # a local folder named relative to the config ("./ckpt", "../models/x"); else a hub id
        name = self.base_model
        if name and not Path(name).is_absolute() and (name.startswith(".") or (base / name).is_dir()):
            update["base_model"] = str((base / name).resolve())
        data = self.sft_dataset
        if data is not None and "://" not in data.uri and not Path(data.uri).is_absolute():
            update["sft_dataset"] = data.model_copy(update={"uri": str(base / data.uri)})
        return self.model_copy(update=update)
