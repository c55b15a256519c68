"""Pipeline stages. Each `luth_assets.stages.<name>.definitions` module exposes
``build_defs(ctx: BuildContext) -> dagster.Definitions`` and, optionally,
``prepare(ctx, instance)`` (e.g. to register dynamic partitions before a full materialisation).
Order matters only for readability; Dagster resolves dependencies by asset key.
"""

STAGES: list[str] = [
    "sources",
    "translation",
    "scholar",
    "curation",
    "training",
    "merging",
    "evaluation",
]
