"""The official WooCommerce clients, driven against a test server exactly as integrators use them."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
from woocommerce import API
from woocommerce.oauth import OAuth

from tests.support.servers import Server

NODE_DIR = Path(__file__).resolve().parents[1] / "wire" / "node"


def python_client(
    server: Server,
    version: str = "wc/v3",
    transport: str = "oauth",
    key: str = "read_write",
    wp_api: bool = True,
) -> API:
    """transport: "oauth" (plain HTTP), "basic" or "query" (HTTPS with the test CA)."""
    credentials = server.keys[key]
    https = transport != "oauth"
    return API(
        url=server.https_url if https else server.http_url,
        consumer_key=credentials.consumer_key,
        consumer_secret=credentials.consumer_secret,
        version=version,
        wp_api=wp_api,
        query_string_auth=transport == "query",
        verify_ssl=server.ca_file if https else True,
        timeout=30,
    )


def node_available() -> bool:
    return shutil.which("node") is not None and (NODE_DIR / "node_modules" / "@woocommerce").exists()


def npm_calls(
    server: Server,
    calls: list[dict[str, Any]],
    *,
    version: str = "wc/v3",
    transport: str = "oauth",
    key: str = "read_write",
    prefix: str = "wp-json",
) -> list[dict[str, Any]]:
    """Run calls through @woocommerce/woocommerce-rest-api; each result has status, data, headers."""
    credentials = server.keys[key]
    https = transport != "oauth"
    spec = {
        "options": {
            "url": server.https_url if https else server.http_url,
            "consumerKey": credentials.consumer_key,
            "consumerSecret": credentials.consumer_secret,
            "version": version,
            "wpAPIPrefix": prefix,
            "queryStringAuth": transport == "query",
        },
        "ca": Path(server.ca_file).read_text() if https else None,
        "calls": calls,
    }
    done = subprocess.run(
        ["node", "client.mjs"],
        cwd=NODE_DIR,
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def check_replays_refused(server: Server, times: int = 10) -> None:
    """One wc/v3 create signed with OAuth as the official client signs it (with the write key), sent once
    and then replayed `times` times, each on a new connection so that with two workers both see replays:
    every replay is refused and one customer is made."""
    credentials = server.keys["write"]
    url = OAuth(
        f"{server.http_url}/wp-json/wc/v3/customers",
        credentials.consumer_key,
        credentials.consumer_secret,
        version="wc/v3",
        method="POST",
    ).get_oauth_url()
    address = f"nonce.{uuid.uuid4().hex[:8]}@example.com"
    first, *replays = [httpx.post(url, json={"email": address}, timeout=30) for _ in range(times + 1)]
    assert first.status_code == 201, first.text
    for replay in replays:
        assert replay.status_code == 401
        assert replay.json()["message"] == "Invalid nonce - nonce has already been used."
    listed = python_client(server, key="read").get("customers", params={"email": address}).json()
    assert [c["id"] for c in listed] == [first.json()["id"]]
