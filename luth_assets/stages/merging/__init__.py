"""Merging stage (issue 7): merged models (partition per recipe) and the FR/EN Pareto choice."""
