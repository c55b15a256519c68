"""Bilingual evaluation of causal LMs: the paper's six benchmarks in French and English.

Plain Python (no Dagster): `registry` names the twelve benchmarks, `items` loads and normalises
their rows, `templates` renders prompts, `loglik` scores multiple choice by log-likelihood,
`generation` answers with the chat template at temperature 0, `extraction` reads answers back
(lighteval's extractive match for letters and maths), `ifeval` checks instructions with
lm-eval's IFEval checkers, `runner` ties them together and `cli` is `luth eval`.
"""
