"""The loading path of every real source of the paper's run, offline: a small file we wrote in
the dataset's real column layout (tests/runs/data/) is read through the very entry of
configs/runs/luth_paper.yaml, only its `uri` pointed at the local file."""

from __future__ import annotations

from pathlib import Path

import pytest

from luth_assets.lib.source_reading import read_source_batches
from luth_assets.run_config import load_config
from luth_assets.stages.translation.seeds import seed_rows

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def paper():
    return load_config(REPO / "configs/runs/luth_paper.yaml")


def _rows(name: str, source) -> list[dict]:
    local = source.model_copy(update={"uri": str(DATA / f"{name}.parquet")})
    return [row for batch in read_source_batches(name, local) for row in batch]


def _turns(row: dict) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in row["messages"]]


def test_openhermes_fr_prompt_and_accepted_completion_bad_entries_excluded(paper):
    rows = _rows("openhermes_fr", paper.sources["openhermes_fr"])
    assert [r["problem"] for r in rows] == [None, "excluded:bad_entry", None]
    assert _turns(rows[0]) == [
        ("user", "Quelle est la capitale de la France et pourquoi est-elle importante ?"),
        ("assistant", "La capitale de la France est Paris, centre politique, économique et "
                      "culturel.")]


def test_smoltalk2_messages_with_its_extra_columns(paper):
    rows = _rows("smoltalk2", paper.sources["smoltalk2"])
    assert [r["problem"] for r in rows] == [None, None]
    assert [role for role, _ in _turns(rows[0])] == ["user", "assistant"]
    assert _turns(rows[1])[0][1] == "What is the tallest mountain in the world?"


def test_croissantllm_messages(paper):
    rows = _rows("croissantllm", paper.sources["croissantllm"])
    assert len(rows) == 1 and rows[0]["problem"] is None
    assert _turns(rows[0])[1][1].startswith("Cher voisin")


def test_aya_inputs_and_targets(paper):
    rows = _rows("aya", paper.sources["aya"])
    assert _turns(rows[0]) == [
        ("user", "Quel est le plus long fleuve de France ?"),
        ("assistant", "Le plus long fleuve de France est la Loire, avec environ mille "
                      "kilomètres.")]
    assert len(rows) == 2   # the Spanish row is read too: the language-ID slice rejects it


@pytest.mark.parametrize("name", ["tulu3_persona_math", "tulu3_persona_instruct"])
def test_tulu3_seed_sets_give_one_prompt_per_row_keyed_by_id(paper, name):
    rows = _rows(name, paper.translation.sources[name])
    seeds = seed_rows(rows)
    assert seeds["problem"].null_count() == seeds.height
    assert seeds["source_row_id"].to_list()[0].startswith("persona")
    assert seeds["prompt"].to_list()[0].endswith(("cows does he have?", "two commas."))


def test_every_source_of_the_paper_run_has_a_sample_here(paper):
    names = set(paper.sources) | set(paper.translation.sources)
    assert names == {p.stem for p in DATA.glob("*.parquet")}
