"""Training stage assets: `models/base_model` and `models/sft_checkpoint`.

`models/base_model` is one of two assets, chosen by `definitions.py`: `demo_base_model` builds the
demo's tiny Qwen3 base (tokenizer trained on the raw demo text, short English pre-training) when
`training.base_model` is unset (it depends on `bronze/raw_multilingual`); `named_base_model`
records the hub id / local path `training.base_model` names (nothing is downloaded here).
`sft_checkpoint` trains on `gold/sft_mix` in a separate process launched through Dagster Pipes
(subprocess, `accelerate launch` or a k8s pod, by config) and skips the launch when the existing
checkpoint was made from the same inputs, config and code. With `training.sft_dataset` set,
`published_sft_checkpoint` takes its place: it trains on that published dataset (the authors'
Luth-SFT) as it is, and depends on no data stage.
"""

import re
import shutil
from pathlib import Path

import dagster as dg
import polars as pl

from luth_assets.lib.lake import relative_to_lake
from luth_assets.lib.models import (
    BASE,
    base_model_dir,
    resolve_model,
    sft_checkpoint_dir,
    training_runs_dir,
)
from luth_assets.resources import LakeResource
from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_assets.stages.training import base_model as tiny_base
from luth_assets.stages.training.checkpoints import (
    base_model_identity,
    read_record,
    up_to_date,
    write_record,
)
from luth_assets.stages.training.launch import run_training
from luth_assets.stages.training.sft_run import CODE_VERSION, plan_run
from luth_train.cards import push_folder
from luth_train.sft_dataset import read_sft_dataset

GROUP = "training"


def skipped(path: Path, why: str, lake_root: str) -> dg.MaterializeResult:
    """The materialisation of a checkpoint left as it is: its record's hash, fingerprint, metrics;
    its path relative to the lake root (`models/sft_checkpoint`)."""
    record = read_record(path) or {}
    meta = {"skipped": True, "skip_reason": why, "checkpoint_path": relative_to_lake(path, lake_root),
            "checkpoint_sha256": record.get("checkpoint_sha256", ""),
            "fingerprint": record.get("fingerprint", "")}
    meta.update({k: v for k, v in (record.get("metrics") or {}).items() if v is not None})
    return dg.MaterializeResult(metadata=meta,
                                data_version=dg.DataVersion(record.get("fingerprint", "")))


@dg.asset(
    key=keys.BASE_MODEL, group_name=GROUP, code_version=tiny_base.CODE_VERSION,
    deps=[keys.RAW_MULTILINGUAL],
    description="The demo's tiny Qwen3 base: byte-level BPE tokenizer trained on the raw demo "
    "text, Qwen chat template, short pre-training on the English rows.",
)
def demo_base_model(context: dg.AssetExecutionContext, lake: LakeResource,
                    run_config: dg.ResourceParam[RunConfig]) -> dg.MaterializeResult:
    tiny = run_config.training.tiny
    frame = lake.read(keys.RAW_MULTILINGUAL).select("messages", "language").collect()
    texts = tiny_base.raw_texts(frame)
    pretrain = tiny_base.raw_texts(frame, tiny.pretrain_language)
    out = base_model_dir(lake.path)
    wanted = tiny_base.tiny_fingerprint(tiny, texts, pretrain)
    fresh, why = up_to_date(out, wanted)
    if fresh:
        context.log.info(f"base model up to date, not rebuilt: {why}")
        return skipped(out, why, lake.path)
    context.log.info(f"building the tiny base: {len(texts)} tokenizer rows, "
                     f"{len(pretrain)} pre-training rows ({tiny.pretrain_language})")
    stats = tiny_base.build_demo_base(out, texts, pretrain, tiny, wanted,
                                      threads=run_config.training.threads or 1)
    context.log.info(f"tiny base built in {stats['seconds']}s: {stats}")
    return dg.MaterializeResult(
        metadata={"checkpoint_path": relative_to_lake(out, lake.path), "skipped": False,
                  "fingerprint": wanted,
                  **{k: v for k, v in stats.items() if v is not None},
                  "architecture": dg.MetadataValue.json(tiny.model_dump())},
        data_version=dg.DataVersion(wanted))


@dg.asset(key=keys.BASE_MODEL, group_name=GROUP, code_version="1",
          description="The base model named by training.base_model (hub id or local path).")
