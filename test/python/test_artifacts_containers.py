"""`fxn compile` of predictors taking and returning containers: the flattened ABI in the header and manifest.

Named tuples, dataclasses and ``tuple[...]`` annotations, and containers of
``fxn.TensorSpec`` in ``input_signature``, declare parameters whose leaves
are one C argument each; returned dicts, tuples and lists are one result
each. The header names each by its Python path, the manifest gives the
paths and the structures that rebuild the values, and a C program calls
the library with the flattened arguments. Containers that declare no
length or keys are one located error line.
"""

import importlib.util
import json
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner

from fxn.cli import cli

requires_clang = pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")

PREDICTORS = '''\
import dataclasses
import typing

import fxn


class Pair(typing.NamedTuple):
    left: fxn.Tensor[fxn.f32, "N"]
    right: fxn.Tensor[fxn.f32, "N"]


@dataclasses.dataclass
class Affine:
    weight: fxn.Tensor[fxn.f32, "N"]
    shift: float


@fxn.compile(tag="@acme/blend")
def blend(pair: Pair, affine: Affine, mix: tuple[fxn.Tensor[fxn.f32, "N"], float], mix_0: float):
    low = pair.left * affine.weight + affine.shift
    high = pair.right * mix[1] + mix[0] * mix_0
    return {"sum": low + high, "parts": (low, high), "peak": high.max()}


@fxn.compile(input_signature=[(fxn.TensorSpec([3]), fxn.TensorSpec([3])),
                              {"scale": fxn.TensorSpec([]), "": fxn.TensorSpec([3]), "_": fxn.TensorSpec([3])}])
def scaled(pair, cfg):
    return {"int": pair[0] * cfg["scale"] + cfg[""], "a b": pair[1] - cfg["_"], "a-b": pair[1], "_Hidden": pair[0]}
'''

#: The inputs of the C driver below, as numpy arrays.
LEFT, RIGHT, WEIGHT, MIX = (np.array(v, np.float32) for v in ([1, 2, 3, 4], [0.5, -1, 2, 8], [2, 2, -1, 0.25], [1, 0, -3, 2]))
SHIFT, MIX_1, MIX_0 = np.float32(0.5), np.float32(3), np.float32(-2)
X, Y, BIAS, OTHER, SCALE = (np.array(v, np.float32) for v in ([1, 2, 3], [4, 5, 6], [0.5, 0.25, 2], [1, 1, -1], 2))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The predictors above compiled by ``fxn compile``: (source file, output folder)."""
    folder = tmp_path_factory.mktemp("containers")
    source = folder / "shapes.py"
    source.write_text(PREDICTORS)
    result = CliRunner().invoke(cli, ["compile", str(source), "-o", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return source, folder / "out"


@pytest.fixture(scope="module")
def predictors(built):
    """The predictor file imported: its @fxn.compile functions run in this process."""
    source, _ = built
    spec = importlib.util.spec_from_file_location("shapes_containers", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@requires_clang
def test_header_declares_each_leaf_under_a_name_from_its_path(built):
    source, out = built
    header = (out / "shapes.h").read_text()
    assert """\
typedef struct {
    fxn_memref_1d_f32 sum;  /* result['sum'] */
    fxn_memref_1d_f32 parts_0;  /* result['parts'][0] */
    fxn_memref_1d_f32 parts_1;  /* result['parts'][1] */
    fxn_memref_0d_f32 peak;  /* result['peak'] */
} fxn_blend_results;
void fxn_blend(
    fxn_blend_results *fxn_results,
    const fxn_memref_1d_f32 *pair_left,  /* pair.left */
    const fxn_memref_1d_f32 *pair_right,  /* pair.right */
    const fxn_memref_1d_f32 *affine_weight,  /* affine.weight */
    const fxn_memref_0d_f32 *affine_shift,  /* affine.shift */
    const fxn_memref_1d_f32 *mix_0_,  /* mix[0] */
    const fxn_memref_0d_f32 *mix_1,  /* mix[1] */
    const fxn_memref_0d_f32 *mix_0,  /* mix_0 */
    fxn_status *fxn_status);
