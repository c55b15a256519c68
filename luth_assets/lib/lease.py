"""One writer per lake: a lease object in the lake, taken with a conditional write.

The lease is ``<lake>/.luth-lease.json``: the **holder** (the writer: a `luth materialize` command,
a backfill, or one run) and its **members**, the processes writing for it (a run's worker, its step
processes, the command itself), each with its run id, host, pid and an expiry. A member renews its
expiry from a heartbeat thread every third of :data:`LEASE_TTL_S`; the holder is live while one
member is.

Every change is a compare-and-swap on the whole document, so two writers never both win:

- on object storage, the first write is a put with ``If-None-Match: *`` and every later one a put
  with ``If-Match: <ETag read>`` (S3 answers 412 to the loser);
- on a local lake, the same under a short ``flock`` of ``.luth-lease.lock`` (created with
  ``O_CREAT | O_EXCL`` the first time, replaced atomically after), so both behave alike.

A writer whose holder differs from the live one is refused with :class:`WriterBusy` naming the
holder, its host, pid and expiry. A lease whose members all expired (or, on this host, whose
processes are gone) is taken over with a log line; the take-over is itself conditional on the
expired document's ETag, so two writers taking over at once cannot both succeed.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luth_assets.lib import object_store
from luth_assets.lib.locks import WriterBusy, pid_alive

LEASE_NAME = ".luth-lease.json"
MUTEX_NAME = ".luth-lease.lock"
LEASE_TTL_S = 60.0


def host_id() -> str:
    """This machine: host name and boot id (a pid is only meaningful within one boot)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        boot = "?"
    return f"{socket.gethostname()}#{boot}"


