"""A small sources-only run configuration and the `luth` command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

FR_Q = "Peux-tu m'expliquer pourquoi le ciel est bleu pendant la journée ?"
FR_A = "La lumière du soleil est diffusée par l'air, et le bleu est diffusé bien plus que le rouge."
EN_Q = "Could you explain why the sky looks blue during the day?"
EN_A = "Sunlight is scattered by the air, and blue light is scattered much more than red light."
SOURCES_STAGE = ["bronze/raw_multilingual", "silver/french_slices", "silver/french_slices_rejects"]


def chat(q: str, a: str) -> list[dict]:
    return [{"role": "user", "content": q}, {"role": "assistant", "content": a}]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def sources_config(folder: Path, sources: dict | None = None, **extra) -> Path:
    """`luth.yaml` with two JSONL sources (`good`, `other`) unless `sources` is given."""
    folder.mkdir(parents=True, exist_ok=True)
    if sources is None:
        write_jsonl(folder / "good.jsonl", [{"id": f"g{i}", "messages": chat(FR_Q, FR_A)}
                                            for i in range(3)])
        write_jsonl(folder / "other.jsonl", [{"id": "o1", "messages": chat(FR_Q, FR_A)},
                                             {"id": "o2", "messages": chat(EN_Q, EN_A)}])
        sources = {name: {"uri": f"{name}.jsonl", "format": "jsonl",
                          "mapping": {"id": "id", "messages": "messages"}}
                   for name in ("good", "other")}
    config = {"sources": sources, "language_id": {"workers": 1}, **extra}
    path = folder / "luth.yaml"
    path.write_text(yaml.safe_dump(config), "utf-8")
    return path


def luth_env(config: Path, lake: Path, home: Path | None) -> dict[str, str]:
    env = dict(os.environ, LUTH_CONFIG=str(config), LUTH_LAKE_ROOT=str(lake))
    env.pop("DAGSTER_HOME", None)
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        env["DAGSTER_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                      env.get("PYTHONPATH")]))
    return env


def luth(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "luth_assets.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
