"""Child process for `luth_train.merge.run.run_mergekit`: runs one mergekit merge, reports its figures.

    python -m luth_train.merge_worker CONFIG.yaml OUT_DIR OPTIONS.json RESULT.json

Runs mergekit as a library (`MergeConfiguration`, `run_merge`, `MergeOptions`) and writes
``{"wall_time_s", "peak_rss_bytes"}`` to RESULT.json; peak RSS is this process's own high-water
mark (so it is the merge's, not the caller's).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import resource
import sys
import time
import types
from pathlib import Path

_ST_DTYPES = {
    "F64": "float64",
    "F32": "float32",
    "F16": "float16",
    "BF16": "bfloat16",
    "I64": "int64",
    "I32": "int32",
    "I16": "int16",
    "I8": "int8",
    "U8": "uint8",
    "BOOL": "bool",
}


class ReadSafetensorsLoader:
    """A safetensors shard read with plain ``read()`` calls instead of mmap.

    mergekit keeps each input shard open through ``safetensors.safe_open``, whose memory map
    leaves every page it touched resident in the process (a whole single-file model counts in
    RSS by the end). Reading each tensor into its own buffer keeps only the tensors in flight in
    memory; the bytes are identical. Duck-types ``mergekit.io.loader.TensorLoader``.
    """

    def __init__(self, path: str, device: str | None = None):
        import struct

        self.path = path
        self.device = device or "cpu"
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n))
        header.pop("__metadata__", None)
        self.header = header
        self.data_start = 8 + n

    def keys(self) -> list[str]:
        return list(self.header)

    def nbytes(self, key: str) -> int:
        start, end = self.header[key]["data_offsets"]
        return end - start

    def get_tensor(self, key: str):
        return self.read_rows(key, 0, None)

    def read_rows(self, key: str, start_row: int, stop_row: int | None):
        """Rows ``start_row:stop_row`` of a tensor (all of a 0-d one), read from the file."""
        import torch

        info = self.header[key]
        dtype = getattr(torch, _ST_DTYPES[info["dtype"]])
        shape = list(info["shape"])
        begin, end = info["data_offsets"]
        if shape:
            row_bytes = (end - begin) // shape[0] if shape[0] else 0
            stop_row = shape[0] if stop_row is None else min(stop_row, shape[0])
            begin, end = begin + start_row * row_bytes, begin + stop_row * row_bytes
            shape[0] = stop_row - start_row
        if end == begin:
            return torch.empty(shape, dtype=dtype, device=self.device)
        buf = bytearray(end - begin)
        with open(self.path, "rb", buffering=0) as f:
            f.seek(self.data_start + begin)
            view = memoryview(buf)
            got = 0
            while got < len(buf):
                n = f.readinto(view[got:])
                if not n:
                    raise OSError(f"{self.path}: truncated tensor {key}")
                got += n
        t = torch.frombuffer(buf, dtype=dtype).reshape(shape)
        return t if self.device == "cpu" else t.to(self.device)


def use_read_loader() -> None:
    """Make mergekit open .safetensors shards with `ReadSafetensorsLoader` (this process only)."""
    from mergekit.io import loader

    original = loader.TensorLoader.get.__func__

    def get(cls, shard_path: str, use_lazy_unpickle: bool = False, device: str | None = None):
        if shard_path.lower().endswith(".safetensors"):
            return ReadSafetensorsLoader(shard_path, device=device)
        return original(cls, shard_path, use_lazy_unpickle=use_lazy_unpickle, device=device)

    loader.TensorLoader.get = classmethod(get)


def peak_rss_bytes() -> int:
    """This process's RSS high-water mark.

    ``VmHWM`` belongs to the current address space, so it starts afresh at exec; ``ru_maxrss``
    does not (Linux carries the forking parent's high-water mark across exec), which would
    charge a large parent's memory to the merge child.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its attributes is used, then imports the real one."""

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


class _DeferredFinder:
    """Importing a submodule of a deferred package (``scipy.optimize``) loads the real package
    first, then lets the normal import machinery go on."""

    @staticmethod
    def find_spec(fullname: str, path=None, target=None):
        top = fullname.split(".", 1)[0]
        if "." in fullname and isinstance(sys.modules.get(top), _Deferred):
            del sys.modules[top]
            importlib.import_module(top)
        return None


def defer_import(name: str) -> None:
    """Let `import name` succeed without loading it (mergekit imports peft at the top of
    mergekit.common but only uses it for LoRA adapters, which our merges never read)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    if not any(isinstance(f, _DeferredFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _DeferredFinder())
    stub = _Deferred(name)
    stub.__file__, stub.__spec__ = spec.origin, spec
    if spec.submodule_search_locations is not None:  # a package: submodule imports reach the finder
        stub.__path__ = list(spec.submodule_search_locations)
    sys.modules[name] = stub


def current_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def run_here(source: str, out_dir: str, options: dict) -> dict:
    """Run mergekit on YAML text in this process; return wall time and this process's peak RSS
    (and its RSS once the libraries are imported, the floor under any merge)."""
    t0 = time.perf_counter()
    if options.get("no_mmap"):  # child process: keep the import footprint small
        defer_import("peft")
    import yaml
    from mergekit.config import MergeConfiguration
    from mergekit.merge import MergeOptions, run_merge

    config = MergeConfiguration.model_validate(yaml.safe_load(source))
    options = dict(options)
    stream_min_bytes = options.pop("stream_rows_min_bytes", None)
    stream_block_bytes = options.pop("stream_block_bytes", 32 << 20)
    streamed: list[str] = []
    if options.pop("no_mmap", False):
        use_read_loader()
        if stream_min_bytes:
            from luth_train import merge_rows

            merge_rows.stream_row_separable_merges(
                ReadSafetensorsLoader, stream_min_bytes, stream_block_bytes
            )
            streamed = merge_rows.STREAMED
    # mergekit would also set the interop pool size, which torch refuses once any parallel work
    # ran in this process (in-process use); intra-op threads are the ones that matter here.
    num_threads = options.pop("num_threads", None)
    if num_threads:
        import torch

        torch.set_num_threads(int(num_threads))
    mk_options = MergeOptions(**options)
    mk_options.apply_global_options()
    import_rss = current_rss_bytes()
    t1 = time.perf_counter()
    run_merge(config, out_dir, options=mk_options, config_source=source)
    t2 = time.perf_counter()
    peak = peak_rss_bytes()
    return {"wall_time_s": t2 - t1, "startup_s": t1 - t0, "peak_rss_bytes": peak,
            "import_rss_bytes": import_rss, "streamed_tensors": list(streamed)}


def main(argv: list[str]) -> int:
    cfg_path, out_dir, opt_path, res_path = argv
    source = Path(cfg_path).read_text(encoding="utf-8")
    options = json.loads(Path(opt_path).read_text(encoding="utf-8"))
    result = run_here(source, out_dir, options)
    Path(res_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
