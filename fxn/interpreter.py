"""The reference interpreter: runs fxn-dialect functions with numpy.

``interpret(module_or_text, *inputs, entry=None)`` evaluates a verified
function op by op with the kernels of :mod:`fxn.dialects.reference`. It is
the definition of the dialect that every backend is tested against.

It also runs the few upstream ops the frontend emits around fxn ops:
``scf.for``/``scf.yield`` (loops over a run-time count), ``scf.if``,
``scf.while``/``scf.condition`` (Python branches and while loops),
``func.call``, and
scalar glue (``arith.constant``, ``arith.index_cast``, integer
``arith.addi/subi/muli``, ``tensor.extract``, ``tensor.from_elements``,
``tensor.dim``), with MLIR's semantics. Scalars (``index``, ``i32`` ...) are
numpy scalars; ``index`` is int64.
"""

from __future__ import annotations

import re

from fxn.lazy import numpy as np

from fxn.compile_lock import holding_compile_lock
from fxn.dialects import OPS, TensorType, VerifyError, new_context
from fxn.dialects.elements import elements_to_numpy, resource_blobs
from fxn.dialects.reference import load_kernels
from fxn.dialects.types import numpy_dtypes
from fxn.mlir import func, ir
from fxn.source import parse_module


class InterpreterError(RuntimeError):
    """A function cannot be interpreted (unsupported op, bad input at run time)."""


@holding_compile_lock  # a new context loads the fxn dialect, which is not thread-safe (see fxn.compile_lock)
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
        terminator, results = self.run_block(block, env)
        if terminator != "func.return":
            raise InterpreterError(f"@{function.sym_name.value} has no func.return")
        return results

    def run_block(self, block, env: dict) -> tuple[str | None, list]:
        """Run ``block`` (reading outer values from ``env``); its terminator's name and operands."""
        for op in block.operations:
            name = op.operation.name
            if name in ("func.return", "scf.yield", "scf.condition"):
                return name, [env[v] for v in op.operands]
            results = self.evaluate(op, [env[v] for v in op.operands], env)
            for value, result in zip(op.results, results):
                env[value] = _check_value(result, value.type, op)
        return None, []

    def evaluate(self, op, operands: list, env: dict) -> list:
        name = op.operation.name
        if name == "func.call":
            callee = op.attributes["callee"].value
            return self.call(self.functions[callee], operands)
        if name == "scf.for":
            return self.run_for(op, operands, env)
        if name == "scf.if":
            region = op.regions[0] if bool(operands[0]) else op.regions[1]
            return self.run_block(region.blocks[0], env)[1] if region.blocks else []
        if name == "scf.while":
            return self.run_while(op, operands, env)
        if name in _UPSTREAM:
            return [_UPSTREAM[name](op, operands, self.elements)]
        return [evaluate_op(op, operands, self.elements)]

    def run_for(self, op, operands: list, env: dict) -> list:
        """``scf.for``: the body for ``i = lower; i < upper; i += step``, carrying its iter_args."""
        lower, upper, step, *carried = operands
        if step <= 0:
            raise InterpreterError(f"{_location(op)}: 'scf.for' step must be positive; got {step}")
        block = op.regions[0].blocks[0]
        for index in range(int(lower), int(upper), int(step)):
            env[block.arguments[0]] = np.int64(index)
            env.update(zip(list(block.arguments)[1:], carried))
            _, carried = self.run_block(block, env)
        return carried


    def run_while(self, op, operands: list, env: dict) -> list:
        """``scf.while``: the "before" block decides (``scf.condition``) whether the "after" block runs again."""
        before, after = op.regions[0].blocks[0], op.regions[1].blocks[0]
        carried = operands
        while True:
            env.update(zip(before.arguments, carried))
            _, (go, *forwarded) = self.run_block(before, env)
            if not bool(go):
                return forwarded
            env.update(zip(after.arguments, forwarded))
            _, carried = self.run_block(after, env)


def _check_value(value, mlir_type: ir.Type, op):
    """A tensor result checked against its declared type; scalars converted to their numpy type."""
    if isinstance(mlir_type, ir.RankedTensorType):
        return _check_result(np.asarray(value), TensorType.from_mlir(mlir_type), op)
    return _scalar(value, mlir_type)


def _scalar(value, mlir_type: ir.Type):
    """``value`` as a numpy scalar of ``mlir_type`` (index is int64; integers wrap)."""
    if isinstance(mlir_type, ir.IndexType):
        return np.int64(value)
    return np.asarray(value).astype(numpy_dtypes()[str(mlir_type)])[()]


def _arith_constant(op, operands, elements):
    value = op.attributes["value"]
    if isinstance(value, ir.DenseElementsAttr) or str(value).startswith("dense_resource<"):
        return elements(value)
    return value.value


def _integer_binary(fn):
    def run(op, operands, elements):
        lhs, rhs = operands
        with np.errstate(over="ignore"):
            return fn(lhs, rhs)

    return run


def _from_elements(op, operands, elements):
    result = TensorType.from_mlir(op.results[0].type)
    return np.array(operands, dtype=result.numpy_dtype).reshape(result.shape)


#: Upstream ops the frontend emits, by name: ``(op, operands, elements) -> result``.
_UPSTREAM = {
    "arith.constant": _arith_constant,
    "arith.index_cast": lambda op, operands, elements: _scalar(int(operands[0]), op.results[0].type),
    "arith.addi": _integer_binary(lambda a, b: a + b),
    "arith.subi": _integer_binary(lambda a, b: a - b),
    "arith.muli": _integer_binary(lambda a, b: a * b),
    "tensor.extract": lambda op, operands, elements: operands[0][tuple(int(i) for i in operands[1:])],
    "tensor.from_elements": _from_elements,
    "tensor.dim": lambda op, operands, elements: np.int64(operands[0].shape[int(operands[1])]),
}


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
