"""The reference interpreter: runs fxn-dialect functions with numpy.

``interpret(module_or_text, *inputs, entry=None)`` evaluates a verified
function op by op with the kernels of :mod:`fxn.dialects.reference`. It is
the definition of the dialect that every backend is tested against.
"""

from __future__ import annotations

import re

import numpy as np

from fxn.dialects import OPS, TensorType, VerifyError, new_context
from fxn.dialects.elements import elements_to_numpy, resource_blobs
from fxn.dialects.reference import load_kernels
from fxn.mlir import func, ir
from fxn.source import parse_module


class InterpreterError(RuntimeError):
    """A function cannot be interpreted (unsupported op, bad input at run time)."""


def interpret(module_or_text, *inputs, entry: str | None = None):
    """Run function ``entry`` (default: the module's only, else first, public function).

    ``module_or_text`` is a module (op) or MLIR text (ParseError if it does not
    parse and verify). ``inputs`` are numpy arrays, Python scalars or lists
    matching the function's argument types (TypeError otherwise). Returns one
    numpy array, or a tuple of them for a function with several results.
    """
    if isinstance(module_or_text, str):
        context = new_context()
        module = parse_module(module_or_text, "<string>", context)
    else:
        module = module_or_text
    with module.context:
        function = _find_function(module, entry)
        results = _Evaluator(module).call(function, list(inputs))
    return results[0] if len(results) == 1 else tuple(results)


def _functions(module) -> dict[str, func.FuncOp]:
    body = module.body if hasattr(module, "body") else module.regions[0].blocks[0]
    return {
        op.sym_name.value: op
        for op in body.operations
        if isinstance(op, func.FuncOp) and len(op.regions[0].blocks) > 0
    }


def _find_function(module, entry):
    functions = _functions(module)
    if entry is not None:
        if entry not in functions:
            raise InterpreterError(f"no function @{entry}; the module has " + ", ".join(f"@{n}" for n in functions))
        return functions[entry]
    public = [f for f in functions.values() if "sym_visibility" not in f.attributes or f.visibility != "private"]
    if not public:
        raise InterpreterError("the module has no function to run")
    return public[0]


def _location(op) -> str:
    text = str(op.location)
    match = re.fullmatch(r'loc\("(.*)":(\d+):(\d+)\)', text)
    return f"{match[1]}:{match[2]}:{match[3]}" if match else text


def _coerce_argument(value, expected: TensorType, index: int) -> np.ndarray:
    """Check an input against its parameter type: TypeError naming parameter, expected and given.

    Python scalars and (nested) lists take the declared element type; numpy
    arrays must already have it.
    """
    if isinstance(value, (bool, int, float, list, tuple)):
        try:
            array = np.asarray(value, dtype=expected.numpy_dtype)
        except (ValueError, OverflowError) as error:
            raise TypeError(f"argument #{index} expects {expected}; got {value!r} ({error})") from None
    else:
        array = np.asarray(value)
    if array.dtype != expected.numpy_dtype or array.ndim != expected.rank or any(
        d is not None and d != n for d, n in zip(expected.shape, array.shape)
    ):
        raise TypeError(
            f"argument #{index} expects {expected}; got {array.dtype} array of shape {tuple(array.shape)}"
        )
    return array


def _check_result(array: np.ndarray, expected: TensorType, op) -> np.ndarray:
    if array.dtype != expected.numpy_dtype or array.ndim != expected.rank or any(
        d is not None and d != n for d, n in zip(expected.shape, array.shape)
    ):
        raise InterpreterError(
            f"{_location(op)}: '{op.name}' computed a {array.dtype} array of shape "
            f"{tuple(array.shape)} where {expected} was declared"
        )
    return array


class _Evaluator:
    def __init__(self, module):
        self.module = module
        self.functions = _functions(module)
        self._blobs = None

    def elements(self, attr: ir.Attribute) -> np.ndarray:
        """The contents of a dense or dense_resource attribute (blobs read once per module)."""
        if self._blobs is None and str(attr).startswith("dense_resource<"):
            self._blobs = resource_blobs(self.module)
        return elements_to_numpy(attr, self._blobs)

    def call(self, function, inputs: list) -> list[np.ndarray]:
        block = function.regions[0].blocks[0]
        arg_types = [TensorType.from_mlir(a.type, f"argument #{i}") for i, a in enumerate(block.arguments)]
        if len(inputs) != len(arg_types):
            raise TypeError(f"@{function.sym_name.value} takes {len(arg_types)} arguments; got {len(inputs)}")
        env = {}
        for i, (argument, value, expected) in enumerate(zip(block.arguments, inputs, arg_types)):
            env[argument] = _coerce_argument(value, expected, i)
        for op in block.operations:
            name = op.operation.name
            if name == "func.return":
                return [env[v] for v in op.operands]
            results = self.evaluate(op, [env[v] for v in op.operands])
            for value, array in zip(op.results, results):
                env[value] = _check_result(array, TensorType.from_mlir(value.type), op)
        raise InterpreterError(f"@{function.sym_name.value} has no func.return")

    def evaluate(self, op, operands: list[np.ndarray]) -> list[np.ndarray]:
        if op.operation.name == "func.call":
            callee = op.attributes["callee"].value
            return self.call(self.functions[callee], operands)
        return [evaluate_op(op, operands, self.elements)]


def evaluate_op(op, operands: list[np.ndarray], elements=elements_to_numpy) -> np.ndarray:
    """Run the reference kernel of fxn op ``op`` on ``operands``.

    ``elements`` turns an elements attribute (a constant's value) into an array.
    """
    name = op.operation.name
    kernels = load_kernels()
    if name not in OPS or name not in kernels:
        raise InterpreterError(f"{_location(op)}: the interpreter does not support '{name}'")
    op_class = OPS[name]
    groups = op_class.group_operands(operands)
    result_type = TensorType.from_mlir(op.results[0].type)
    try:
        attrs = {
            key: elements(value) if isinstance(value, ir.Attribute) else value
            for key, value in vars(op_class.decode_attrs(op.attributes)).items()
        }
        with np.errstate(all="ignore"):
            result = kernels[name](*groups.values(), result_type=result_type, **attrs)
    except (ValueError, VerifyError) as error:
        raise InterpreterError(f"{_location(op)}: '{name}' failed at run time: {error}") from None
    return np.asarray(result)
