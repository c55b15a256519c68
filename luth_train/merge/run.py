"""Running a merge: mergekit in a child process (`luth_train.merge_worker`) or in this one, with
our options (row blocks, plain reads), then the tokenizer copy, validation and the run record."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from luth_train.cards import merge_card, write_card
from luth_train.merge.errors import MergeError
from luth_train.merge.model_files import copy_tokenizer, output_digest
from luth_train.merge.recipes import MergeRecipe, resolve_recipe
from luth_train.merge.validate import ValidationReport, validate_merged


class MergeRunOptions(BaseModel):
    """The mergekit options we set; defaults keep CPU memory low (lazy load, small shards)."""

    model_config = ConfigDict(extra="forbid")

    lazy_unpickle: bool = True
    low_cpu_memory: bool = True
    out_shard_size: int = 200_000_000  # bytes per output shard held in memory before writing
    device: str = "cpu"
    num_threads: int | None = None
    random_seed: int | None = 0
    trust_remote_code: bool = False
    # Run mergekit in this process instead of a child: faster to start, but peak RSS is then this
    # process's lifetime high-water mark, not the merge's own.
    in_process: bool = False
    # Read input safetensors with plain reads instead of mmap (see merge_worker): RSS then holds
    # only the tensors in flight, not every input page touched. Child-process runs only.
    no_mmap: bool = True
    # Row-separable methods (linear) merge tensors of at least this many bytes block by block
    # (see merge_rows): only the output and one block of each input are in memory. None: never.
    # Child-process runs with no_mmap only.
    stream_rows_min_bytes: int | None = Field(default=64 << 20, ge=1)
    stream_block_bytes: int = Field(default=32 << 20, ge=1)

    def to_mergekit_options(self) -> dict[str, Any]:
        return {
            "no_mmap": self.no_mmap and not self.in_process,
            "stream_rows_min_bytes": self.stream_rows_min_bytes,
            "stream_block_bytes": self.stream_block_bytes,
            "lazy_unpickle": self.lazy_unpickle,
            "low_cpu_memory": self.low_cpu_memory,
            "out_shard_size": self.out_shard_size,
            "device": self.device,
            "num_threads": self.num_threads,
            "random_seed": self.random_seed,
            "trust_remote_code": self.trust_remote_code,
            "copy_tokenizer": True,
            "quiet": True,
            "write_model_card": True,
            "safe_serialization": True,
        }


@dataclass
class MergeResult:
    out_dir: str
    method: str
    base_model: str
    finetuned_model: str
    mergekit_yaml: str
    output_sha256: str
    size_bytes: int
    wall_time_s: float
    merge_time_s: float
    peak_rss_bytes: int
    validation: ValidationReport | None = None
    import_rss_bytes: int = 0  # RSS of the mergekit process once its libraries were imported
    streamed_tensors: list[str] = field(default_factory=list)  # merged in row blocks (merge_rows)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_mergekit(
    mergekit_yaml: str,
    out_dir: str | Path,
    options: MergeRunOptions | None = None,
    *,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    """Run mergekit on YAML text (in a child process unless ``options.in_process``); return its
    wall time and peak RSS."""
    options = options or MergeRunOptions()
    out_dir = Path(out_dir)
    if options.in_process:
        from luth_train.merge_worker import run_here

        try:
            return run_here(mergekit_yaml, str(out_dir), options.to_mergekit_options())
        except Exception as e:
            raise MergeError(f"mergekit failed writing {out_dir}: {type(e).__name__}: {e}") from e
    with tempfile.TemporaryDirectory(prefix="luth_merge_") as tmp:
        cfg_path = Path(tmp) / "mergekit.yaml"
        cfg_path.write_text(mergekit_yaml, encoding="utf-8")
        opt_path = Path(tmp) / "options.json"
        opt_path.write_text(json.dumps(options.to_mergekit_options()), encoding="utf-8")
        res_path = Path(tmp) / "result.json"
        env = dict(os.environ)
        # glibc raises its mmap threshold after large frees, so later tensor-sized buffers come
        # from the heap and freed memory stays in RSS; a fixed threshold returns it at once.
        env.setdefault("MALLOC_MMAP_THRESHOLD_", str(1 << 20))
        env.setdefault("MALLOC_TRIM_THRESHOLD_", str(1 << 20))
        repo_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (repo_root, env.get("PYTHONPATH")) if p)
        if options.num_threads:
            env.setdefault("OMP_NUM_THREADS", str(options.num_threads))
        cmd = [
            sys.executable,
            "-m",
            "luth_train.merge_worker",
            str(cfg_path),
            str(out_dir),
            str(opt_path),
            str(res_path),
        ]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout_s)
        if proc.returncode != 0 or not res_path.is_file():
            tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-25:]
            raise MergeError(
                f"mergekit failed (exit {proc.returncode}) writing {out_dir}:\n" + "\n".join(tail)
            )
        return json.loads(res_path.read_text(encoding="utf-8"))


def merge(
    recipe: MergeRecipe | dict[str, Any] | str | Path,
    out_dir: str | Path,
    *,
    options: MergeRunOptions | None = None,
    base_model: str | None = None,
    finetuned_model: str | None = None,
    validate: bool = True,
    overwrite: bool = False,
    seed: int = 0,
    generate_tokens: int = 4,
    fresh_init_max_params: int = 2_000_000_000,
    card_root: str | Path | None = None,
) -> MergeResult:
    """Run a merge recipe into ``out_dir``, copy the fine-tuned tokenizer, validate, record.

    The merge is written to a sibling temporary folder and renamed into place only when it
    passed validation, so ``out_dir`` never holds a half-written or invalid model.
    """
    t0 = time.perf_counter()
    resolved = resolve_recipe(recipe, base_model=base_model, finetuned_model=finetuned_model)
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise MergeError(f"output folder {out} exists and is not empty (pass overwrite=True)")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        run = run_mergekit(resolved.mergekit_yaml, work, options)
        copy_tokenizer(resolved.finetuned_model, work)
        report = None
        if validate:
            report = validate_merged(
                work,
                resolved.base_model,
                resolved.finetuned_model,
                seed=seed,
                generate_tokens=generate_tokens,
                fresh_init_max_params=fresh_init_max_params,
            )
        digest, size = output_digest(work)
        if out.exists():
            shutil.rmtree(out)
        os.replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result = MergeResult(
        out_dir=str(out),
        method=resolved.method,
        base_model=resolved.base_model,
        finetuned_model=resolved.finetuned_model,
        mergekit_yaml=resolved.mergekit_yaml,
        output_sha256=digest,
        size_bytes=size,
        wall_time_s=time.perf_counter() - t0,
        merge_time_s=float(run["wall_time_s"]),
        peak_rss_bytes=int(run["peak_rss_bytes"]),
        import_rss_bytes=int(run.get("import_rss_bytes", 0)),
        streamed_tensors=list(run.get("streamed_tensors", [])),
        validation=report,
    )
    (out / "luth_merge.json").write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    # mergekit's own card is titled after the temporary folder and lists no base model
    write_card(out, merge_card(name=out.name, method=resolved.method, base_model=resolved.base_model,
                               finetuned_model=resolved.finetuned_model,
                               mergekit_yaml=resolved.mergekit_yaml,
                               root=card_root if card_root is not None else Path.cwd()))
    return result
