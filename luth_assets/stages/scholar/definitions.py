"""Scholar stage assets: exam_pdfs, exam_texts, scholar_items, scholar_items_clean."""

import dagster as dg


def build_defs(ctx) -> dg.Definitions:
    return dg.Definitions()
