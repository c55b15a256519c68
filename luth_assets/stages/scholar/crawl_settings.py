"""The `scholar.crawl:` section: where the exam crawler looks and how politely it fetches."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from luth_assets.lib.strict import StrictModel


class CrawlSource(StrictModel):
    """One place to find exam PDFs: an HTML index page, or a list of URLs."""

    name: str = Field(description="sub-folder of the landing folder the PDFs go to")
    index: str | None = Field(None, description="URL of an HTML page listing sujet and corrigé links")
    urls: list[str] = Field(default_factory=list, description="direct PDF URLs (instead of, or "
                            "besides, an index page)")
    sujet_pattern: str = Field(r"sujet|enonce|énoncé", description="regular expression (case "
                               "ignored) a sujet link's URL or text matches")
    corrige_pattern: str = Field(r"corrig|correction|solution", description="regular expression a "
                                 "corrigé link's URL or text matches; checked first")
    licence: str = Field("unknown", description="licence note kept with each fetched file")

    @field_validator("sujet_pattern", "corrige_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"not a regular expression: {value!r} ({err})") from None
        return value

    @field_validator("name")
    @classmethod
    def _folder_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            raise ValueError(f"source name {value!r} must be a plain folder name")
        return value


class CrawlConfig(StrictModel):
    """Settings of the exam crawler and its daily schedule."""

    sources: list[CrawlSource] = Field(default_factory=list)
    cron: str = Field("0 3 * * *", description="schedule of `scholar_crawl_schedule` (daily)")
    schedule_running: bool = Field(
        True, description="start the schedule with the daemon when there are sources "
        "(never without: the demo has none)")
    user_agent: str = "luth-lakehouse-exam-crawler/1.0"
    min_interval_s: float = Field(2.0, ge=0.0, description="seconds between two requests to "
                                  "one host")
    max_bytes: int = Field(30_000_000, ge=1024, description="a larger PDF is not kept")
    timeout_s: float = Field(30.0, gt=0.0)
    max_files_per_run: int = Field(200, ge=1, description="new PDFs fetched per run at most")
