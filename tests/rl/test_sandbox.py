"""The code sandbox: no network, runaway code killed with a clear verdict, a correct program's
unit tests pass, its output captured, its working directory removed."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import pytest

from luth_train.sandbox import SandboxLimits, network_namespace_available, run_python, run_unit_tests

ISOLATIONS = ["audit_hook"] + (["netns"] if network_namespace_available() else [])
QUICK = SandboxLimits(cpu_seconds=1, wall_seconds=5, memory_bytes=256 * 1024**2)


@pytest.fixture
def listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    yield server
    server.close()


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_sandboxed_code_cannot_connect_to_a_listening_socket(listener, isolation):
    port = listener.getsockname()[1]
    code = (
        "import socket\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        f"s.connect(('127.0.0.1', {port}))\n"
        "print('connected')\n"
    )
    result = run_python(code, limits=QUICK, isolation=isolation)
    assert "connected" not in result.stdout
    assert result.verdict == "refused", result.stderr
    assert result.isolation == isolation
    with pytest.raises(socket.timeout):
        listener.accept()  # nobody ever knocked


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_with_the_installed_packages_importable_the_network_stays_refused(listener, isolation):
    port = listener.getsockname()[1]
    code = (
        "import numpy\nimport socket\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        f"s.connect(('127.0.0.1', {port}))\nprint('connected')\n"
    )
    limits = SandboxLimits(memory_bytes=1024**3)
    result = run_python(code, limits=limits, isolation=isolation, site_packages=True)
    assert "connected" not in result.stdout and result.verdict == "refused", result.stderr[-300:]
    with pytest.raises(socket.timeout):
        listener.accept()


def test_the_same_connection_succeeds_outside_the_sandbox(listener):
    """The listener is reachable, so the refusal above is the sandbox's doing."""
    client = socket.create_connection(listener.getsockname(), timeout=2)
    conn, _ = listener.accept()
    conn.close()
    client.close()


@pytest.mark.skipif(not network_namespace_available(), reason="`unshare --net` unavailable on this machine")
def test_the_network_namespace_has_no_interface_up():
    # read without sockets (the audit hook would refuse those first): the kernel's interface list
    code = "print(open('/proc/net/dev').read())\nprint('=====')\nprint(open('/proc/net/route').read())"
    result = run_python(code, limits=QUICK, isolation="netns")
    assert result.verdict == "ok", result.stderr
    devices, routes = result.stdout.split("=====")
    interfaces = [line.split(":")[0].strip() for line in devices.splitlines() if ":" in line]
    assert interfaces == ["lo"]
    assert [line for line in routes.splitlines()[1:] if line.strip()] == []  # the header only: no route


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        ("while True:\n    pass\n", "cpu_limit"),
        ("import time\ntime.sleep(60)\n", "timeout"),
        ("chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 1024 * 1024))\n", "memory_limit"),
        ("import os\nwhile True:\n    os.fork()\n", "refused"),
        ("import subprocess\nsubprocess.run(['sh', '-c', ':(){ :|:& };:'])\n", "refused"),
        ("while True:\n    print('x' * 1000)\n", "output_limit"),
        ("import resource\nresource.setrlimit(resource.RLIMIT_CPU, (1000, 1000))\n", "refused"),
    ],
    ids=["infinite-loop", "sleeper", "memory-bomb", "fork-bomb", "shell-fork-bomb", "flood", "raise-limits"],
)
def test_runaway_code_is_stopped_with_a_clear_verdict(code, verdict):
    result = run_python(code, limits=SandboxLimits(cpu_seconds=1, wall_seconds=3, memory_bytes=256 * 1024**2))
    assert result.verdict == verdict, (result.returncode, result.stderr[-500:])
    assert result.seconds < 10
    assert not result.passed


def test_captured_output_is_capped():
    result = run_python("print('y' * 100_000)", limits=SandboxLimits(output_bytes=4096))
    assert len(result.stdout) <= 4096
    assert result.verdict == "output_limit"


def test_a_correct_program_passes_its_unit_tests_and_its_output_is_captured():
    solution = "def add(a, b):\n    print('adding', a, b)\n    return a + b\n"
    tests = "assert add(2, 3) == 5\nassert add(-1, 1) == 0\nprint('all good')\n"
    result = run_unit_tests(solution, tests, limits=QUICK)
    assert result.passed, result.stderr
    assert result.stdout.splitlines() == ["adding 2 3", "adding -1 1", "all good"]


def test_a_wrong_program_fails_its_unit_tests():
    result = run_unit_tests("def add(a, b):\n    return a - b\n", "assert add(2, 3) == 5\n", limits=QUICK)
    assert result.verdict == "failed"
    assert "AssertionError" in result.stderr


def test_stdin_reaches_the_program():
    result = run_python("import sys\nprint(sys.stdin.read().upper())", stdin="bonjour", limits=QUICK)
    assert result.stdout.strip() == "BONJOUR"


def test_the_working_directory_is_temporary_and_removed():
    code = "import os\nopen('scratch.txt', 'w').write('x')\nprint(os.getcwd())\n"
    result = run_python(code, limits=QUICK)
    assert result.passed, result.stderr
    workdir = Path(result.stdout.strip())
    assert workdir.parent == Path(tempfile.gettempdir())
    assert workdir.name.startswith("luth-sandbox-")
    assert not workdir.exists()


def test_the_program_sees_no_environment_secret(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "not-for-the-sandbox")
    result = run_python("import os\nprint(sorted(os.environ))", limits=QUICK)
    assert "GEMINI_API_KEY" not in result.stdout
