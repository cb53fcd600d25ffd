"""`regulars import` and `regulars export` as users and scripts run them, on SQLite and PostgreSQL:
summaries, the rejects file, a kill -9 in the middle and the re-run that finishes the job, and an
imported customer read back over the REST API beside its REST-created twin."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from regulars.store.tables import account_meta, accounts, addresses, customers
from regulars.store.unit import Store
from tests.store.test_transfer import as_csv, customer_lines, jsonl
from tests.support.clients import python_client
from tests.support.databases import fresh_database
from tests.support.servers import Server, free_port


def regulars(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "regulars", *map(str, args)], capture_output=True, text=True, timeout=300
    )


def table_counts(url: str) -> dict[str, int]:
    store = Store(url)
    try:
        with store.read() as unit:
            found = {
                t.name: unit.connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (accounts, customers, addresses, account_meta)
            }
            found["emails"] = unit.connection.execute(
                select(func.count(func.distinct(func.lower(accounts.c.email))))
            ).scalar_one()
            found["passwords"] = unit.connection.execute(
                select(func.count()).select_from(accounts).where(accounts.c.password_hash.is_not(None))
            ).scalar_one()
        return found
    finally:
        store.dispose()


def test_rejects_of_every_batch_keep_their_input(tmp_path: Path) -> None:
    """The next batch's lines are read while a batch is written: the rejects of each batch are still
    written with the input of their own line, none lost and none taken from another batch."""
    source = tmp_path / "many.jsonl"
    lines = [orjson.dumps(line) for line in customer_lines(100)]
    bad = [3, 17, 18, 40, 99]  # 0-based, in five batches of 20
    for n in bad:
        lines[n] = orjson.dumps({"email": f"not an email {n}"})
    source.write_bytes(jsonl(*lines))
    with fresh_database("sqlite", tmp_path) as url:
        shown = regulars("import", source, "--database", url, "--json", "--batch-size", "20")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["rejected"] == len(bad)
        found = [
            json.loads(line) for line in (tmp_path / "many.jsonl.rejects.jsonl").read_text().splitlines()
        ]
        assert [(r["line"], r["code"], r["input"]) for r in found] == [
            (n + 1, "customer_invalid_email", {"email": f"not an email {n}"}) for n in bad
        ]
        assert table_counts(url)["accounts"] == 100 - len(bad)


def test_import_and_export_commands(backend: str, tmp_path: Path) -> None:
    source = tmp_path / "customers.jsonl"
    lines = [orjson.dumps(line) for line in customer_lines(30)]
    lines[4] = b'{"email": "not an email"}'
    source.write_bytes(jsonl(*lines))
    rejects = tmp_path / "customers.jsonl.rejects.jsonl"
    with fresh_database(backend, tmp_path) as url:
        shown = regulars("import", source, "--database", url)
        assert shown.returncode == 0, shown.stderr
        assert "imported 29 customers, 0 already there, 1 rejected" in shown.stdout
        assert f"rejected lines and why: {rejects}" in shown.stdout
        (rejected,) = [json.loads(line) for line in rejects.read_text().splitlines()]
        assert (rejected["line"], rejected["code"]) == (5, "customer_invalid_email")

        source.write_bytes(jsonl(*lines[:4], *lines[5:]))  # the bad line taken out, and run again
        again = regulars("import", source, "--database", url, "--json")
        summary = json.loads(again.stdout)
        assert summary["seconds"] >= 0
        del summary["seconds"]
        assert summary == {"lines": 29, "imported": 0, "existing": 29, "rejected": 0, "rejects_file": None}
        assert not rejects.exists()  # no stale rejects from the run before

        target = tmp_path / "out.csv"
        exported = json.loads(regulars("export", target, "--database", url, "--json").stdout)
        assert exported["exported"] == 29 and exported["file"] == str(target)
        assert target.read_text().splitlines()[0].startswith("email,first_name,last_name,username,password,")
        named = tmp_path / "out.txt"
        assert (
            regulars("export", named, "--format", "jsonl", "--role", "all", "--database", url).returncode == 0
        )
        assert len(named.read_bytes().splitlines()) == 29 and not (tmp_path / "out.txt.partial").exists()

        unknown = regulars("import", tmp_path / "out.txt", "--database", url)
        assert unknown.returncode == 1 and "--format" in unknown.stderr
        assert regulars("export", target, "--role", "owner", "--database", url).returncode == 1


def test_csv_import_from_the_command(backend: str, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    data = as_csv(customer_lines(400))
    source.write_bytes(data.replace(b"person390@", b"person390\xff@"))
    with fresh_database(backend, tmp_path) as url:
        broken = regulars("import", source, "--database", url, "--batch-size", "15")
        assert broken.returncode == 1
        assert "cannot read the CSV file" in broken.stderr and "run the same command again" in broken.stderr
        stored = table_counts(url)["customers"]
        assert 0 < stored < 400 and stored % 15 == 0
        source.write_bytes(data)
        done = json.loads(
            regulars("import", source, "--database", url, "--json", "--batch-size", "15").stdout
        )
        assert (done["existing"], done["imported"], done["rejected"]) == (stored, 400 - stored, 0)
        assert table_counts(url)["customers"] == 400
        assert not (tmp_path / "people.csv.rejects.jsonl").exists()


def test_a_killed_import_is_finished_by_running_it_again(backend: str, tmp_path: Path) -> None:
    """kill -9 in the middle: whole batches only are stored; the same command again imports the rest and
    nothing twice (passwords slow the run down enough to be caught in the middle, as bcrypt means to)."""
    lines = customer_lines(1500)
    for n in range(0, 1500, 15):
        lines[n]["password"] = f"secret-{n}"
    source = tmp_path / "big.jsonl"
    source.write_bytes(jsonl(*lines))
    with fresh_database(backend, tmp_path) as url:
        assert regulars("migrate", "--database", url).returncode == 0
        command = [
            sys.executable,
            "-m",
            "regulars",
            "import",
            str(source),
            "--database",
            url,
            "--batch-size",
            "50",
        ]
        running = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 240
            while table_counts(url)["accounts"] < 200:
                assert running.poll() is None, "the import ended before it could be killed"
                assert time.monotonic() < deadline
                time.sleep(0.05)
            os.kill(running.pid, signal.SIGKILL)
            running.wait(timeout=30)
        finally:
            if running.poll() is None:
                running.kill()
        killed = table_counts(url)
        assert 200 <= killed["accounts"] < 1500 and killed["accounts"] % 50 == 0
        assert killed["customers"] == killed["accounts"]

        rerun = regulars("import", source, "--database", url, "--json", "--batch-size", "50")
        assert rerun.returncode == 0, rerun.stderr
        summary = json.loads(rerun.stdout)
        assert (summary["existing"], summary["imported"], summary["rejected"]) == (
            killed["accounts"],
            1500 - killed["accounts"],
            0,
        )
        final = table_counts(url)
        expected_addresses = sum(bool(line["billing"]) + bool(line["shipping"]) for line in lines)
        expected_meta = sum(len(line["meta_data"]) + ("password" not in line) for line in lines)
        assert final == {
            "accounts": 1500,
            "customers": 1500,
            "addresses": expected_addresses,
            "account_meta": expected_meta,
            "emails": 1500,
            "passwords": 100,
        }


def _without_ids(item: dict[str, Any]) -> dict[str, Any]:
    item = {k: v for k, v in item.items() if k not in ("id", "_links") and not k.startswith("date_")}
    item["meta_data"] = [{"key": m["key"], "value": m["value"]} for m in item["meta_data"]]
    return item


@pytest.mark.wire
def test_an_imported_customer_reads_over_rest_as_its_rest_created_twin(
    server: Server, tmp_path: Path
) -> None:
    line = {
        "email": f"twin.{server.admin_id}.{os.getpid()}@example.com",
        "first_name": "Twin",
        "last_name": "Lïne",
        "billing": {
            "first_name": "Twin",
            "address_1": "Rua 1",
            "city": "Porto",
            "country": "PT",
            "phone": "9",
        },
        "shipping": {"city": "Lisboa", "phone": "8"},
        "meta_data": [{"key": "tier", "value": "gold"}, {"key": "prefs", "value": {"sms": False}}],
    }
    api = python_client(server)
    created = api.post("customers", line)
    assert created.status_code == 201, created.text
    twin = api.get(f"customers/{created.json()['id']}").json()
    assert api.delete(f"customers/{twin['id']}", params={"force": True}).status_code == 200
    source = tmp_path / "one.jsonl"
    source.write_bytes(jsonl(line))
    done = json.loads(regulars("import", source, "--database", server.database_url, "--json").stdout)
    assert done["imported"] == 1
    (found,) = api.get("customers", params={"email": line["email"]}).json()
    imported = api.get(f"customers/{found['id']}").json()
    assert _without_ids(imported) == _without_ids(twin)


def test_migrate_builds_indexes_a_killed_import_left_deferred_and_serve_says_so(
    backend: str, tmp_path: Path
) -> None:
    """A large import killed mid-way leaves its deferred indexes recorded (store/bulk.py): `regulars serve`
    warns that lists and searches are slow, and `regulars migrate` builds them."""
    if backend != "sqlite":
        pytest.skip("only SQLite defers indexes")
    with fresh_database(backend, tmp_path) as url:
        assert regulars("migrate", "--database", url).returncode == 0
        store = Store(url)
        with store.write() as unit:
            deferred = unit.bulk.defer_indexes()  # what a killed import leaves behind
        store.dispose()
        server = subprocess.Popen(
            [sys.executable, "-m", "regulars", "serve", "--port", str(free_port()), "--database", url],
            stderr=subprocess.PIPE,  # where the command's messages go
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        try:
            assert server.stderr is not None
            shown = ""
            for line in server.stderr:  # what serve prints before it listens
                if "Regulars listening" in line:
                    break
                shown += line
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert f"{deferred} indexes are deferred" in shown
        built = regulars("migrate", "--database", url)
        assert built.returncode == 0 and f"built {deferred} indexes" in built.stderr
        store = Store(url)
        with store.read() as unit:
            assert unit.bulk.deferred_count() == 0
            names = unit.connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
            assert "ix_customers_last_name" in set(names.scalars())
        store.dispose()
