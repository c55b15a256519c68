"""The code location Dagster loads (`dagster dev -w workspace.yaml`, `make ui`, `dg dev`).

The library notices `luth` silences (Dagster's beta/preview notices, `luth_assets/lib/quiet.py`)
are silenced here too, before any asset module is imported: the stages' decorators raise them at
import time, in the code server that `dagster dev` starts.
"""

import dagster as dg

from luth_assets.lib.quiet import silence_library_noise

silence_library_noise()


@dg.definitions
def defs() -> dg.Definitions:
    from luth_assets.build import build_definitions
    from luth_assets.run_config import Settings

    return build_definitions(Settings.from_env())
