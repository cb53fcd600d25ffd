"""Every recorded WooCommerce exchange, replayed against a real Regulars server on each backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.goldens import KEPT_GOLDENS, SHARED_GOLDENS, Replay, scenarios
from tests.support.servers import running_server

# Scenarios whose dialect is still being built, with the issue that delivers it. strict: the
# moment one passes, this list must shrink.
PENDING: dict[str, str] = {}


def _cases() -> list:
    cases = []
    for path in scenarios():
        marks = [pytest.mark.xfail(strict=True, reason=PENDING[path.stem])] if path.stem in PENDING else []
        for backend in ("sqlite", "postgresql"):
            cases.append(pytest.param(path, backend, id=f"{path.stem}-{backend}", marks=marks))
    return cases


@pytest.mark.wire
@pytest.mark.parametrize(("path", "backend"), _cases())
def test_golden(path: Path, backend: str, tmp_path: Path) -> None:
    scenario = json.loads(path.read_text())
    with running_server(backend, tmp_path) as server:
        replay = Replay(server)
        for index, step in enumerate(scenario["steps"]):
            replay.step(index, step)
    assert not replay.problems, "\n".join(replay.problems)


def test_goldens_are_present() -> None:
    assert len(scenarios()) >= 20, "the recorded exchanges in ../shared/reference/goldens are missing"


def test_the_kept_copy_is_the_reference() -> None:
    """tests/goldens is a copy of ../shared/reference/goldens for clones without it; refresh it with
    `cp ../shared/reference/goldens/* tests/goldens/` when the reference changes."""
    if not SHARED_GOLDENS.exists():
        pytest.skip("no ../shared/reference/goldens beside this checkout to compare with")
    shared = {p.name: p.read_bytes() for p in SHARED_GOLDENS.iterdir() if p.is_file()}
    kept = {p.name: p.read_bytes() for p in KEPT_GOLDENS.iterdir() if p.is_file()}
    assert kept == shared
