"""Replays the exchanges recorded from a live WooCommerce (../shared/reference/goldens) against a
Regulars server and compares answers the way the goldens' README describes (markers, symbols,
headers)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from woocommerce.oauth import OAuth

from regulars.dialects.wc_rest_schema import LIST_FILTER_ARGS
from tests.support.servers import Server

# The recorded exchanges: the team's reference (../shared/reference/goldens beside the checkout) when it
# is there, else the copy kept in tests/goldens, so a clone alone still replays them (test_goldens.py
# checks that the copy matches the reference wherever both are present).
SHARED_GOLDENS = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "goldens"
KEPT_GOLDENS = Path(__file__).resolve().parents[1] / "goldens"
GOLDENS = SHARED_GOLDENS if SHARED_GOLDENS.exists() else KEPT_GOLDENS

SYMBOL = re.compile(r"\$(customer|admin|order|product|meta|item|refund)(\d*)")
PATTERNS = {
    "<datetime>": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}",
    "<datetime-Z>": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
    "<datetime+offset>": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}",
    "<datetime-sql>": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}",
    "<avatar>": r".+",
    "<order_key>": r"wc_order_[A-Za-z0-9]+",
    "<uuid>": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "<hex32>": r"[0-9a-f]{32}",
    "<hex40>": r"[0-9a-f]{40}",
    "<download_key>": r"[0-9a-f-]+",
    "<ck>": r"ck_[0-9a-f]{40}",
    "<cs>": r"cs_[0-9a-f]{40}",
    "NNNN": r"\d{4}",
}
_MARKER = re.compile("|".join(re.escape(m) for m in sorted(PATTERNS, key=len, reverse=True)))
HIDDEN_QUERY = ("consumer_key", "consumer_secret", "oauth_")


def scenarios() -> list[Path]:
    return sorted(GOLDENS.glob("*.json"))


@dataclass
class Replay:
    server: Server
    symbols: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.symbols["$admin"] = self.server.admin_id

    # --- requests -------------------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            if value.startswith("'$") and value.endswith("'") and value[1:-1] in self.symbols:
                return str(self.symbols[value[1:-1]])
            if value in self.symbols:
                return self.symbols[value]
            return SYMBOL.sub(lambda m: str(self.symbols.get(m.group(0), m.group(0))), value)
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def send(self, request: dict[str, Any], expected: dict[str, Any]) -> tuple[httpx.Response, str]:
        method = request["method"]
        path = self.resolve(request["path"])
        params = {k: str(v) for k, v in self.resolve(request.get("params", {})).items()}
        body = request.get("body")
        headers = dict(request.get("headers", {}))
        content: bytes | None = None
        if isinstance(body, str):
            content = body.encode()
        elif body is not None:
            content = json.dumps(self.resolve(body)).encode()
            headers.setdefault("content-type", "application/json")
        key = self.server.keys[request.get("key", "read_write")]
        auth = request.get("auth", "none")
        https = auth in ("basic", "query") or (auth == "none" and not _mentions_oauth(expected))
        base = self.server.https_url if https else self.server.http_url
        url = base + path
        kwargs: dict[str, Any] = {}
        if auth == "basic":
            kwargs["auth"] = (key.consumer_key, key.consumer_secret)
        elif auth == "query":
            params.update(consumer_key=key.consumer_key, consumer_secret=key.consumer_secret)
        if auth.startswith("oauth"):
            url = self.signed(url, params, method, auth, key)
            params = {}
        with httpx.Client(verify=self.server.tls, timeout=30) as client:
            response = client.request(
                method, url, params=params or None, content=content, headers=headers, **kwargs
            )
        return response, base

    def signed(self, url: str, params: dict[str, str], method: str, auth: str, key: Any) -> str:
        full = url + ("?" + urlencode(params) if params else "")
        legacy = "/wc-api/" in url
        version = "wc/v3"
        if legacy:
            version = "v2" if "/wc-api/v2" in url else "v3"
        if auth == "oauth-v2-signed-as-v3":
            oauth = OAuth(
                full.replace("/wc-api/v2", "/wc-api/v3"),
                key.consumer_key,
                key.consumer_secret,
                version="v3",
                method=method,
            )
            return url + "?" + oauth.get_oauth_url().split("?", 1)[1]
        if auth == "oauth-v2-secret-amp":
            version = "v3"
        return OAuth(
            full, key.consumer_key, key.consumer_secret, version=version, method=method
        ).get_oauth_url()

    # --- comparing ------------------------------------------------------------------------------------
    def compare(self, expected: Any, actual: Any, where: str, base: str) -> None:
        if isinstance(expected, str):
            self._compare_text(expected, actual, where, base)
        elif isinstance(expected, dict):
            if not isinstance(actual, dict):
                self.problems.append(f"{where}: expected an object, got {actual!r:.200}")
                return
            if set(expected) != set(actual):
                self.problems.append(
                    f"{where}: keys differ; missing {sorted(set(expected) - set(actual))}, "
                    f"extra {sorted(set(actual) - set(expected))}"
                )
            for k in expected:
                if k in actual:
                    self.compare(expected[k], actual[k], f"{where}.{k}", base)
        elif isinstance(expected, list):
            if not isinstance(actual, list) or len(actual) != len(expected):
                self.problems.append(f"{where}: expected {len(expected)} items, got {actual!r:.300}")
                return
            for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
                self.compare(e, a, f"{where}[{i}]", base)
        elif expected != actual or type(expected) is not type(actual):
            self.problems.append(f"{where}: expected {expected!r}, got {actual!r:.200}")

    def _compare_text(self, expected: str, actual: Any, where: str, base: str) -> None:
        bare = expected[1:-1] if expected.startswith("'$") and expected.endswith("'") else None
        if bare and SYMBOL.fullmatch(bare):
            self._bind(bare, actual, where, as_text=True)
            return
        if SYMBOL.fullmatch(expected):
            self._bind(expected, actual, where, as_text=False)
            return
        if not isinstance(actual, str):
            self.problems.append(f"{where}: expected text {expected!r}, got {actual!r:.200}")
            return
        pattern = self._pattern(expected, base)
        if not re.fullmatch(pattern, actual, re.DOTALL):
            self.problems.append(f"{where}: expected {expected!r}, got {actual!r:.300}")
            return
        # Bind symbols that appear inside text (URLs) from what matched.
        names = SYMBOL.findall(expected)
        if names:
            found = re.fullmatch(pattern, actual, re.DOTALL)
            assert found is not None
            for symbol, value in found.groupdict().items():
                self._bind("$" + symbol.replace("_", ""), int(value), where, as_text=False)

    def _pattern(self, expected: str, base: str) -> str:
        out, pos = [], 0
        tokens = re.compile("|".join([re.escape("<base>"), SYMBOL.pattern, _MARKER.pattern]))
        seen: set[str] = set()
        for match in tokens.finditer(expected):
            out.append(re.escape(expected[pos : match.start()]))
            token = match.group(0)
            if token == "<base>":
                out.append(re.escape(base))
            elif SYMBOL.fullmatch(token):
                if token in self.symbols:
                    out.append(re.escape(str(self.symbols[token])))
                else:
                    group = token[1:].replace("$", "")
                    if group in seen:
                        out.append(f"(?P={group})")
                    else:
                        seen.add(group)
                        out.append(f"(?P<{group}>\\d+)")
            else:
                out.append(PATTERNS[token])
            pos = match.end()
        out.append(re.escape(expected[pos:]))
        return "".join(out)

    def _bind(self, symbol: str, actual: Any, where: str, as_text: bool) -> None:
        value = actual
        if as_text:
            if not isinstance(actual, str) or not actual.isdigit():
                self.problems.append(f"{where}: expected the id {symbol} as text, got {actual!r}")
                return
            value = int(actual)
        elif not isinstance(actual, int) or isinstance(actual, bool):
            self.problems.append(f"{where}: expected the id {symbol}, got {actual!r}")
            return
        known = self.symbols.get(symbol)
        if known is None:
            if value in [v for k, v in self.symbols.items() if k[:4] == symbol[:4] and k != "$admin"]:
                self.problems.append(f"{where}: {symbol} = {value} is already another symbol")
            self.symbols[symbol] = value
        elif known != value:
            self.problems.append(f"{where}: expected {symbol} = {known}, got {value}")

    def compare_headers(
        self, expected: dict[str, Any], response: httpx.Response, where: str, base: str
    ) -> None:
        for name, want in expected.items():
            if name == "www-authenticate":
                got = "www-authenticate" in response.headers
                if got != want:
                    self.problems.append(f"{where} header {name}: expected present={want}")
            elif name == "content-type":
                got_type = response.headers.get("content-type", "").split(";")[0].strip()
                if got_type != want:
                    self.problems.append(f"{where} content-type: expected {want}, got {got_type}")
            elif name == "allow":
                got_allow = sorted(
                    m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()
                )
                if got_allow != sorted(want):
                    self.problems.append(f"{where} allow: expected {sorted(want)}, got {got_allow}")
            elif name == "link":
                self.compare(want, parse_links(response), f"{where} link", base)
            elif name not in response.headers:
                self.problems.append(f"{where} header {name}: missing")
            else:
                self.compare(want, response.headers[name], f"{where} header {name}", base)
        for name in ("allow", "location", "x-wp-total", "x-wc-total"):
            if name not in expected and name in response.headers:
                self.problems.append(f"{where} header {name}: not expected, got {response.headers[name]!r}")

    def step(self, index: int, step: dict[str, Any]) -> None:
        expected = step.get("regulars") or step["response"]
        response, base = self.send(step["request"], expected)
        where = f"step {index} {step['request']['method']} {step['request']['path']}"
        if response.status_code != expected["status"]:
            self.problems.append(
                f"{where}: status {response.status_code}, expected {expected['status']}: "
                f"{response.text[:300]}"
            )
        if "json" in expected:
            try:
                recorded = as_recorded(step["request"]["path"], response.json())
                actual = with_run_values(expected["json"], recorded)
            except ValueError:
                self.problems.append(f"{where}: not JSON: {response.text[:200]!r}")
            else:
                self.compare(expected["json"], actual, where, base)
        self.compare_headers(expected.get("headers", {}), response, where, base)


def _mentions_oauth(expected: dict[str, Any]) -> bool:
    """Which transport an unauthenticated step used: only plain HTTP asks for OAuth parameters."""
    return "oauth" in json.dumps(expected.get("json", "")).lower()


def parse_links(response: httpx.Response) -> list[dict[str, Any]]:
    found = []
    for header in response.headers.get_list("link"):
        for part in re.findall(r"<([^>]*)>\s*;\s*rel=\"([^\"]*)\"", header):
            url, rel = part
            split = urlsplit(url)
            query = {
                k: v
                for k, v in parse_qsl(split.query, keep_blank_values=True)
                if not k.startswith(HIDDEN_QUERY)
            }
            found.append({"rel": rel, "url": f"{split.scheme}://{split.netloc}{split.path}", "query": query})
    return sorted(found, key=lambda link: link["rel"])  # the recordings list links by relation


# Meta values the recorder left literal though they differ from run to run: the day of the recording
# (wc_last_active, a UTC midnight in epoch seconds) and WordPress's own id of the last order.
RUN_SPECIFIC_META: dict[str, Callable[[Any], bool]] = {
    "wc_last_active": lambda v: isinstance(v, str) and v.isdigit() and int(v) % 86400 == 0,
    "wc_last_order_wp": lambda v: isinstance(v, str) and v.isdigit(),
}


def with_run_values(expected: Any, actual: Any) -> Any:
    """Where the recording shows a run-specific meta value, an actual value of that shape stands for it."""
    if isinstance(expected, list) and isinstance(actual, list):
        paired = [with_run_values(e, a) for e, a in zip(expected, actual, strict=False)]
        return paired + actual[len(expected) :]
    if not (isinstance(expected, dict) and isinstance(actual, dict)):
        return actual
    recorded = {m.get("key"): m.get("value") for m in expected.get("meta_data") or [] if isinstance(m, dict)}
    meta = actual.get("meta_data")
    if not recorded or not isinstance(meta, list):
        return actual
    kept = [
        {**m, "value": recorded[m["key"]]}
        if isinstance(m, dict)
        and m.get("key") in RUN_SPECIFIC_META
        and m["key"] in recorded
        and RUN_SPECIFIC_META[m["key"]](m.get("value"))
        else m
        for m in meta
    ]
    return {**actual, "meta_data": kept}


# What the recordings kept of products and orders: the fields customers' figures and downloads depend on.
RECORDED_FIELDS = {
    "products": (
        "id",
        "name",
        "type",
        "status",
        "downloadable",
        "virtual",
        "price",
        "regular_price",
        "download_limit",
        "download_expiry",
        "downloads",
    ),
    "orders": (
        "id",
        "parent_id",
        "status",
        "currency",
        "total",
        "customer_id",
        "date_paid",
        "date_paid_gmt",
        "date_completed",
        "date_completed_gmt",
        "payment_method",
    ),
}


def _without_additions(body: dict[str, Any]) -> dict[str, Any]:
    """A wc/vN customers route's description without the list filters Regulars adds (README)."""
    endpoints = [
        {**e, "args": {k: v for k, v in e["args"].items() if k not in LIST_FILTER_ARGS}}
        if isinstance(e, dict) and isinstance(e.get("args"), dict)
        else e
        for e in body["endpoints"]
    ]
    return {**body, "endpoints": endpoints}


def as_recorded(path: str, body: Any) -> Any:
    """The part of a body the recording kept: of the /wc-api/vN index, its URL, API version, customer
    routes and store settings (the store's name, versions, SSL flag and other routes went to `info`);
    of a wc/vN product or order, RECORDED_FIELDS; of the customers route's description, WooCommerce's
    own arguments."""
    if re.fullmatch(r"/wp-json/wc/v\d/customers", path) and isinstance(body, dict) and "endpoints" in body:
        return _without_additions(body)
    resource = re.fullmatch(r"/wp-json/wc/v\d/(products|orders)(/[^/]+)?", path)
    if resource and isinstance(body, dict) and "id" in body:
        return {name: body[name] for name in RECORDED_FIELDS[resource.group(1)] if name in body}
    store = body.get("store") if isinstance(body, dict) else None
    if not re.fullmatch(r"/wc-api/v\d/?", path) or not isinstance(store, dict):
        return body
    kept = {name: store[name] for name in ("URL", "version") if name in store}
    kept["customer_routes"] = {r: v for r, v in store.get("routes", {}).items() if r.startswith("/customers")}
    kept["meta"] = {k: v for k, v in store.get("meta", {}).items() if k != "ssl_enabled"}
    return {"store": kept}
