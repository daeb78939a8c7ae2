"""Run every benchmark and write bench/RESULTS.md: figure, target, ratio, machine, date.

    .venv/bin/python bench/run.py [--full] [--scale-1m] [--only NAME ...] [--timeout SECONDS]

Runs each ``bench/bench_*.py`` and the older load and weight scripts, one
after the other (they share the machine's cores, so never in parallel), each
with ``--quick`` unless ``--full`` is given, and each under a timeout. The
console-at-scale benchmark measures 100k cases; ``--scale-1m`` adds 1M (its
data takes 5-20 minutes to generate the first time on a 2-core machine).

Protocol: a benchmark prints one line per figure,

    RESULT|<what>|<measured>|<target>|<ratio and/or pass/FAIL>

and anything else it likes; only RESULT lines reach the table. A script that
fails, times out or prints no RESULT line is listed as such.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "RESULTS.md"
POSTGRES = "postgres://postgres@127.0.0.1:5432/{name}"
# Scripts that are not named bench_*.py but measure against a target.
EXTRA = ["load_public.py", "page_weight.py"]
# What each script needs beyond --quick (environment, arguments, time).
NEEDS: dict[str, dict] = {
    "bench_console_list.py": {
        "env": {"DATABASE_URL": POSTGRES.format(name="sanad_perf_bench_10k")}
    },
    "bench_console_scale.py": {"timeout": 5400},
    "bench_outreach_analytics.py": {
        "env": {"DATABASE_URL": POSTGRES.format(name="sanad_perf_outreach")}
    },
}


def machine() -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return {
        "cores (nproc)": str(os.cpu_count()),
        "memory": memory,
        "CPU": cpu,
        "Python": platform.python_version(),
        "load average at start": " ".join(f"{x:.1f}" for x in load),
    }


def scripts(only: list[str]) -> list[str]:
    names = sorted(p.name for p in BENCH.glob("bench_*.py")) + EXTRA
    if only:
        names = [n for n in names if any(o in n for o in only)]
    return [n for n in names if (BENCH / n).exists()]


def supports_quick(path: Path) -> bool:
    return "--quick" in path.read_text()


def run_one(name: str, *, full: bool, scale_1m: bool, default_timeout: int) -> dict:
    path = BENCH / name
    needs = NEEDS.get(name, {})
    args = [sys.executable, str(path)]
    if name == "bench_console_scale.py":
        args += ["--sizes", "100000,1000000" if scale_1m else "100000"]
        if not full:
            args += ["--rounds", "15"]
    elif not full and supports_quick(path):
        args.append("--quick")
    env = {**os.environ, **needs.get("env", {})}
    timeout = needs.get("timeout", default_timeout)
    started = time.perf_counter()
    print(f"== {name} ({' '.join(args[2:]) or 'no arguments'}), timeout {timeout} s", flush=True)
    try:
        done = subprocess.run(
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
        output = done.stdout
        status = {0: "ok", 1: "ran; some targets missed"}.get(
            done.returncode, f"exit {done.returncode}"
        )
        if done.returncode not in (0, 1):
            output += "\n" + done.stderr[-2000:]
    except subprocess.TimeoutExpired as expired:
        output = (expired.stdout or b"").decode() if isinstance(expired.stdout, bytes) else ""
        status = f"timed out after {timeout} s"
    seconds = time.perf_counter() - started
    results = []
    for line in output.splitlines():
        if line.startswith("RESULT|"):
            parts = line.split("|")[1:]
            results.append((parts + ["", "", "", ""])[:4])
    print(output[-3000:], flush=True)
    if not results:
        status += ", no RESULT line"
    return {"name": name, "status": status, "seconds": seconds, "results": results}


def write(runs: list[dict], info: dict[str, str], started: dt.datetime, mode: str) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run.py` ({mode}) on {started:%Y-%m-%d %H:%M} UTC, commit `{commit}`.",
        "Ratio: measured / target (below 1 is better for times and sizes, above 1 for",
        "throughput); `pass`/`FAIL` says which. Figures from one run, one script after",
        "another on the same machine; the machine is shared, so its load is noted.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        "",
        "## Figures",
        "",
        "| benchmark | what | measured | target | ratio |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        for what, measured, target, ratio in run["results"]:
            lines.append(f"| {run['name']} | {what} | {measured} | {target} | {ratio} |")
    lines += ["", "## Scripts", "", "| script | status | seconds |", "|---|---|---|"]
    for run in runs:
        lines.append(f"| {run['name']} | {run['status']} | {run['seconds']:.0f} |")
    RESULTS.write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="no --quick")
    parser.add_argument("--scale-1m", action="store_true", help="console at 1M cases too")
    parser.add_argument("--only", nargs="*", default=[], help="parts of script names")
    parser.add_argument("--timeout", type=int, default=1500, help="seconds per script")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    info = machine()
    runs = [
        run_one(name, full=args.full, scale_1m=args.scale_1m, default_timeout=args.timeout)
        for name in scripts(args.only)
    ]
    mode = ("full" if args.full else "quick") + (", console at 1M" if args.scale_1m else "")
    write(runs, info, started, mode)
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    failed = any("FAIL" in r[3] for run in runs for r in run["results"]) or any(
        not run["status"].startswith(("ok", "ran")) for run in runs
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