def named_base_model(context: dg.AssetExecutionContext, run_config: dg.ResourceParam[RunConfig]
                     ) -> dg.MaterializeResult:
    name = run_config.training.base_model
    identity = base_model_identity(name)
    local = Path(name).is_dir()
    context.log.info(f"base model {name} "
                     f"({'local folder' if local else 'hub id; not downloaded here'})")
    return dg.MaterializeResult(
        metadata={"base_model": name, "local": local, "identity": identity},
        data_version=dg.DataVersion(identity))


def train_sft(context: dg.AssetExecutionContext, lake: LakeResource, run_config: RunConfig,
              rows) -> dg.MaterializeResult:
    """Plan the run on `rows` (sample_id, messages, split), skip it when the checkpoint matches,
    else launch it through Pipes."""
    settings = run_config.training
    base = resolve_model(run_config, lake.path, BASE)
    plan = plan_run(settings, base, rows, training_runs_dir(lake.path))
    out = sft_checkpoint_dir(lake.path)
    fresh, why = up_to_date(out, plan.fingerprint)
    if fresh:
        context.log.info(f"sft checkpoint up to date, training skipped: {why}")
        shutil.rmtree(plan.run_dir, ignore_errors=True)
        return skipped(out, why, lake.path)
    context.log.info(f"training on {plan.n_train} train / {plan.n_validation} validation rows "
                     f"(fingerprint {plan.fingerprint[:12]}; {why})")
    data, datasets = training_data(run_config)
    result = run_training(context, settings, {
        "train_config": plan.train_config, "final_dir": str(out), "fingerprint": plan.fingerprint,
        "record": {"parts": plan.parts, "base_model": base, "n_rows": plan.n_rows},
        "data": data, "datasets": datasets,
    })
    shutil.rmtree(plan.run_dir, ignore_errors=True)  # checkpoints for resume are no longer needed
    if settings.push_to_hub:
        context.log.info(f"pushed to {push_folder(out, settings.push_to_hub, 'model')}")
        # the merges' cards name the SFT by this hub id (luth_train.cards.hub_id reads it)
        write_record(out, {**(read_record(out) or {}), "hub_id": settings.push_to_hub})
    return result


def training_data(run_config: RunConfig) -> tuple[str, list[str]]:
    """What the SFT card says it was trained on, and the hub ids of that data (its `datasets:`)."""
    published = run_config.training.sft_dataset
    if published is not None:
        found = re.match(r"^hf://datasets/([^/]+/[^/]+)", published.uri)
        return published.uri, [found.group(1)] if found else []
    hub = run_config.curation.dataset_hub_id()
    return "gold/sft_mix (its train and validation splits)", [hub] if hub else []


@dg.asset(
    key=keys.SFT_CHECKPOINT, group_name=GROUP, code_version=CODE_VERSION,
    deps=[keys.BASE_MODEL, keys.SFT_MIX],
    description="Full-parameter SFT of the base on gold/sft_mix (assistant-only loss, packing), "
    "run through Dagster Pipes; skipped when inputs, config and code are unchanged.",
)
def sft_checkpoint(context: dg.AssetExecutionContext, lake: LakeResource,
                   run_config: dg.ResourceParam[RunConfig]) -> dg.MaterializeResult:
    return train_sft(context, lake, run_config, lake.read(keys.SFT_MIX))


@dg.asset(
    key=keys.SFT_CHECKPOINT, group_name=GROUP, code_version=CODE_VERSION,
    deps=[keys.BASE_MODEL],
    description="Full-parameter SFT of the base on the published dataset `training.sft_dataset` "
    "names (the authors' Luth-SFT), read as it is: no generation, no curation; through Pipes.",
)
def published_sft_checkpoint(context: dg.AssetExecutionContext, lake: LakeResource,
                             run_config: dg.ResourceParam[RunConfig]) -> dg.MaterializeResult:
    data = run_config.training.sft_dataset
    rows = read_sft_dataset(data.uri, name=data.name, messages=data.messages,
                            validation_share=data.validation_share)
    per_source = rows.group_by("source").len().sort("source")
    context.log.info(f"{data.uri}: {rows.height} rows in {per_source.height} component(s)")
    context.add_output_metadata({
        "sft_dataset": data.uri, "dataset_rows": rows.height,
        "dataset_components": dg.MetadataValue.json(dict(per_source.iter_rows())),
        "dataset_rows_without_turns": rows.filter(pl.col("messages").is_null()).height})
    return train_sft(context, lake, run_config, rows)
