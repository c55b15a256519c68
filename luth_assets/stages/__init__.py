"""Pipeline stages, one folder each: `assets.py` (the assets), `checks.py` (asset checks, where the
stage has its own), `definitions.py` (`stage_definitions(config)`: what a run configuration gets),
`settings.py` (its section of the run configuration) and plain modules with the logic. A stage
never imports another stage: shared asset keys are in `keys.py`, shared code in `luth_assets/lib/`.
"""
