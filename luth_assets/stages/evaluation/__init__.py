"""Evaluation stage (issue 8): benchmark registry, per-sample scores, the score table."""
