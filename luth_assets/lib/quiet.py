"""Silence the library messages a user of `luth` cannot act on.

Dagster's beta/preview notices about APIs this project chose (code references, Pipes), the
``torch_dtype is deprecated`` notice libraries raise on configs they read, and transformers'
"Loading weights" progress bars would otherwise land between the `[n/N] ... ok` progress lines.
Real warnings (a failed check, a missing table) still show: only these categories and loggers are
turned down. ``LUTH_VERBOSE_LIBRARIES=1`` keeps everything.
"""

from __future__ import annotations

import logging
import os
import warnings

VERBOSE_ENV = "LUTH_VERBOSE_LIBRARIES"


def silence_library_noise() -> None:
    if os.environ.get(VERBOSE_ENV) == "1":
        return
    # inherited by the training subprocess that Dagster Pipes starts
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from dagster_shared.utils.warnings import BetaWarning, PreviewWarning, SupersessionWarning
    except ImportError:  # pragma: no cover - older dagster
        pass
    else:
        for category in (BetaWarning, PreviewWarning, SupersessionWarning):
            warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("ignore", message=r".*torch_dtype.* is deprecated")
    for name in ("transformers", "huggingface_hub", "mergekit", "accelerate", "datasets"):
        logging.getLogger(name).setLevel(logging.ERROR)

