"""The exam crawler: new sujet and corrigé PDFs from index pages or URL lists into the landing
folder, where the landing sensor pairs them and backfills them as new partitions.

Polite and careful (plain Python, no Dagster):

- ``robots.txt`` of each host is read once and obeyed (a host without one allows all);
- one request per ``min_interval_s`` per host, a ``User-Agent`` that says who fetches;
- a file over ``max_bytes`` is not kept (``Content-Length`` first, then while reading);
- the HTTP status, the content type (``application/pdf``, or a generic binary type) and the
  ``%PDF`` magic are checked before a byte is written;
- a file whose sha256 is already in the landing folder is a duplicate, not written again;
- a URL already in the provenance log is not fetched again, except after a network error or a
  5xx status (worth a retry on the next run).

Each outcome is one line of ``<landing>/.crawl/<source>.jsonl`` (hidden: the pairing skips it):
URL, role, fetched_at, HTTP status, outcome (``fetched``, ``duplicate``, ``not_found``,
``not_pdf``, ``too_large``, ``robots_disallowed``, ``http_error``, ``http_error_5xx``,
``network_error``), the file
written (relative to the landing folder), its sha256, bytes, and the source's licence note.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from luth_assets.lib.lake import file_sha256
from luth_assets.stages.scholar.crawl_settings import CrawlConfig, CrawlSource
from luth_assets.stages.scholar.pairing import list_pdfs

PDF_TYPES = ("application/pdf", "application/x-pdf", "application/octet-stream",
             "binary/octet-stream")
RETRY_OUTCOMES = {"network_error", "http_error_5xx"}
LOG_DIR = ".crawl"


@dataclass(frozen=True)
class Link:
    url: str
    role: str   # sujet or corrige
    text: str = ""


@dataclass
class CrawlReport:
    rows: list[dict] = field(default_factory=list)   # one per URL tried this run

    @property
    def outcomes(self) -> dict[str, int]:
        return dict(Counter(row["outcome"] for row in self.rows))

    @property
    def written(self) -> list[str]:
        return [row["path"] for row in self.rows if row["outcome"] == "fetched"]


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.anchors.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def classify(url: str, text: str, source: CrawlSource) -> str | None:
    """sujet, corrige, or None for a link that is neither (the corrigé pattern first:
    "corrigé du sujet" is a corrigé)."""
    haystack = f"{unquote(url)} {text}"
    if re.search(source.corrige_pattern, haystack, re.I):
        return "corrige"
    if re.search(source.sujet_pattern, haystack, re.I):
        return "sujet"
    return None


def index_links(html: str, base_url: str, source: CrawlSource) -> list[Link]:
    """The sujet and corrigé links of an index page, absolute, each once, in page order."""
    parser = _Anchors()
    parser.feed(html)
    links, seen = [], set()
    for href, text in parser.anchors:
        url = urljoin(base_url, href.strip())
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        role = classify(url, text, source)
        if role:
            seen.add(url)
            links.append(Link(url, role, text))
    return links


def public_url(url: str) -> str:
    """The URL without a ``user:password@`` part (never written to the log)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def file_name(url: str) -> str:
    """A safe local file name for a PDF URL (its last path segment, ``.pdf`` ensured)."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "exam"
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "exam"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


class PoliteClient:
    """GETs with robots.txt, a per-host interval and a size cap."""

    def __init__(self, cfg: CrawlConfig, client: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.cfg = cfg
        self.client = client or httpx.Client(timeout=cfg.timeout_s, follow_redirects=True,
                                             headers={"User-Agent": cfg.user_agent})
        self.sleep, self.clock = sleep, clock
        self.last: dict[str, float] = {}
        self.robots: dict[str, RobotFileParser | None] = {}

    def _wait(self, host: str) -> None:
        if host in self.last:
            delay = self.cfg.min_interval_s - (self.clock() - self.last[host])
            if delay > 0:
                self.sleep(delay)
        self.last[host] = self.clock()

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        if host not in self.robots:
            self._wait(parts.netloc)
            try:
                response = self.client.get(f"{host}/robots.txt")
                parser = RobotFileParser()
                parser.parse(response.text.splitlines() if response.status_code == 200 else [])
                self.robots[host] = parser
            except httpx.HTTPError:
                self.robots[host] = None  # robots.txt unreachable: allow, the fetch will tell
        parser = self.robots[host]
        return parser is None or parser.can_fetch(self.cfg.user_agent, url)

    def get(self, url: str) -> tuple[int, str, bytes | None, str]:
        """(status, content type, body or None when over the cap, detail)."""
        self._wait(urlsplit(url).netloc)
        with self.client.stream("GET", url) as response:
            ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
            length = response.headers.get("content-length")
            if length and length.isdigit() and int(length) > self.cfg.max_bytes:
                return response.status_code, ctype, None, f"Content-Length {length} bytes"
            if response.status_code != 200:
                return response.status_code, ctype, b"", ""
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.cfg.max_bytes:
                    return response.status_code, ctype, None, f"over {self.cfg.max_bytes} bytes"
            return response.status_code, ctype, bytes(body), ""


def known_hashes(landing: Path) -> dict[str, str]:
    """sha256 -> relative path of every PDF already in the landing folder."""
    return {file_sha256(path): path.relative_to(landing).as_posix() for path in list_pdfs(landing)}


def read_log(landing: Path, source: str) -> list[dict]:
    path = landing / LOG_DIR / f"{source}.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _append_log(landing: Path, source: str, rows: list[dict]) -> None:
    folder = landing / LOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{source}.jsonl", "a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def _outcome(status: int, ctype: str, body: bytes | None) -> str:
    if body is None:
        return "too_large"
    if status == 404 or status == 410:
        return "not_found"
    if status >= 500:
        return "http_error_5xx"
    if status != 200:
        return "http_error"
    if ctype not in PDF_TYPES or not body.startswith(b"%PDF"):
        return "not_pdf"
    return "fetched"


def source_links(source: CrawlSource, client: PoliteClient) -> tuple[list[Link], list[dict]]:
    """The links of one source (index page and URL list), and log rows for an index that failed."""
    links = [Link(url, classify(url, "", source) or "sujet") for url in source.urls]
    rows = []
    if source.index:
        try:
            if not client.allowed(source.index):
                rows.append({"url": public_url(source.index), "outcome": "robots_disallowed",
                             "role": "index"})
            else:
                status, _ctype, body, _ = client.get(source.index)
                if status == 200 and body:
                    links += index_links(body.decode("utf-8", errors="replace"), source.index, source)
                else:
                    rows.append({"url": public_url(source.index), "outcome": "http_error",
                                 "role": "index", "http_status": status})
        except httpx.HTTPError as err:
            rows.append({"url": public_url(source.index), "outcome": "network_error",
                         "role": "index", "detail": type(err).__name__})
    return links, rows


def crawl(cfg: CrawlConfig, landing: str | Path, client: PoliteClient | None = None,
          now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> CrawlReport:
    """Fetch the new PDF links of every source into ``<landing>/<source>/`` (see module doc)."""
    landing = Path(landing)
    client = client or PoliteClient(cfg)
    hashes = known_hashes(landing)
    report = CrawlReport()
    budget = cfg.max_files_per_run
    for source in cfg.sources:
        done = {row["url"] for row in read_log(landing, source.name)
                if row["outcome"] not in RETRY_OUTCOMES}
        links, rows = source_links(source, client)
        for link in links:
            if public_url(link.url) in done or budget <= 0:
                continue
            row = {"url": public_url(link.url), "role": link.role, "licence": source.licence,
                   "source": source.name, "fetched_at": now().isoformat(timespec="seconds")}
            rows.append(row)
            done.add(row["url"])
            if not client.allowed(link.url):
                row["outcome"] = "robots_disallowed"
                continue
            try:
                status, ctype, body, detail = client.get(link.url)
            except httpx.HTTPError as err:
                row.update(outcome="network_error", detail=type(err).__name__)
                continue
            row.update(http_status=status, content_type=ctype, outcome=_outcome(status, ctype, body))
            if detail:
                row["detail"] = detail
            if row["outcome"] != "fetched":
                continue
            digest = hashlib.sha256(body).hexdigest()
            row.update(sha256=digest, bytes=len(body))
            if digest in hashes:
                row.update(outcome="duplicate", duplicate_of=hashes[digest])
                continue
            target = _free_path(landing / source.name, file_name(link.url))
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.part")  # hidden until complete
            partial.write_bytes(body)
            partial.replace(target)
            row["path"] = target.relative_to(landing).as_posix()
            hashes[digest] = row["path"]
            budget -= 1
        rows = [{"source": source.name, "licence": source.licence, **r} for r in rows]
        _append_log(landing, source.name, rows)
        report.rows += rows
    return report


def _free_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `name-2.pdf`, `name-3.pdf`... when a different file holds the name."""
    path, n = folder / name, 2
    while path.exists():
        path, n = folder / f"{Path(name).stem}-{n}.pdf", n + 1
    return path
