"""`luth`: the project's command line.

    luth sql "QUERY" | FILE.sql [--param name=value ...] [--csv]
    luth materialize --all | --select KEY|group:NAME|kind:NAME|tag:NAME[=VALUE] ...
    luth assets                     list the asset keys, groups, kinds and partitions
    luth views                      refresh the DuckDB views over the lake
    luth --version

Later stages add `luth train`, `luth merge`, `luth eval` (they dispatch to `luth_train`).
Heavy libraries are imported inside each command so `luth --help` stays fast.
"""

from __future__ import annotations

import argparse
import csv
import sys
import uuid
from collections.abc import Callable

from luth_assets.run_config import ConfigError, Settings

# name -> (module, function): the function takes argv (list[str]) and returns an exit code.
# Stages that bring their own command register it here.
EXTERNAL_COMMANDS: dict[str, tuple[str, str, str]] = {
    "train": ("luth_train.sft", "main",
              "full-parameter SFT from a YAML config: luth train CONFIG.yaml [key=value ...]"),
    "merge": ("luth_train.merge.cli", "main",
              "merge a fine-tune with its base through mergekit: luth merge RECIPE.yaml OUT_DIR"),
    "plan": ("luth_assets.plan.cli", "main",
             "offline dry run: rows, LLM calls, tokens, cost, SFT steps, GPU-hours: luth plan [CONFIG]"),
    "eval": ("luth_train.evaluation.cli", "main",
             "score a model on the FR/EN benchmarks: luth eval --model PATH --benchmarks NAME[,NAME]"),
}


# An option value that needs an optional package: (command, option, value) -> (module, extra).
OPTIONAL_BACKENDS: dict[tuple[str, str, str], tuple[str, str]] = {
    ("eval", "--backend", "vllm"): ("vllm", "vllm"),
}


def missing_extra(argv: list[str]) -> str | None:
    """One line naming the extra to install when `argv` asks for a backend that is not installed
    (`luth eval --backend vllm` without vllm), else None."""
    import importlib.util

    if not argv:
        return None
    for (command, option, value), (module, extra) in OPTIONAL_BACKENDS.items():
        asked = any(a == f"{option}={value}" or (a == option and argv[i + 1:i + 2] == [value])
                    for i, a in enumerate(argv[1:], start=1))
        if argv[0] == command and asked and importlib.util.find_spec(module) is None:
            return (f"luth {command}: {option} {value} needs the {module} package, which is not "
                    f"installed: pip install -e '.[{extra}]' (a CUDA machine), or use "
                    f"{option} transformers")
    return None


