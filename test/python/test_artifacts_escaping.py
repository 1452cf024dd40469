"""`fxn compile` with hostile user strings: the header keeps them in comments, the manifest gives them back exactly.

Tags, descriptions, parameter, dim and file names that try to end a C
comment, define macros, include headers, splice lines with a trigraph,
hide text behind control and bidirectional characters or hide the header's
own types (a parameter named ``fxn_status``): the header is
printable ASCII, compiles as C (trigraphs on) and C++ with every warning an
error, and a program including it runs nothing of them; the manifest is
ASCII JSON holding each string as given, with the source file's sha256 and
the fxn and toolchain versions.
"""

import hashlib
import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

import fxn
from fxn.artifacts import comment_text
from fxn.cli import cli

requires_clang = pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")

#: Would print at load time if it ever left its comment.
CONSTRUCTOR = '*/ __attribute__((constructor)) static void f(void) { puts("pwned"); } /*'
DESCRIPTION = (f"Scales.\n{CONSTRUCTOR}\n#include <stdio.h>\n\"quoted\" 'single' back\\slash ??/\n"
               "trigraph\ttab caf\u00e9 \u202eevil\r\x00 end */")
TAG = "@evil/*tag*/\n#define float int"
DIM = "N */ \u00e9"
PREDICTORS = f"""\
import fxn


@fxn.compile(tag={TAG!r}, description={DESCRIPTION!r})
def scale(x: fxn.Tensor[fxn.f32, {DIM!r}], new: float, caf\u00e9: float, fxn_status: float):
    return x * new + caf\u00e9 * fxn_status


@fxn.compile(description="*/")
def plain(x: float, y: float) -> float:
    return x * y
"""
SOURCE = "hostile_\u00e9.py"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The predictors above compiled by ``fxn compile``: (source file, output folder)."""
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / SOURCE
    source.write_text(PREDICTORS, encoding="utf-8")
    result = CliRunner().invoke(cli, ["compile", str(source), "-o", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return source, folder / "out"


@pytest.mark.parametrize("text, written", [
    ("a */ b /* c", "a * / b / * c"),
    ("*/*/", "* / * /"),
    ("back\\slash", "back\\\\slash"),
    ("??/ ??= ???", "?\\?/ ?\\?= ?\\?\\?"),
    ("caf\u00e9\t\u202e\r\x00\U0001F600", "caf\\u00E9\\u0009\\u202E\\u000D\\u0000\\U0001F600"),
    ("two\n#include <stdio.h>", "two\n#include <stdio.h>"),
])
def test_comment_text_is_printable_ascii_that_cannot_end_the_comment(text, written):
    assert comment_text(text) == written


@requires_clang
def test_manifest_is_ascii_and_gives_back_every_string_with_the_provenance(built):
    source, out = built
    raw = (out / "hostile_\u00e9.json").read_bytes()
    assert raw.isascii()
    manifest = json.loads(raw)
    assert manifest["source"] == SOURCE and manifest["header"] == "hostile_\u00e9.h"
    assert manifest["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    clang = subprocess.run(["clang-22", "--version"], capture_output=True, text=True, check=True).stdout
    assert manifest["toolchain"] == clang.splitlines()[0]
    assert manifest["fxn_version"] == fxn.__version__
    scale, plain = manifest["predictors"]
    assert (scale["tag"], scale["description"], plain["description"]) == (TAG, DESCRIPTION, "*/")
    parameters = scale["signature"]["parameters"]
    assert [p["name"] for p in parameters] == ["x", "new", "caf\u00e9", "fxn_status"]
    assert parameters[0]["shape"] == [DIM]


def code_outside_comments(header: str) -> str:
    """The header with its comments removed as C removes them (a comment ends at the first ``*/``)."""
    return re.sub(r"/\*.*?\*/", " ", header, flags=re.DOTALL)


@requires_clang
def test_header_is_printable_ascii_and_holds_user_text_in_comments_only(built):
    _, out = built
    header = (out / "hostile_\u00e9.h").read_text(encoding="ascii")
    assert all(c == "\n" or " " <= c <= "~" for c in header)
    code = code_outside_comments(header)
    directives = [line.strip() for line in code.splitlines() if line.lstrip().startswith("#")]
    assert "#define FXN_HOSTILE___H" in directives
    for directive in directives:  # include guards and the standard headers, nothing else
        assert re.fullmatch(r"#(ifndef|define) FXN_\w+|#endif|#ifdef __cplusplus|#include <std(bool|int)\.h>", directive)
    for fragment in ("pwned", "attribute", "evil", "quoted", "Scales", "caf"):
        assert fragment not in code
    assert " * * / __attribute__((constructor)) static void f(void) { puts(\"pwned\"); } / *\n" in header
    assert " * \"quoted\" 'single' back\\\\slash ?\\?/\n" in header
    assert " * trigraph\\u0009tab caf\\u00E9 \\u202Eevil\\u000D\\u0000 end * /\n" in header
    assert " * scale: @evil/ *tag* /\n * #define float int\n" in header
    assert "[N * / \\u00E9]" in header and "libhostile_\\u00E9.so" in header
    assert "const fxn_memref_0d_f32 *new_, const fxn_memref_0d_f32 *arg2, const fxn_memref_0d_f32 *arg3" in header


def driver(manifest: dict) -> str:
    """A C (and C++) program that includes the header, names every entry point and calls plain's value entry."""
    symbols = [symbol for predictor in manifest["predictors"] for symbol in predictor["symbols"].values()]
    value_entry = manifest["predictors"][1]["symbols"]["value"]
    return "\n".join([
        "#include <stdio.h>",
        '#include "hostile_\u00e9.h"',
        "",
        "int main(void) {",
        *(f"    (void)&{symbol};" for symbol in symbols),
        '    printf("main\\n");',
        f'    printf("%g\\n", (double){value_entry}(3.0f, 2.0f));',
        "    return 0;",
        "}",
        "",
    ])


@requires_clang
@pytest.mark.parametrize("language", [["-x", "c", "-std=c11", "-trigraphs"], ["-x", "c++", "-std=c++17"]],
                         ids=["c", "c++"])
def test_programs_including_the_header_build_and_run_nothing_of_it(built, tmp_path, language):
    _, out = built
    manifest = json.loads((out / "hostile_\u00e9.json").read_text())
    program = tmp_path / "driver.c"
    program.write_text(driver(manifest), encoding="utf-8")
    build = subprocess.run(
        ["clang-22", *language, "-Wall", "-Wextra", "-Werror", "-I", str(out), str(program),
         "-x", "none", str(out / "libhostile_\u00e9.so"), f"-Wl,-rpath,{out}", "-o", str(tmp_path / "driver")],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(tmp_path / "driver")], capture_output=True, text=True)
    assert (run.returncode, run.stdout, run.stderr) == (0, "main\n6\n", "")
