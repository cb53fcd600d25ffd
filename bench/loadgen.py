"""A small closed-loop HTTP/1.1 load generator on raw asyncio streams.

Requests are prepared before timing (an OAuth request needs a fresh signature each time), so what is
measured is the server, not the client. Keep-alive connections, one request in flight per connection.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _worker(
    host: str,
    port: int,
    tls: ssl.SSLContext | None,
    make: Callable[[], bytes],
    deadline: float,
    result: Result,
) -> None:
    reader, writer = await asyncio.open_connection(host, port, ssl=tls)
    try:
        while True:
            payload = make()
            started = time.perf_counter()
            if started >= deadline:
                return
            writer.write(payload)
            status = await _read_response(reader)
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            result.requests += 1
    finally:
        writer.close()


async def run(
    name: str,
    host: str,
    port: int,
    make: Callable[[], bytes],
    *,
    seconds: float,
    connections: int,
    tls: ssl.SSLContext | None = None,
) -> Result:
    result = Result(name, 0, 0.0, [], {})
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_worker(host, port, tls, make, deadline, result) for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


def request_bytes(
    method: str, target: str, host: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
