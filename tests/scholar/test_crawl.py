"""The exam crawler against an HTTP server on 127.0.0.1 (never the internet): an index page with
the demo PDFs, a broken link, a 404, HTML posing as a PDF, a file over the size cap, a path
robots.txt forbids and a duplicate of a file already in the landing folder; then the landing
sensor backfills the new exam."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import pytest
from conftest import DEMO_EXAMS, REPO, copy_pair
from pydantic import ValidationError

from luth_assets.resources import LakeResource, build_resources
from luth_assets.run_config import Settings
from luth_assets.stages.scholar.crawl import (
    PoliteClient,
    classify,
    crawl,
    file_name,
    index_links,
    public_url,
)
from luth_assets.stages.scholar.crawl_settings import CrawlConfig, CrawlSource
from luth_assets.stages.scholar.definitions import stage_definitions
from luth_assets.stages.scholar.partitions import PARTITIONS
from luth_assets.stages.scholar.settings import ScholarConfig

SUJET = (DEMO_EXAMS / "bac-maths-2024-sujet.pdf").read_bytes()
CORRIGE = (DEMO_EXAMS / "bac-maths-2024-corrige.pdf").read_bytes()
SVT = (DEMO_EXAMS / "bac-svt-2022-sujet.pdf").read_bytes()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Handler(BaseHTTPRequestHandler):
    broken = 0
    hits: list[str] = []

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server's name)
        Handler.hits.append(self.path)
        pages = {
            "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
            "/annales/index.html": (200, "text/html; charset=utf-8", f"""<html><body>
              <h1>Annales</h1>
              <a href="../pdf/bac-maths-2024-sujet.pdf">Sujet 2024</a>
              <a href="/pdf/bac-maths-2024-corrige.pdf">Corrigé 2024</a>
              <a href="/pdf/bac-maths-2023-sujet.pdf">Sujet 2023 (lien mort)</a>
              <a href="/pdf/bac-maths-2022-corrige.pdf">Corrigé 2022</a>
              <a href="/pdf/grand-sujet.pdf">Sujet très long</a>
              <a href="/private/bac-maths-2020-sujet.pdf">Sujet réservé</a>
              <a href="/pdf/svt-copie-sujet.pdf">Sujet SVT (copie)</a>
              <a href="http://127.0.0.1:{Handler.broken}/bac-maths-2019-sujet.pdf">Sujet 2019</a>
              <a href="/mentions.html">Mentions légales</a>
              <a href="mailto:webmaster@example.org">Contact</a>
            </body></html>""".encode()),
            "/pdf/bac-maths-2024-sujet.pdf": (200, "application/pdf", SUJET),
            "/pdf/bac-maths-2024-corrige.pdf": (200, "application/pdf", CORRIGE),
            "/pdf/bac-maths-2022-corrige.pdf": (200, "application/pdf",
                                                b"<html><body>Session expired</body></html>"),
            "/pdf/grand-sujet.pdf": (200, "application/pdf", b"%PDF-1.4\n" + b"0" * 300_000),
            "/private/bac-maths-2020-sujet.pdf": (200, "application/pdf", SUJET),
            "/pdf/svt-copie-sujet.pdf": (200, "application/octet-stream", SVT),
        }
        status, ctype, body = pages.get(self.path, (404, "text/html", b"<h1>Not found</h1>"))
        self._send(status, ctype, body)


@pytest.fixture
def server():
    Handler.broken, Handler.hits = _closed_port(), []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _config(base: str, **kw) -> CrawlConfig:
    source = CrawlSource(name="apmep", index=f"{base}/annales/index.html",
                         licence="reproduction autorisée pour l'enseignement")
    return CrawlConfig(sources=[source], min_interval_s=0.0, max_bytes=100_000, timeout_s=5, **kw)


def test_links_roles_and_names():
    source = CrawlSource(name="s")
    html = ('<a href="a/Sujet_2024.pdf">x</a><a href="b.pdf">Corrigé du sujet</a>'
            '<a href="c.pdf">plan</a><a href="a/Sujet_2024.pdf">again</a>')
    links = index_links(html, "https://h.example/annales/", source)
    assert [(link.url, link.role) for link in links] == [
        ("https://h.example/annales/a/Sujet_2024.pdf", "sujet"),
        ("https://h.example/annales/b.pdf", "corrige")]  # corrigé pattern first; each once
    assert classify("https://h/x/enonce.pdf", "", source) == "sujet"
    assert file_name("https://h/a/Corrig%C3%A9%20bac.pdf?x=1") == "Corrig-bac.pdf"
    assert file_name("https://h/dl?id=3") == "dl.pdf"
    assert public_url("https://me:s3cret@h.example/a.pdf") == "https://h.example/a.pdf"
    with pytest.raises(ValidationError, match="regular expression"):
        CrawlSource(name="s", sujet_pattern="(")
    with pytest.raises(ValidationError, match="plain folder name"):
        CrawlSource(name="../x")


def test_crawl_keeps_real_new_pdfs_and_says_why_it_left_the_others(server: str, tmp_path: Path):
    landing = tmp_path / "landing"
    copy_pair("bac-svt-2022", landing / "already")
    cfg = _config(server)
    report = crawl(cfg, landing)
    by_url = {row["url"].removeprefix(server): row for row in report.rows}
    assert by_url["/pdf/bac-maths-2024-sujet.pdf"]["outcome"] == "fetched"
    assert by_url["/pdf/bac-maths-2024-corrige.pdf"]["role"] == "corrige"
    assert by_url["/pdf/bac-maths-2023-sujet.pdf"]["outcome"] == "not_found"
    assert by_url["/pdf/bac-maths-2023-sujet.pdf"]["http_status"] == 404
    assert by_url["/pdf/bac-maths-2022-corrige.pdf"]["outcome"] == "not_pdf"  # HTML posing as PDF
    assert by_url["/pdf/grand-sujet.pdf"]["outcome"] == "too_large"
    assert by_url["/private/bac-maths-2020-sujet.pdf"]["outcome"] == "robots_disallowed"
    duplicate = by_url["/pdf/svt-copie-sujet.pdf"]
    assert duplicate["outcome"] == "duplicate"
    assert duplicate["duplicate_of"] == "already/bac-svt-2022-sujet.pdf"
    broken = [row for row in report.rows if row["url"].endswith("bac-maths-2019-sujet.pdf")]
    assert broken[0]["outcome"] == "network_error"
    assert report.outcomes == {"fetched": 2, "not_found": 1, "not_pdf": 1, "too_large": 1,
                               "robots_disallowed": 1, "duplicate": 1, "network_error": 1}
    assert "/private/bac-maths-2020-sujet.pdf" not in Handler.hits  # never requested
    # the two real PDFs, byte for byte; nothing else in the landing folder
    assert (landing / "apmep" / "bac-maths-2024-sujet.pdf").read_bytes() == SUJET
    assert (landing / "apmep" / "bac-maths-2024-corrige.pdf").read_bytes() == CORRIGE
    assert sorted(p.name for p in (landing / "apmep").iterdir()) == [
        "bac-maths-2024-corrige.pdf", "bac-maths-2024-sujet.pdf"]
    # provenance: URL, fetched_at, HTTP status, licence, sha256 per line
    log = [json.loads(line) for line in
           (landing / ".crawl" / "apmep.jsonl").read_text(encoding="utf-8").splitlines()]
    fetched = next(row for row in log if row["outcome"] == "fetched" and row["role"] == "sujet")
    assert fetched["http_status"] == 200 and fetched["fetched_at"].endswith("+00:00")
    assert fetched["licence"] == "reproduction autorisée pour l'enseignement"
    assert fetched["path"] == "apmep/bac-maths-2024-sujet.pdf" and len(fetched["sha256"]) == 64
    # a second run fetches nothing new; only the network error is tried again
    hits_before = len(Handler.hits)
    again = crawl(cfg, landing)
    assert again.outcomes == {"network_error": 1}
    assert Handler.hits[hits_before:] == ["/robots.txt", "/annales/index.html"]


def test_requests_to_one_host_are_spaced(server: str, tmp_path: Path):
    waits: list[float] = []
    cfg = _config(server).model_copy(update={"min_interval_s": 1.5})
    client = PoliteClient(cfg, sleep=waits.append, clock=lambda: 100.0)  # time stands still
    crawl(cfg, tmp_path / "landing", client=client)
    assert waits and all(w == pytest.approx(1.5) for w in waits)
    assert len(waits) >= 8  # robots.txt, index, then one per PDF link of the host


def test_a_crawled_exam_is_backfilled_by_the_landing_sensor(server: str, tmp_path: Path):
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    lake.mkdir()
    copy_pair("bac-svt-2022", landing)
    settings = Settings(config_path=REPO / "data_lake" / "landing" / "luth.yaml", lake_root=str(lake))
    scholar = ScholarConfig(landing_dir=landing, crawl=_config(server))
    config = settings.load().model_copy(update={"scholar": scholar})
    defs = dg.Definitions.merge(stage_definitions(config),
                                dg.Definitions(resources=build_resources(settings, config)))
    sensor = defs.resolve_sensor_def("scholar_landing_sensor")
    schedule = defs.resolve_schedule_def("scholar_crawl_schedule")
    assert schedule.cron_schedule == "0 3 * * *"  # daily
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING  # sources configured
    with dg.instance_for_test() as instance:
        def tick(cursor):
            with dg.build_sensor_context(instance=instance, cursor=cursor,
                                         resources={"lake": LakeResource(root=str(lake))}) as context:
                result = sensor(context)
            for request in result.dynamic_partitions_requests or []:
                instance.add_dynamic_partitions(request.partitions_def_name,
                                                list(request.partition_keys))
            return result

        first = tick(None)
        assert [r.partition_key for r in first.run_requests] == [
            k for k in instance.get_dynamic_partitions(PARTITIONS.name) if k.startswith("bac-svt")]
        # the schedule's job, run for real: it fetches into the landing folder
        job = defs.resolve_job_def("scholar_crawl_job")
        assert job.execute_in_process(instance=instance).success
        assert (landing / "apmep" / "bac-maths-2024-sujet.pdf").is_file()
        second = tick(first.cursor)
        new = [r.partition_key for r in second.run_requests]
        assert len(new) == 1 and new[0].startswith("bac-maths-2024-")
        assert new[0] in instance.get_dynamic_partitions(PARTITIONS.name)


def test_the_demo_has_no_source_and_its_schedule_is_off():
    settings = Settings(config_path=REPO / "data_lake" / "landing" / "luth.yaml", lake_root="/tmp")
    config = settings.load()
    assert config.scholar.crawl.sources == []
    schedule = stage_definitions(config).schedules[0]
    assert schedule.name == "scholar_crawl_schedule"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
