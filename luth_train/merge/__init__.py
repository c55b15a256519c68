"""Merge a fine-tuned model back with its base (Luth §3.3), with mergekit as the engine.

We never re-implement merge maths: a recipe becomes mergekit YAML and mergekit runs it (in a child
process, so its peak memory is measurable and a crash cannot take the caller down). Around it we
own what mergekit does not:

* our recipe shorthand (`MergeRecipe`): method ``linear`` (LERP) or ``slerp``, coefficient alpha
  (weight of the fine-tuned model; 0 = base, 1 = fine-tuned), SLERP per-filter t gradients
  (the authors': ``self_attn [0, 0.5, 0.3, 0.7, 1]``, ``mlp [1, 0.5, 0.7, 0.3, 0]``), dtype.
  A mergekit YAML file (e.g. the authors' ``merge_linear.yaml`` / ``merge_slerp.yaml``) is
  accepted unchanged;
* tokenizer and chat template copied from the fine-tuned model;
* post-merge validation (mergekit has shipped silent architecture bugs, e.g. Qwen3 ``v_proj``
  left out): same tensor names and shapes as the base, no tensor that looks like a fresh
  initialisation, tokenizer/chat template from the fine-tuned model, loads with transformers and
  generates. Any failure raises `MergeValidationError` naming the reason;
* a record of the run: mergekit YAML, output hash, size, wall time, peak RSS.

No Dagster import here: this is usable from a notebook or the ``luth merge`` CLI.

Modules: `recipes` (recipe shorthand -> mergekit YAML), `run` (running mergekit, the run record),
`validate` (post-merge validation), `model_files` (tokenizer copy, weight files, output hash),
`errors`, `cli` (``luth merge``). The child process mergekit runs in is `luth_train.merge_worker`
(with `luth_train.merge_rows`); they stay outside this package so that starting it imports only
the standard library before mergekit (its import footprint is part of the measured peak RSS).
"""

from luth_train.merge.cli import main
from luth_train.merge.errors import MergeError, MergeValidationError
from luth_train.merge.model_files import (
    TOKENIZER_FILES,
    WEIGHT_SUFFIXES,
    copy_tokenizer,
    output_digest,
    weight_files,
)
from luth_train.merge.recipes import (
    AUTHORS_SLERP_MLP,
    AUTHORS_SLERP_SELF_ATTN,
    MergeRecipe,
    ResolvedRecipe,
    resolve_recipe,
    sweep_recipes,
)
from luth_train.merge.run import MergeResult, MergeRunOptions, merge, run_mergekit
from luth_train.merge.validate import ValidationReport, validate_merged

__all__ = [
    "AUTHORS_SLERP_MLP", "AUTHORS_SLERP_SELF_ATTN", "TOKENIZER_FILES", "WEIGHT_SUFFIXES",
    "MergeError", "MergeRecipe", "MergeResult", "MergeRunOptions", "MergeValidationError",
    "ResolvedRecipe", "ValidationReport", "copy_tokenizer", "main", "merge", "output_digest",
    "resolve_recipe", "run_mergekit", "sweep_recipes", "validate_merged", "weight_files",
]
