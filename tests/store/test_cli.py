"""The `regulars` command as scripts use it (DESIGN.md's CLI contract), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
from sqlalchemy import select

from regulars.auth import keys
from regulars.store.tables import api_keys, app_passwords
from regulars.store.unit import Store
from tests.support.databases import fresh_database
from tests.support.servers import free_port


def regulars(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "regulars", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_contract(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        assert regulars("migrate", "--database", url).returncode == 0
        made = regulars(
            "users",
            "create",
            "--username",
            "maria",
            "--email",
            "maria@example.com",
            "--role",
            "shop_manager",
            "--password",
            "s3cret!",
            "--database",
            url,
            "--json",
        )
        assert made.returncode == 0, made.stderr
        account = json.loads(made.stdout)
        assert {k: account[k] for k in ("username", "email", "role")} == {
            "username": "maria",
            "email": "maria@example.com",
            "role": "shop_manager",
        }
        issued = json.loads(
            regulars(
                "keys",
                "create",
                "--user",
                "maria",
                "--permissions",
                "read",
                "--description",
                "ERP",
                "--database",
                url,
                "--json",
            ).stdout
        )
        assert set(issued) == {"key_id", "user_id", "consumer_key", "consumer_secret", "permissions"}
        assert re.fullmatch(r"ck_[0-9a-f]{40}", issued["consumer_key"])
        assert re.fullmatch(r"cs_[0-9a-f]{40}", issued["consumer_secret"])
        assert issued["user_id"] == account["id"] and issued["permissions"] == "read"
        password = json.loads(
            regulars(
                "app-passwords",
                "create",
                "--user",
                "maria@example.com",
                "--name",
                "n8n",
                "--database",
                url,
                "--json",
            ).stdout
        )
        assert password["user_id"] == account["id"] and len(password["password"]) == 24
        duplicate = regulars(
            "users", "create", "--username", "maria", "--email", "x@example.com", "--database", url
        )
        assert duplicate.returncode == 1 and "already taken" in duplicate.stderr
        bad_role = regulars(
            "users",
            "create",
            "--username",
            "z",
            "--email",
            "z@example.com",
            "--role",
            "god",
            "--database",
            url,
        )
        assert bad_role.returncode == 1
        store = Store(url)
        with store.engine.connect() as conn:
            key_row = conn.execute(select(api_keys)).one()
            password_row = conn.execute(select(app_passwords)).one()
        store.dispose()
    assert key_row.consumer_key_hash == keys.key_digest(issued["consumer_key"])
    assert issued["consumer_key"] not in str(tuple(key_row)), "the consumer key is stored only as a digest"
    assert password["password"] not in str(tuple(password_row))


def test_serve_bootstraps_an_empty_store(tmp_path: Path) -> None:
    port = free_port()
    database = f"sqlite:///{tmp_path / 'fresh.db'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "regulars", "serve", "--port", str(port), "--database", database],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[str] = []
        while not any("listening" in line for line in lines):
            line = process.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        printed = dict(re.findall(r"^\s+(\w+): (\S+)$", "".join(lines), re.MULTILINE))
        for _ in range(100):
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/wp-json/wc/v3/customers", params={"role": "all"}, timeout=2
                )
                break
            except httpx.HTTPError:
                import time

                time.sleep(0.1)
        assert response.status_code == 401
        from woocommerce import API

        api = API(
            url=f"http://127.0.0.1:{port}",
            consumer_key=printed["consumer_key"],
            consumer_secret=printed["consumer_secret"],
            version="wc/v3",
        )
        listed = api.get("customers", params={"role": "administrator"})
        assert listed.status_code == 200 and [c["username"] for c in listed.json()] == ["admin"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_wheel_ships_its_migrations(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("regulars-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "regulars/store/migrations/env.py" in names
    assert "regulars/store/migrations/script.py.mako" in names
    assert any(n.startswith("regulars/store/migrations/versions/0001_") for n in names)
