"""The dashboard bench (bench/bench_dashboard.py) runs small: it makes its data, answers
every view and CSV and /m/requests through the real app, and prints the figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_dashboard_bench_runs_small(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_dashboard.py", "--db", "sqlite", "--requests", "2000",
         "--users", "300", "--iterations", "1", "--sqlite-path", str(tmp_path / "d.sqlite3")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "built: 2,000 requests," in out
    for view in ("page, month", "page, year", "repair_list.csv, month", "/m/requests"):
        assert f"\n{view} " in out, out
    assert "views within their goals" in out
