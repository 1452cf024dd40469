"""Section (h), cold start: what a new process pays before its first result, fxn beside numba.

Each figure is the median over fresh Python processes, each timed from
inside (``time.perf_counter``, so the interpreter's own start-up is left
out), after one untimed process has written the modules' bytecode caches:

- ``import``: ``import fxn`` (``import numba``);
- ``first call, cold``: decorating the seed's scalar ``fma`` and its first
  call, with an empty on-disk cache (numba: ``@njit(cache=True)``, which
  fills its own cache likewise);
- ``first call, warm``: the same in a second process, the cache filled by
  the first.

The targets (issue 11): ``import fxn`` at most 0.1 s, the cold first call
at most 0.5 s, the warm one at most 50 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap

#: Per peer: the import, then the decorated fma; each process prints its two times as JSON.
PROGRAMS = {
    "fxn": textwrap.dedent("""
        import json, time
        started = time.perf_counter()
        import fxn
        imported = time.perf_counter()

        @fxn.compile
        def fma(x: float, y: float, z: float) -> float:
            return x * y + z

        assert fma(3.0, -1.0, 2.0) == -1.0
        print(json.dumps([imported - started, time.perf_counter() - imported]))
    """),
    "numba": textwrap.dedent("""
        import json, time
        started = time.perf_counter()
        import numba
        imported = time.perf_counter()

        @numba.njit(cache=True)
        def fma(x, y, z):
            return x * y + z

        assert fma(3.0, -1.0, 2.0) == -1.0
        print(json.dumps([imported - started, time.perf_counter() - imported]))
    """),
}
TARGETS = {"import": 0.1, "first call, cold": 0.5, "first call, warm": 0.05}


def _run(peer: str, folder: str) -> list[float]:
    """One fresh process of ``peer`` with its cache in ``folder``: [import seconds, decorate + first call seconds]."""
    program_file = os.path.join(folder, f"{peer}_fma.py")  # numba caches functions of files only
    with open(program_file, "w") as file:
        file.write(PROGRAMS[peer])
    # Bytecode is cached as a user's Python caches it (.pyc), whatever this shell says.
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment = {**environment, "FXN_CACHE": "1", "FXN_CACHE_DIR": os.path.join(folder, "fxn-cache"),
                   "NUMBA_CACHE_DIR": os.path.join(folder, "numba-cache")}
    result = subprocess.run([sys.executable, program_file], capture_output=True, text=True, env=environment,
                            cwd=folder)
    if result.returncode != 0:
        raise RuntimeError(f"{peer}: {(result.stderr.strip().splitlines() or ['no output'])[-1]}")
    return json.loads(result.stdout)


def measure(repeats: int) -> tuple[dict[str, dict[str, dict]], list[str]]:
    """peer -> case ("import", "first call, cold", "first call, warm") -> {"seconds": median}; and notes.

    Each repeat starts from an empty cache folder: its first process is the
    cold one (and fills the cache), its second the warm one.
    """
    by_peer, notes = {}, []
    for peer in PROGRAMS:
        samples = {name: [] for name in TARGETS}
        try:
            with tempfile.TemporaryDirectory(prefix="fxn-bench-") as folder:
                _run(peer, folder)  # untimed: writes the .pyc files, warms the file cache
            for _ in range(repeats):
                with tempfile.TemporaryDirectory(prefix="fxn-bench-cold-") as folder:
                    imported, cold = _run(peer, folder)
                    _, warm = _run(peer, folder)
                samples["import"].append(imported)
                samples["first call, cold"].append(cold)
                samples["first call, warm"].append(warm)
        except (RuntimeError, OSError, ValueError) as error:
            notes.append(f"(h) {error}")
            continue
        by_peer[peer] = {name: {"seconds": statistics.median(values)} for name, values in samples.items()}
        print(f"  (h) {peer:<28} done", file=sys.stderr, flush=True)
    return by_peer, notes
