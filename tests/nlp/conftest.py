"""One warmed Nlu for the whole NLU suite, and the fixed moments tests live in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nlp import Nlu

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
"""Friday 2026-11-27 10:00 in Shanghai."""


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One dictionary cache for the session: built once, then loaded in ~0.3 s."""
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def nlu(nlu_cache: Path) -> Iterator[Nlu]:
    n = Nlu(cache_dir=str(nlu_cache))
    n.warm()
    yield n
