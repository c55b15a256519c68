"""Pair exam PDFs (sujet + corrigé) found in the landing folder.

A folder holding a ``manifest.csv`` (``sujet,corrige[,exam,subject,year,level]``, paths relative
to the manifest) is paired by it; an empty ``corrige`` marks a sujet that has no correction.
Every other PDF is paired by its file name:

- role words are dropped from the name to get the exam's key: ``sujet``, ``corrige(s)``,
  ``corr``, ``correction``, ``enonce``, ``officiel``... (``Corriges-Sujets0`` <-> ``Sujets0``,
  ``corrige-BB1`` <-> ``BB1``, ``maths-2023-sujet-officiel`` <-> ``maths-2023-corrige-officiel``);
- ``<stem>e.pdf`` <-> ``<stem>c.pdf`` (énoncé / corrigé) when both exist;
- a file is a corrigé when its name holds a correction word (or is the ``c`` of an e/c pair).

Keys must match exactly: a near match is never guessed (``corr-sujet1`` is not paired with
``BAC-metropole-sujet1``; a manifest says which sujet it belongs to). Files left over are
listed with a reason (:data:`UNPAIRED_REASONS`). Year, subject and level come from the manifest
when given, else from tokens of the names.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from luth_assets.lib.confinement import OUTSIDE_REASON, is_inside, split_confined
from luth_assets.lib.lake import file_sha256

MANIFEST = "manifest.csv"
CORRIGE_WORDS = {"corrige", "corriges", "corr", "correction", "corrections", "solution",
                 "solutions", "reponses", "elements", "cor"}
SUJET_WORDS = {"sujet", "sujets", "enonce", "enonces", "officiel", "officielle", "de", "du"}
SUBJECTS = {
    "maths": "mathematiques", "math": "mathematiques", "mathematiques": "mathematiques",
    "mathematique": "mathematiques", "spe": None,
    "physique": "physique-chimie", "chimie": "physique-chimie", "pc": "physique-chimie",
    "physiquechimie": "physique-chimie",
    "svt": "svt", "biologie": "svt", "snt": "nsi", "nsi": "nsi", "informatique": "nsi",
}
LEVELS = {"bac": "terminale", "terminale": "terminale", "terminales": "terminale",
          "premiere": "premiere", "brevet": "troisieme", "dnb": "troisieme",
          "cpge": "cpge", "prepa": "cpge", "mpsi": "cpge", "pcsi": "cpge", "ccp": "cpge",
          "ccinp": "cpge", "centrale": "cpge", "mines": "cpge", "x": None}
UNPAIRED_REASONS = (
    "sujet_without_corrige",   # a sujet with no correction: questions without answers
    "corrige_without_sujet",   # a correction whose sujet is not there (or not recognised)
    "ambiguous_name",          # several files share one exam key in the same role
    "manifest_missing_file",   # the manifest names a file that is not in the folder
    "manifest_error",          # a manifest line that cannot be read
    OUTSIDE_REASON,            # the file (a symlink) or manifest path resolves outside the folder
)


@dataclass(frozen=True)
class ExamPair:
    exam_id: str
    sujet_path: str          # relative to the landing folder
    corrige_path: str
    sujet_sha256: str
    corrige_sha256: str
    exam: str
    subject: str
    year: int | None
    level: str
    paired_by: str           # manifest | names

    def row(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Unpaired:
    path: str
    sha256: str | None
    role: str                # sujet | corrige | unknown
    reason: str
    detail: str

    def row(self) -> dict:
        return asdict(self)


@dataclass
class Pairing:
    pairs: list[ExamPair]
    unpaired: list[Unpaired]

    def by_id(self) -> dict[str, ExamPair]:
        return {p.exam_id: p for p in self.pairs}


def exam_id_of(sujet_sha256: str, corrige_sha256: str, sujet_name: str = "") -> str:
    """Stable id (and partition key) of a pair, readable in the UI: the sujet's file name without
    its role words, then 8 hex characters of the hash of both files' contents
    (``bac-svt-2022-sujet.pdf`` -> ``bac-svt-2022-1a2b3c4d``); the bare hash when the name says
    nothing. The same files give the same key; a changed file gives a new one."""
    digest = hashlib.sha256(f"{sujet_sha256}:{corrige_sha256}".encode()).hexdigest()
    name = exam_key(sujet_name)[:48].strip("-") if sujet_name else ""
    return f"{name}-{digest[:8]}" if name else digest[:16]


def fold(text: str) -> str:
    """Lower case, accents removed."""
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", fold(Path(name).stem)) if t]


def is_corrige_name(name: str) -> bool:
    return any(t in CORRIGE_WORDS for t in tokens(name))


def exam_key(name: str) -> str:
    """The name with its role words removed: what a sujet and its corrigé share."""
    return "-".join(t for t in tokens(name) if t not in CORRIGE_WORDS | SUJET_WORDS)


def name_metadata(*names: str) -> dict:
    """Year, subject and level read from tokens of the file names (None when absent)."""
    year, subject, level = None, None, None
    for name in names:
        # letters and digits are separate words: centrale2018mp2e -> centrale 2018 mp 2 e
        for tok in (t for word in tokens(name) for t in re.findall(r"[a-z]+|\d+", word)):
            if year is None and re.fullmatch(r"(?:19|20)\d\d", tok):
                year = int(tok)
            if subject is None and SUBJECTS.get(tok):
                subject = SUBJECTS[tok]
            if level is None and LEVELS.get(tok):
                level = LEVELS[tok]
    return {"year": year, "subject": subject, "level": level}


class LandingChanged(OSError):
    """A landing file changed while it was read (still being copied): the scan is retried."""


class Hasher:
    """sha256 of files, remembered by (path, size, mtime) so a sensor tick re-reads only
    files that changed. A file whose size or mtime moved while it was hashed raises
    :class:`LandingChanged` (a removed one FileNotFoundError): no hash of half a file is kept."""

    def __init__(self, known: dict[str, list] | None = None):
        self.known: dict[str, list] = dict(known or {})

    def __call__(self, path: Path, rel: str) -> str:
        stat = path.stat()
        seen = self.known.get(rel)
        if seen and seen[0] == stat.st_size and seen[1] == stat.st_mtime_ns:
            return seen[2]
        digest = file_sha256(path)
        after = path.stat()
        if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            raise LandingChanged(f"{rel} changed while it was read (still being written?)")
        self.known[rel] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest


def list_pdfs(landing: Path) -> list[Path]:
    """Every PDF under `landing` (hidden folders skipped), symlinks leading outside included:
    :func:`pair_landing` lists those as unpaired, never opening them."""
    if not landing.is_dir():
        return []
    return sorted(p for p in landing.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"
                  and not any(part.startswith(".") for part in p.relative_to(landing).parts))


def pair_landing(landing: str | Path, hasher: Callable[[Path, str], str] | None = None,
                 defaults: dict | None = None, use_manifests: bool = True) -> Pairing:
    """Pair every PDF under `landing` (manifests first, then file names)."""
    landing = Path(landing)
    hasher = hasher or Hasher()
    defaults = {"subject": "mathematiques", "level": "terminale", **(defaults or {})}
    pdfs, outside = split_confined(list_pdfs(landing), landing)
    rel = {p: p.relative_to(landing).as_posix() for p in pdfs}
    pairs: list[ExamPair] = []
    unpaired: list[Unpaired] = [
        Unpaired(p.relative_to(landing).as_posix(), None, "unknown", OUTSIDE_REASON,
                 "resolves to a file outside the landing folder (a symlink?): never opened")
        for p in outside]
    claimed: set[Path] = set()

    def sha(path: Path) -> str:
        return hasher(path, rel[path])

    def make_pair(sujet: Path, corrige: Path, meta: dict, paired_by: str) -> ExamPair:
        from_names = name_metadata(sujet.name, corrige.name)
        s_sha, c_sha = sha(sujet), sha(corrige)
        year = meta.get("year") or from_names["year"]
        return ExamPair(
            exam_id=exam_id_of(s_sha, c_sha, sujet.name), sujet_path=rel[sujet], corrige_path=rel[corrige],
            sujet_sha256=s_sha, corrige_sha256=c_sha,
            exam=meta.get("exam") or Path(sujet.name).stem,
            subject=meta.get("subject") or from_names["subject"] or defaults["subject"],
            year=int(year) if year else None,
            level=meta.get("level") or from_names["level"] or defaults["level"],
            paired_by=paired_by,
        )

    # 1. manifests
    manifests = sorted(landing.rglob(MANIFEST)) if landing.is_dir() and use_manifests else []
    manifests, outside_manifests = split_confined(manifests, landing)
    unpaired += [Unpaired(m.relative_to(landing).as_posix(), None, "unknown", OUTSIDE_REASON,
                          "this manifest resolves outside the landing folder: never read")
                 for m in outside_manifests]
    by_path = {p.resolve(): p for p in pdfs}
    for manifest in manifests:
        folder = manifest.parent
        with manifest.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            for line_no, line in enumerate(reader, start=2):
                where = f"{manifest.relative_to(landing).as_posix()}:{line_no}"
                sujet_name = (line.get("sujet") or "").strip()
                corrige_name = (line.get("corrige") or "").strip()
                if not sujet_name:
                    unpaired.append(Unpaired(where, None, "unknown", "manifest_error",
                                             "empty sujet column"))
                    continue
                sujet = (folder / sujet_name).resolve()
                corrige = (folder / corrige_name).resolve() if corrige_name else None
                escaping = [n for n, p in ((sujet_name, sujet), (corrige_name, corrige))
                            if p is not None and not is_inside(p, landing)]
                if escaping:
                    unpaired.append(Unpaired(where, None, "unknown", OUTSIDE_REASON,
                                             f"resolves outside the landing folder: "
                                             f"{', '.join(escaping)} (never opened)"))
                    continue
                missing = [n for n, p in ((sujet_name, sujet), (corrige_name, corrige))
                           if p is not None and p not in by_path]
                if missing:
                    unpaired.append(Unpaired(where, None, "unknown", "manifest_missing_file",
                                             f"not found: {', '.join(missing)}"))
                    for p in (sujet, corrige):
                        if p in by_path:
                            claimed.add(by_path[p])
                            unpaired.append(Unpaired(rel[by_path[p]], sha(by_path[p]),
                                                     "sujet" if p == sujet else "corrige",
                                                     "manifest_missing_file",
                                                     f"its partner is missing ({where})"))
                    continue
                s_path = by_path[sujet]
                already = [rel[by_path[p]] for p in (sujet, corrige)
                           if p is not None and by_path[p] in claimed]
                if already:  # a file belongs to one line only
                    unpaired.append(Unpaired(where, None, "unknown", "manifest_error",
                                             f"{', '.join(already)} already used by an earlier "
                                             "manifest line"))
                    continue
                claimed.add(s_path)
                if corrige is None:
                    unpaired.append(Unpaired(rel[s_path], sha(s_path), "sujet",
                                             "sujet_without_corrige",
                                             f"the manifest gives no corrigé ({where})"))
                    continue
                c_path = by_path[corrige]
                claimed.add(c_path)
                meta = {k: (line.get(k) or "").strip() or None
                        for k in ("exam", "subject", "year", "level")}
                pairs.append(make_pair(s_path, c_path, meta, "manifest"))

    # 2. file names, per folder
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for p in pdfs:
        if p not in claimed:
            by_folder[p.parent].append(p)
    for folder_files in by_folder.values():
        stems = {p.stem.lower(): p for p in folder_files}
        roles: dict[Path, tuple[str, str]] = {}
        for p in folder_files:  # énoncé / corrigé: <stem>e.pdf <-> <stem>c.pdf
            stem = p.stem.lower()
            if len(stem) >= 4 and stem.endswith("c") and stem[:-1] + "e" in stems:
                partner = stems[stem[:-1] + "e"]
                roles[p] = ("corrige", "ec:" + stem[:-1])
                roles[partner] = ("sujet", "ec:" + stem[:-1])
        for p in folder_files:
            if p not in roles:
                roles[p] = ("corrige" if is_corrige_name(p.name) else "sujet", exam_key(p.name))
        groups: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
        for p, (role, key) in roles.items():
            groups[key][role].append(p)
        for key, by_role in sorted(groups.items()):
            sujets, corriges = by_role.get("sujet", []), by_role.get("corrige", [])
            if len(sujets) == 1 and len(corriges) == 1:
                pairs.append(make_pair(sujets[0], corriges[0], {}, "names"))
                continue
            for role, files in (("sujet", sujets), ("corrige", corriges)):
                for p in files:
                    if len(sujets) > 1 or len(corriges) > 1:
                        reason = "ambiguous_name"
                        detail = (f"{len(sujets)} sujet(s) and {len(corriges)} corrigé(s) share "
                                  f"the exam key {key!r}; add a {MANIFEST}")
                    elif role == "sujet":
                        reason, detail = "sujet_without_corrige", (
                            f"no corrigé named like {key!r} in the folder (add it, or a {MANIFEST})")
                    else:
                        reason, detail = "corrige_without_sujet", (
                            f"no sujet named like {key!r} in the folder (add it, or a {MANIFEST})")
                    unpaired.append(Unpaired(rel[p], sha(p), role, reason, detail))

    # the same content twice (a copy in two folders) is one exam
    unique: dict[str, ExamPair] = {}
    for pair in pairs:
        kept = unique.get(pair.exam_id)
        if kept is None:
            unique[pair.exam_id] = pair
            continue
        for role in ("sujet", "corrige"):
            path = getattr(pair, f"{role}_path")
            if path not in (kept.sujet_path, kept.corrige_path):  # never an entry about itself
                unpaired.append(Unpaired(path, getattr(pair, f"{role}_sha256"), role,
                                         "ambiguous_name",
                                         f"same content as {getattr(kept, f'{role}_path')}"))
    pairs = sorted(unique.values(), key=lambda p: p.sujet_path)
    unpaired.sort(key=lambda u: u.path)
    return Pairing(pairs=pairs, unpaired=unpaired)


def load_hasher(path: str | Path) -> Hasher:
    """A :class:`Hasher` remembering the hashes saved at `path` (a JSON file) earlier."""
    path = Path(path)
    try:
        return Hasher(json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {})
    except (OSError, ValueError):  # an unreadable cache is only a cache: hash again
        return Hasher()


def save_hasher(hasher: Hasher, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(hasher.known, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
