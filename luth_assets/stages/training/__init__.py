"""Training stage: tiny/real base model and the SFT checkpoint (through Dagster Pipes)."""
