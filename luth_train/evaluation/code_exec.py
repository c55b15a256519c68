"""Code benchmarks (MBPP+): the program in a response, run with the item's tests in the sandbox
(`luth_train/sandbox.py`: no network, CPU, memory, output and wall-clock limits, a temporary
directory). An item passes when every test holds."""

from __future__ import annotations

import re

from luth_train.sandbox import SandboxLimits, SandboxResult, run_unit_tests

EVAL_LIMITS = SandboxLimits(cpu_seconds=10, wall_seconds=20, memory_bytes=1024**3)
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.DOTALL)


def extract_program(response: str) -> str:
    """The program in a response: the last fenced block tagged python (or untagged) that defines
    something, else the last fenced block, else the whole response."""
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(response)]
    python = [body for lang, body in blocks if lang in ("", "python", "py", "python3")]
    defining = [body for body in python if re.search(r"^\s*(def|class|import|from)\s", body, re.M)]
    for candidates in (defining, python, [body for _, body in blocks]):
        if candidates:
            return candidates[-1]
    return response


def run_program_tests(response: str, tests: str, limits: SandboxLimits = EVAL_LIMITS) -> SandboxResult:
    """The response's program followed by `tests`, run in the sandbox; the installed packages are
    importable (MBPP+'s tests compare floats with numpy)."""
    return run_unit_tests(extract_program(response), tests, limits=limits, site_packages=True)
