"""Row-streamed merging of large tensors, for mergekit methods that treat every element alone.

mergekit loads each input tensor whole, merges, and hands the whole output to its shard writer.
For the tied 151936 x 1024 embedding of a Qwen3-0.6B-shaped model, a linear merge then holds both
bf16 inputs, a float32 accumulator and its temporaries at once (about 1.6x the model's bytes on
top of the libraries). For a method whose result row r depends only on the inputs' row r, the
same mergekit task can instead run once per block of rows: this module makes
``ExecuteMergeMethodTask`` skip loading a large tensor, read it block by block from the input
safetensors files, and call mergekit's own ``execute`` on each block (so the maths, parameter
binding and validation stay mergekit's), filling one output tensor. Only the output and one
block of each input are in memory.

Only methods listed in ``ROW_SEPARABLE`` stream: linear (an element-wise weighted mean). SLERP is
not row-separable (its angle is taken over the whole tensor), nor are the sparsifying methods
(TIES/DARE rank over the whole tensor); they run as mergekit runs them.

Used in the merge child process only (``luth_train.merge_worker``): it patches mergekit's class.
"""

from __future__ import annotations

import os
from typing import Any

ROW_SEPARABLE = frozenset({"linear"})
STREAMED: list[str] = []  # output tensors merged in row blocks by this process, in order


class RowSource:
    """One input of a streamed tensor: a reader with ``read_rows`` and the tensor's key in it."""

    def __init__(self, model: Any, reader: Any, key: str, dtype: str | None):
        self.model, self.reader, self.key, self.dtype = model, reader, key, dtype

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.reader.header[self.key]["shape"])

    def nbytes(self) -> int:
        return self.reader.nbytes(self.key)

    def rows(self, start: int, stop: int):
        from mergekit.common import dtype_from_name

        block = self.reader.read_rows(self.key, start, stop)
        if self.dtype and (dtype := dtype_from_name(self.dtype)) != block.dtype:
            block = block.to(dtype=dtype)  # what mergekit's LoadTensor does to a whole tensor
        return block


def row_sources(task: Any, open_reader, min_bytes: int) -> list[RowSource] | None:
    """The inputs of a mergekit ``ExecuteMergeMethodTask`` if it should stream, else None.

    It streams when the method is row-separable, its inputs are plain tensors gathered from
    safetensors files (no vocabulary permutation, no checkpoint conversion), every input is
    there with the same shape, and the tensor holds at least ``min_bytes``.
    """
    from mergekit.io.tasks import GatherTensors, LoaderCache

    if task.method_name not in ROW_SEPARABLE or type(task.gather_tensors) is not GatherTensors:
        return None
    sources = []
    for load in task.gather_tensors.arguments().values():
        loader = LoaderCache().get(load.model)
        name = load._resolve_name(loader)
        if name is None or load.device not in (None, "cpu"):
            return None
        path = os.path.join(loader.index.base_path, loader.index.tensor_paths[name])
        if not path.lower().endswith(".safetensors"):
            return None
        sources.append(RowSource(load.model, open_reader(path), name, load.dtype))
    shape = sources[0].shape if sources else ()
    if len(sources) < 2 or any(s.shape != shape for s in sources) or not shape or shape[0] == 0:
        return None  # missing input, shapes that differ (mergekit says why), 0-d or empty tensor
    if max(s.nbytes() for s in sources) < min_bytes:
        return None
    return sources


def merge_in_row_blocks(task: Any, sources: list[RowSource], execute, block_bytes: int):
    """Run mergekit's ``execute`` on successive row blocks of the inputs; return the whole output."""
    import torch

    n_rows = sources[0].shape[0]
    row_bytes = max(1, max(s.nbytes() for s in sources) // max(1, n_rows))
    step = max(1, block_bytes // row_bytes)
    out = None
    for start in range(0, n_rows, step):
        stop = min(n_rows, start + step)
        merged = execute(task, tensors={s.model: s.rows(start, stop) for s in sources})
        if out is None:
            out = torch.empty((n_rows, *merged.shape[1:]), dtype=merged.dtype)
        out[start:stop] = merged
        del merged
    return out


def stream_row_separable_merges(open_reader, min_bytes: int, block_bytes: int) -> None:
    """Patch mergekit (this process only) so row-separable merges of tensors of at least
    ``min_bytes`` run in blocks of about ``block_bytes`` per input.

    ``open_reader(path)`` returns a reader of one safetensors file with ``header``,
    ``nbytes(key)`` and ``read_rows(key, start, stop)``.
    """
    from mergekit.merge_methods.task_adapter import ExecuteMergeMethodTask

    if getattr(ExecuteMergeMethodTask, "_luth_row_streaming", False):
        return
    arguments, execute = ExecuteMergeMethodTask.arguments, ExecuteMergeMethodTask.execute
    readers: dict[str, Any] = {}

    def cached_reader(path: str):
        if path not in readers:
            readers[path] = open_reader(path)
        return readers[path]

    def streamed_arguments(self) -> dict:
        # no dependency on the whole-tensor loads: execute reads the rows itself
        if row_sources(self, cached_reader, min_bytes) is not None:
            return {}
        return arguments(self)

    def streamed_execute(self, tensors=None, **kwargs):
        if tensors is None:
            sources = row_sources(self, cached_reader, min_bytes)
            STREAMED.append(self.output_weight.name)
            return merge_in_row_blocks(self, sources, execute, block_bytes)
        return execute(self, tensors, **kwargs)

    ExecuteMergeMethodTask.arguments = streamed_arguments
    ExecuteMergeMethodTask.execute = streamed_execute
    ExecuteMergeMethodTask._luth_row_streaming = True
