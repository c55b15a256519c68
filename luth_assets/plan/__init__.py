"""`luth plan`: an offline dry run of a run configuration (rows, LLM calls, tokens, cost,
training steps, GPU-hours and disk), computed without touching the network."""
