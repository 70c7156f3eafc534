"""Result rows, the machine description, and the table as text, Markdown and JSON."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(slots=True)
class Row:
    """One line of the table. ``target`` is ``("<=", 1.05)``, ``(">=", 1.8)`` or None (info)."""

    name: str
    ours: float | None
    reference: float | None
    unit: str
    target: tuple[str, float] | None = None
    ratio: float | None = None
    skipped: str = ""
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.ratio is None and self.ours is not None and self.reference:
            self.ratio = self.ours / self.reference

    @property
    def result(self) -> str:
        """pass, FAIL, skipped or info."""
        if self.skipped:
            return "skipped"
        if self.target is None or self.ratio is None:
            return "info"
        op, limit = self.target
        ok = self.ratio <= limit if op == "<=" else self.ratio >= limit
        return "pass" if ok else "FAIL"

    def cells(self) -> list[str]:
        """The row as table cells."""
        if self.skipped:
            return [self.name, self.skipped, "", "", _target(self.target), "skipped", ""]
        return [
            self.name,
            _value(self.ours, self.unit),
            _value(self.reference, self.unit),
            f"{self.ratio:.3f}" if self.ratio is not None else "",
            _target(self.target),
            self.result,
            f"{self.load[0]:.1f} → {self.load[1]:.1f}",
        ]


HEADER = ["measurement", "ours", "reference", "ratio", "target", "result", "load 1 min"]


def _value(number: float | None, unit: str) -> str:
    if number is None:
        return ""
    digits = 3 if abs(number) < 10 else 1
    return f"{number:.{digits}f} {unit}".strip()


def _target(target: tuple[str, float] | None) -> str:
    return "" if target is None else f"ratio {'≤' if target[0] == '<=' else '≥'} {target[1]:g}"


def text_table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table, notes underneath."""
    cells = [HEADER, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    notes = [f"- {row.name}: {note}" for row in rows for note in row.notes]
    return "\n".join([*lines, "", *notes]) if notes else "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    """The rows as a Markdown table, notes as a list underneath."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    notes = [f"- **{row.name}**: {note}" for row in rows for note in row.notes]
    return "\n".join([*lines, "", *notes]) if notes else "\n".join(lines)


def row_json(row: Row) -> dict[str, Any]:
    """The row as a JSON object, with its result."""
    data = asdict(row)
    data["result"] = row.result
    return data


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, Python, WeasyPrint, pandoc and publisher versions, commit."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = int(line.split()[1]) / 1024 / 1024
    import weasyprint

    import publisher

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(ram_gb, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "weasyprint": weasyprint.__version__,
        "pandoc": pandoc_version(),
        "publisher": publisher.__version__,
        "commit": _git("rev-parse", "--short", "HEAD"),
    }


def pandoc_version() -> str | None:
    """pandoc's version, or None when it is not installed."""
    if shutil.which("pandoc") is None:
        return None
    output = subprocess.run(["pandoc", "--version"], capture_output=True, text=True).stdout
    return output.splitlines()[0].split()[-1] if output else "unknown"


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, cwd=Path(__file__).parent
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def machine_text(info: dict[str, Any]) -> str:
    """The machine in one line."""
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM; {info['os']}; "
        f"Python {info['python']}, WeasyPrint {info['weasyprint']}, "
        f"pandoc {info['pandoc'] or 'not installed'}, publisher {info['publisher']} "
        f"({info['commit']})"
    )
