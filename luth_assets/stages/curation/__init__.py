"""Curation stage: the SFT mix: dedup, decontamination, mixing, split, data card."""
