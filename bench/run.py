"""`make bench`: run every bench/bench_*.py in turn, each in its own process.

Streams their output, and exits non-zero if one fails (a failure, never a slow figure:
benches assert nothing about speed). `python bench/run.py http` runs only the benches
whose file names contain one of the given words.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# bench_ml.py first (no services needed), then bench_http.py, then any later bench, sorted.
FIRST = ["bench_ml.py", "bench_http.py"]
TIMEOUT_SECONDS = 600


def scripts(words: list[str]) -> list[Path]:
    found = sorted(BENCH_DIR.glob("bench_*.py"))
    first = [BENCH_DIR / name for name in FIRST if (BENCH_DIR / name).exists()]
    ordered = first + [path for path in found if path not in first]
    return [path for path in ordered if not words or any(w in path.name for w in words)]


def run(script: Path) -> int | str:
    process = subprocess.Popen([sys.executable, "-u", str(script)], cwd=BENCH_DIR.parent)
    try:
        return process.wait(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        # SIGTERM first, so the bench's cleanup runs (stop its server, drop its database).
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return f"timed out after {TIMEOUT_SECONDS} s"
    except BaseException:
        # Ctrl-C reached the bench too (same process group): let it clean up.
        process.wait(timeout=60)
        raise


def main() -> int:
    failed = []
    started = time.perf_counter()
    for script in scripts(sys.argv[1:]):
        print(f"\n===== {script.name} =====", flush=True)
        script_started = time.perf_counter()
        code = run(script)
        print(f"===== {script.name}: {time.perf_counter() - script_started:.0f} s", flush=True)
        if code != 0:
            print(f"!!!!! {script.name} failed: {code}", flush=True)
            failed.append(script.name)
    print(f"\nbenchmarks: {time.perf_counter() - started:.0f} s", end="")
    print(f", FAILED: {', '.join(failed)}" if failed else ", all ran")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
