"""Curation stage (issue 5): the SFT mix: dedup, decontamination, mixing, split, data card."""
