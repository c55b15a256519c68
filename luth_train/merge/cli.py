"""`luth merge RECIPE.yaml OUT_DIR`: merge, validate, print one JSON line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from luth_train.merge.errors import MergeError
from luth_train.merge.recipes import resolve_recipe
from luth_train.merge.run import MergeRunOptions, merge


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="luth merge",
        description="Merge a fine-tuned model with its base using mergekit, then validate it.",
    )
    parser.add_argument("recipe", help="our recipe YAML (method/alpha/...) or a mergekit YAML")
    parser.add_argument("out_dir", help="output folder for the merged model")
    parser.add_argument("--base-model", metavar="PATH_OR_ID",
                        help="the base model; fills BASE_MODEL in a recipe (or overrides its base)")
    parser.add_argument("--finetuned-model", metavar="PATH_OR_ID",
                        help="the fine-tuned model; fills FINETUNED_MODEL in a recipe (or overrides it)")
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty out_dir")
    parser.add_argument("--no-validate", action="store_true", help="skip post-merge validation")
    parser.add_argument("--print-yaml", action="store_true", help="print the mergekit YAML and exit")
    parser.add_argument("--out-shard-size", type=int, default=MergeRunOptions().out_shard_size,
                        metavar="BYTES",
                        help="largest safetensors shard mergekit writes, in bytes (default %(default)s)")
    parser.add_argument("--threads", type=int, default=None, metavar="N",
                        help="torch threads for the merge (default: torch's own choice, all cores)")
    parser.add_argument("--in-process", action="store_true", help="run mergekit here, not in a child process")
    parser.add_argument(
        "--stream-rows-min-bytes", type=int, default=MergeRunOptions().stream_rows_min_bytes,
        help="linear merges of tensors this large run in row blocks (0: never)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        if args.print_yaml:
            print(resolve_recipe(args.recipe, base_model=args.base_model,
                                 finetuned_model=args.finetuned_model).mergekit_yaml)
            return 0
        result = merge(
            args.recipe,
            args.out_dir,
            options=MergeRunOptions(
                out_shard_size=args.out_shard_size,
                num_threads=args.threads,
                in_process=args.in_process,
                stream_rows_min_bytes=args.stream_rows_min_bytes or None,
            ),
            base_model=args.base_model,
            finetuned_model=args.finetuned_model,
            validate=not args.no_validate,
            overwrite=args.overwrite,
        )
    except MergeError as e:
        print(f"luth merge: {e}", file=sys.stderr)
        return 1
    summary = {k: v for k, v in result.to_dict().items() if k not in ("mergekit_yaml", "validation")}
    print(json.dumps(summary))
    return 0

