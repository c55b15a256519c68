"""Training stage assets: `models/base_model` and `models/sft_checkpoint`.

`base_model` builds the demo's tiny Qwen3 base (tokenizer trained on the raw demo text, short
English pre-training) when `training.base_model` is unset, else records the hub id / local path
(nothing is downloaded here). `sft_checkpoint` trains on `gold/sft_mix` in a separate process
launched through Dagster Pipes (subprocess, `accelerate launch` or a k8s pod, by config) and
skips the launch when the existing checkpoint was made from the same inputs, config and code.
"""

import shutil
from pathlib import Path

import dagster as dg
import polars as pl

from luth_assets.lib.models import base_model_dir, sft_checkpoint_dir
from luth_assets.resources import LakeResource
from luth_assets.stages import keys
from luth_assets.stages.training import base_model as tiny_base
from luth_assets.stages.training.checkpoints import base_model_identity, read_record, up_to_date
from luth_assets.stages.training.launch import run_training
from luth_assets.stages.training.sft_run import CODE_VERSION, plan_run

GROUP = "training"
BASE_KEY = keys.BASE_MODEL
SFT_KEY = keys.SFT_CHECKPOINT
SFT_MIX_KEY = keys.SFT_MIX
RAW_KEY = keys.RAW_MULTILINGUAL


def read_table(lake: LakeResource, key: dg.AssetKey) -> pl.LazyFrame:
    """A lake table read by path (the stage that writes it may not be defined in this run's
    configuration, so it is a dependency rather than an IO-managed input)."""
    single = lake.path.joinpath(*key.path).with_suffix(".parquet")
    if single.is_file():
        return pl.scan_parquet(single)
    folder = lake.path.joinpath(*key.path)
    parts = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith(".")) \
        if folder.is_dir() else []
    if not parts:
        raise FileNotFoundError(f"{key.to_user_string()} is not materialised in the lake ({single})")
    return pl.concat([pl.scan_parquet(p) for p in parts], how="diagonal_relaxed")


def _skipped(path: Path, why: str) -> dg.MaterializeResult:
    record = read_record(path) or {}
    meta = {"skipped": True, "skip_reason": why, "checkpoint_path": str(path),
            "checkpoint_sha256": record.get("checkpoint_sha256", ""),
            "fingerprint": record.get("fingerprint", "")}
    meta.update({k: v for k, v in (record.get("metrics") or {}).items() if v is not None})
    return dg.MaterializeResult(metadata=meta, data_version=dg.DataVersion(record.get("fingerprint", "")))


def _demo_base_asset(config) -> dg.AssetsDefinition:
    tiny = config.training.tiny

    @dg.asset(
        key=BASE_KEY, group_name=GROUP, code_version=tiny_base.CODE_VERSION,
        deps=[RAW_KEY],
        description="The demo's tiny Qwen3 base: byte-level BPE tokenizer trained on the raw demo "
        "text, Qwen chat template, short pre-training on the English rows.",
    )
    def base_model(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        frame = read_table(lake, RAW_KEY).select("messages", "language").collect()
        texts = tiny_base.raw_texts(frame)
        pretrain = tiny_base.raw_texts(frame, tiny.pretrain_language)
        out = base_model_dir(lake.path)
        wanted = tiny_base.tiny_fingerprint(tiny, texts, pretrain)
        fresh, why = up_to_date(out, wanted)
        if fresh:
            context.log.info(f"base model up to date, not rebuilt: {why}")
            return _skipped(out, why)
        context.log.info(f"building the tiny base: {len(texts)} tokenizer rows, "
                         f"{len(pretrain)} pre-training rows ({tiny.pretrain_language})")
        stats = tiny_base.build_demo_base(out, texts, pretrain, tiny, wanted,
                                             threads=config.training.threads or 1)
        context.log.info(f"tiny base built in {stats['seconds']}s: {stats}")
        return dg.MaterializeResult(
            metadata={"checkpoint_path": str(out), "skipped": False, "fingerprint": wanted,
                      **{k: v for k, v in stats.items() if v is not None},
                      "architecture": dg.MetadataValue.json(tiny.model_dump())},
            data_version=dg.DataVersion(wanted))

    return base_model


def _named_base_asset(name: str) -> dg.AssetsDefinition:
    @dg.asset(key=BASE_KEY, group_name=GROUP, code_version="1",
              description="The base model named by training.base_model (hub id or local path).")
    def base_model(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        identity = base_model_identity(name)
        local = Path(name).is_dir()
        context.log.info(f"base model {name} ({'local folder' if local else 'hub id; not downloaded here'})")
        return dg.MaterializeResult(
            metadata={"base_model": name, "local": local, "identity": identity},
            data_version=dg.DataVersion(identity))

    return base_model


def build_defs(ctx) -> dg.Definitions:
    config = ctx.config
    settings = config.training
    base_asset = (_named_base_asset(settings.base_model) if settings.base_model
                  else _demo_base_asset(config))

    @dg.asset(
        key=SFT_KEY, group_name=GROUP, code_version=CODE_VERSION, deps=[BASE_KEY, SFT_MIX_KEY],
        description="Full-parameter SFT of the base on gold/sft_mix (assistant-only loss, packing), "
        "run through Dagster Pipes; skipped when inputs, config and code are unchanged.",
    )
    def sft_checkpoint(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        sft_mix = read_table(lake, SFT_MIX_KEY)
        base = settings.base_model or str(base_model_dir(lake.path))
        plan = plan_run(settings, base, sft_mix, lake.path / "models" / ".runs")
        out = sft_checkpoint_dir(lake.path)
        fresh, why = up_to_date(out, plan.fingerprint)
        if fresh:
            context.log.info(f"sft checkpoint up to date, training skipped: {why}")
            shutil.rmtree(plan.run_dir, ignore_errors=True)
            return _skipped(out, why)
        context.log.info(f"training on {plan.n_train} train / {plan.n_validation} validation rows "
                         f"(fingerprint {plan.fingerprint[:12]}; {why})")
        result = run_training(context, settings, {
            "train_config": plan.train_config, "final_dir": str(out), "fingerprint": plan.fingerprint,
            "record": {"parts": plan.parts, "base_model": base, "n_rows": plan.n_rows},
        })
        shutil.rmtree(plan.run_dir, ignore_errors=True)  # checkpoints for resume are no longer needed
        return result

    return dg.Definitions(assets=[base_asset, sft_checkpoint])
