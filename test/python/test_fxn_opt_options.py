"""docs/fxn-opt-options.md against fxn/opt.py and the bundled MLIR's mlir-opt: every general option listed, each
supported one accepted, each other one refused with the reason the table gives."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from fxn import opt

ROOT = Path(__file__).resolve().parents[2]
ROWS = re.findall(r"^\| `(-{1,2}[\w-]+)` \| (supported(?:: .*)?|no: .*) \|$", (ROOT / "docs" / "fxn-opt-options.md").read_text(),
                  re.MULTILINE)


def test_the_table_lists_every_refused_option():
    assert {flag.lstrip("-") for flag, status in ROWS if status.startswith("no: ")} == set(opt.UNSUPPORTED)


@pytest.mark.parametrize("flag, status", ROWS, ids=[flag for flag, _ in ROWS])
def test_each_option_does_what_the_table_says(flag, status):
    name = flag.lstrip("-")
    argument = f"{flag}=1" if name in opt._VALUE_FLAGS and len(name) > 1 else flag
    if name in opt._CHOICE_FLAGS:
        argument = f"{flag}={opt._CHOICE_FLAGS[name][1][0]}"
    if status.startswith("supported"):
        opt.parse_args([argument, "-"] if name not in ("o", "p") else [flag, "value"])
        assert name not in opt.UNSUPPORTED
    else:
        with pytest.raises(opt.UsageError, match=re.escape(f"option '--{name}' is not supported by fxn-opt: ")
                           + re.escape(status.removeprefix("no: "))):
            opt.parse_args([argument])


def test_every_general_option_of_the_bundled_mlir_opt_is_in_the_table():
    import importlib.util

    location = Path(list(importlib.util.find_spec("torch_mlir").submodule_search_locations)[0])
    text = subprocess.run([location / "_mlir_libs" / "torch-mlir-opt", "--help-hidden"], capture_output=True,
                          text=True, timeout=60).stdout
    general = text.split("General options:")[1].split("Compiler passes to run")[0]
    names = set(re.findall(r"^  -{1,2}([\w-]+)", general, re.MULTILINE))
    assert len(names) > 90
    assert names - {flag.lstrip("-") for flag, _ in ROWS} == set()
