"""Curation stage assets: `gold/sft_mix` + `gold/sft_mix_rejects` and their checks.

Inputs (deps, read from where the lake IO manager writes them): `silver/judged_samples`
(gathered + translated) and `silver/scholar_items_clean`; `gold/benchmark_items` (every
partition) for decontamination; the base model's tokenizer (`models/base_model`, or `training.base_model`) for
token counts. Outputs beside the table: `gold/sft_mix_dataset/{train,validation}.parquet` (read by
`datasets.load_dataset("parquet", ...)` and the training stage), `gold/sft_mix_card.md` and
`gold/sft_mix_token_lengths.png`.
"""

from pathlib import Path

import dagster as dg
import polars as pl

from luth_assets.lib.lake import write_parquet_atomic
from luth_assets.lib.models import BASE, resolve_model
from luth_assets.resources import LakeResource
from luth_assets.stages import keys
from luth_assets.stages.curation import checks
from luth_assets.stages.curation.build_mix import build_sft_mix
from luth_assets.stages.curation.chat_schema import (
    apply_system_prompt,
    judged_candidates,
    scholar_candidates,
)
from luth_assets.stages.curation.data_card import (
    composition,
    markdown_table,
    plot_token_lengths,
    reject_reasons,
    render_data_card,
)
from luth_assets.stages.curation.decontaminate import BenchmarkIndex, build_benchmark_index
from luth_assets.stages.curation.tokens import load_tokenizer

GROUP = "curation"
MIX_KEY = keys.SFT_MIX
REJECTS_KEY = dg.AssetKey(["gold", "sft_mix_rejects"])
JUDGED_KEY = keys.JUDGED_SAMPLES
SCHOLAR_KEY = keys.SCHOLAR_ITEMS_CLEAN
BENCHMARK_KEY = keys.BENCHMARK_ITEMS
BASE_MODEL_KEY = keys.BASE_MODEL
DATASET_FOLDER = ("gold", "sft_mix_dataset")
CARD_NAME = "sft_mix_card.md"
PLOT_NAME = "sft_mix_token_lengths.png"


def lake_table(lake_root: Path, key: dg.AssetKey) -> pl.LazyFrame:
    """An unpartitioned upstream table, read where the lake IO manager writes it.

    Read from the lake rather than through asset inputs so that the curation stage loads even
    when the stage producing an input is not defined in this build (deps tolerate that)."""
    path = lake_root.joinpath(*key.path).with_suffix(".parquet")
    if not path.is_file():
        raise FileNotFoundError(f"input table {key.to_user_string()} is not in the lake ({path} "
                                "missing): materialise it first")
    return pl.scan_parquet(path)


def read_benchmark_items(lake_root: Path, required: bool = True) -> pl.DataFrame:
    """Every partition of `gold/benchmark_items` (or the unpartitioned table)."""
    folder = lake_root / "gold" / "benchmark_items"
    files = sorted(str(p) for p in folder.glob("*.parquet") if not p.name.startswith("."))
    single = lake_root / "gold" / "benchmark_items.parquet"
    if not files and single.is_file():
        files = [str(single)]
    if not files:
        if required:
            raise FileNotFoundError(
                f"no benchmark items under {folder}: materialise gold/benchmark_items first "
                "(or set curation.decontamination.require_benchmarks: false to skip "
                "decontamination)")
        return pl.DataFrame(schema={"benchmark": pl.String, "item_id": pl.String,
                                    "question": pl.String, "answer": pl.String,
                                    "choices": pl.List(pl.String)})
    return pl.read_parquet(files, allow_missing_columns=True)


def write_dataset_folder(mix: pl.DataFrame, folder: Path) -> dict[str, str]:
    """`train.parquet` and `validation.parquet`, readable by `datasets.load_dataset("parquet")`."""
    paths = {}
    for split in ("train", "validation"):
        path = folder / f"{split}.parquet"
        write_parquet_atomic(mix.filter(pl.col("split") == split), path)
        paths[split] = str(path)
    return paths


