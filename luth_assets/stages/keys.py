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
ENGLISH_SEED_PROMPTS = dg.AssetKey(["bronze", "english_seed_prompts"])
TRANSLATED_PROMPTS = dg.AssetKey(["silver", "translated_prompts"])
REGENERATED_RESPONSES = dg.AssetKey(["silver", "regenerated_responses"])
SCHOLAR_ITEMS = dg.AssetKey(["silver", "scholar_items"])
LLM_CALLS = dg.AssetKey(["ops", "llm_calls"])


# The target-language slice is named after the language: silver/french_slices for fr.
LANGUAGE_NAMES = {
    "fr": "french", "en": "english", "es": "spanish", "de": "german", "it": "italian",
    "pt": "portuguese", "nl": "dutch", "ca": "catalan", "ro": "romanian", "pl": "polish",
}


def slice_table_name(target_language: str) -> str:
    """`french_slices` for fr, `spanish_slices` for es, `<code>_slices` otherwise."""
    return f"{LANGUAGE_NAMES.get(target_language, target_language)}_slices"


def slices_key(target_language: str) -> dg.AssetKey:
    """Key of the target-language slice (`silver/french_slices` for fr)."""
    return dg.AssetKey(["silver", slice_table_name(target_language)])


def slice_rejects_key(target_language: str) -> dg.AssetKey:
    return dg.AssetKey(["silver", f"{slice_table_name(target_language)}_rejects"])