class LocalStore:
    """The lease file of a local lake; compare-and-swap under a short flock."""

    def __init__(self, root: str | os.PathLike):
        self.folder = Path(str(root).removeprefix("file://"))
        self.path = self.folder / LEASE_NAME

    def read(self) -> tuple[dict | None, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None, None
        return json.loads(raw), raw

    def swap(self, data: dict, token: Any) -> bool:
        """Write `data` if the file still holds `token` (None: if there is no file)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        body = json.dumps(data, sort_keys=True).encode()
        fd = os.open(self.folder / MUTEX_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if token is None:
                try:
                    new = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    return False
                with os.fdopen(new, "wb") as handle:
                    handle.write(body)
                return True
            try:
                if self.path.read_bytes() != token:
                    return False
            except FileNotFoundError:
                return False
            tmp = self.folder / f".{LEASE_NAME}.{os.getpid()}.tmp"
            tmp.write_bytes(body)
            os.replace(tmp, self.path)
            return True
        finally:
            os.close(fd)  # drops the flock


class ObjectStore:
    """The lease object of a lake on S3: conditional puts (``If-None-Match`` / ``If-Match``)."""

    def __init__(self, root: str):
        self.uri = object_store.join(root, LEASE_NAME)
        self.fs, path = object_store.filesystem(self.uri)
        self.bucket, self.key = path.split("/", 1)

    def read(self) -> tuple[dict | None, Any]:
        from fsspec.asyn import sync

        async def get() -> tuple[bytes, str] | None:
            try:
                response = await self.fs._call_s3("get_object", Bucket=self.bucket, Key=self.key)
            except FileNotFoundError:
                return None
            return await response["Body"].read(), response["ETag"]

        got = sync(self.fs.loop, get)
        if got is None:
            return None, None
        return json.loads(got[0]), got[1]

    def swap(self, data: dict, token: Any) -> bool:
        condition = {"IfNoneMatch": "*"} if token is None else {"IfMatch": token}
        try:
            self.fs.call_s3("put_object", Bucket=self.bucket, Key=self.key,
                            Body=json.dumps(data, sort_keys=True).encode(), **condition)
        except (FileExistsError, FileNotFoundError):  # 412 on a create / the object went away
            return False
        except OSError as err:  # s3fs turns 412 on If-Match (and 409, a concurrent conditional
            text = str(err).lower()  # write on S3) into an OSError carrying S3's message
            if "pre-condition" in text or "precondition" in text or "conflict" in text:
                return False
            raise
        return True


def store_for(root: str) -> LocalStore | ObjectStore:
    return ObjectStore(root) if object_store.is_remote(root) else LocalStore(root)


@dataclass
class Member:
    """One process writing for a holder: `run` is the Dagster run id ('' for a command)."""

    key: str
    run: str
    host: str = field(default_factory=host_id)
    pid: int = field(default_factory=os.getpid)

    def info(self, expires: float) -> dict:
        return {"run": self.run, "host": self.host, "pid": self.pid, "expires": expires}


def _alive(info: dict, now: float) -> bool:
    if info.get("expires", 0) <= now:
        return False
    if info.get("host") == host_id():  # same machine and boot: the process must still exist
        return pid_alive(int(info.get("pid", 0)))
    return True


def live_members(doc: dict | None, now: float | None = None) -> dict[str, dict]:
    now = time.time() if now is None else now
    return {k: v for k, v in ((doc or {}).get("members") or {}).items() if _alive(v, now)}


def live_runs(doc: dict | None) -> set[str]:
    return {m["run"] for m in live_members(doc).values() if m.get("run")}


def describe(doc: dict) -> str:
    members = live_members(doc)
    first = next(iter(members.values()), {})
    until = max((m["expires"] for m in members.values()), default=0)
    runs = sorted({m["run"] for m in members.values() if m.get("run")})
    return (f"{doc.get('holder')} ({'run ' + ', '.join(runs) + ', ' if runs else ''}host "
            f"{str(first.get('host', '?')).split('#')[0]}, pid {first.get('pid', '?')}, lease valid until "
            f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(until))})")


class Lease:
    """This process's membership in the lease of the lake at `root` for `holder`."""

    def __init__(self, root: str, holder: str, member: Member, ttl: float = LEASE_TTL_S,
                 log: Callable[[str], None] = print):
        self.root, self.holder, self.member, self.ttl, self.log = root, holder, member, ttl, log
        self.store = store_for(root)
        self.fresh = False   # this acquisition started the holder's tenure (no live member before)
        self.lost: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _update(self, change: Callable[[dict | None], dict | None]) -> dict | None:
        """Apply `change` to the lease document by compare-and-swap, retried on a lost race."""
        for _ in range(50):
            doc, token = self.store.read()
            new = change(doc)
            if new is None or self.store.swap(new, token):
                return new
            time.sleep(0.05)
        raise WriterBusy(f"the lease of {self.root} kept changing under this writer: retry")

    def acquire(self) -> Lease:
        """Join the lease (re-entrant for the same holder), take it when free or expired;
        :class:`WriterBusy` names the holder when another writer has it."""
        now = time.time()

        def change(doc: dict | None) -> dict:
            live = live_members(doc, now)
            if doc is not None and live and doc.get("holder") != self.holder:
                raise WriterBusy(f"the lake {self.root} is leased to another writer: {describe(doc)}; "
                                 "wait for it to finish (a writer that died frees it within "
                                 f"{self.ttl:.0f} s, at once on its own host)")
            self.fresh = not live
            if doc is not None and not live and (doc.get("members") or {}):
                self.log(f"took over the lease of {self.root} from {doc.get('holder')}: its writer "
                         "stopped renewing it (expired, or its process is gone)")
            members = live if doc is not None and doc.get("holder") == self.holder else {}
            members[self.member.key] = self.member.info(now + self.ttl)
            return {"holder": self.holder, "members": members, "renewed": now}

        self._update(change)
        return self

    def renew(self) -> bool:
        """Push this member's expiry forward; False (and `lost` set) when the lease moved on."""
        now = time.time()

        def change(doc: dict | None) -> dict | None:
            if doc is None or doc.get("holder") != self.holder or self.member.key not in (
                    doc.get("members") or {}):
                self.lost = f"the lease of {self.root} was taken over by {(doc or {}).get('holder')}"
                return None
            members = live_members(doc, now)
            members[self.member.key] = self.member.info(now + self.ttl)
            return {**doc, "members": members, "renewed": now}

        self._update(change)
        return self.lost is None

    def release(self) -> None:
        self.stop_heartbeat()

        def change(doc: dict | None) -> dict | None:
            if doc is None or doc.get("holder") != self.holder:
                return None
            members = live_members(doc)
            members.pop(self.member.key, None)
            return {**doc, "members": members, "renewed": time.time()}

        self._update(change)

    def start_heartbeat(self) -> Lease:
        def beat() -> None:
            while not self._stop.wait(self.ttl / 3):
                try:
                    if not self.renew():
                        self.log(f"error: {self.lost}; this writer stops writing")
                        return
                except Exception as err:  # a network blip: the next beat tries again
                    self.log(f"warning: could not renew the lease of {self.root}: {err}")

        self._thread = threading.Thread(target=beat, name="luth-lease", daemon=True)
        self._thread.start()
        return self

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def check(self) -> None:
        """Raise when this writer lost the lease (called before a table is published)."""
        if self.lost:
            raise WriterBusy(self.lost)


def read_lease(root: str) -> dict | None:
    return store_for(root).read()[0]
