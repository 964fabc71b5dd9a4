"""Every server the project starts binds 127.0.0.1: the sandbox CRM (in-process and its command
line) and the Dagster UI of `make ui`."""

from __future__ import annotations

import ipaddress
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipelines import settings
from pipelines.crm.sandbox import running_sandbox
from tests.crm.world import build_crm_db

PROC_NET = {"/proc/net/tcp": socket.AF_INET, "/proc/net/tcp6": socket.AF_INET6}
LISTEN = "0A"
SOURCE_DIRS = ("pipelines", "orchestration", "dashboards")


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port`` (from the kernel's /proc/net tables)."""
    found = set()
    for table, family in PROC_NET.items():
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state != LISTEN or int(hex_port, 16) != port:
                continue
            raw = bytes.fromhex(address)
            # the kernel prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            ip = ipaddress.ip_address(raw)
            found.add(str(ip.ipv4_mapped or ip) if family == socket.AF_INET6 else str(ip))
    return found


needs_proc = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net")


@needs_proc
def test_listening_addresses_sees_a_wildcard_bind() -> None:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        s.listen()
        assert listening_addresses(s.getsockname()[1]) == {"0.0.0.0"}


@needs_proc
def test_the_sandbox_crm_binds_loopback_only(tmp_path) -> None:
    with running_sandbox(build_crm_db(tmp_path / "crm.sqlite", 1)) as url:
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1"
        assert listening_addresses(parts.port) == {"127.0.0.1"}


@needs_proc
def test_the_sandbox_command_line_binds_loopback_only(tmp_path) -> None:
    db = build_crm_db(tmp_path / "crm.sqlite", 1)
    server = subprocess.Popen(
        [sys.executable, "-m", "pipelines.crm.sandbox", str(db), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        url = re.search(r"http://\S+", line).group(0)
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1"
        deadline = time.monotonic() + 30  # printed once bound; listening once uvicorn has started
        while not listening_addresses(parts.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert listening_addresses(parts.port) == {"127.0.0.1"}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_make_ui_starts_dagster_on_loopback() -> None:
    planned = subprocess.run(
        ["make", "-n", "ui"], cwd=settings.PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    (dev,) = [line for line in planned.splitlines() if " dev " in line and "dagster" in line]
    assert re.search(r"(-h|--host) 127\.0\.0\.1\b", dev), dev


def test_no_code_binds_a_wildcard_or_public_address() -> None:
    wildcard = re.compile(r"0\.0\.0\.0|host\s*=\s*['\"]{2}|--host\s+[^1]|\"::\"")
    sources = [settings.PROJECT_ROOT / "Makefile"]
    for folder in SOURCE_DIRS:
        sources += sorted((settings.PROJECT_ROOT / folder).rglob("*.py"))
    offending = [
        f"{path.relative_to(settings.PROJECT_ROOT)}:{n}"
        for path in sources
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if wildcard.search(line)
    ]
    assert offending == []
