"""The lake's lease, on a local folder and on S3 (moto on 127.0.0.1): one holder at a time, named
when it refuses another; re-entrant for the same holder; an expired lease is taken over with a log
line, and two writers taking it over at once cannot both win (conditional writes)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from luth_assets.lib.lease import LEASE_NAME, Lease, Member, read_lease, store_for
from luth_assets.lib.locks import WriterBusy

from .moto_s3 import moto_lake


@pytest.fixture(params=["local", "s3"])
def lake_root(request, tmp_path, monkeypatch):
    if request.param == "local":
        yield str(tmp_path / "lake")
        return
    with moto_lake(tmp_path / "cache", monkeypatch) as lake:
        yield lake["root"]


def elsewhere(root: str) -> None:
    """Make the lease's members look like processes of another machine (no pid check)."""
    store = store_for(root)
    doc, token = store.read()
    for member in doc["members"].values():
        member["host"] = "another-host#0"
    assert store.swap(doc, token)


def test_a_second_writer_is_refused_with_the_holder_named(lake_root):
    first = Lease(lake_root, "luth materialize aaa", Member("m1", "run-1")).acquire()
    assert first.fresh
    again = Lease(lake_root, "luth materialize aaa", Member("m2", "run-2")).acquire()
    assert not again.fresh  # same holder: re-entrant (another run or step of the same writer)
    with pytest.raises(WriterBusy, match=r"leased to another writer: luth materialize aaa "
                       r"\(run run-1, run-2, host .*pid \d+, lease valid until"):
        Lease(lake_root, "run bbb", Member("m3", "run-3")).acquire()
    first.release()
    again.release()
    Lease(lake_root, "run bbb", Member("m3", "run-3")).acquire()  # released: free again
    assert read_lease(lake_root)["holder"] == "run bbb"


def test_an_expired_lease_is_taken_over_with_a_log_line(lake_root):
    Lease(lake_root, "dead writer", Member("m1", "run-1"), ttl=0.5).acquire()
    elsewhere(lake_root)
    with pytest.raises(WriterBusy):
        Lease(lake_root, "new writer", Member("m2", "run-2")).acquire()
    time.sleep(0.7)
    lines: list[str] = []
    taker = Lease(lake_root, "new writer", Member("m2", "run-2"), log=lines.append).acquire()
    assert taker.fresh
    assert lines == [f"took over the lease of {lake_root} from dead writer: its writer stopped "
                     "renewing it (expired, or its process is gone)"]
    assert set(read_lease(lake_root)["members"]) == {"m2"}


def test_a_take_over_is_conditional_on_what_was_read(lake_root):
    """Two writers read the same expired lease; only the first conditional write wins."""
    Lease(lake_root, "dead writer", Member("m1", "run-1"), ttl=0.1).acquire()
    store = store_for(lake_root)
    doc, token = store.read()
    time.sleep(0.2)
    assert store.swap({"holder": "writer A", "members": {}}, token)
    assert not store.swap({"holder": "writer B", "members": {}}, token)  # stale ETag / bytes
    assert not store.swap({"holder": "writer C", "members": {}}, None)  # exists: no blind create
    assert read_lease(lake_root)["holder"] == "writer A"


def test_the_loser_of_a_take_over_learns_it_at_its_next_renewal(lake_root):
    old = Lease(lake_root, "slow writer", Member("m1", "run-1"), ttl=0.3).acquire()
    elsewhere(lake_root)
    time.sleep(0.5)
    Lease(lake_root, "new writer", Member("m2", "run-2")).acquire()
    assert not old.renew()
    with pytest.raises(WriterBusy, match="taken over by new writer"):
        old.check()


def test_a_killed_holder_on_this_host_frees_the_lease_at_once(tmp_path):
    import subprocess
    import sys

    repo = str(Path(__file__).resolve().parents[2])
    root = str(tmp_path / "lake")
    script = (f"import sys, time; sys.path.insert(0, {repo!r}); "
              "from luth_assets.lib.lease import Lease, Member; "
              f"Lease({root!r}, 'killed writer', Member('k', 'run-k')).acquire(); "
              "print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WriterBusy, match=f"killed writer .*pid {holder.pid}"):
            Lease(root, "me", Member("m", "run-m")).acquire()
    finally:
        holder.kill()
        holder.wait()
    assert Lease(root, "me", Member("m", "run-m")).acquire().fresh  # its expiry is 60 s away
    assert json.loads((Path(root) / LEASE_NAME).read_text())["holder"] == "me"


def test_who_a_run_writes_for():
    from luth_assets.lib.run_lease import writer_of

    assert writer_of({"luth/writer": "luth materialize abc", "dagster/backfill": "b1"}, "r1") == \
        "luth materialize abc"  # the command's runs share its lease
    assert writer_of({"dagster/backfill": "b1"}, "r1") == "backfill b1"  # so do a backfill's
    assert writer_of({}, "r1") == "run r1"
    # a re-execution from the UI inherits its parent's tags, yet writes on its own
    assert writer_of({"luth/writer": "luth materialize abc"}, "r2", parent_run_id="r1") == "run r2"
