"""Merging stage assets: merged_models, best_merge."""

import dagster as dg


def build_defs(ctx) -> dg.Definitions:
    return dg.Definitions()
