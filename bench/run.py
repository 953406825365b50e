"""`make bench`: every bench/bench_*.py in turn, exit 1 if one fails; `--quick` (`make test`):
with the load test, tiny durations, on copies of one database (bench/README.md)."""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import common

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE = "flower_power_bench_template"
MLSERVER = BENCH_DIR.parent / ".venv-mlserver" / "bin" / "mlserver"


def run(script: Path, quick: bool, env: dict[str, str]) -> int | str:
    process = subprocess.Popen([sys.executable, "-u", str(script), *(["--quick"] * quick)],
                               cwd=BENCH_DIR.parent, env=env)
    try:
        return process.wait(timeout=300 if quick else 600)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # so the bench's cleanup runs
        return "timed out"
    finally:  # on Ctrl-C too, which reached the bench (same process group): let it clean up
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=60)
        process.kill()  # a no-op once it has exited
        process.wait()


def main() -> int:
    common.stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("words", nargs="*", help="run the benches whose names contain these")
    parser.add_argument("--quick", action="store_true", help="seconds each: do they still run")
    args = parser.parse_args()
    started, failed, env = time.perf_counter(), [], dict(os.environ)
    # bench_ml.py first: it needs no services.
    paths = sorted(BENCH_DIR.glob("bench_*.py"), key=lambda path: path.name != "bench_ml.py")
    paths += [BENCH_DIR / "loadtest.py"] if args.quick else []
    with contextlib.ExitStack() as stack:
        if args.quick:  # the load test's first model (seed 42: its retrain must beat it)
            print(f"preparing {TEMPLATE}, which each bench copies", flush=True)
            stack.enter_context(common.bench_database(common.bench_env(
                db_name=TEMPLATE, redis_url="redis://127.0.0.1:6379/3"), ["--seed", "42"]))
            env["BENCH_TEMPLATE"] = TEMPLATE
        for script in (p for p in paths if not args.words or any(w in p.name for w in args.words)):
            print(f"\n===== {script.name} =====", flush=True)
            if args.quick and script.name == "bench_serving.py" and not MLSERVER.exists():
                print("===== skipped: .venv-mlserver is not installed (`make bench` installs it)")
                continue
            script_started, code = time.perf_counter(), run(script, args.quick, env)
            print(f"===== {script.name}: {time.perf_counter() - script_started:.0f} s", flush=True)
            if code != 0:
                print(f"!!!!! {script.name} failed: {code}", flush=True)
                failed.append(script.name)
    print(f"\nbenchmarks: {time.perf_counter() - started:.0f} s", end="")
    print(f", FAILED: {', '.join(failed)}" if failed else ", all ran")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
