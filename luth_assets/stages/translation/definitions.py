"""Translation stage assets: english_seed_prompts, translated_prompts, regenerated_responses,
judged_samples."""

import dagster as dg


def build_defs(ctx) -> dg.Definitions:
    return dg.Definitions()
