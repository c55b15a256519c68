"""The code location Dagster loads (`dagster dev -w workspace.yaml`)."""

import dagster as dg

from luth_assets.build import build_definitions
from luth_assets.lib.quiet import silence_library_noise
from luth_assets.run_config import Settings

silence_library_noise()


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Settings.from_env())
