"""Training stage (issue 6): tiny/real base model and the SFT checkpoint (through Dagster Pipes)."""