def build_defs(ctx) -> dg.Definitions:
    config = ctx.config
    cfg = config.curation

    def benchmark_index(lake: LakeResource) -> BenchmarkIndex:
        items = read_benchmark_items(lake.path, cfg.decontamination.require_benchmarks)
        return build_benchmark_index(items, cfg.decontamination)

    @dg.multi_asset(
        group_name=GROUP,
        name="sft_mix",
        outs={
            "kept": dg.AssetOut(
                key=MIX_KEY, code_version="1",
                description="The SFT mix: one chat schema, deduplicated (exact + MinHash LSH), "
                "decontaminated against every benchmark, token counts, weighted, train/validation."),
            "rejected": dg.AssetOut(
                key=REJECTS_KEY, code_version="1",
                description="Every candidate row left out, with the stage and reason (duplicate_of, "
                "benchmark and benchmark row, token count)."),
        },
        deps=[JUDGED_KEY, SCHOLAR_KEY, BENCHMARK_KEY, BASE_MODEL_KEY],
    )
    def sft_mix(context: dg.AssetExecutionContext, lake: LakeResource):
        judged, scholar = lake_table(lake.path, JUDGED_KEY), lake_table(lake.path, SCHOLAR_KEY)
        candidates = apply_system_prompt(pl.concat(
            [judged_candidates(judged), scholar_candidates(scholar)], how="vertical_relaxed"),
            cfg.system_prompt)
        staged = lake.staging_file("sft_mix-candidates")
        candidates.sink_parquet(staged)
        frame = pl.scan_parquet(staged)
        repeated = frame.group_by("sample_id").len().filter(pl.col("len") > 1).collect()
        if repeated.height:
            raise ValueError(f"{repeated.height} sample_id(s) appear more than once across "
                             f"judged_samples and scholar_items_clean, e.g. "
                             f"{repeated['sample_id'].head(3).to_list()}")
        index = benchmark_index(lake)
        context.log.info(f"benchmark index: {index.grams.height} n-grams from "
                         f"{index.items_by_benchmark}")
        base = resolve_model(config, lake.root, BASE)
        tokenizer = load_tokenizer(base)
        result = build_sft_mix(frame, index, cfg, tokenizer, log=context.log.info,
                               staging=lake.staging_file)
        staged.unlink(missing_ok=True)

        gold = lake.folder("gold")
        dataset = write_dataset_folder(result.mix, lake.folder(*DATASET_FOLDER))
        plot_token_lengths(result.mix, gold / PLOT_NAME)
        params = {"benchmarks checked (items)": index.items_by_benchmark,
                  "decontamination": f"{cfg.decontamination.ngram}-grams of normalised words "
                  f"(whole text for benchmark texts of {cfg.decontamination.min_words}+ words)",
                  "system prompt policy": cfg.system_prompt.policy,
                  "tokenizer": base, "max_tokens": cfg.max_tokens,
                  "mixing": cfg.mixing.model_dump()}
        card = render_data_card(result, params, PLOT_NAME, config.language_id.backend)
        (gold / CARD_NAME).write_text(card, encoding="utf-8")
        distinct = result.mix.filter(pl.col("copy") == 0).height
        yield dg.Output(result.mix, output_name="kept", metadata={
            "input_rows": result.input_rows, "distinct_rows": distinct,
            "rows_with_copies": result.mix.height,
            "tokens": int(result.mix["n_tokens"].sum() or 0),
            "composition": dg.MetadataValue.md(_md(composition(result.mix))),
            "data_card": dg.MetadataValue.md(card),
            "data_card_path": dg.MetadataValue.path(str(gold / CARD_NAME)),
            "token_length_plot": dg.MetadataValue.path(str(gold / PLOT_NAME)),
            "dataset_folder": dg.MetadataValue.json(dataset),
            "near_dedup_threshold": result.dedup.threshold,
            "funnel": dg.MetadataValue.json(result.steps),
        })
        reasons = reject_reasons(result.rejects)
        yield dg.Output(result.rejects, output_name="rejected", metadata={
            "rejected_rows": result.rejects.height,
            "reasons": dg.MetadataValue.md(_md(reasons)),
            "reasons_json": dg.MetadataValue.json(
                {f"{s}:{r}": n for s, r, n in reasons.iter_rows()}),
        })

    def result(outcome: checks.Check) -> dg.AssetCheckResult:
        passed, metadata = outcome
        return dg.AssetCheckResult(passed=passed, metadata={
            k: v if isinstance(v, int | float | str) else dg.MetadataValue.json(v)
            for k, v in metadata.items()})

    @dg.asset_check(asset=MIX_KEY, blocking=True, description="columns and types of the mix")
    def sft_mix_schema(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
        return result(checks.check_schema(sft_mix))

    @dg.asset_check(asset=MIX_KEY, blocking=True,
                    description="roles: optional system first, user/assistant alternating, ending "
                    "with assistant")
    def sft_mix_chat_roles(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
        return result(checks.check_chat_roles(sft_mix))

    @dg.asset_check(asset=MIX_KEY, blocking=True, description="no empty or whitespace-only turn")
    def sft_mix_no_empty_turns(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
        return result(checks.check_no_empty_turns(sft_mix))

    @dg.asset_check(asset=MIX_KEY, blocking=True,
                    description="zero exact duplicates (normalised dialogue), weighted copies aside")
    def sft_mix_no_exact_duplicates(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
        return result(checks.check_no_exact_duplicates(sft_mix))

    @dg.asset_check(asset=MIX_KEY, blocking=True,
                    description="zero rows sharing an n-gram with a benchmark item")
    def sft_mix_no_contamination(sft_mix: pl.DataFrame, lake: LakeResource
                                 ) -> dg.AssetCheckResult:
        return result(checks.check_no_contamination(sft_mix, benchmark_index(lake)))

    @dg.asset_check(asset=MIX_KEY, blocking=True,
                    description=f"every row at most curation.max_tokens ({cfg.max_tokens}) tokens")
    def sft_mix_token_lengths(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
        return result(checks.check_token_lengths(sft_mix, cfg.max_tokens))

    @dg.asset_check(asset=MIX_KEY, blocking=False,
                    description=f"share of rows detected as '{config.target_language}' >= "
                    f"{cfg.min_target_language_share}")
    def sft_mix_target_language(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
        return result(checks.check_target_language(
            sft_mix, config.target_language, cfg.min_target_language_share,
            config.language_id.seed))

    @dg.asset_check(
        asset=MIX_KEY, blocking=True,
        additional_ins={"rejected": dg.AssetIn(key=REJECTS_KEY)},
        description="input rows (judged + scholar) = kept + rejected, every sample_id once")
    def sft_mix_reconcile(sft_mix: pl.DataFrame, rejected: pl.DataFrame, lake: LakeResource
                          ) -> dg.AssetCheckResult:
        ids = pl.concat([lake_table(lake.path, key).select("sample_id")
                         for key in (JUDGED_KEY, SCHOLAR_KEY)]).collect()
        return result(checks.check_reconcile(ids["sample_id"], sft_mix, rejected))

    return dg.Definitions(
        assets=[sft_mix],
        asset_checks=[sft_mix_schema, sft_mix_chat_roles, sft_mix_no_empty_turns,
                      sft_mix_no_exact_duplicates, sft_mix_no_contamination,
                      sft_mix_token_lengths, sft_mix_target_language, sft_mix_reconcile],
    )


def _md(frame: pl.DataFrame) -> str:
    return markdown_table(frame) if frame.height else "none"
