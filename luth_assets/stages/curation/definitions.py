"""Curation stage assets: sft_mix."""

import dagster as dg


def build_defs(ctx) -> dg.Definitions:
    return dg.Definitions()
