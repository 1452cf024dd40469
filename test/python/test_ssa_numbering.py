"""fxn/ssa_numbering.py's replay of MLIR's value numbering, and the printing it serves (fxn/marked_printing.py).

The replay of the default numbering must give back, name for name, what the
bindings' printer gives, on every .mlir file of this test suite; the
numbering under other options is pinned against mlir-opt's output in
test/fxn-opt/value-users.mlir.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fxn.dialects import new_context
from fxn.marked_printing import print_marked
from fxn.mlir import ir
from fxn.source import ParseError, parse_module, split_input
from fxn.ssa_numbering import IRShape, default_names, number

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for p in (ROOT / "test").rglob("*.mlir") if "Output" not in p.parts)


def _modules(path: Path):
    for chunk in split_input(path.read_text(), "// -----"):
        context = new_context()
        context.allow_unregistered_dialects = True
        try:
            yield parse_module(chunk.text, str(path), context)
        except ParseError:
            continue


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_the_default_numbering_replays_to_the_printers_names(path):
    for module in _modules(path):
        shape = IRShape.of(module.operation)
        defaults = default_names(shape)
        replayed = number(shape, defaults)
        assert (replayed.results, replayed.arguments) == (defaults.results, defaults.arguments)


SOURCE = """
func.func @f(%a: i32) -> i32 {
  %0 = arith.addi %a, %a : i32
  "t.sink"(%0) : (i32) -> ()
  %1 = arith.muli %0, %0 : i32
  return %1 : i32
}
"""


def _module(text=SOURCE):
    context = new_context()
    context.allow_unregistered_dialects = True
    return parse_module(text, "f.mlir", context)


def test_an_op_without_results_takes_a_number_and_renumbers_the_values_after_it():
    shape = IRShape.of(_module().operation)
    names = number(shape, default_names(shape), value_users=True)
    assert [n for n in names.results if n] == [["%1"], ["%3"]]  # the module takes %0: the function and %2
    assert sorted(names.op_ids.values()) == ["%0", "%0", "%2", "%4"]


def test_printing_with_value_users_leaves_the_ir_as_it_was():
    module = _module()
    before = module.operation.get_asm(enable_debug_info=True)
    text = print_marked(module.operation, value_users=True)
    assert '%1 = arith.addi %arg0, %arg0 : i32 // users: %3, %2' in text
    assert '"t.sink"(%1) : (i32) -> () // id: %2' in text
    assert "fxn.marked-printing" not in text
    assert module.operation.get_asm(enable_debug_info=True) == before
    assert module.operation.verify()


def test_a_name_inside_a_string_is_not_renamed():
    module = _module('func.func @f(%a: i32) -> i32 {\n  "t.sink"() {note = "%0"} : () -> ()\n'
                     '  %0 = arith.addi %a, %a : i32\n  return %0 : i32\n}\n')
    text = print_marked(module.operation, value_users=True)
    assert '{note = "%0"}' in text and "%2 = arith.addi" in text
