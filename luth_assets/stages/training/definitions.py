"""Training stage assets: base_model, sft_checkpoint."""

import dagster as dg


def build_defs(ctx) -> dg.Definitions:
    return dg.Definitions()
