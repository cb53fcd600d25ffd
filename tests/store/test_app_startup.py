"""What a server worker does once when it starts, before its first request."""

from __future__ import annotations

import asyncio
import gc

from regulars.app import create_app
from regulars.settings import Settings
from regulars.store.unit import Store


def test_startup_freezes_what_it_built_out_of_the_collectors_passes(store: Store) -> None:
    """Long-lived objects frozen at startup are never walked by the collector's full passes (which had
    cost 60-90 ms each, every few hundred requests); what is allocated afterwards is still collected."""
    gc.unfreeze()
    app = create_app(Settings.from_env(database_url=store.url))
    assert gc.get_freeze_count() == 0

    async def serve_briefly() -> None:
        async with app.router.lifespan_context(app):  # the startup uvicorn runs in each worker
            assert gc.get_freeze_count() > 10_000
            garbage: list[object] = []
            garbage.append(garbage)  # a cycle made after startup
            del garbage
            assert gc.collect() >= 1

    try:
        asyncio.run(serve_briefly())
    finally:
        gc.unfreeze()
