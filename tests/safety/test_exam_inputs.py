"""Exam PDFs and the landing folder under stress: a PDF with more pages than
`scholar.max_pdf_pages` is quarantined unread, an owner-password PDF is read and a user-password
one quarantined, and a landing folder that changes while the sensor reads it never crashes a
tick (nothing is registered or dropped from a half-read folder; the next tick reads it)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import dagster as dg
import pymupdf
import pytest

from luth_assets.resources import LakeResource, build_resources
from luth_assets.run_config import Settings
from luth_assets.stages.scholar import landing as landing_scan
from luth_assets.stages.scholar.definitions import stage_definitions
from luth_assets.stages.scholar.documents import read_exam
from luth_assets.stages.scholar.pairing import pair_landing
from luth_assets.stages.scholar.partitions import PARTITIONS, exam_frame
from luth_assets.stages.scholar.pdf_text import extract_pdf
from luth_assets.stages.scholar.settings import ScholarConfig

REPO = Path(__file__).resolve().parents[2]
DEMO_EXAMS = REPO / "data_lake" / "landing" / "exams"
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"
SUJET, CORRIGE = (DEMO_EXAMS / f"bac-maths-2024-{r}.pdf" for r in ("sujet", "corrige"))


def exam_row(landing: Path) -> dict:
    [pair] = pair_landing(landing).pairs
    return exam_frame(pair, landing).to_dicts()[0]


def encrypted_copy(source: Path, target: Path, **passwords) -> Path:
    with pymupdf.open(source) as doc:
        doc.save(target, encryption=pymupdf.PDF_ENCRYPT_AES_256, **passwords)
    return target


def test_a_pdf_over_the_page_cap_is_quarantined_unread(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    with pymupdf.open(SUJET) as doc, pymupdf.open() as long:
        for _ in range(4):
            long.insert_pdf(doc)
        pages = long.page_count
        long.save(landing / "bac-maths-2024-sujet.pdf")
    shutil.copy2(CORRIGE, landing / CORRIGE.name)
    cap = pages - 1
    texts, quarantine = read_exam(exam_row(landing), ScholarConfig(max_pdf_pages=cap),
                                  warn=lambda _: None)
    [row] = quarantine.to_dicts()
    assert (row["role"], row["reason"], row["page_count"]) == ("sujet", "too_many_pages", pages)
    assert f"{pages} pages > scholar.max_pdf_pages {cap}" in row["detail"]
    assert row["methods_tried"] == ""                        # not a page was read
    assert set(texts["role"]) == {"corrige"}                 # its partner is read as usual
    assert ScholarConfig().max_pdf_pages == 300


def test_owner_password_pdfs_are_read_user_password_ones_quarantined(tmp_path: Path) -> None:
    plain = extract_pdf(SUJET)
    owner = extract_pdf(encrypted_copy(SUJET, tmp_path / "owner.pdf", owner_pw="proprio",
                                       permissions=0))     # no permission granted at all
    assert owner.ok and owner.pages == plain.pages
    user = extract_pdf(encrypted_copy(SUJET, tmp_path / "user.pdf", owner_pw="proprio",
                                      user_pw="lecteur"))
    assert (user.verdict, user.detail) == ("encrypted", "the PDF needs a password")


class Churn:
    """A thread that keeps copying a big PDF into the landing folder in small writes and removing
    it: files appear, grow, and vanish while the folder is read."""

    def __init__(self, landing: Path, source: bytes):
        self.landing, self.source = landing, source
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            path = self.landing / f"bac-maths-20{n % 10:02d}-sujet.pdf"
            with path.open("wb") as handle:
                for start in range(0, len(self.source), 1 << 16):
                    handle.write(self.source[start:start + (1 << 16)])
                    handle.flush()
            path.unlink()
            n += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(10)


def test_a_landing_folder_changing_while_scanned_never_crashes(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy2(SUJET, landing / "bac-maths-2024-sujet.pdf")
    shutil.copy2(CORRIGE, landing / "bac-maths-2024-corrige.pdf")
    [pair] = pair_landing(landing).pairs
    big = SUJET.read_bytes() * 40           # hashing takes long enough to be overtaken
    unsettled = 0
    with Churn(landing, big):
        for _ in range(150):
            result = landing_scan.scan(landing, None, {pair.exam_id})
            if result.unsettled:
                unsettled += 1
                assert (result.add, result.stale, result.request) == ([], [], [])
                assert "changed while it was read" in result.unsettled
            else:   # a settled read always sees the stable pair
                assert pair.exam_id in [p.exam_id for p in result.pairing.pairs]
    print(f"{unsettled} of 150 scans found the folder moving")
    settled = landing_scan.scan(landing, None, set())
    assert settled.unsettled is None and settled.add == [pair.exam_id]


@pytest.fixture
def sensor_setup(tmp_path: Path):
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    landing.mkdir()
    lake.mkdir()
    settings = Settings(config_path=DEMO_CONFIG, lake_root=str(lake))
    config = settings.load().model_copy(update={"scholar": ScholarConfig(landing_dir=landing)})
    defs = dg.Definitions.merge(stage_definitions(config),
                                dg.Definitions(resources=build_resources(settings, config)))
    with dg.instance_for_test() as instance:
        yield landing, lake, defs.resolve_sensor_def("scholar_landing_sensor"), instance


def test_the_sensor_ticks_through_a_changing_folder(sensor_setup) -> None:
    landing, lake, sensor, instance = sensor_setup
    shutil.copy2(SUJET, landing / "bac-maths-2024-sujet.pdf")
    shutil.copy2(CORRIGE, landing / "bac-maths-2024-corrige.pdf")
    [pair] = pair_landing(landing).pairs

    def tick(cursor):
        with dg.build_sensor_context(instance=instance, cursor=cursor,
                                     resources={"lake": LakeResource(root=str(lake))}) as context:
            return sensor(context)

    skipped = 0
    with Churn(landing, SUJET.read_bytes() * 40):
        for _ in range(40):
            result = tick(None)                    # never raises
            if result.skip_reason and "changed while it was read" in str(result.skip_reason):
                skipped += 1
                assert not result.run_requests and not result.dynamic_partitions_requests
    print(f"{skipped} of 40 ticks skipped")
    result = tick(None)
    [request] = result.dynamic_partitions_requests
    assert request.partitions_def_name == PARTITIONS.name
    assert list(request.partition_keys) == [pair.exam_id]
