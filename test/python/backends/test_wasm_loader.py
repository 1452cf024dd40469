"""The ES-module loader ``<stem>.mjs`` of wasm_simd artifacts, run in Node and in headless Chromium.

Each test builds the predictors below with ``fxn.artifacts.build`` (the
``.wasm``, the loader, the manifest it reads), runs a small script that
imports the loader and prints or shows JSON, and compares it with numpy.
Skipped where clang-22/wasm-ld-22, node or chromium are missing.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading

import numpy as np
import pytest
import torch

import fxn
from fxn.artifacts import build

if not (shutil.which("clang-22") and shutil.which("wasm-ld-22")):
    pytest.skip("clang-22 and wasm-ld-22 build wasm_simd code (scripts/setup installs them)", allow_module_level=True)

NODE, CHROMIUM = shutil.which("node"), shutil.which("chromium") or shutil.which("chromium-browser")


@fxn.compile
def affine(x: fxn.Tensor[fxn.f32, "N", 3], k: float):
    return x * k + 1, x.sum(1)


@fxn.compile
def scale(x: float, y: float) -> float:
    return x * y + 0.5


@fxn.compile
def brighten(image: fxn.Tensor[fxn.u8, "H", "W"], other: fxn.Tensor[fxn.u8, "H", "W"]):
    return torch.maximum(image, other) + 3, image > other


@fxn.compile
def wide(n: fxn.Tensor[fxn.i64, "N"]):
    return n * 3 - 1


@fxn.compile
def halves(x: fxn.Tensor[fxn.f16, "N"]):
    return x * 2


@fxn.compile
def outer(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "M"]):
    return x.unsqueeze(1) * y.unsqueeze(0)


PREDICTORS = [("affine", affine), ("scale", scale), ("brighten", brighten), ("wide", wide), ("halves", halves),
              ("outer", outer)]
X = np.arange(12, dtype=np.float32).reshape(4, 3) / 4
IMAGE = np.array([[0, 100, 250], [7, 8, 9]], np.uint8)
OTHER = np.array([[1, 99, 255], [7, 9, 8]], np.uint8)
HALVES = np.array([0.5, -3.25, 65504, 1e-7], np.float16)

NODE_SCRIPT = """
import { load, AllocationError } from "./lib.mjs";
const m = await load();
const list = (a) => Array.from(a, (v) => (typeof v === "bigint" ? v.toString() : v));
const out = {};
const [y, s] = m.affine(Object.assign(new Float32Array(%(x)s), { shape: [4, 3] }), 2.5);
out.affine = { y: list(y), yShape: y.shape, s: list(s), sShape: s.shape };
const [y2] = m.affine([[1, 2, 3]], 2);
out.nested = list(y2);
out.scale = m.scale(3, 4);
const [bright, greater] = m.brighten({ data: new Uint8Array(%(image)s), shape: [2, 3] },
                                     { data: new Uint8ClampedArray(%(other)s), shape: [2, 3] });
