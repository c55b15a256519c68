"""`luth eval`: score a model on benchmarks, or score given IFEval responses.

    luth eval --model PATH_OR_ID --benchmarks NAME[,NAME] [--limit N] [--output FILE]
              [--euroeval-export OUT.jsonl]
    luth eval --dump-prompts OUT.jsonl --benchmarks NAMES [--path NAME=FILE[:FORMAT]] [--limit N]
              [--config FILE] [--tokenizer PATH]
    luth eval ifeval-score --prompts FILE.jsonl --responses FILE.jsonl [--output FILE]

Benchmark names are the registry's (`arc_challenge_fr`, ...), a task name for both languages
(`mmlu`), or `all`. Local benchmark files come from the `evaluation.benchmarks` section of the run
configuration (`--config`, default `$LUTH_CONFIG` or data_lake/landing/luth.yaml when present);
`--path NAME=FILE[:FORMAT]` overrides one (without `:FORMAT` the file is read in the hub dataset's
own columns). Without a local file, the hub id is used. The protocol settings (chat template,
system prompt, thinking, runs, max_new_tokens, hellaswag_fr_scoring, gpqa_order, math_scoring)
come from the same section, with the authors' defaults; a flag overrides one.

`--dump-prompts` needs no model: one JSON row per item (benchmark, item_id, query, instruction,
choices, gold_index, generation_size, metric, and with `--tokenizer` the exact `model_input` after
the chat template).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_CONFIG = "data_lake/landing/luth.yaml"


def _config_section(path: str | None) -> tuple[dict, Path | None]:
    import yaml

    chosen = (
        path or os.environ.get("LUTH_CONFIG") or (DEFAULT_CONFIG if Path(DEFAULT_CONFIG).exists() else None)
    )
    if not chosen:
        return {}, None
    file = Path(chosen)
    if not file.exists():
        raise FileNotFoundError(f"run configuration {file} does not exist")
    from luth_train.evaluation.variants import apply_preset

    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return apply_preset(dict(data.get("evaluation") or {})), file.resolve().parent


def _format_summary(summaries: list[dict]) -> str:
    lines = [f"{'benchmark':<18} {'n':>5} {'score':>8} {'stderr':>8} {'runs':>4} {'std':>6}  metric"]
    for s in summaries:
        score = "-" if s["score"] is None else f"{100 * s['score']:.2f}"
        stderr = "-" if s["stderr"] is None else f"{100 * s['stderr']:.2f}"
        std = "-" if s["score_std"] is None else f"{100 * s['score_std']:.2f}"
        runs = s["num_runs"]
        lines.append(
            f"{s['benchmark']:<18} {s['n']:>5} {score:>8} {stderr:>8} {runs:>4} {std:>6}  {s['metric']}"
        )
    return "\n".join(lines)


def _published_table(results, model: str) -> str:
    """The score table of this model, with the published row and the difference when the model
    is one the paper reports (Markdown)."""
    import polars as pl

    from luth_train.evaluation.tables import score_table, scores_frame, to_markdown

    frame = pl.concat([scores_frame(r.rows, model) for r in results])
    names = [r.spec.name for r in results]
    table = score_table(frame, [model], names, base=model, identities={model: model})
    return "\n" + to_markdown(table.drop("fr_delta", "en_delta"))


def _write_rows(rows: list[dict], output: str) -> None:
    import polars as pl

    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".jsonl":
        with out.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        pl.DataFrame(rows, infer_schema_length=None).write_parquet(out)


def cmd_eval(argv: list[str]) -> int:
    from luth_train.evaluation.registry import parse_benchmark_list
    from luth_train.evaluation.runner import EvalOptions, evaluate_model
    from luth_train.evaluation.sources import specs_from_mapping

    p = argparse.ArgumentParser(
        prog="luth eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", help="local checkpoint folder or hub id (not with --dump-prompts)")
    p.add_argument("--dump-prompts", metavar="OUT.jsonl", help="write each item's prompt; no model needed")
    p.add_argument("--tokenizer", help="with --dump-prompts: add model_input through this chat template")
    p.add_argument("--benchmarks", required=True, help="comma-separated names, task names or 'all'")
    p.add_argument("--limit", type=int, default=None, help="first N items of each benchmark")
    p.add_argument("--output", help="per-sample rows to FILE (.parquet, or .jsonl)")
    p.add_argument("--euroeval-export", metavar="OUT.jsonl", default=None,
                   help="also write the scores as EuroEval results (Every Eval Ever JSON Lines)")
    p.add_argument("--config", help="run configuration whose evaluation section names local files")
    p.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="NAME=FILE[:FORMAT]",
        help="local file for one benchmark (repeatable)",
    )
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--max-new-tokens", type=int, default=None, help="every generative task's generation size")
    p.add_argument("--hellaswag-fr-scoring", choices=["authors", "first_token"], default=None)
    p.add_argument("--gpqa-order", choices=["authors", "per_run"], default=None)
    p.add_argument("--math-scoring", choices=["authors", "corrected"], default=None)
    p.add_argument("--system-prompt", default=None)
    p.add_argument("--num-runs", type=int, default=None, help="runs averaged (default: config, else 3)")
    p.add_argument("--enable-thinking", action="store_true", default=None, help="thinking mode on")
    p.add_argument("--no-chat-template", action="store_true", help="score without the chat template")
    p.add_argument("--backend", choices=["transformers", "vllm"], default=None)
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (default: cuda when available)")
    args = p.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    if not args.model and not args.dump_prompts:
        p.error("give --model (to score) or --dump-prompts OUT.jsonl (to write the prompts)")

    try:
        section, base = _config_section(args.config)
        configured = specs_from_mapping(section.get("benchmarks"), base)
        names = parse_benchmark_list(args.benchmarks)
    except (ValueError, OSError) as err:
        print(f"luth eval: {err}", file=sys.stderr)
        return 2
    overrides: dict[str, dict] = {}
    for item in args.path:
        name, sep, rest = item.partition("=")
        if not sep:
            p.error(f"--path expects NAME=FILE[:FORMAT], got {item!r}")
        file, _, fmt = rest.partition(":") if not Path(rest).exists() else (rest, "", "")
        overrides[name] = {"path": file, "format": fmt or None}
    from luth_train.evaluation.registry import get_spec

    specs = []
    for name in names:
        spec = configured.get(name) or get_spec(name)
        if name in overrides:
            spec = spec.with_source(
                path=str(Path(overrides[name]["path"]).resolve()), format=overrides[name]["format"]
            )
        specs.append(spec)
    from luth_train.evaluation.runner import DEFAULT_SYSTEM_PROMPT

    use_chat_template = False if args.no_chat_template else bool(section.get("use_chat_template", True))
    system_prompt = (
        args.system_prompt
        if args.system_prompt is not None
        else section.get("system_prompt", DEFAULT_SYSTEM_PROMPT)
    )
    enable_thinking = args.enable_thinking or bool(section.get("enable_thinking", False))
    variants = {
        key: getattr(args, key) or section.get(key) or "authors"
        for key in ("hellaswag_fr_scoring", "gpqa_order", "math_scoring")
    }
    max_new_tokens = args.max_new_tokens or section.get("max_new_tokens")
    from luth_train.evaluation.chat import ChatTemplateError
    from luth_train.evaluation.items import BenchmarkDataError
    from luth_train.evaluation.model_io import ModelLoadError

    if args.dump_prompts:
        from luth_train.evaluation.dump import dump_prompts, load_tokenizer
        from luth_train.evaluation.variants import ProtocolChoices

        try:
            choices = ProtocolChoices(
                max_new_tokens=max_new_tokens, enable_thinking=enable_thinking, **variants
            )
        except ValueError as err:
            print(f"luth eval: {err}", file=sys.stderr)
            return 2
        try:
            tok = load_tokenizer(args.tokenizer) if args.tokenizer else None
            n = dump_prompts(
                specs,
                args.dump_prompts,
                limit=args.limit,
                tokenizer=tok,
                use_chat_template=use_chat_template,
                system_prompt=system_prompt,
                enable_thinking=enable_thinking,
                tokenizer_name=args.tokenizer or "",
                choices=choices,
            )
        except (BenchmarkDataError, ChatTemplateError, ValueError, OSError) as err:
            print(f"luth eval: {err}", file=sys.stderr)
            return 1
        print(f"{n} prompts of {len(specs)} benchmark(s) written to {args.dump_prompts}")
        return 0
    try:
        options = EvalOptions(
            limit=args.limit,
            batch_size=args.batch_size or int(section.get("batch_size", 8)),
            max_new_tokens=max_new_tokens,
            use_chat_template=use_chat_template,
            system_prompt=system_prompt,
            enable_thinking=enable_thinking,
            temperature=float(section.get("temperature", 0.0)),
            top_p=float(section.get("top_p", 1.0)),
            top_k=section.get("top_k"),
            seed=int(section.get("seed", 0)),
            num_runs=args.num_runs or int(section.get("num_runs", 3)),
            backend=args.backend or section.get("backend", "transformers"),
            device=args.device,
            nltk_data=section.get("nltk_data"),
            **variants,
        )
    except ValueError as err:
        print(f"luth eval: {err}", file=sys.stderr)
        return 2
    try:
        results = evaluate_model(args.model, specs, options, log=lambda m: print(m, file=sys.stderr))
    except (BenchmarkDataError, ModelLoadError, ChatTemplateError) as err:
        print(f"luth eval: {err}", file=sys.stderr)
        return 1
    summaries = [r.summary for r in results]
    print(_format_summary(summaries))
    print(_published_table(results, args.model))
    if args.output:
        rows = [dict(row, model=args.model) for r in results for row in r.rows]
        _write_rows(rows, args.output)
        print(f"{len(rows)} per-sample rows written to {args.output}")
    if args.euroeval_export:
        _export_euroeval(results, args.model, options, args.euroeval_export)
    return 0


def _export_euroeval(results, model: str, options, path: str) -> None:
    import polars as pl

    from luth_train.evaluation.euroeval import euroeval_records, write_euroeval_jsonl
    from luth_train.evaluation.tables import scores_frame

    frame = pl.concat([scores_frame(r.rows, model) for r in results])
    protocol = {"temperature": options.temperature, "max_new_tokens": options.max_new_tokens,
                "enable_thinking": options.enable_thinking, "num_runs": options.num_runs,
                "use_chat_template": options.use_chat_template, "system_prompt": options.system_prompt}
    records = euroeval_records(frame, {model: model}, protocol=protocol)
    write_euroeval_jsonl(records, path)
    print(f"{len(records)} EuroEval result line(s) written to {path}")


def read_ifeval_pairs(prompts_file: str, responses_file: str) -> tuple[list[dict], list[str]]:
    """IFEval input rows and, for each, its response (joined on the prompt text)."""
    from luth_train.evaluation.items import BenchmarkDataError, _read_jsonl

    prompts = [row for _, row in _read_jsonl(Path(prompts_file))]
    for i, row in enumerate(prompts, 1):
        for key in ("prompt", "instruction_id_list", "kwargs"):
            if key not in row:
                raise BenchmarkDataError(f"{prompts_file}:{i}: missing field {key!r}")
    by_prompt: dict[str, str] = {}
    for where, row in _read_jsonl(Path(responses_file)):
        if not isinstance(row.get("prompt"), str) or not isinstance(row.get("response"), str):
            raise BenchmarkDataError(
                f"{responses_file} {where}: expected string fields 'prompt' and 'response'"
            )
        by_prompt[row["prompt"]] = row["response"]
    missing = [row for row in prompts if row["prompt"] not in by_prompt]
    if missing:
        raise BenchmarkDataError(
            f"{responses_file}: no response for {len(missing)} of {len(prompts)} prompts "
            f"(first: key={missing[0].get('key')!r}, prompt {missing[0]['prompt'][:60]!r})"
        )
    return prompts, [by_prompt[row["prompt"]] for row in prompts]


def cmd_ifeval_score(argv: list[str]) -> int:
    from luth_train.evaluation import ifeval
    from luth_train.evaluation.items import BenchmarkDataError

    p = argparse.ArgumentParser(
        prog="luth eval ifeval-score", description="score given responses with IFEval's instruction checks"
    )
    p.add_argument(
        "--prompts", required=True, help="IFEval input JSONL: key, prompt, instruction_id_list, kwargs"
    )
    p.add_argument("--responses", required=True, help="JSONL of {prompt, response}")
    p.add_argument("--nltk-data", default=None, help="folder holding NLTK's tokenizers/punkt_tab")
    p.add_argument("--output", default=None, help="per-prompt results to FILE.jsonl")
    args = p.parse_args(argv)
    try:
        prompts, responses = read_ifeval_pairs(args.prompts, args.responses)
    except (BenchmarkDataError, FileNotFoundError) as err:
        print(f"luth eval ifeval-score: {err}", file=sys.stderr)
        return 1
    ifeval.configure_nltk(args.nltk_data)
    results = [
        ifeval.score_response(row["prompt"], row["instruction_id_list"], row["kwargs"], resp)
        for row, resp in zip(prompts, responses, strict=True)
    ]
    agg = ifeval.aggregate(results)
    for key in (
        "prompt_level_strict_acc",
        "inst_level_strict_acc",
        "prompt_level_loose_acc",
        "inst_level_loose_acc",
    ):
        value = agg[key]
        print(f"{key:<24} {'-' if value is None else f'{value:.4f}'}")
    print(
        f"prompts {agg['prompts']} (scored {agg['prompts_scored']}), instructions {agg['instructions']} "
        f"(unscored {agg['instructions_unscored']})"
    )
    for reason, count in agg["unscored_reasons"].items():
        print(f"  unscored x{count}: {reason}", file=sys.stderr)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            for row, r in zip(prompts, results, strict=True):
                fh.write(
                    json.dumps(
                        {
                            "key": row.get("key"),
                            "prompt": row["prompt"],
                            "instruction_id_list": r.instruction_ids,
                            "strict": r.strict,
                            "loose": r.loose,
                            "prompt_strict": r.prompt_strict,
                            "prompt_loose": r.prompt_loose,
                            "unscored": r.unscored,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    print(json.dumps({k: v for k, v in agg.items() if k != "unscored_reasons"}))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "ifeval-score":
        return cmd_ifeval_score(argv[1:])
    return cmd_eval(argv)


if __name__ == "__main__":
    sys.exit(main())