""" in header  # mix[0] gives way to the parameter mix_0
    # C's rules on the fields: a keyword gets an underscore, a taken name another, no field starts with _.
    assert """\
typedef struct {
    fxn_memref_1d_f32 int_;  /* result['int'] */
    fxn_memref_1d_f32 a_b;  /* result['a b'] */
    fxn_memref_1d_f32 a_b_;  /* result['a-b'] */
    fxn_memref_1d_f32 Hidden;  /* result['_Hidden'] */
} fxn_scaled_results;
void fxn_scaled(
    fxn_scaled_results *fxn_results,
    const fxn_memref_1d_f32 *pair_0,  /* pair[0] */
    const fxn_memref_1d_f32 *pair_1,  /* pair[1] */
    const fxn_memref_1d_f32 *cfg_,  /* cfg[''] */
    const fxn_memref_1d_f32 *cfg__,  /* cfg['_'] */
    const fxn_memref_0d_f32 *cfg_scale,  /* cfg['scale'] */
    fxn_status *fxn_status);
""" in header  # input_signature's dict in the order of its keys' repr
    assert " * blend(pair_left: tensor<?xf32> [N], pair_right: tensor<?xf32> [N], affine_weight" in header
    # Requirements name the flattened parameters and the user's lines.
    assert f" * requires pair_left.shape[0] == affine_weight.shape[0] (fxn.mul at {source}:20:11)\n" in header
    abi = " ".join(header.split("*/")[0].replace(" * ", " ").split())
    assert ("one argument per array or number in them, in the order of the value read depth first: tuple and "
            "list elements and named tuple and dataclass fields in order, dict items in the order of their keys' "
            "Python repr (sorted(keys, key=repr))") in abi
    assert "except that dict items keep the order in which the function inserted them" in abi


@requires_clang
def test_manifest_gives_each_leaf_its_path_and_the_structures_that_rebuild_the_values(built):
    _, out = built
    blend, scaled = json.loads((out / "shapes.json").read_text())["predictors"]
    parameters = blend["signature"]["parameters"]
    assert [(p["name"], p["path"], p["shape"], p["python_scalar"]) for p in parameters] == [
        ("pair", "pair.left", ["N"], False), ("pair", "pair.right", ["N"], False),
        ("affine", "affine.weight", ["N"], False), ("affine", "affine.shift", [], True),
        ("mix", "mix[0]", ["N"], False), ("mix", "mix[1]", [], True), ("mix_0", "mix_0", [], True)]
    assert [(r["path"], r["type"]) for r in blend["signature"]["results"]] == [
        ("result['sum']", "tensor<?xf32>"), ("result['parts'][0]", "tensor<?xf32>"),
        ("result['parts'][1]", "tensor<?xf32>"), ("result['peak']", "tensor<f32>")]
    leaf = lambda index: {"kind": "leaf", "index": index}  # noqa: E731
    assert blend["signature"]["structure"] == {
        "parameters": [
            {"name": "pair", "kind": "namedtuple", "type": "Pair", "fields": ["left", "right"],
             "items": [leaf(0), leaf(1)]},
            {"name": "affine", "kind": "dataclass", "type": "Affine", "fields": ["weight", "shift"],
             "items": [leaf(2), leaf(3)]},
            {"name": "mix", "kind": "tuple", "items": [leaf(4), leaf(5)]},
            {"name": "mix_0", **leaf(6)},
        ],
        "result": {"kind": "dict", "keys": ["sum", "parts", "peak"],
                   "items": [leaf(0), {"kind": "tuple", "items": [leaf(1), leaf(2)]}, leaf(3)]},
    }
    structure = scaled["signature"]["structure"]
    assert structure["parameters"][1] == {"name": "cfg", "kind": "dict", "keys": ["", "_", "scale"],
                                          "items": [leaf(2), leaf(3), leaf(4)]}
    assert structure["result"]["keys"] == ["int", "a b", "a-b", "_Hidden"]  # the function's order


def rebuild(node: dict, leaves: list, classes: dict):
    """A value from its manifest structure and the flat results, as a caller would rebuild it."""
    if node["kind"] == "leaf":
        return leaves[node["index"]]
    items = [rebuild(item, leaves, classes) for item in node["items"]]
    if node["kind"] == "dict":
        return dict(zip(node["keys"], items))
    if node["kind"] in ("namedtuple", "dataclass"):
        return classes[node["type"]](**dict(zip(node["fields"], items)))
    return items if node["kind"] == "list" else tuple(items)


def c_floats(values) -> str:
    return ", ".join(f"{float(v)!r}f" for v in np.atleast_1d(values))


DRIVER = f"""\
#include <stdio.h>
#include <stdlib.h>
#include "shapes.h"