out.brighten = { bright: list(bright), greater: list(greater), type: greater.constructor.name };
out.wide = list(m.wide(new BigInt64Array([5n, -7n, 9007199254740993n])));
out.halves = list(m.halves(new Uint16Array(new Uint16Array(%(halves)s))));
for (const [name, call] of [
  ["dtype", () => m.affine(new Float64Array(6), 1)],
  ["shape", () => m.affine(new Float32Array(5), 1)],
  ["dims", () => m.brighten({ data: new Uint8Array(6), shape: [2, 3] }, { data: new Uint8Array(6), shape: [3, 2] })],
  ["memory", () => m.outer(new Float32Array(40000), new Float32Array(40000))],
]) {
  try { call(); out[name] = "no error"; } catch (e) {
    out[name] = { name: e.name, message: e.message, allocation: e instanceof AllocationError };
  }
}
console.log(JSON.stringify(out));
"""

PAGE = """<!doctype html>
<html><body><pre id="out">pending</pre>
<script type="module">
import { load } from "./lib.mjs";
const out = document.getElementById("out");
try {
  const m = await load();
  const [y, s] = m.affine({ data: new Float32Array(%(x)s), shape: [4, 3] }, 2.5);
  out.textContent = JSON.stringify({ y: Array.from(y), shape: y.shape, s: Array.from(s), scale: m.scale(3, 4) });
} catch (error) {
  out.textContent = "ERROR " + error.stack;
}
</script></body></html>
"""


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    directory = tmp_path_factory.mktemp("wasm")
    build(PREDICTORS, "lib", directory, "test_wasm_loader.py", target="wasm_simd")
    return directory


def substitutions() -> dict:
    return {"x": json.dumps(X.ravel().tolist()), "image": json.dumps(IMAGE.ravel().tolist()),
            "other": json.dumps(OTHER.ravel().tolist()), "halves": json.dumps(HALVES.view(np.uint16).tolist())}


@pytest.mark.skipif(NODE is None, reason="node runs the loader outside a browser")
def test_the_loader_runs_predictors_in_node(artifacts):
    (artifacts / "run.mjs").write_text(NODE_SCRIPT % substitutions())
    result = subprocess.run([NODE, "run.mjs"], cwd=artifacts, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["affine"] == {"y": (X * 2.5 + 1).ravel().tolist(), "yShape": [4, 3],
                             "s": X.sum(1).tolist(), "sShape": [4]}
    assert out["nested"] == [3, 5, 7] and out["scale"] == 12.5
    assert out["brighten"] == {"bright": (np.maximum(IMAGE, OTHER) + 3).ravel().tolist(),
                               "greater": (IMAGE > OTHER).astype(int).ravel().tolist(), "type": "Uint8Array"}
    assert out["wide"] == ["14", "-22", str(9007199254740993 * 3 - 1)]
    with np.errstate(over="ignore"):  # 65504 * 2 is inf
        assert out["halves"] == (HALVES * 2).view(np.uint16).tolist()  # Node 20 has no Float16Array: the bits
    assert out["dtype"]["name"] == "TypeError" and "argument 'x' must be a Float32Array (f32), got Float64Array" \
        in out["dtype"]["message"]
    assert "argument 'x' has 5 elements, which no shape [N, 3] holds" in out["shape"]["message"]
    assert out["dims"]["message"] == "brighten(): argument 'other': dim H is 3 here but 2 in brighten(): argument 'image'"
    memory = out["memory"]
    assert memory["allocation"] and memory["name"] == "AllocationError"
    line = outer.fn.__code__.co_firstlineno + 2  # the return statement, where the product is allocated
    assert re.fullmatch(r"outer\(\): could not allocate 1073741888 bytes for [\w./]*fxn\.mul at "
                        rf"\S+test_wasm_loader\.py:{line}:\d+", memory["message"]), memory["message"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".json": "application/json", ".wasm": "application/wasm"}

    def log_message(self, *args):
        pass


@pytest.mark.skipif(CHROMIUM is None, reason="chromium runs the loader in a browser")
def test_the_loader_runs_a_predictor_in_headless_chromium(artifacts, tmp_path):
    (artifacts / "index.html").write_text(PAGE % substitutions())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler,
                                                                                 directory=str(artifacts)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}",
                   "--virtual-time-budget=20000", "--dump-dom", url]
        result = subprocess.run(command, capture_output=True, text=True, timeout=90)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    shown = re.search(r'<pre id="out">(.*?)</pre>', result.stdout, re.S)
    assert shown, result.stdout[-2000:] + result.stderr[-2000:]
    assert not shown[1].startswith(("pending", "ERROR")), shown[1]
    assert json.loads(shown[1]) == {"y": (X * 2.5 + 1).ravel().tolist(), "shape": [4, 3], "s": X.sum(1).tolist(),
                                    "scale": 12.5}
