"""Merging stage: merged models (partition per recipe) and the FR/EN Pareto choice."""
