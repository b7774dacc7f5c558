"""A measured figure, its baseline and its target, and the report they make."""

import os
import platform
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import connection


@dataclass
class Figure:
    number: int
    name: str
    value: float | None
    unit: str
    target: str
    met: bool | None
    baseline: str = ""
    ratio: str = ""
    notes: list[str] = field(default_factory=list)


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def median_time(function, repeat: int = 3) -> float:
    return statistics.median(timed(function)[0] for _ in range(repeat))


def python_speed() -> str:
    """How fast this machine runs Python now: the best of three loops of 10 million additions.
    Machines of the same kind differ by up to 2× (and a shared one from hour to hour): the
    figures of two runs compare only with this beside them."""
    best = min(timed(_additions, 10_000_000)[0] for _ in range(3))
    return f"10 million Python additions in {best:.2f} s"


def _additions(count: int) -> int:
    total = 0
    for number in range(count):
        total += number
    return total


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
    except OSError:
        commit = ""
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "host": platform.node(),
        "cpu": f"{cpu} × {os.cpu_count()} cores",
        "speed": python_speed(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "commit": commit,
    }


def markdown(
    machine_info: dict, dataset: dict, figures: list[Figure], notes: list[str], history: str = ""
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (smartcoop/management/commands/bench.py). Each figure is "
        "measured on the dataset below with a baseline taken in the same run, so that the ratio "
        "means something on a noisy shared machine. Targets come from issues 6, 13 and 19; "
        "'met' is said of all the targets of a row, issue 19's included (its 'first machine' "
        "is an Intel Xeon with 2 cores, the kind of the run of 2026-12-05).",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in machine_info.items()],
        "",
        "## Dataset",
        "",
        *[
            f"- {key}: {value:,}" if isinstance(value, int) else f"- {key}: {value}"
            for key, value in dataset.items()
        ],
        "",
        "## Figures",
        "",
        "| # | what | measured | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for figure in figures:
        value = "—" if figure.value is None else f"{figure.value:,.2f} {figure.unit}"
        met = {True: "yes", False: "**no**", None: "not measured"}[figure.met]
        lines.append(
            f"| {figure.number} | {figure.name} | {value} | {figure.baseline} | {figure.ratio} "
            f"| {figure.target} | {met} |"
        )
    lines += ["", "## Details", ""]
    for figure in figures:
        if figure.notes:
            lines.append(f"**{figure.number}. {figure.name}**")
            lines.append("")
            lines += [f"- {note}" for note in figure.notes]
            lines.append("")
    if notes:
        lines += ["## Notes", "", *[f"- {note}" for note in notes], ""]
    if history.strip():
        # docs/benchmarks-history.md, kept by hand: what was profiled and fixed, before → after.
        lines += [history.strip(), ""]
    return "\n".join(lines) + "\n"
