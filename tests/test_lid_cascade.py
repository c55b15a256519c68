"""Language-ID cascade of the sources stage: fastText lid.176 decides, doubtful rows go to
langdetect, the function-word check still rejects Latin; the same answers for any worker count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

from luth_assets.lib.lid_cascade import LidOptions, detect_rows, fasttext_model_path
from luth_assets.run_config import ConfigError, load_config
from luth_assets.stages.sources.lid_scoring import read_labelled_sentences, score_slice
from luth_assets.stages.sources.settings import LanguageIdConfig
from luth_assets.stages.sources.slicing import classify

REPO = Path(__file__).resolve().parents[1]
CLEAR_FR = "La lumière du soleil est diffusée par l'air, et le bleu est diffusé bien plus que le rouge."
CLEAR_EN = "Sunlight is scattered by the air, and blue light is scattered much more than red light."
FR_Q = "Peux-tu m'expliquer pourquoi le ciel est bleu pendant la journée ?"
# short: fastText gives French only ~0.58, langdetect is sure it is French
SHORT_FR = "Le concert de rock"
# Latin that fastText calls French (~0.71); no French function word in it
LATIN = "Post tenebras lux."


def rows_of(*conversations: list[str]) -> list[dict]:
    return [{"sample_id": str(i), "problem": None,
             "messages": [{"role": "user" if j % 2 == 0 else "assistant", "content": text}
                          for j, text in enumerate(turns)]}
            for i, turns in enumerate(conversations)]


def detect(rows: list[dict], lid: LanguageIdConfig, workers: int = 1) -> list[dict]:
    options = LidOptions.from_config(lid, "fr")
    batches = [rows[i: i + 3] for i in range(0, len(rows), 3)]
    return [row for batch in detect_rows(json.loads(json.dumps(batches)), options, workers)
            for row in batch]


def reasons(rows: list[dict], lid: LanguageIdConfig) -> list[str | None]:
    frame = pl.DataFrame({key: [r[key] for r in rows] for key in
                          ("sample_id", "problem", "messages", "turn_languages", "turn_language_probs")},
                         schema_overrides={"problem": pl.String})
    return classify(frame.lazy(), "fr", lid.min_probability, lid.min_chars,
                    lid.confirm_function_words).collect()["reason"].to_list()


def test_clear_french_is_decided_by_fasttext_and_kept() -> None:
    lid = LanguageIdConfig()
    assert lid.backend == "cascade"  # the default
    [row] = detect(rows_of([FR_Q, CLEAR_FR]), lid)
    assert row["language_decided_by"] == "fasttext"
    assert row["turn_languages"] == ["fr", "fr"]
    assert min(row["turn_language_probs"]) >= 0.8
    assert reasons([row], lid) == [None]


def test_doubtful_short_text_goes_to_langdetect_which_keeps_it() -> None:
    cascade = LanguageIdConfig()
    [row] = detect(rows_of([SHORT_FR]), cascade)
    assert row["language_decided_by"] == "langdetect"
    assert row["language"] == "fr" and row["language_probability"] > 0.99
    assert reasons([row], cascade) == [None]
    # fastText alone is not sure enough: the same row is rejected for low confidence
    fast_only = LanguageIdConfig(backend="fasttext")
    [alone] = detect(rows_of([SHORT_FR]), fast_only)
    assert alone["language_decided_by"] == "fasttext" and alone["language"] == "fr"
    assert alone["language_probability"] < 0.8
    assert reasons([alone], fast_only) == ["low_confidence"]


def test_conflict_between_turns_goes_to_langdetect_other_languages_stay() -> None:
    rows = detect(rows_of([FR_Q, CLEAR_EN], [CLEAR_EN, CLEAR_EN]), LanguageIdConfig())
    assert [r["language_decided_by"] for r in rows] == ["langdetect", "fasttext"]
    assert rows[0]["turn_languages"] == ["fr", "en"] and rows[1]["language"] == "en"
    assert reasons(rows, LanguageIdConfig()) == ["mixed_languages", "wrong_language:en"]


def test_latin_called_french_is_rejected_by_the_function_word_check() -> None:
    lid = LanguageIdConfig(min_probability=0.5)
    [row] = detect(rows_of([LATIN]), lid)
    # both models call it French; no French function word, so langdetect is not asked
    assert row["language"] == "fr" and row["language_decided_by"] == "fasttext"
    assert reasons([row], lid) == ["unconfirmed_language"]
    assert reasons([row], LanguageIdConfig(min_probability=0.5, confirm_function_words=False)) == [None]


def test_langdetect_backend_is_todays_path() -> None:
    rows = detect(rows_of([FR_Q, CLEAR_FR], [CLEAR_EN]), LanguageIdConfig(backend="langdetect"))
    assert [r["language_decided_by"] for r in rows] == ["langdetect", "langdetect"]
    assert [r["language"] for r in rows] == ["fr", "en"]
    assert rows[0]["language_probability"] > 0.99  # langdetect's probabilities, not fastText's


def test_same_answers_for_any_worker_count() -> None:
    texts = [FR_Q, CLEAR_FR, CLEAR_EN, SHORT_FR, LATIN, "Ok", "1234", "", "Il a mangé"]
    rows = rows_of(*[[t] for t in texts], [FR_Q, CLEAR_EN], [SHORT_FR, CLEAR_FR]) * 3
    lid = LanguageIdConfig()
    fields = ("turn_languages", "turn_language_probs", "language", "language_decided_by")
    single = [[r[f] for f in fields] for r in detect(rows, lid, workers=1)]
    pooled = [[r[f] for f in fields] for r in detect(rows, lid, workers=2)]
    assert single == pooled
    decided = {r[3] for r in single}
    assert decided == {"fasttext", "langdetect"}  # both paths were exercised
    assert single[7][0] == ["und"]  # empty text


def write_config(tmp_path: Path, language_id: dict) -> Path:
    path = tmp_path / "luth.yaml"
    path.write_text(yaml.safe_dump({"language_id": language_id}), "utf-8")
    return path


@pytest.mark.parametrize(("language_id", "message"), [
    ({"backend": "fasttxt"}, "language_id.backend"),
    ({"fasttext_min_margin": 1.5}, "language_id.fasttext_min_margin"),
    ({"fasttext_min_probability": -0.1}, "language_id.fasttext_min_probability"),
    ({"min_probability": 0.9, "fasttext_min_probability": 0.7}, "below min_probability"),
])
def test_bad_cascade_settings_are_clear_errors(tmp_path: Path, language_id: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(tmp_path, language_id))


def test_cascade_settings_load() -> None:
    lid = LanguageIdConfig(min_probability=0.7, fasttext_min_margin=0.3)
    options = LidOptions.from_config(lid, "fr")
    # no explicit fastText floor: the slice's own min_probability
    assert (options.fasttext_min_probability, options.fasttext_min_margin) == (0.7, 0.3)
    assert options.confirm_pattern is not None
    assert LidOptions.from_config(LanguageIdConfig(fasttext_min_probability=0.95), "fr"
                                  ).fasttext_min_probability == 0.95
    with pytest.raises(ValueError, match="unknown language-ID backend"):
        LidOptions(backend="cld3")


def test_model_ships_in_the_wheel_and_loads_offline(tmp_path: Path) -> None:
    path = fasttext_model_path()
    assert path.name == "lid.176.ftz" and path.stat().st_size > 500_000
    code = ("from luth_assets.lib.lid_cascade import fasttext_texts;"
            f"print(fasttext_texts([{CLEAR_FR!r}])[0][0])")
    # no network: the proxies point nowhere, the hub is offline, HOME is empty (no cache)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
           "HF_HUB_OFFLINE": "1", "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True, timeout=120)
    assert out.stdout.strip() == "fr"
    assert not any(tmp_path.iterdir())  # nothing was downloaded or cached


def test_default_path_precision_recall_on_real_sentences(shared_data: Path) -> None:
    folder = shared_data / "lid"
    if not folder.is_dir():
        pytest.skip(f"labelled sentences {folder} are absent")
    score = score_slice(read_labelled_sentences(folder), LanguageIdConfig(workers=1))
    print(f"\ncascade French slice on {folder} ({score.rows} sentences): precision "
          f"{score.precision:.4f}, recall {score.recall:.4f}, sent to langdetect "
          f"{score.sent_to_langdetect}, false positives by language {score.false_positive_languages}")
    assert score.precision >= 0.98 and score.recall >= 0.97
    assert score.sent_to_langdetect < 0.05 * score.rows


def test_labelled_folder_must_hold_sentences(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        read_labelled_sentences(tmp_path)


def test_slice_metadata_counts_rows_per_deciding_backend(tmp_path: Path, lake_root: Path) -> None:
    import dagster as dg

    from luth_assets.build import build_definitions
    from luth_assets.lib.warehouse import run_query
    from luth_assets.materialize import materialize_all
    from luth_assets.run_config import Settings
    from luth_assets.stages.keys import RAW_MULTILINGUAL as RAW_KEY

    rows = [{"id": str(i), "messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
            for i, (q, a) in enumerate([(FR_Q, CLEAR_FR), (SHORT_FR, CLEAR_FR), (FR_Q, CLEAR_EN),
                                        (CLEAR_EN, CLEAR_EN), (LATIN, LATIN)])]
    (tmp_path / "chat.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    config = tmp_path / "luth.yaml"
    config.write_text(yaml.safe_dump({"sources": {"chat": {
        "uri": "chat.jsonl", "format": "jsonl", "mapping": {"id": "id", "messages": "messages"}}},
        "language_id": {"workers": 1}}), "utf-8")
    defs = build_definitions(Settings(config_path=config, lake_root=str(lake_root)))
    slice_key = dg.AssetKey(["silver", "french_slices"])
    instance = dg.DagsterInstance.ephemeral()
    materialize_all(defs, instance, selection=[RAW_KEY, slice_key], log=lambda _: None)
    metadata = instance.get_latest_materialization_event(slice_key).asset_materialization.metadata
    fasttext, langdetect = (metadata["rows_fasttext_decided"].value,
                            metadata["rows_sent_to_langdetect"].value)
    assert metadata["language_backend"].value == "cascade"
    assert fasttext + langdetect == metadata["input_rows"].value == 5
    _, decided = run_query(lake_root, "select source_row_id, language_decided_by from raw_multilingual "
                                      "order by 1")
    # the short French turn and the French/English conflict went to langdetect
    assert decided == [("0", "fasttext"), ("1", "langdetect"), ("2", "langdetect"), ("3", "fasttext"),
                       ("4", "fasttext")]
    assert langdetect == 2
