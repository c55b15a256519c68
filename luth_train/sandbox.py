"""Run untrusted Python (a model's code answer, its unit tests) in a subprocess that cannot reach
the network and cannot run away with the machine.

Layers, from the strongest:

- **network namespace** (`unshare --net`, Linux, needs root or user namespaces): the child sees
  only a loopback interface that is down, so no address, local or remote, can be reached. When
  the parent is root the child also drops to the `nobody` user (`unshare --setuid/--setgid`), so
  it cannot write outside its temporary directory, raise its own limits or signal other processes.
- **audit hook** (always, the fallback where namespaces are unavailable): the child starts with
  `python -I -S` (no site-packages, no environment variables, no user site) and a bootstrap that
  installs a `sys.addaudithook` hook refusing every `socket.*` event (socket creation, connect,
  bind, getaddrinfo), process creation (`os.fork`, `os.system`, `os.exec`, `os.posix_spawn`,
  `subprocess.Popen`), signals to other processes (`os.kill`), raising resource limits and loading
  native code through `ctypes`. An audit hook cannot be removed from Python code, but code that
  reaches native code some other way (a C extension already on the path) is not stopped by it.
  With `site_packages=True` (the installed packages importable, numpy for MBPP+'s tests) `ctypes`
  is allowed, so the network refusal rests on the namespace there.
- **resource limits** in the child before it starts (`preexec_fn`): CPU seconds (`RLIMIT_CPU`),
  address space (`RLIMIT_AS`), size of any file it writes (`RLIMIT_FSIZE`, which also caps its
  captured stdout and stderr), number of processes (`RLIMIT_NPROC`, not enforced for root).
- **wall clock**: past `wall_seconds` the child's whole process group is killed.
- **temporary directory** as the working directory, removed afterwards whatever happened.

`run_python` returns a `SandboxResult` whose `verdict` says what happened in one word.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

Verdict = Literal[
    "ok",  # exited with status 0
    "failed",  # exited with another status (an exception, a failed assertion)
    "timeout",  # killed at the wall-clock limit
    "cpu_limit",  # killed at the CPU-time limit
    "memory_limit",  # ran out of its address space (MemoryError, or killed allocating)
    "output_limit",  # wrote more than the output cap
    "refused",  # attempted something the sandbox forbids (network, processes, native code)
]
Isolation = Literal["auto", "netns", "audit_hook"]

REFUSAL_MARK = "SANDBOX_REFUSED"
NOBODY = 65534

# Audit events the child may not raise; a prefix ending in "." covers a family of events.
FORBIDDEN_EVENTS = (
    "socket.",
    "os.fork",
    "os.forkpty",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.kill",
    "os.killpg",
    "subprocess.Popen",
    "pty.spawn",
    "resource.setrlimit",
    "resource.prlimit",
    "sys.addaudithook",
)

# Native code loading: numpy and other installed packages need it (`site_packages=True` allows it,
# so the network refusal then rests on the namespace alone: see the module docstring).
NATIVE_EVENTS = ("ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata")


def _bootstrap(forbidden: tuple[str, ...]) -> str:
    """Runs first in the child: installs the refusing hook, then runs the program as `__main__`."""
    return f"""
import sys
_FORBIDDEN = {forbidden!r}
def _hook(event, args, _forbidden=_FORBIDDEN):
    for name in _forbidden:
        if event == name or (name.endswith(".") and event.startswith(name)):
            raise PermissionError("{REFUSAL_MARK}: " + event + " is not allowed in the sandbox")
