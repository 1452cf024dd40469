"""What fxn cannot compile is a TypeError naming the user's file, line and Python operation."""

import inspect
import re

import numpy as np
import pytest
import torch

import fxn
from fxn.frontend import FrontendError, UnsupportedOperation
from frontend_harness import traced, line_of

MATRIX = np.ones((3, 3), np.float32)



def where(fn, text: str) -> str:
    """``file:line`` of the line of ``fn`` containing ``text``, as a regex."""
    return re.escape(f"{fn.__code__.co_filename}:{line_of(fn, text)}: ")


def svd(x):
    u, s, vh = np.linalg.svd(x)
    return s


def fourier(x):
    return torch.fft.fft(x).real


def complex_scale(x):
    return x * 1j


def mismatched_shapes(x, y):
    return x + y


def mean_by_length(x: fxn.Tensor[fxn.f32, "N"]):
    return x.sum() / len(x)  # would hold the size seen while tracing


def to_int16(x):
    return x.astype(np.int16)


def tensor_indexing(x):
    return x[torch.tensor([0, 2])]


def returns_bytes(x):
    return b"x"


def undefined_name(x):
    return np.exp(x) + not_defined  # noqa: F821


@pytest.mark.parametrize(
    "fn, args, line_text, operation",
    [
        (svd, [MATRIX], "np.linalg.svd", r"fxn cannot compile call to 'np\.linalg\.svd': aten\._linalg_svd\.default "),
        (fourier, [MATRIX], "torch.fft.fft", r"fxn cannot compile call to 'torch\.fft\.fft'"),
        (complex_scale, [MATRIX], "x * 1j", r"fxn cannot compile operator '\*' in 'x \* 1j': a complex \(1j\)"),
        (mismatched_shapes, [MATRIX, np.ones(4)], "x + y", r"fxn cannot compile .return x \+ y.: .*broadcast"),
        (to_int16, [MATRIX], "astype", r"fxn cannot compile call to 'x\.astype': fxn has no element type for torch\.int16"),
        (tensor_indexing, [MATRIX], "x[torch", r"fxn cannot compile indexing 'x\[torch\.tensor\(\[0, 2\]\)\]'"),
        (returns_bytes, [MATRIX], 'return b"x"', r"fxn cannot compile a function returning bytes values"),
        (undefined_name, [MATRIX], "not_defined", r"fxn cannot compile 'return np\.exp\(x\) \+ not_defined"),
        (mean_by_length, [np.ones(3, np.float32)], "len(x)",
         r"fxn cannot compile 'return x\.sum\(\) / len\(x\)  # .*': it uses the size of a dynamic dim as a Python number"),
    ],
)
def test_unsupported_code_names_file_line_and_operation(fn, args, line_text, operation):
    with pytest.raises(UnsupportedOperation, match="^" + where(fn, line_text) + operation) as error:
        traced(fn, *args)
    assert isinstance(error.value, TypeError) and isinstance(error.value, FrontendError)
    assert error.value.filename == fn.__code__.co_filename
    assert "\n" not in str(error.value)


def test_compiled_function_raises_at_the_call():
    compiled = fxn.compile(svd)
    expected = where(svd, "np.linalg.svd") + "fxn cannot compile call to 'np.linalg.svd'"
    with pytest.raises(UnsupportedOperation, match=expected):
        compiled(MATRIX)


def test_error_columns_point_at_the_operation():
    with pytest.raises(UnsupportedOperation) as error:
        traced(complex_scale, MATRIX)
    source = inspect.getsource(complex_scale).splitlines()[1]
    assert error.value.column == source.index("x * 1j") + 1


def numpy_mean_by_size(x: fxn.Tensor[fxn.f32, "N"]):
    return np.abs(x).sum() / x.shape[0]


def test_numpy_code_using_a_dynamic_size_as_a_number_is_refused_quietly(capfd):
    with pytest.raises(UnsupportedOperation, match="^" + where(numpy_mean_by_size, "def numpy_mean_by_size")
                       + r"fxn cannot compile numpy_mean_by_size: it uses the size of a dynamic dim as a Python number"):
        traced(numpy_mean_by_size, np.ones(3, np.float32))
    assert capfd.readouterr().err == ""  # none of torch's logged guard errors


# ----------------------------------------------------------------------------- torch's words never reach the user


def step_by_argument(x: fxn.Tensor[fxn.f32, 8], k: int):
    return x[::k]


def item_of_array(x: fxn.Tensor[fxn.f32, 4]):
    return x.sum().item()


def store_with_index_array(x: fxn.Tensor[fxn.f32, 4], i: int):
    out = np.zeros((4, 4), np.float32)
    out[i, [0, 2]] = 1.0
    return out


def sorted_array(x):
    return sorted(x)


def floats_as_list(x):
    return x.tolist()


def gather_by_list(x, i: int):
    return x[[i, 0]]


#: Words of torch's internals: guard symbols, fake or symbolic types, paths inside torch, Dynamo's name.
TORCH_INTERNALS = re.compile(r"\b[us]\d+\b|\bzuf\d+|torch/|_ops\.py|_stats\.py|[Dd]ynamo|[Gg]uard|SymInt|SymFloat|"
                             r"FakeTensor|data-dependent expression|Traceback|DynamicSize|unhinted")

REFUSALS = [
    (step_by_argument, [np.ones(8, np.float32), 2], "return x[::k]", "a step known only at run time"),
    (item_of_array, [np.ones(4, np.float32)], "def item_of_array", "float(), int(), bool() or .item()"),
    (store_with_index_array, [np.ones(4, np.float32), 1], "out[i, [0, 2]] = 1.0", "known only at run time"),
    (sorted_array, [np.ones(3)], "return sorted(x)", "Python's builtin 'sorted' on arrays"),
    (floats_as_list, [np.ones(3)], "return x.tolist()", ".tolist() of an array of floats"),
    (gather_by_list, [np.ones(3), 1], "return x[[i, 0]]", "an index list holding a value known only at run time"),
]


@pytest.mark.parametrize("fn, args, line_text, words", REFUSALS, ids=[r[0].__name__ for r in REFUSALS])
def test_refusals_name_the_users_line_in_the_users_words(fn, args, line_text, words):
    with pytest.raises(UnsupportedOperation) as error:
        fxn.compile(fn)(*args)
    message = str(error.value)
    assert re.match(where(fn, line_text) + "fxn cannot compile ", message), message
    assert words in message and not TORCH_INTERNALS.search(message), message


def test_every_refusal_of_the_error_table_is_in_the_users_words():
    for fn, args, *_ in test_unsupported_code_names_file_line_and_operation.pytestmark[0].args[1]:
        with pytest.raises((UnsupportedOperation, TypeError)) as error:
            traced(fn, *args)
        assert not TORCH_INTERNALS.search(str(error.value)), str(error.value)


def test_a_str_argument_for_a_number_is_refused_with_the_way_to_make_it_a_constant():
    def scaled(x, s: int):
        return x * s

    with pytest.raises(TypeError, match=r"parameter 's' got a str; fxn compiles arrays and numbers as run-time "
                                        r"values: annotate the parameter fxn\.Static\[str\]"):
        fxn.compile(scaled)(np.ones(2, np.float32), "a")


def raises_while_traced(x: fxn.Tensor[fxn.f32, 4]):
    if x.shape[0] == 4:
        raise ValueError("four")
    return x


def test_an_exception_raised_while_tracing_is_said_in_the_users_words():
    with pytest.raises(Exception) as error:
        fxn.compile(raises_while_traced)(np.ones(4, np.float32))
    assert not TORCH_INTERNALS.search(str(error.value)), str(error.value)