def _format_table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line, "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |",
           line]
    for row in cells:
        out.append("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
    out.append(line)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def sql_query_text(query: str) -> str:
    """The query itself, or the text of a ``.sql`` file (paths relative to ``sql/`` work); a
    missing file is a :class:`UsageError` listing the files under ``sql/``."""
    from luth_assets.lib.warehouse import SQL_DIR, read_sql_file

    if not query.endswith(".sql"):
        return query
    try:
        return read_sql_file(query)
    except FileNotFoundError:
        files = sorted(p.relative_to(SQL_DIR).as_posix() for p in SQL_DIR.rglob("*.sql"))
        listing = "\n".join(f"  {f}" for f in files) or "  (none)"
        raise UsageError(f"luth sql: SQL file {query} not found (neither as given nor under {SQL_DIR}); "
                         f"the query files are:\n{listing}") from None


class UsageError(Exception):
    """A mistake on the command line: printed as one message, exit code 2."""


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from luth_assets.lib.warehouse import run_query

    settings = Settings.from_env()
    query = sql_query_text(args.query)
    params = {}
    for item in args.param or []:
        if "=" not in item:
            print(f"--param expects name=value, got {item!r}", file=sys.stderr)
            return 2
        key, value = item.split("=", 1)
        params[key] = value
    try:
        columns, rows = run_query(settings.lake_root, query, params or None)
    except duckdb.Error as err:
        print(f"luth sql: {err}", file=sys.stderr)
        return 1
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print(_format_table(columns, rows))
    return 0


def cmd_views(args: argparse.Namespace) -> int:
    from luth_assets.lib.warehouse import database_path, refresh_views

    settings = Settings.from_env()
    tables = refresh_views(settings.lake_root)
    print(f"{len(tables)} views in {database_path(settings.lake_root)}")
    for key in tables:
        print(f"  {key.replace('/', '.')}")
    return 0


def cmd_assets(args: argparse.Namespace) -> int:
    from luth_assets.build import build_definitions
    from luth_assets.selection import describe_assets

    settings = Settings.from_env()
    rows = describe_assets(build_definitions(settings).resolve_asset_graph())
    print(_format_table(["key", "group", "kinds", "partitions"], rows))
    print("select with: luth materialize --select KEY | group:NAME | kind:NAME | tag:NAME[=VALUE]")
    return 0


def cmd_materialize(args: argparse.Namespace) -> int:

    from luth_assets.build import build_definitions
    from luth_assets.demo_unit import as_one_unit
    from luth_assets.lib.instance import begin_materialize, end_materialize
    from luth_assets.lib.locks import WriterBusy
    from luth_assets.lib.run_lease import WRITER_TAG
    from luth_assets.lib.warehouse import refresh_views_reported
    from luth_assets.materialize import materialize_all, prepare_instance
    from luth_assets.selection import SelectionError, resolve_selection

    if not args.all and not args.select:
        raise UsageError("luth materialize: give --all or --select KEY [KEY ...]")
    settings = Settings.from_env()
    config = settings.load()
    defs = build_definitions(settings, config)
    graph = defs.resolve_asset_graph()
    try:
        selection = resolve_selection(graph, args.select) if args.select else None
    except SelectionError as err:
        raise UsageError(f"luth materialize: {err}") from None
    if selection is None and not any(a.is_materializable for a in graph.assets_defs):
        raise UsageError(f"luth materialize: the run configuration {settings.config_path} defines "
                         "no assets (no sources, no stage sections); see data_lake/landing/luth.yaml")
    # one writer per lake (its lease, shared by this command's runs); storage created once;
    # leftovers of a killed run cleaned (lib/instance.py)
    writer = f"luth materialize {uuid.uuid4().hex[:12]}"
    try:
        instance = begin_materialize(settings.lake_root, writer=writer)
    except WriterBusy as err:
        print(f"luth materialize: {err}", file=sys.stderr)
        return 3
    try:
        prepare_instance(settings, config, instance)
        keys = selection or [k for a in graph.assets_defs if a.is_materializable for k in a.keys]
        title = "luth materialize " + (" ".join(args.select) if args.select else "--all")
        with as_one_unit(instance, defs, keys, title) as unit:
            report = materialize_all(defs, instance, selection=selection, log_level=args.log_level,
                                     tags={**unit.tags, WRITER_TAG: writer})
        tables, view_error = refresh_views_reported(settings.lake_root)  # never fatal to the runs
    finally:
        end_materialize(settings.lake_root)
    if view_error:
        print(f"warning: {view_error} (the tables are written; `luth views` retries)", file=sys.stderr)
    print(f"{len(report.outcomes) - len(report.failures)}/{len(report.outcomes)} runs succeeded; "
          f"{len(tables)} lake tables have DuckDB views (luth sql \"show all tables\")")
    if report.failures:
        print("failed:", file=sys.stderr)
        for outcome in report.failures:
            part = f" [{outcome.partition}]" if outcome.partition else ""
            print(f"  {', '.join(outcome.keys)}{part}: {outcome.error}", file=sys.stderr)
        return 1
    return 0


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("luth-lakehouse")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="luth",
        description="Luth lakehouse. LUTH_CONFIG names the run configuration "
        "(default data_lake/landing/luth.yaml); LUTH_LAKE_ROOT the lake (default data_lake).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    sql = sub.add_parser("sql", help="run a DuckDB query (or a .sql file) over the lake views")
    sql.add_argument("query", help="SQL text, or a path to a .sql file (relative to sql/ works)")
    sql.add_argument("--param", "-p", action="append", metavar="NAME=VALUE",
                     help="bind $NAME in the query (repeatable)")
    sql.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    sql.set_defaults(func=cmd_sql)

    assets = sub.add_parser("assets", help="list the asset keys with their group, kinds and partitions")
    assets.set_defaults(func=cmd_assets)

    views = sub.add_parser("views", help="refresh the DuckDB views over the lake tables")
    views.set_defaults(func=cmd_views)

    mat = sub.add_parser("materialize", help="materialise assets with Dagster, every partition")
    mat.add_argument("--all", action="store_true", help="the whole asset graph")
    mat.add_argument("--select", nargs="+", metavar="KEY",
                     help="asset keys (bronze/raw_multilingual), group:NAME, kind:NAME or "
                     "tag:NAME[=VALUE]; `luth assets` lists them")
    mat.add_argument("--log-level", default="WARNING",
                     choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                     help="Dagster's console log level for each run (default WARNING)")
    mat.set_defaults(func=cmd_materialize)

    for name, (module, function, help_text) in EXTERNAL_COMMANDS.items():
        ext = sub.add_parser(name, help=help_text, add_help=False)
        ext.set_defaults(func=None, external=(module, function))
    return parser


def main(argv: list[str] | None = None) -> int:
    from luth_assets.lib.quiet import silence_library_noise

    silence_library_noise()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in EXTERNAL_COMMANDS:
        import importlib

        if (message := missing_extra(argv)) is not None:
            print(message, file=sys.stderr)
            return 2

        module, function, _ = EXTERNAL_COMMANDS[argv[0]]
        run: Callable[[list[str]], int] = getattr(importlib.import_module(module), function)
        return run(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, UsageError) as err:
        print(str(err), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
