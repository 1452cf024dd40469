"""Ahead-of-time artifacts of a predictor file: a shared library, its C header and a JSON manifest.

:func:`build` lowers every predictor of a file for its declared signature,
translates each to LLVM IR, and has the backend's toolchain link them into
one library ``lib<stem>.so`` that exports only the entry points of
:mod:`fxn.runtime` (the memref entry of every predictor, the value entry of
scalar ones). ``<stem>.h`` declares them and documents the ABI;
``<stem>.json`` records, per predictor, its tag, description, signature and
symbols, and the target and fxn version the library was built for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import fxn
from fxn.dialects import TensorType
from fxn.mlir import llvm
from fxn.entries import memref_symbol, value_symbol

#: Words C reserves that a Python parameter may be named (they get a trailing underscore in the header).
C_KEYWORDS = frozenset(
    "auto bool case char const constexpr default do double enum extern false float goto inline int long "
    "nullptr register restrict short signed sizeof static static_assert struct switch thread_local true "
    "typedef typeof typeof_unqual union unsigned void volatile alignas alignof".split()
)
#: C spelling of each element type (the value entries' scalars and the memrefs' elements).
C_TYPES = {
    "f16": "_Float16",
    "f32": "float",
    "f64": "double",
    "i8": "int8_t",
    "ui8": "uint8_t",
    "i32": "int32_t",
    "i64": "int64_t",
    "i1": "bool",
}


@dataclass
class Entry:
    """One predictor as compiled into a library: what the header and the manifest say about it."""

    variable: str  # the module-level name of the @fxn.compile object
    compiled: object  # fxn.compiled.CompiledFunction
    lowered: object  # fxn.compiled.LoweredFunction

    @property
    def name(self) -> str:
        return self.lowered.entry

    @property
    def symbols(self) -> dict[str, str]:
        symbols = {"memref": memref_symbol(self.name)}
        if self.lowered.value_entry:
            symbols["value"] = value_symbol(self.name)
        return symbols


@dataclass
class Artifacts:
    """The files :func:`build` wrote."""

    library: Path
    header: Path
    manifest: Path


class ArtifactError(ValueError):
    """The predictors cannot be built into one library; the message says why."""


def lower_entries(predictors: list[tuple[str, object]], backend_name: str) -> list[Entry]:
    """Lower each ``(variable, CompiledFunction)`` for its declared signature (TypeError if one is not fully declared)."""
    entries, seen = [], {}
    for variable, compiled in predictors:
        lowered = compiled.lower(compiled.declared_types(), backend_name)
        entry = Entry(variable, compiled, lowered)
        if not (entry.name.isidentifier() and entry.name.isascii()):
            raise ArtifactError(f"{compiled.location()}: predictor '{variable}' is named '{entry.name}', "
                                "which is no C identifier; define it with def and an ASCII name")
        if entry.name in seen:
            raise ArtifactError(f"{compiled.location()}: predictors '{seen[entry.name]}' and '{variable}' "
                                f"are both functions named '{entry.name}'; their symbols would collide")
        seen[entry.name] = variable
        entries.append(entry)
    return entries


def build(predictors: list[tuple[str, object]], stem: str, output_dir: Path, source: str) -> Artifacts:
    """Write ``lib<stem>.so``, ``<stem>.h`` and ``<stem>.json`` for this machine into ``output_dir``."""
    from fxn.backends import host_backend

    backend, target = host_backend()
    entries = lower_entries(predictors, backend.name)
    output_dir.mkdir(parents=True, exist_ok=True)
    artifacts = Artifacts(output_dir / f"lib{stem}.so", output_dir / f"{stem}.h", output_dir / f"{stem}.json")
    modules = [llvm.translate_module_to_llvmir(e.lowered.module.operation) for e in entries]
    exported = [symbol for e in entries for symbol in e.symbols.values()]
    try:
        backend.build_shared_library(modules, artifacts.library, exported, target)
    except NotImplementedError as error:
        raise ArtifactError(str(error)) from None
    artifacts.header.write_text(c_header(entries, stem, source, target))
    artifacts.manifest.write_text(json.dumps(manifest(entries, artifacts, source, target), indent=2) + "\n")
    return artifacts


# ----------------------------------------------------------------------------- manifest


def manifest(entries: list[Entry], artifacts: Artifacts, source: str, target) -> dict:
    """The JSON manifest: what was built, for which target, and each predictor's signature and symbols."""
    return {
        "fxn_version": fxn.__version__,
        "source": source,
        "library": artifacts.library.name,
        "header": artifacts.header.name,
        "target": {
            "backend": target.backend,
            "triple": target.triple,
            "cpu": target.cpu,
            "features": list(target.features),
            "vector_bits": target.vector_bits,
        },
        "predictors": [_predictor_manifest(e) for e in entries],
    }


def _predictor_manifest(entry: Entry) -> dict:
    compiled, lowered = entry.compiled, entry.lowered
    scalar = compiled.scalar_results(lowered.result_types)
    parameters = [
        {"name": p.name, "type": str(t), "dtype": t.dtype, "shape": list(shape), "python_scalar": p.is_scalar}
        for p, t, shape in zip(compiled.parameters, lowered.arg_types, compiled.annotated_shapes())
    ]
    results = [
        {"type": str(t), "dtype": t.dtype, "shape": list(t.shape), "python_scalar": s}
        for t, s in zip(lowered.result_types, scalar)
    ]
    return {
        "name": entry.variable,
        "function": entry.name,
        "tag": compiled.tag,
        "description": compiled.description,
        "signature": {"parameters": parameters, "results": results},
        "requires": lowered.dim_assumptions.statements(),
        "symbols": entry.symbols,
    }


