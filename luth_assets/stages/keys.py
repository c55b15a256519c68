"""Asset keys that cross stage boundaries (the contract in docs/tables.md), defined once.

The owning stage and its consumers both import them from here, so a consumer never depends on
importing another stage's definitions (and no import cycle appears between stages).
"""

import dagster as dg

RAW_MULTILINGUAL = dg.AssetKey(["bronze", "raw_multilingual"])
JUDGED_SAMPLES = dg.AssetKey(["silver", "judged_samples"])
SCHOLAR_ITEMS_CLEAN = dg.AssetKey(["silver", "scholar_items_clean"])
SFT_MIX = dg.AssetKey(["gold", "sft_mix"])
BENCHMARK_ITEMS = dg.AssetKey(["gold", "benchmark_items"])
SCORE_TABLE = dg.AssetKey(["gold", "score_table"])
BASE_MODEL = dg.AssetKey(["models", "base_model"])
SFT_CHECKPOINT = dg.AssetKey(["models", "sft_checkpoint"])
MERGED_MODELS = dg.AssetKey(["models", "merged_models"])