sys.addaudithook(_hook)
import runpy
_program = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(_program, run_name="__main__")
"""


@dataclass(frozen=True)
class SandboxLimits:
    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    memory_bytes: int = 512 * 1024**2
    output_bytes: int = 64 * 1024
    processes: int = 64


@dataclass(frozen=True)
class SandboxResult:
    verdict: Verdict
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    isolation: str  # "netns" or "audit_hook" (the audit hook is installed in both)

    @property
    def passed(self) -> bool:
        return self.verdict == "ok"


@lru_cache(maxsize=1)
def network_namespace_available() -> bool:
    """Can this process start a child in a fresh network namespace (`unshare --net`)?"""
    unshare = shutil.which("unshare")
    if not unshare or not sys.platform.startswith("linux"):
        return False
    try:
        probe = subprocess.run([unshare, "--net", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def _resolve_isolation(isolation: Isolation) -> str:
    if isolation == "audit_hook":
        return "audit_hook"
    available = network_namespace_available()
    if isolation == "netns" and not available:
        raise RuntimeError(
            "sandbox isolation 'netns' asked for but `unshare --net` is unavailable here "
            "(needs Linux with root or user namespaces); use isolation='auto' or 'audit_hook'"
        )
    return "netns" if available else "audit_hook"


def _limit_child(limits: SandboxLimits):
    def apply() -> None:
        cpu = max(1, int(limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _interpreter(site_packages: bool = False) -> str:
    # the base interpreter: `-I -S` needs only the standard library, not the virtual environment;
    # with site_packages, this environment's interpreter (its installed packages importable)
    if site_packages:
        return sys.executable
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


@lru_cache(maxsize=4)
def _others_can_run(path: str) -> bool:
    """Can a user other than the owner reach and execute `path` (every parent directory searchable)?"""
    target = Path(path)
    for folder in [*target.parents]:
        if not os.stat(folder).st_mode & 0o001:
            return False
    return bool(os.stat(target).st_mode & 0o001)


def drops_to_nobody(isolation: str, site_packages: bool = False) -> bool:
    """Does the child run as `nobody`? Only in a namespace started by root, and only when the
    interpreter is reachable by other users (an interpreter under a private home is not)."""
    return (isolation == "netns" and os.geteuid() == 0
            and _others_can_run(os.path.realpath(_interpreter(site_packages))))


def _command(program: Path, isolation: str, site_packages: bool = False) -> list[str]:
    flags = ["-I"] if site_packages else ["-I", "-S"]
    forbidden = FORBIDDEN_EVENTS if site_packages else FORBIDDEN_EVENTS + NATIVE_EVENTS
    python = [_interpreter(site_packages), *flags, "-c", _bootstrap(forbidden), str(program)]
    if isolation != "netns":
        return python
    prefix = [shutil.which("unshare") or "unshare", "--net"]
    if drops_to_nobody(isolation, site_packages):
        prefix += ["--setgid", str(NOBODY), "--setuid", str(NOBODY)]
    return [*prefix, "--", *python]


def _read_capped(path: Path, cap: int) -> str:
    with open(path, "rb") as handle:
        return handle.read(cap).decode("utf-8", errors="replace")


def _verdict(returncode: int | None, timed_out: bool, stderr: str, output_full: bool) -> Verdict:
    if timed_out:
        return "timeout"
    if returncode == -signal.SIGXCPU or returncode == -signal.SIGKILL:
        return "cpu_limit"
    if returncode == -signal.SIGXFSZ or (returncode and output_full and "File too large" in stderr):
        return "output_limit"
    if returncode == 0:
        return "ok"
    if REFUSAL_MARK in stderr:
        return "refused"
    tail = stderr.strip().splitlines()[-1:] or [""]
    if tail[0].startswith("MemoryError") or returncode == -signal.SIGSEGV:
        return "memory_limit"
    return "failed"


def run_python(
    code: str,
    *,
    limits: SandboxLimits | None = None,
    stdin: str = "",
    isolation: Isolation = "auto",
    site_packages: bool = False,
) -> SandboxResult:
    """Run `code` as a Python program in the sandbox; stdout and stderr are captured (each up to
    `limits.output_bytes`). `site_packages`: the program may import this environment's installed
    packages (numpy for MBPP+'s tests), not only the standard library."""
    limits = limits or SandboxLimits()
    mode = _resolve_isolation(isolation)
    workdir = Path(tempfile.mkdtemp(prefix="luth-sandbox-"))
    try:
        program = workdir / "program.py"
        program.write_text(code, encoding="utf-8")
        if drops_to_nobody(mode, site_packages):
            for path in (workdir, program):
                os.chown(path, NOBODY, NOBODY)
        out_path, err_path = workdir / ".stdout", workdir / ".stderr"
        started = time.monotonic()
        timed_out = False
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            process = subprocess.Popen(
                _command(program, mode, site_packages),
                cwd=workdir,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(workdir),
                     "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
                start_new_session=True,
                preexec_fn=_limit_child(limits),
            )
            try:
                process.communicate(stdin.encode("utf-8"), timeout=limits.wall_seconds)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(process)
        seconds = time.monotonic() - started
        stdout = _read_capped(out_path, limits.output_bytes)
        stderr = _read_capped(err_path, limits.output_bytes)
        output_full = max(out_path.stat().st_size, err_path.stat().st_size) >= limits.output_bytes
        verdict = _verdict(process.returncode, timed_out, stderr, output_full)
        return SandboxResult(verdict, process.returncode, stdout, stderr, seconds, mode)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def run_unit_tests(
    solution: str,
    tests: str,
    *,
    limits: SandboxLimits | None = None,
    isolation: Isolation = "auto",
    site_packages: bool = False,
) -> SandboxResult:
    """Run a solution followed by its unit tests (assert statements, as MBPP+ and HumanEval+ give
    them) in one sandboxed program; `passed` when every assertion held."""
    program = f"{solution.rstrip()}\n\n\n{tests.rstrip()}\n"
    return run_python(program, limits=limits, isolation=isolation, site_packages=site_packages)
