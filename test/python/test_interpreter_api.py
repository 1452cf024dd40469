import numpy as np
import pytest

import fxn
from fxn.interpreter import InterpreterError
from fxn.source import ParseError

TWO_FUNCTIONS = """
func.func @double(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "fxn.add"(%x, %x) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @both(%x: tensor<3xf32>, %s: tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = func.call @double(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %1 = "fxn.mul"(%x, %s) : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}
"""


def test_runs_first_function_by_default_and_entry_by_name():
    x = np.array([1.0, 2.0, 3.0], np.float32)
    np.testing.assert_array_equal(fxn.interpret(TWO_FUNCTIONS, x), 2 * x)
    doubled, scaled = fxn.interpret(TWO_FUNCTIONS, x, 0.5, entry="both")
    np.testing.assert_array_equal(doubled, 2 * x)
    np.testing.assert_array_equal(scaled, x * np.float32(0.5))
    assert scaled.dtype == np.float32


def test_lists_and_scalars_take_the_declared_type():
    result = fxn.interpret(TWO_FUNCTIONS, [1, 2, 3], 2, entry="both")
    assert result[1].dtype == np.float32


def test_wrong_argument_type_names_the_argument():
    with pytest.raises(TypeError, match=r"argument #0 expects tensor<3xf32>; got float64 array of shape \(3,\)"):
        fxn.interpret(TWO_FUNCTIONS, np.zeros(3), 1.0, entry="both")
    with pytest.raises(TypeError, match="takes 2 arguments; got 1"):
        fxn.interpret(TWO_FUNCTIONS, np.zeros(3, np.float32), entry="both")


def test_unknown_entry_and_bad_text():
    with pytest.raises(InterpreterError, match="no function @nope"):
        fxn.interpret(TWO_FUNCTIONS, entry="nope")
    with pytest.raises(ParseError, match=r"<string>:1:\d+: error"):
        fxn.interpret("func.func @f( {")


def test_dynamic_broadcast_failure_is_located():
    text = """func.func @f(%x: tensor<?xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "fxn.add"(%x, %y) : (tensor<?xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}"""
    with pytest.raises(InterpreterError, match=r"<string>:2:8: 'fxn.add' failed at run time"):
        fxn.interpret(text, np.zeros(3, np.float32), np.zeros(4, np.float32))


def test_caller_arrays_are_not_modified():
    x = np.array([1.0, 2.0, 3.0], np.float32)
    before = x.copy()
    fxn.interpret(TWO_FUNCTIONS, x)
    np.testing.assert_array_equal(x, before)
