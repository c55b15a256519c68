"""Evaluation stage: benchmark registry, per-sample scores, the score table."""
