"""The language-ID worker pool (`lib/worker_pool.py`, used by `lid_cascade.map_batches`): workers
start without re-running the parent's main module (under `luth materialize` that is the whole CLI,
~1 s of imports per worker), results keep their order, a task defined in `__main__` still works,
and a source of a single batch is detected in the calling process without starting workers.

Each case runs a small script in a child process, as `luth` or `dagster` run: the script is the
process's main module and counts, in a file, how many times it is executed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

HELPER = '''
import os
import sys


def describe(item, offset):
    """Where the item was handled and whether the parent's main module was re-run there (from
    `map_batches`, `offset` is its LidOptions)."""
    return {"value": item + offset if isinstance(offset, int) else item, "pid": os.getpid(),
            "main_rerun": hasattr(sys.modules["__main__"], "__file__")}
'''

MAIN = '''
import json
import os
import sys

sys.path.insert(0, {repo!r})
with open({runs!r}, "a") as runs:  # one line each time this main module is executed
    runs.write(str(os.getpid()) + "\\n")

from helper import describe
from luth_assets.lib.lid_cascade import LidOptions, map_batches
from luth_assets.lib.worker_pool import ordered_map
from luth_assets.stages.sources.settings import LanguageIdConfig


def square(item):
    return item * item


if __name__ == "__main__":
    main_before = sys.modules["__main__"]
    which = sys.argv[1]
    if which == "pool":
        out = list(ordered_map(describe, range(7), workers=2, args=(100,)))
    elif which == "main-task":
        out = list(ordered_map(square, range(5), workers=2))
    else:  # map_batches over `which` items
        options = LidOptions.from_config(LanguageIdConfig(), "fr")
        out = list(map_batches(describe, range(int(which)), options, workers=2))
    assert sys.modules["__main__"] is main_before, "the main module was not put back"
    print(json.dumps({{"out": out, "parent": os.getpid()}}, default=str))
'''


def run(tmp_path: Path, which: str) -> tuple[dict, list[str]]:
    runs = tmp_path / "runs.txt"
    runs.unlink(missing_ok=True)
    (tmp_path / "helper.py").write_text(HELPER)
    script = tmp_path / "main_script.py"
    script.write_text(MAIN.format(repo=str(REPO), runs=str(runs)))
    done = subprocess.run([sys.executable, str(script), which], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), runs.read_text().split()


def test_workers_start_without_the_parents_main_module(tmp_path) -> None:
    result, runs = run(tmp_path, "pool")
    assert runs == [str(result["parent"])], "a worker re-ran the parent's main module"
    assert [r["value"] for r in result["out"]] == list(range(100, 107))  # in order
    pids = {r["pid"] for r in result["out"]}
    assert result["parent"] not in pids and 1 <= len(pids) <= 2  # done by the workers
    assert not any(r["main_rerun"] for r in result["out"])


def test_a_task_defined_in_main_still_reaches_the_workers(tmp_path) -> None:
    # the workers need the main module to unpickle such a task: it is not hidden from them
    result, runs = run(tmp_path, "main-task")
    assert result["out"] == [0, 1, 4, 9, 16]
    assert len(runs) > 1 and runs[0] == str(result["parent"])


def test_a_single_batch_is_detected_in_this_process(tmp_path) -> None:
    single, _ = run(tmp_path, "1")
    assert [r["pid"] for r in single["out"]] == [single["parent"]]
    several, runs = run(tmp_path, "5")
    assert [r["value"] for r in several["out"]] == [0, 1, 2, 3, 4]
    pids = {r["pid"] for r in several["out"]}
    assert several["parent"] not in pids and runs == [str(several["parent"])]
