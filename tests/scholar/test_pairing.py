"""Pairing sujets and corrigés: the real file names of the shared exams against their manifest,
and each naming convention on files of our own."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from luth_assets.stages.scholar.pairing import exam_id_of, pair_landing


def _pairs(pairing) -> set[tuple[str, str]]:
    return {(p.sujet_path, p.corrige_path) for p in pairing.pairs}


def test_real_names_agree_with_the_manifest_and_the_manifest_pairs_the_rest(shared_data: Path):
    folder = shared_data / "exams" / "bac"
    with (folder / "manifest.csv").open(newline="") as handle:
        manifest = {(r["sujet"], r["corrige"]) for r in csv.DictReader(handle) if r["corrige"]}
    by_names = pair_landing(folder, use_manifests=False)
    by_manifest = pair_landing(folder)

    # names alone: every pair they make is one the manifest makes (none guessed wrong) ...
    assert _pairs(by_names) <= manifest
    assert _pairs(by_names) == {("Sujets0.pdf", "Corriges-Sujets0.pdf"),
                                ("BB1.pdf", "corrige-BB1.pdf")}
    # ... and TYPE-BAC / corr-sujet1 share no name, so they stay unpaired with a reason
    names_unpaired = {u.path: u.reason for u in by_names.unpaired}
    assert names_unpaired["corr-sujet1.pdf"] == "corrige_without_sujet"
    assert names_unpaired["TYPE-BAC.pdf"] == "sujet_without_corrige"

    # with the manifest: exactly its pairs; the sujet it leaves alone is listed as such
    assert _pairs(by_manifest) == manifest
    assert all(p.paired_by == "manifest" for p in by_manifest.pairs)
    assert [(u.path, u.reason) for u in by_manifest.unpaired] == [
        ("BAC-metropole-sujet1.pdf", "sujet_without_corrige")]
    # the key comes from the contents: the same pair gets the same key either way
    ids = {p.sujet_path: p.exam_id for p in by_names.pairs}
    assert all(ids[p.sujet_path] == p.exam_id for p in by_manifest.pairs if p.sujet_path in ids)
    for p in by_manifest.pairs:
        assert p.exam_id == exam_id_of(p.sujet_sha256, p.corrige_sha256, Path(p.sujet_path).name)


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"%PDF-1.7 {name}".encode())  # distinct contents, distinct hashes


def test_naming_conventions(tmp_path: Path):
    _touch(tmp_path,
           "2023/maths-2023-sujet-officiel.pdf", "2023/maths-2023-corrige-officiel.pdf",
           "svt/bac19e.pdf", "svt/bac19c.pdf",
           "Sujets0.pdf", "Corriges-Sujets0.pdf",
           "physique-chimie-2022-sujet.pdf", "physique-chimie-2022-correction.pdf",
           "nsi-sujet.pdf", "nsi-sujet-bis.pdf", "nsi-corrige.pdf", "nsi-corrige-bis.pdf",
           "dup/x-sujet.pdf", "dup/x-enonce.pdf", "dup/x-corrige.pdf",
           "seul-corrige.pdf", ".hidden/a-sujet.pdf")
    pairing = pair_landing(tmp_path)
    assert _pairs(pairing) == {
        ("2023/maths-2023-sujet-officiel.pdf", "2023/maths-2023-corrige-officiel.pdf"),
        ("svt/bac19e.pdf", "svt/bac19c.pdf"),
        ("Sujets0.pdf", "Corriges-Sujets0.pdf"),
        ("physique-chimie-2022-sujet.pdf", "physique-chimie-2022-correction.pdf"),
        ("nsi-sujet.pdf", "nsi-corrige.pdf"),
        ("nsi-sujet-bis.pdf", "nsi-corrige-bis.pdf"),
    }
    meta = {p.sujet_path: p for p in pairing.pairs}
    assert (meta["2023/maths-2023-sujet-officiel.pdf"].year,
            meta["2023/maths-2023-sujet-officiel.pdf"].subject) == (2023, "mathematiques")
    assert meta["physique-chimie-2022-sujet.pdf"].subject == "physique-chimie"
    assert meta["svt/bac19e.pdf"].level == "terminale"
    # partition keys a user can read in the UI: the exam's name, then 8 hex of the contents' hash
    assert re.fullmatch(r"physique-chimie-2022-[0-9a-f]{8}",
                        meta["physique-chimie-2022-sujet.pdf"].exam_id)
    assert re.fullmatch(r"maths-2023-[0-9a-f]{8}", meta["2023/maths-2023-sujet-officiel.pdf"].exam_id)
    unpaired = {u.path: u.reason for u in pairing.unpaired}
    assert unpaired == {"dup/x-sujet.pdf": "ambiguous_name", "dup/x-enonce.pdf": "ambiguous_name",
                        "dup/x-corrige.pdf": "ambiguous_name",
                        "seul-corrige.pdf": "corrige_without_sujet"}


def test_manifest_columns_and_missing_files(tmp_path: Path):
    _touch(tmp_path, "a.pdf", "b.pdf", "c.pdf")
    (tmp_path / "manifest.csv").write_text(
        "sujet,corrige,exam,subject,year,level\n"
        "a.pdf,b.pdf,Centrale MP 2019,mathematiques,2019,cpge\n"
        "c.pdf,absent.pdf,,,,\n", encoding="utf-8")
    pairing = pair_landing(tmp_path)
    [pair] = pairing.pairs
    assert (pair.exam, pair.subject, pair.year, pair.level, pair.paired_by) == (
        "Centrale MP 2019", "mathematiques", 2019, "cpge", "manifest")
    reasons = {(u.path, u.reason) for u in pairing.unpaired}
    assert ("manifest.csv:3", "manifest_missing_file") in reasons
    assert ("c.pdf", "manifest_missing_file") in reasons