static fxn_memref_1d_f32 vector(float *data, int64_t size) {{
    fxn_memref_1d_f32 memref = {{data, data, 0, {{size}}, {{1}}}};
    return memref;
}}

static fxn_memref_0d_f32 scalar(float *data) {{
    fxn_memref_0d_f32 memref = {{data, data, 0}};
    return memref;
}}

static void print(const char *name, fxn_memref_1d_f32 m) {{
    printf("%s", name);
    for (int64_t i = 0; i < m.sizes[0]; i++) printf(" %.9g", m.aligned[m.offset + i * m.strides[0]]);
    printf("\\n");
}}

/* Frees each distinct buffer of a call's results once. */
static void release(void **buffers, int count) {{
    for (int i = 0; i < count; i++) {{
        int seen = 0;
        for (int j = 0; j < i; j++) seen |= buffers[j] == buffers[i];
        if (!seen) free(buffers[i]);
    }}
}}

int main(void) {{
    float left[] = {{{c_floats(LEFT)}}}, right[] = {{{c_floats(RIGHT)}}}, weight[] = {{{c_floats(WEIGHT)}}};
    float mix[] = {{{c_floats(MIX)}}}, shift = {c_floats(SHIFT)}, mix_1 = {c_floats(MIX_1)}, mix_0 = {c_floats(MIX_0)};
    fxn_memref_1d_f32 pair_left = vector(left, 4), pair_right = vector(right, 4), affine_weight = vector(weight, 4);
    fxn_memref_1d_f32 mix_0_ = vector(mix, 4);
    fxn_memref_0d_f32 affine_shift = scalar(&shift), mix_1_memref = scalar(&mix_1), mix_0_memref = scalar(&mix_0);
    fxn_blend_results blend;
    fxn_status status;
    fxn_blend(&blend, &pair_left, &pair_right, &affine_weight, &affine_shift, &mix_0_, &mix_1_memref,
              &mix_0_memref, &status);
    if (status.site) return 1;
    print("sum", blend.sum);
    print("parts_0", blend.parts_0);
    print("parts_1", blend.parts_1);
    printf("peak %.9g\\n", blend.peak.aligned[blend.peak.offset]);
    void *blended[] = {{blend.sum.allocated, blend.parts_0.allocated, blend.parts_1.allocated, blend.peak.allocated}};
    release(blended, 4);

    float x[] = {{{c_floats(X)}}}, y[] = {{{c_floats(Y)}}}, bias[] = {{{c_floats(BIAS)}}}, other[] = {{{c_floats(OTHER)}}};
    float scale = {c_floats(SCALE)};
    fxn_memref_1d_f32 pair_0 = vector(x, 3), pair_1 = vector(y, 3), cfg_ = vector(bias, 3), cfg__ = vector(other, 3);
    fxn_memref_0d_f32 cfg_scale = scalar(&scale);
    fxn_scaled_results scaled;
    fxn_scaled(&scaled, &pair_0, &pair_1, &cfg_, &cfg__, &cfg_scale, &status);
    if (status.site) return 1;
    print("int_", scaled.int_);
    print("a_b", scaled.a_b);
    print("a_b_", scaled.a_b_);
    print("Hidden", scaled.Hidden);
    void *scaled_buffers[] = {{scaled.int_.allocated, scaled.a_b.allocated, scaled.a_b_.allocated, scaled.Hidden.allocated}};
    release(scaled_buffers, 4);
    return 0;
}}
"""


@requires_clang
def test_a_c_program_calls_the_flattened_entries_and_the_manifest_rebuilds_the_results(built, predictors, tmp_path):
    _, out = built
    program = tmp_path / "driver.c"
    program.write_text(DRIVER)
    build = subprocess.run(
        ["clang-22", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", str(out), str(program),
         str(out / "libshapes.so"), f"-Wl,-rpath,{out}", "-o", str(tmp_path / "driver")],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(tmp_path / "driver")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    printed = {line.split()[0]: np.array(line.split()[1:], np.float32) for line in run.stdout.splitlines()}

    low, high = LEFT * WEIGHT + SHIFT, RIGHT * MIX_1 + MIX * MIX_0
    expected = {"sum": low + high, "parts": (low, high), "peak": high.max()}
    manifest = json.loads((out / "shapes.json").read_text())["predictors"]
    flat = [printed["sum"], printed["parts_0"], printed["parts_1"], printed["peak"][0]]
    result = rebuild(manifest[0]["signature"]["structure"]["result"], flat, {})
    assert list(result) == ["sum", "parts", "peak"] and type(result["parts"]) is tuple
    for got, wanted in [(result["sum"], expected["sum"]), (result["parts"][0], low), (result["parts"][1], high),
                        (result["peak"], expected["peak"])]:
        np.testing.assert_array_equal(got, wanted)
    # The same values as the predictor called from Python with its containers.
    called = predictors.blend(predictors.Pair(LEFT, RIGHT), predictors.Affine(WEIGHT, float(SHIFT)),
                              (MIX, float(MIX_1)), float(MIX_0))
    np.testing.assert_array_equal(called["sum"], result["sum"])
    np.testing.assert_array_equal(called["parts"][1], result["parts"][1])

    scaled = [printed[name] for name in ("int_", "a_b", "a_b_", "Hidden")]
    np.testing.assert_array_equal(scaled[0], X * SCALE + BIAS)
    np.testing.assert_array_equal(scaled[1], Y - OTHER)
    np.testing.assert_array_equal(scaled[2], Y)
    np.testing.assert_array_equal(scaled[3], X)


@requires_clang
def test_the_header_compiles_as_cpp(built, tmp_path):
    _, out = built
    program = tmp_path / "driver.cpp"
    program.write_text('#include "shapes.h"\nint main() { return 0; }\n')
    build = subprocess.run(["clang-22", "-x", "c++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                            "-I", str(out), str(program)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr


def test_run_and_inspect_take_containers_as_json(built):
    source, _ = built
    runner = CliRunner()
    ran = runner.invoke(cli, ["run", str(source), "--predictor", "blend", "--json",
                              "--arg", 'pair={"left": [1, 2], "right": [3, 4]}',
                              "--arg", 'affine={"weight": [2, 2], "shift": 1}', "--arg", "mix=[[1, 1], 2]",
                              "--arg", "mix_0=10"])
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.splitlines() == ["[19.0, 23.0]", "[3.0, 5.0]", "[16.0, 18.0]", "18.0"]
    inspected = runner.invoke(cli, ["inspect", str(source), "--predictor", "scaled", "--stage", "fxn"])
    assert inspected.exit_code == 0, inspected.output
    assert "func.func @scaled(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>, %arg2: tensor<3xf32>" in inspected.stdout


# ----------------------------------------------------------------------------- errors

UNDECLARABLE = {
    "listed.py": ("import fxn\n\n\n@fxn.compile\ndef total(xs: list[fxn.Tensor[fxn.f32, 3]]):\n    return xs[0]\n",
                  "listed.py:4: parameter 'xs' of total is annotated list[fxn.TensorSpec([3], fxn.f32)], which "
                  "declares no length (input_signature can: [...]); ahead-of-time compilation needs a declared "
                  "type (float, int, bool or fxn.Tensor[dtype, dims...]) or a container of them (tuple[...], a "
                  "NamedTuple or a dataclass)"),
    "keyed.py": ("import fxn\n\n\n@fxn.compile\ndef pick(t: dict[str, fxn.Tensor[fxn.f32, 3]]):\n    return t['a']\n",
                 "keyed.py:4: parameter 't' of pick is annotated dict[str, fxn.TensorSpec([3], fxn.f32)], which "
                 "declares no keys (input_signature can: {'key': fxn.TensorSpec(...)}); ahead-of-time"),
    "ragged.py": ("import fxn\n\n\n@fxn.compile\ndef first(xs: tuple[fxn.Tensor[fxn.f32, 3], ...]):\n"
                  "    return xs[0]\n",
                  "ragged.py:4: parameter 'xs' of first is annotated tuple[fxn.TensorSpec([3], fxn.f32), ...], "
                  "which declares no length"),
    "fields.py": ("import typing\n\nimport numpy as np\nimport fxn\n\n\nclass Layer(typing.NamedTuple):\n"
                  "    bias: fxn.Tensor[fxn.f32, 3]\n    weight: np.ndarray\n\n\n"
                  "@fxn.compile\ndef apply(layer: Layer):\n    return layer.bias\n",
                  "fields.py:12: parameter 'layer' of apply: layer.weight is annotated numpy.ndarray, which "
                  "specializes on each call; ahead-of-time compilation needs a declared type"),
    "untyped.py": ("import collections\n\nimport fxn\n\nPair = collections.namedtuple('Pair', 'a b')\n\n\n"
                   "@fxn.compile\ndef add(p: Pair):\n    return p.a + p.b\n",
                   "untyped.py:8: parameter 'p' of add: p.a has no type annotation; ahead-of-time"),
    "valued.py": ("import fxn\n\n\n@fxn.compile(input_signature=[(fxn.TensorSpec([3]), 2.0)])\n"
                  "def times(pair):\n    return pair[0] * pair[1]\n",
                  "valued.py:4: TypeError: times: input_signature takes fxn.TensorSpec(shape, dtype) entries; "
                  "got float at pair[1] (or tuples, lists, dicts with string keys, named tuples and dataclasses "
                  "of them)"),
    "numbered.py": ("import fxn\n\n\n@fxn.compile(input_signature=[{1: fxn.TensorSpec([3])}])\n"
                    "def pick(table):\n    return table[1]\n",
                    "numbered.py:4: TypeError: pick: input_signature's dict at table has the key 1; its keys are "
                    "strings"),
}


@pytest.mark.parametrize("name", UNDECLARABLE)
def test_containers_that_declare_no_structure_are_one_located_error(tmp_path, name):
    text, message = UNDECLARABLE[name]
    source = tmp_path / name
    source.write_text(text)
    result = CliRunner().invoke(cli, ["compile", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"fxn: error: {tmp_path}/{message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1 and not (tmp_path / "out").exists()


def test_run_names_the_argument_whose_json_does_not_have_the_declared_structure(built):
    source, _ = built
    result = CliRunner().invoke(cli, ["run", str(source), "--predictor", "scaled", "--arg", "pair=[[1, 2, 3]]",
                                      "--arg", 'cfg={"scale": 1, "": [1, 2, 3], "_": [1, 2, 3]}'])
    assert result.exit_code == 1
    assert result.stderr == "fxn: error: --arg pair: expected a JSON list of 2; got [[1, 2, 3]]\n"
    result = CliRunner().invoke(cli, ["run", str(source), "--predictor", "scaled", "--arg", "pair=[[1, 2, 3], [1, 2, 3]]",
                                      "--arg", 'cfg={"scale": [1.5], "": [1, 2, 3]}'])
    assert result.stderr == "fxn: error: --arg cfg: expected a JSON object of the keys , _, scale; got " \
                            '{"scale": [1.5], "": [1, 2, 3]}\n'


def test_header_comments_hold_paths_safely():
    """A dict key that would end the comment stays inside it."""
    from fxn.artifacts import _with_path

    line = _with_path("fxn_memref_1d_f32 x;", "result['*/ #include <stdio.h> /*']")
    assert line == "fxn_memref_1d_f32 x;  /* result['* / #include <stdio.h> / *'] */"
