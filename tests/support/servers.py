"""A real Regulars server process for wire tests: `regulars serve` over HTTP and over HTTPS (a
self-signed certificate from trustme), on one fresh database seeded with an administrator, three API
keys (read_write, read, write) and an application password."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import httpx
import trustme

from regulars.services import credentials
from regulars.services.clock import now
from regulars.store import migrate
from regulars.store.unit import Store
from tests.support.databases import fresh_database

_CA = trustme.CA()


@cache
def trusting(ca_file: str) -> ssl.SSLContext:
    """A TLS context that trusts the tests' certificate authority (httpx wants a context, not a path)."""
    return ssl.create_default_context(cafile=ca_file)


@dataclass
class Key:
    consumer_key: str
    consumer_secret: str


@dataclass
class Server:
    http_url: str
    https_url: str
    database_url: str
    ca_file: str
    keys: dict[str, Key]
    admin_id: int
    admin_password: str  # an application password of the administrator
    extra: dict = field(default_factory=dict)

    @property
    def tls(self) -> ssl.SSLContext:
        return trusting(self.ca_file)

    def client(self, https: bool = False, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.https_url if https else self.http_url, verify=self.tls, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(database_url: str) -> tuple[int, dict[str, Key], str]:
    """The goldens' starting shop: one administrator and three keys; plus an application password."""
    store = Store(database_url)
    migrate.upgrade(store.engine)
    with store.write() as unit:
        admin_id = unit.accounts.insert(
            username="admin",
            email="admin@example.com",
            role="administrator",
            now=now(),
            password_hash=None,
            modified=False,
        )
        admin = unit.accounts.get(admin_id)
        assert admin is not None
        keys = {}
        for permissions in ("read_write", "read", "write"):
            issued = credentials.issue_key(unit, admin, permissions, f"tests {permissions}")
            keys[permissions] = Key(issued.consumer_key, issued.consumer_secret)
        password = credentials.issue_app_password(
            unit, admin, "tests", credentials.site_secret(unit)
        ).password
    store.dispose()
    return admin_id, keys, password


def _wait(url: str, ca_file: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}"
            )
        try:
            if httpx.get(f"{url}/ping", verify=trusting(ca_file), timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not start")


@contextmanager
def serve_process(
    database_url: str,
    tmp: Path,
    *,
    https: bool,
    workers: int = 1,
    env: dict | None = None,
    ca_file: str = "",
    cert_files: tuple[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "regulars",
        "serve",
        "--port",
        str(port),
        "--database",
        database_url,
        "--workers",
        str(workers),
    ]
    if https and cert_files:
        command += ["--ssl-certfile", cert_files[0], "--ssl-keyfile", cert_files[1]]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    url = f"{'https' if https else 'http'}://127.0.0.1:{port}"
    try:
        _wait(url, ca_file, process)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def certificate_files(tmp: Path) -> tuple[str, str, str]:
    cert = _CA.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = tmp / "server.pem", tmp / "server.key", tmp / "ca.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    _CA.cert_pem.write_to_path(str(ca_file))
    return str(cert_file), str(key_file), str(ca_file)


@contextmanager
def running_server(backend: str, tmp: Path, *, workers: int = 1, env: dict | None = None) -> Iterator[Server]:
    with ExitStack() as stack:
        database_url = stack.enter_context(fresh_database(backend, tmp))
        admin_id, keys, password = seed(database_url)
        cert_file, key_file, ca_file = certificate_files(tmp)
        http_url, _ = stack.enter_context(
            serve_process(database_url, tmp, https=False, workers=workers, env=env)
        )
        https_url, _ = stack.enter_context(
            serve_process(
                database_url,
                tmp,
                https=True,
                workers=workers,
                env=env,
                ca_file=ca_file,
                cert_files=(cert_file, key_file),
            )
        )
        yield Server(http_url, https_url, database_url, ca_file, keys, admin_id, password)
