"""Bilingual evaluation of causal LMs: the paper's six benchmarks in French and English, with the
Luth authors' protocol.

Plain Python (no Dagster): `registry` names the twelve benchmarks, `protocol` renders each one's
prompt and names its metric (the authors' French tasks, lighteval 0.10's English ones), `items`
loads rows in the hub datasets' columns, `chat` builds what the model reads (chat template, system
prompt, thinking switch), `loglik` scores multiple choice by log-likelihood, `generation` decodes
greedily, `extraction` reads answers back (lighteval's extractive match), `ifeval` checks
instructions with lm-eval's IFEval checkers, `language_loss` measures held-out loss, `published`
holds the model cards' scores, `tables` builds the score table, `runner` ties them together,
`dump` writes prompts and `cli` is `luth eval`.
"""