# ----------------------------------------------------------------------------- C header

_ABI = """\
ABI (every symbol below is exported by {library}; nothing else is):

Memref entry, every predictor:
    void _mlir_ciface_<function>(<result> *fxn_result, const <memref> *arg0, ...);
  MLIR's C interface. Each argument is a memref descriptor
    {{ T *allocated; T *aligned; int64_t offset; int64_t sizes[rank]; int64_t strides[rank]; }}
  of a row-major contiguous array: set allocated = aligned = the data,
  offset = 0, sizes = the shape and strides = the row-major strides in
  elements (the code indexes with sizes and assumes that layout). Arguments
  are only read, never written. The result descriptor (a struct of them for
  several results) is filled in; each result's buffer was malloc'ed by the
  library and belongs to the caller: free(fxn_result.allocated) when done
  (several results of one call may share one allocation: free each distinct
  pointer once). Elements start at aligned + offset.

Value entry, predictors of 0-d arguments and one 0-d result:
    T fxn_<function>(T0 arg0, T1 arg1, ...);
  Plain C scalars in and out; nothing to free.

Element types: f32 float, f64 double, f16 _Float16, i8 int8_t, ui8 uint8_t, i32 int32_t,
i64 int64_t, i1 bool (one byte, 0 or 1). A dynamic dim (? below) takes any
size; arguments whose annotations share a dim name (in brackets below) must
agree on it, and a call must meet each "requires" line of its predictor
(conditions on dynamic dims that the code assumes and does not check: it
would read out of bounds). A parameter named like a C keyword gets a
trailing underscore.
"""


def _descriptor_name(t: TensorType) -> str:
    return f"fxn_memref_{t.rank}d_{t.dtype}"


def _descriptor_typedef(rank: int, dtype: str) -> str:
    element = C_TYPES[dtype]
    dims = f" int64_t sizes[{rank}]; int64_t strides[{rank}];" if rank else ""
    name = _descriptor_name(TensorType(dtype, (None,) * rank))
    return f"typedef struct {{ {element} *allocated; {element} *aligned; int64_t offset;{dims} }} {name};"


def _comment(text: str, indent: str = "") -> str:
    lines = text.rstrip("\n").split("\n")
    return "\n".join([f"{indent}/*"] + [f"{indent} * {line}".rstrip() for line in lines] + [f"{indent} */"])


def _dim_names(shape) -> str:
    """`` [N, 3]`` for a shape annotated with dim names, else nothing."""
    return f" [{', '.join(map(str, shape))}]" if any(isinstance(d, str) for d in shape or ()) else ""


def _c_name(name: str) -> str:
    """A parameter's name in C: not a keyword, not the result's name."""
    return f"{name}_" if name in C_KEYWORDS or name in ("fxn_result", "fxn_results") else name


def _declarations(entry: Entry) -> list[str]:
    compiled, lowered = entry.compiled, entry.lowered
    names = [_c_name(p.name) for p in compiled.parameters]
    signature = ", ".join(f"{n}: {t}{_dim_names(shape)}"
                          for n, t, shape in zip(names, lowered.arg_types, compiled.annotated_shapes()))
    results = ", ".join(map(str, lowered.result_types))
    about = [f"{entry.variable}: {compiled.tag or entry.name}"]
    if compiled.description:
        about.append(compiled.description)
    about.append(f"{entry.name}({signature}) -> {results}")
    about += [f"requires {statement}" for statement in lowered.dim_assumptions.statements()]
    lines = ["", _comment("\n".join(about))]
    arguments = ", ".join(f"const {_descriptor_name(t)} *{n}" for n, t in zip(names, lowered.arg_types))
    if len(lowered.result_types) == 1:
        result = f"{_descriptor_name(lowered.result_types[0])} *fxn_result"
    else:
        struct = f"fxn_{entry.name}_results"
        fields = " ".join(f"{_descriptor_name(t)} r{i};" for i, t in enumerate(lowered.result_types))
        lines.append(f"typedef struct {{ {fields} }} {struct};")
        result = f"{struct} *fxn_results"
    lines.append(f"void {memref_symbol(entry.name)}({result}, {arguments});")
    if lowered.value_entry:
        scalars = ", ".join(f"{C_TYPES[t.dtype]} {n}" for n, t in zip(names, lowered.arg_types))
        lines.append(f"{C_TYPES[lowered.result_types[0].dtype]} {value_symbol(entry.name)}({scalars});")
    return lines


def c_header(entries: list[Entry], stem: str, source: str, target) -> str:
    """The C header declaring every entry point of the library, with the ABI in its opening comment."""
    guard = f"FXN_{''.join(c if c.isalnum() else '_' for c in stem).upper()}_H"
    library = f"lib{stem}.so"
    title = (f"{library}: fxn {fxn.__version__} predictors of {source}, "
             f"built for {target.triple} ({target.cpu}).\n\n")
    descriptors = sorted({(t.rank, t.dtype) for e in entries for t in [*e.lowered.arg_types, *e.lowered.result_types]})
    lines = [
        _comment(title + _ABI.format(library=library)),
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <stdbool.h>",
        "#include <stdint.h>",
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        *(_descriptor_typedef(rank, dtype) for rank, dtype in descriptors),
    ]
    for entry in entries:
        lines += _declarations(entry)
    lines += ["", "#ifdef __cplusplus", "}", "#endif", "", f"#endif  /* {guard} */", ""]
    return "\n".join(lines)
