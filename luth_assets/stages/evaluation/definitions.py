"""Evaluation stage assets: benchmark_items, benchmark_scores, score_table."""

import dagster as dg


def build_defs(ctx) -> dg.Definitions:
    return dg.Definitions()
