"""The exam landing folder: nothing outside it is ever opened, unpaired files are read too, CPGE
names give their year and level, maths symbols lost to a font are caught, and no file is both
paired and unpaired."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pymupdf
import pytest
import yaml

from luth_assets.build import build_definitions
from luth_assets.materialize import materialize_all, prepare_instance
from luth_assets.run_config import Settings, load_config
from luth_assets.stages.scholar.documents import read_exam
from luth_assets.stages.scholar.pairing import name_metadata, pair_landing
from luth_assets.stages.scholar.partitions import exam_frame
from luth_assets.stages.scholar.pdf_text import extract_pdf

REPO = Path(__file__).resolve().parents[2]
DEMO_EXAMS = REPO / "data_lake" / "landing" / "exams"
SECRET = "CONFIDENTIEL hors du dossier de dépôt"


def secret_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), (SECRET + " ") * 3)
    doc.save(path)
    return path


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    for name in ("bac-maths-2024-sujet.pdf", "bac-maths-2024-corrige.pdf"):
        shutil.copy2(DEMO_EXAMS / name, folder / name)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    secret_pdf(elsewhere / "x.pdf")
    secret_pdf(elsewhere / "y.pdf")
    (folder / "bac-maths-2019-sujet.pdf").symlink_to(elsewhere / "x.pdf")
    (folder / "bac-maths-2019-corrige.pdf").symlink_to(elsewhere / "y.pdf")
    return folder


def test_symlinks_leading_outside_are_listed_never_paired(landing: Path) -> None:
    pairing = pair_landing(landing)
    assert [(p.sujet_path, p.corrige_path) for p in pairing.pairs] == [
        ("bac-maths-2024-sujet.pdf", "bac-maths-2024-corrige.pdf")]
    outside = {u.path: (u.reason, u.sha256) for u in pairing.unpaired}
    assert outside == {"bac-maths-2019-sujet.pdf": ("outside_landing", None),
                       "bac-maths-2019-corrige.pdf": ("outside_landing", None)}


def test_a_manifest_path_resolving_outside_is_refused(landing: Path, tmp_path: Path) -> None:
    (landing / "manifest.csv").write_text(
        "sujet,corrige\n"
        f"{tmp_path / 'elsewhere' / 'x.pdf'},bac-maths-2024-corrige.pdf\n"
        "../elsewhere/y.pdf,bac-maths-2024-sujet.pdf\n", encoding="utf-8")
    pairing = pair_landing(landing)
    reasons = {u.path: u.reason for u in pairing.unpaired}
    assert reasons["manifest.csv:2"] == "outside_landing"
    assert reasons["manifest.csv:3"] == "outside_landing"
    assert all("elsewhere" not in p.sujet_path + p.corrige_path for p in pairing.pairs)


def test_a_file_swapped_for_a_symlink_after_pairing_is_quarantined_unread(landing: Path,
                                                                        tmp_path: Path) -> None:
    [pair] = pair_landing(landing).pairs
    (landing / pair.sujet_path).unlink()
    (landing / pair.sujet_path).symlink_to(tmp_path / "elsewhere" / "x.pdf")
    texts, quarantine = read_exam(exam_frame(pair, landing).row(0, named=True),
                                  load_config_for(tmp_path, landing).scholar, warn=lambda _: None)
    assert SECRET not in " ".join(texts["text"].to_list())
    assert quarantine.filter(pl.col("role") == "sujet")["reason"].to_list() == ["outside_landing"]


def load_config_for(tmp_path: Path, landing: Path):
    path = tmp_path / "luth.yaml"
    path.write_text(yaml.safe_dump({"scholar": {"landing_dir": str(landing)}}), "utf-8")
    return load_config(path)


def test_materialised_landing_lists_outside_files_and_reads_lone_pdfs(landing: Path,
                                                                     tmp_path: Path) -> None:
    (landing / "lone-corrige.pdf").write_bytes(b"%PDF-1.7 truncated")  # unreadable, unpaired
    config = load_config_for(tmp_path, landing)
    settings = Settings(config_path=tmp_path / "luth.yaml", lake_root=str(tmp_path / "lake"))
    defs = build_definitions(settings, config)
    instance = dg.DagsterInstance.ephemeral()
    prepare_instance(settings, config, instance)
    wanted = [dg.AssetKey(["bronze", "exam_pdfs"]), dg.AssetKey(["silver", "exam_texts"]),
              dg.AssetKey(["ops", "exam_unpaired"])]
    report = materialize_all(defs, instance, selection=wanted, log=lambda _: None)
    assert all(o.success for o in report.outcomes), [o.error for o in report.failures]
    texts = pl.read_parquet(tmp_path / "lake" / "silver" / "exam_texts" / "*.parquet")
    assert SECRET not in " ".join(texts["text"].to_list())
    unpaired = pl.read_parquet(tmp_path / "lake" / "ops" / "exam_unpaired.parquet")
    rows = {r["path"]: r for r in unpaired.to_dicts()}
    assert rows["bac-maths-2019-sujet.pdf"]["reason"] == "outside_landing"
    assert rows["bac-maths-2019-sujet.pdf"]["text_verdict"] is None  # never opened
    assert rows["lone-corrige.pdf"]["reason"] == "corrige_without_sujet"
    assert rows["lone-corrige.pdf"]["text_verdict"] == "corrupt"


def test_cpge_names_split_letters_from_digits() -> None:
    assert name_metadata("centrale2018mp2e.pdf") == {"year": 2018, "subject": None, "level": "cpge"}
    assert name_metadata("mines2021pc1.pdf")["year"] == 2021
    assert name_metadata("bac-maths-2019-sujet.pdf") == {"year": 2019, "subject": "mathematiques",
                                                          "level": "terminale"}


def test_cpge_pair_gets_year_and_level(tmp_path: Path) -> None:
    for name in ("centrale2018mp2e.pdf", "centrale2018mp2c.pdf"):
        (tmp_path / name).write_bytes(f"%PDF-1.7 {name}".encode())
    [pair] = pair_landing(tmp_path).pairs
    assert (pair.year, pair.level) == (2018, "cpge")


def test_no_file_is_both_paired_and_unpaired_nor_refers_to_itself(tmp_path: Path) -> None:
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        (tmp_path / name).write_bytes(f"%PDF-1.7 {name}".encode())
    (tmp_path / "manifest.csv").write_text(
        "sujet,corrige\na.pdf,b.pdf\na.pdf,b.pdf\na.pdf,c.pdf\n", encoding="utf-8")
    pairing = pair_landing(tmp_path)
    paired = {p for pair in pairing.pairs for p in (pair.sujet_path, pair.corrige_path)}
    assert paired == {"a.pdf", "b.pdf"}
    listed = {u.path for u in pairing.unpaired}
    assert not paired & listed
    assert all(u.path not in u.detail for u in pairing.unpaired)
    assert {u.path: u.reason for u in pairing.unpaired}["manifest.csv:3"] == "manifest_error"


def test_copies_in_two_folders_list_both_files_of_the_copy(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        for name in ("x-sujet.pdf", "x-corrige.pdf"):
            (tmp_path / folder / name).write_bytes(f"%PDF-1.7 {name}".encode())
    pairing = pair_landing(tmp_path)
    assert len(pairing.pairs) == 1
    assert {(u.path, u.detail) for u in pairing.unpaired} == {
        ("two/x-sujet.pdf", "same content as one/x-sujet.pdf"),
        ("two/x-corrige.pdf", "same content as one/x-corrige.pdf")}


def test_maths_symbols_lost_to_a_symbol_font_are_garbled(tmp_path: Path) -> None:
    doc = pymupdf.open()
    body = ("Exercice 1. Soit p un réel tel que p Ø 0 et soit A une partie de E avec A µ B. "
            "On considère la suite définie pour tout entier naturel n par la relation de "
            "récurrence, puis on montre que la suite est croissante et majorée, donc "
            "convergente vers une limite que l'on déterminera. Pour tout x Ø 1 on a f(x) Ø 0. ")
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(50, 50, 550, 800), body * 3, fontsize=10)
    doc.save(tmp_path / "garbled.pdf")
    result = extract_pdf(tmp_path / "garbled.pdf")
    assert result.verdict == "garbled"
    assert "maths symbols lost to a symbol font" in result.detail and "'Ø'" in result.detail
    clean = pymupdf.open()
    clean.new_page().insert_textbox(pymupdf.Rect(50, 50, 550, 800),
                                    body.replace(" Ø ", " >= ").replace(" µ ", " inclus dans ") * 3,
                                    fontsize=10)
    clean.save(tmp_path / "clean.pdf")
    assert extract_pdf(tmp_path / "clean.pdf").verdict == "ok"
