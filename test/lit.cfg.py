"""lit configuration of the fxn test suite: FileCheck tests of fxn-opt and the dialect."""

import os
import shutil
import sys

import lit.formats

config.name = "fxn"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["python", "Inputs", "lit.cfg.py"]

# Tools come from the environment lit runs in (the checkout's .venv).
bin_dir = os.path.dirname(sys.executable)
config.environment["PATH"] = os.pathsep.join([bin_dir, config.environment.get("PATH", os.environ["PATH"])])
for tool in ("fxn-opt", "filecheck"):
    if shutil.which(tool, path=config.environment["PATH"]) is None:
        lit_config.fatal(f"'{tool}' not found next to {sys.executable}; run the README's setup first")

config.substitutions.append(("%python", sys.executable))
# `not` is lit's builtin; FileCheck is the Python port.
config.substitutions.append(("FileCheck", "filecheck"))
