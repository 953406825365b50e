"""`bench/run.py --quick`: every bench and the load test still run and print their figures, so
none rots between two `make bench` runs. Tiny durations: the figures themselves mean nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A line of each bench's output that only a finished measurement prints.
FIGURES = [
    "Keras fit / our loop, medians",  # bench_ml.py
    "CPU per scrape",  # bench_metrics.py
    "the same at every size (no N+1)",  # bench_scoreboard.py
    "PASS (d) versions served were active",  # loadtest.py
]
# bench_serving.py needs MLServer's own environment, which `make test` installs; run alone,
# without it, run.py says it skipped that bench (never under CI).
if os.environ.get("CI") == "true" or (ROOT / ".venv-mlserver" / "bin" / "mlserver").exists():
    FIGURES.append("10,000-row batch")  # bench_serving.py


@pytest.mark.slow
def test_every_bench_and_the_load_test_run_in_their_quick_mode():
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick"], cwd=ROOT, capture_output=True, text=True,
        timeout=1200, check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-8000:]
    assert [figure for figure in FIGURES if figure not in done.stdout] == [], output[-8000:]
