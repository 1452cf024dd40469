"""Run pytest and lit together and print one summary.

Both write JUnit XML; the counts come from there. Exit status is non-zero if
anything failed or if no test ran at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / ".test-results"


def count(xml_path: Path) -> dict[str, int]:
    """passed / failed / skipped of a JUnit XML file (errors count as failed)."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    if not xml_path.exists():
        return counts
    for case in ElementTree.parse(xml_path).getroot().iter("testcase"):
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            counts["failed"] += 1
        elif "skipped" in tags:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


def line(label: str, counts: dict[str, int]) -> str:
    text = f"{label}: {counts['passed']} passed, {counts['failed']} failed"
    return text + (f", {counts['skipped']} skipped" if counts["skipped"] else "")


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    bin_dir = Path(sys.executable).parent
    jobs = str(os.cpu_count() or 1)
    pytest = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", jobs, f"--junitxml={RESULTS / 'pytest.xml'}", *sys.argv[1:]],
        cwd=ROOT,
    )
    lit = subprocess.run(
        [str(bin_dir / "lit"), "-sv", "-j", jobs, f"--xunit-xml-output={RESULTS / 'lit.xml'}", "test"],
        cwd=ROOT,
    )
    results = {"pytest": count(RESULTS / "pytest.xml"), "lit": count(RESULTS / "lit.xml")}
    total = {key: sum(r[key] for r in results.values()) for key in ("passed", "failed", "skipped")}
    print()
    for name, counts in results.items():
        print(line(name, counts))
    print(line("total", total))
    ran = total["passed"] + total["failed"]
    ok = pytest.returncode == 0 and lit.returncode == 0 and total["failed"] == 0 and ran > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
