"""`luth plan [CONFIG] [--json FILE]`: the offline dry run, printed as tables (and JSON)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from luth_assets.run_config import ConfigError, Settings, load_config


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="luth plan", description="Offline dry run of a run configuration: rows, LLM calls, "
        "tokens and cost per stage; SFT steps, GPU-hours and disk per model. Never uses the "
        "network.")
    parser.add_argument("config", nargs="?", default=None,
                        help="run configuration (default: LUTH_CONFIG, else the demo's)")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="also write the plan as JSON to FILE ('-': print JSON only)")
    parser.add_argument("--width", type=int, default=None,
                        help="columns to fit the tables in (default: the terminal's)")
    args = parser.parse_args(argv)
    if args.config and not Path(args.config).is_file():
        print(f"luth plan: run configuration {args.config} does not exist", file=sys.stderr)
        return 2
    path = Path(args.config) if args.config else Settings.from_env().config_path
    try:
        config = load_config(path)
    except ConfigError as err:
        print(str(err), file=sys.stderr)
        return 2
    from luth_assets.plan.build import build_plan, render

    try:
        plan = build_plan(config, str(path))
    except (ValueError, OSError) as err:
        print(f"luth plan: {err}", file=sys.stderr)
        return 1
    if args.json == "-":
        print(json.dumps(plan, indent=1))
        return 0
    print(render(plan, args.width or shutil.get_terminal_size((120, 24)).columns))
    if args.json:
        Path(args.json).write_text(json.dumps(plan, indent=1), encoding="utf-8")
        print(f"\nplan written to {args.json}")
    return 0
