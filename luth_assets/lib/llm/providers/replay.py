"""Replay: answers we wrote ourselves, looked up by (stage, sample_id). Used offline (demo).

`llm.replay_path` is one JSONL file or a folder of them (``*.jsonl``, read in name order, e.g.
one file per stage). One answer a line: ``{"stage": ..., "sample_id": ..., "text": "..."}`` or, for a
structured stage, ``"output": {...}`` (written out as JSON text). Optional ``input_tokens``,
``output_tokens``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from luth_assets.lib.llm.errors import ConfigurationError, ReplayMiss
from luth_assets.lib.llm.types import LLMRequest, ProviderResponse


class ReplayProvider:
    name = "replay"
    cacheable = False

    def __init__(self, path: str | os.PathLike, model: str = "replay"):
        self.path = Path(path)
        self.model = model
        self._answers: dict[tuple[str, str], ProviderResponse] = {}
        if self.path.is_dir():
            files = sorted(self.path.glob("*.jsonl"))
            if not files:
                raise ConfigurationError(f"replay answers folder {self.path} has no *.jsonl file")
        elif self.path.is_file():
            files = [self.path]
        else:
            raise ConfigurationError(f"replay answers file {self.path} not found")
        for file in files:
            self._load(file)

    def _load(self, file: Path) -> None:
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    stage, sample_id = str(row["stage"]), str(row["sample_id"])
                    if "output" in row:
                        text = json.dumps(row["output"], ensure_ascii=False)
                    else:
                        text = row["text"]
                    if not isinstance(text, str):
                        raise TypeError("'text' must be a string")
                except (ValueError, KeyError, TypeError) as err:
                    raise ConfigurationError(
                        f"{file} line {number}: bad replay answer ({err}); expected "
                        '{"stage", "sample_id", "text" | "output"}') from None
                self._answers[(stage, sample_id)] = ProviderResponse(
                    text=text, finish_reason="REPLAY",
                    input_tokens=int(row.get("input_tokens", 0)),
                    output_tokens=int(row.get("output_tokens", 0)))

    def __repr__(self) -> str:
        return f"ReplayProvider({str(self.path)!r}, answers={len(self._answers)})"

    def __len__(self) -> int:
        return len(self._answers)

    async def generate(self, request: LLMRequest) -> ProviderResponse:
        # a repair attempt asks again for the same (stage, sample_id); replay has one answer
        found = self._answers.get((request.stage, request.sample_id))
        if found is None:
            raise ReplayMiss(
                f"replay has no answer for stage {request.stage!r} sample_id "
                f"{request.sample_id!r} in {self.path}")
        return found

    async def aclose(self) -> None:
        return None
