"""A Parquet source whose one row group is larger than a reader should hold: read in bounded
batches (a buffered stream, page by page), never the whole column chunk at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
ROWS = 100_000   # ~143 MB of incompressible text in ONE row group

READ = """
import sys
import pyarrow.parquet  # noqa: F401 - imported before the baseline
from luth_assets.lib.source_config import SourceConfig
from luth_assets.lib.source_reading import read_source_batches

def peak_kib():  # this process's high-water mark (ru_maxrss may carry the parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

source = SourceConfig(uri=sys.argv[1], format="parquet",
                      mapping={"id": "id", "instruction": "instruction", "output": "output"})
before = peak_kib()
rows = sum(len(batch) for batch in read_source_batches("s", source, batch_size=500))
print(rows, (peak_kib() - before) // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_one_huge_row_group_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "one_row_group.parquet"
    table = pa.table({"id": [str(i) for i in range(ROWS)],
                      "instruction": [os.urandom(750).hex() for _ in range(ROWS)],
                      "output": ["ok"] * ROWS})
    pq.write_table(table, path, row_group_size=ROWS, use_dictionary=False)
    del table
    assert pq.ParquetFile(path).metadata.num_row_groups == 1
    size_mb = path.stat().st_size // 2**20
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", READ, str(path)], env=env, check=True,
                         capture_output=True, text=True, timeout=600).stdout.split()
    rows, grew_mb = int(out[0]), int(out[1])
    print(f"{size_mb} MB row group: peak memory grew {grew_mb} MB while reading")
    assert rows == ROWS
    # unbuffered, the whole column chunk is read at once (growth above the file's size);
    # buffered, the growth stays near a constant (~60-80 MB) whatever the row group's size
    assert grew_mb < 0.75 * size_mb
