r"""Ahead-of-time artifacts of a predictor file for a target: its backend's artifact, a C header, a JSON manifest.

:func:`build` lowers every predictor of a file for its declared signature
and the target, translates each to LLVM IR, and has the target's backend
build its artifact (``lib<stem>.so`` for x86 Linux, a static library, a
``.wasm`` ...) exporting only the entry points of :mod:`fxn.entries` (the
memref entry of every predictor, the value entry of scalar ones); the
artifact's imports are checked against the backend's allow-list.
``<stem>.h`` declares the entries and documents the ABI; ``<stem>.json``
records, per predictor, its tag, description, signature, symbols and
failure sites (allocations and index checks, each with its kind), and
what the artifacts were built from and for: the source file's name and
sha256, the fxn and toolchain versions, the target, each file's sha256
and the symbols the artifact imports.

A predictor's ``"signature"`` in the manifest lists the memref entry's
arguments and results in their order, one per array or number: a
parameter declared as a container (a ``tuple[...]``, ``NamedTuple`` or
dataclass annotation, or a tuple, list or dict of ``fxn.TensorSpec`` in
``input_signature``; :mod:`fxn.frontend.containers`) has one argument per
leaf, and a returned container one result per leaf:

- ``parameters``: ``{"name", "path", "type", "dtype", "shape",
  "python_scalar"}`` each: the Python parameter the argument belongs to, its
  Python path (``pair[0]``, ``cfg['scale']``, ``p.weight``; the parameter's
  name where it is no container), its tensor type and element type, its
  shape as declared (ints, dim names, null for a dynamic dim without a name)
  and whether Python passes it as a scalar (annotated ``float``/``int``/``bool``);
- ``results``: ``{"path", "type", "dtype", "shape", "python_scalar"}`` each,
  the path in the returned value ``result`` (``result['mean']``,
  ``result[1]``; ``result`` for a returned array or number);
- ``structure``: how a caller rebuilds the Python values:
  ``{"parameters": [{"name": ..., **node}, ...], "result": node}``, a node
  being ``{"kind": "leaf", "index": i}`` (the ``i``-th argument, or result),
  ``{"kind": "tuple"|"list", "items": [node, ...]}``, ``{"kind": "dict",
  "keys": [...], "items": [...]}`` (an argument's keys sorted by their
  repr, a result's in the order the function inserted them; a key that is
  no string or number as its repr) or ``{"kind": "namedtuple"|"dataclass",
  "type": class name, "fields": [...], "items": [...]}``.

The header declares the same arguments and results (paths in comments
where a predictor takes or returns containers), and its ABI text says how
containers flatten.

Much of what the artifacts say comes from the user (the source file's name,
tags, descriptions, predictor, parameter and dim names, the paths in
"requires" lines), so each is written to be harmless where it stands, and
plain to a reviewer:

- In C comments (the header's): printable ASCII only. A line break starts
  a new comment line; a backslash is written ``\\``, a ``?`` after a ``?``
  as ``\?`` (no trigraph, hence no line splice), every other character
  (controls, non-ASCII) as ``\uXXXX`` or ``\UXXXXXXXX``; ``*/`` and ``/*``
  get a space between their characters (``* /``, ``/ *``), so user text
  never ends the comment nor opens another (which ``-Wcomment`` reports).
- In C code: a predictor's function name is an ASCII identifier
  (:func:`lower_entries`); a parameter is declared under its name (a
  container's leaf under its path made a name: ``pair_0``, ``cfg_scale``),
  or as ``arg<i>`` if that is no ASCII identifier or is reserved to the
  implementation (``_X...``, ``__x``) or to the header (``fxn_...``, its
  types and the result and status parameters), with trailing underscores
  while it is a C or C++ keyword or another parameter's; the fields of a
  results struct likewise from the results' paths (``r0``, ``mean``), with
  ``r<i>`` for ``arg<i>`` (:func:`_result_fields`). The
  include guard keeps the stem's ASCII letters and digits. The header has
  no string literal.
- In the manifest: ``json.dumps`` with ``ensure_ascii``, so the manifest is
  ASCII, every other character a ``\uXXXX`` escape, quotes, backslashes and
  controls escaped.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import fxn
from fxn.dialects import TensorType
from fxn.compiler import llvm_ir
from fxn.entries import defined_symbols
from fxn.structure import leaf_kinds
from fxn.symbols import memref_symbol, value_symbol

#: Words C (C23, GNU C) and C++ (the header is C++ too) reserve that a Python parameter may be named
#: (they get a trailing underscore in the header); the ``_X``/``__x`` ones are reserved names, see :func:`_c_names`.
C_KEYWORDS = frozenset(
    "auto bool case char const constexpr default do double enum extern false float goto inline int long "
    "nullptr register restrict short signed sizeof static static_assert struct switch thread_local true "
    "typedef typeof typeof_unqual union unsigned void volatile alignas alignof asm "
    "and_eq bitand bitor catch char8_t char16_t char32_t compl concept consteval constinit const_cast co_await "
    "co_return co_yield decltype delete dynamic_cast explicit export friend mutable namespace new noexcept not_eq "
    "operator or_eq private protected public reinterpret_cast requires static_cast template this throw typeid "
    "typename using virtual wchar_t xor xor_eq".split()
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
    #: The CompiledFunction of one parameter per leaf that was lowered (``compiled`` itself without containers).
    function: object
    #: How ``compiled``'s parameters flatten into ``function``'s: (name, fxn.structure.Structure) per parameter.
    layout: tuple

    @property
    def name(self) -> str:
        return self.lowered.entry

    @property
    def parameter_paths(self) -> list[tuple[str, str]]:
        """(parameter name, Python path) of each parameter of the entry: ``("pair", "pair[0]")``."""
        return [(name, path) for name, structure in self.layout for path in structure.paths(name)]

    @property
    def result_paths(self) -> list[str]:
        """The Python path of each result in the returned value ``result``: ``result['mean']``, ``result[0]``."""
        return self.lowered.traced.result_structure.paths("result")

    @property
    def structured(self) -> bool:
        """Whether the predictor takes a container or returns one other than a tuple of arrays and numbers."""
        result = self.lowered.traced.result_structure
        flat = result.is_leaf or (result.kind == "tuple" and all(c.is_leaf for c in result.children))
        return not flat or any(not structure.is_leaf for _, structure in self.layout)

    @property
    def symbols(self) -> dict[str, str]:
        symbols = {"memref": memref_symbol(self.name)}
        if self.lowered.value_entry:
            symbols["value"] = value_symbol(self.name)
        return symbols


@dataclass
class Provenance:
    """What a library was built from and with: recorded in its manifest and header."""

    source: str  # the source file's name
    source_sha256: str | None  # of the source file's bytes (None: not known)
    toolchain: str | None  # the compiler's version line (None: the backend does not say)
    fxn_version: str = field(default_factory=lambda: fxn.__version__)


@dataclass
class Artifacts:
    """The files :func:`build` wrote: the backend's artifacts (main one first), the header and the manifest."""

    files: list[Path]
    header: Path
    manifest: Path

    @property
    def library(self) -> Path:
        """The main artifact (a shared or static library, an object, a .wasm)."""
        return self.files[0]

    def written(self) -> list[Path]:
        return [*self.files, self.header, self.manifest]


class ArtifactError(ValueError):
    """The predictors cannot be built into one library; the message says why."""


def lower_entries(predictors: list[tuple[str, object]], target) -> list[Entry]:
    """Lower each ``(variable, CompiledFunction)`` for its declared signature, flattened (one parameter per leaf
    of a declared container: :meth:`~fxn.compiled.CompiledFunction.declared_function`); TypeError if one is not
    fully declared.

    A predictor bound to several variables (``g = f``) is built once, under its first.
    """
    entries, owners, seen = [], {}, set()
    for variable, compiled in predictors:
        if id(compiled) in seen:
            continue
        seen.add(id(compiled))
        function, layout = compiled.declared_function()
        lowered = function.lower(function.declared_types(), target)
        entry = Entry(variable, compiled, lowered, function, layout)
        if not (entry.name.isidentifier() and entry.name.isascii()):
            raise ArtifactError(f"{compiled.location()}: predictor '{variable}' is named '{entry.name}', "
                                "which is no C identifier; define it with def and an ASCII name")
        for symbol in defined_symbols(lowered.module):
            if symbol in owners:
                raise ArtifactError(f"{compiled.location()}: predictors '{owners[symbol]}' and '{variable}' both "
                                    f"define the symbol '{symbol}' (from the function names); rename one")
            owners[symbol] = variable
        entries.append(entry)
    return entries


def build(predictors: list[tuple[str, object]], stem: str, output_dir: Path, source: str,
          source_path: Path | None = None, target="host") -> Artifacts:
    """Write the artifacts of ``target``'s backend, ``<stem>.h`` and ``<stem>.json`` into ``output_dir``.

    ``target`` is a :class:`~fxn.backends.base.Target` or a target spec
    (default: this machine). ``source`` names the predictor file in the
    artifacts; ``source_path`` is that file, whose sha256 the manifest and
    header record. Every artifact's imports are checked against what the
    backend allows (:meth:`~fxn.backends.base.Backend.allowed_imports`):
    anything else is an ArtifactError naming the symbols.
    """
    from fxn.backends import call_hook
    from fxn.compiler import as_target

    backend, target = as_target(target)
    entries = lower_entries(predictors, target)
    output_dir.mkdir(parents=True, exist_ok=True)
    modules = [llvm_ir(e.lowered.module) for e in entries]
    exported = [symbol for e in entries for symbol in e.symbols.values()]
    try:
        files = _built_files(backend, call_hook(backend, "build", modules, output_dir, stem, exported, target),
                             output_dir)
    except NotImplementedError as error:
        raise ArtifactError(str(error)) from None
    try:
        imports = check_imports(files, call_hook(backend, "allowed_imports", target))
    except ArtifactError as error:
        raise ArtifactError(f"{error} (backend '{backend.name}', target '{target.spec}')") from None
    artifacts = Artifacts(files, output_dir / f"{stem}.h", output_dir / f"{stem}.json")
    provenance = Provenance(source, _sha256(source_path), call_hook(backend, "toolchain_version"))
    libraries = needed_libraries(imports)
    artifacts.header.write_text(c_header(entries, stem, provenance, target, artifacts.library.name, libraries))
    # ensure_ascii: the manifest is ASCII, any other character a \uXXXX escape (see the module docstring).
    text = json.dumps(manifest(entries, artifacts, provenance, target, imports), indent=2, ensure_ascii=True)
    artifacts.manifest.write_text(text + "\n")
    return artifacts


def _built_files(backend, returned, output_dir: Path) -> list[Path]:
    """What a backend's ``build`` returned, checked: existing files in ``output_dir``, at least one."""
    where = f"backend '{backend.name}' ({type(backend).__module__})"
    if isinstance(returned, (str, Path)) or not hasattr(returned, "__iter__"):
        raise ArtifactError(f"{where}: build() returned a {type(returned).__name__}, not a list of the files it wrote")
    returned = list(returned)
    wrong = [path for path in returned if not isinstance(path, (str, Path))]
    if wrong:
        raise ArtifactError(f"{where}: build() returned a {type(wrong[0]).__name__} among its files, not a path")
    files = [Path(path) for path in returned]
    if not files:
        raise ArtifactError(f"{where}: build() wrote no file")
    for path in files:
        if not path.is_file():
            raise ArtifactError(f"{where}: build() returned {path}, which is not a file it wrote")
        if path.resolve().parent != output_dir.resolve():
            raise ArtifactError(f"{where}: build() returned {path}, outside the output folder {output_dir}")
    return files


def target_folder(target) -> str:
    """The folder of a target's artifacts: its name, with its options where it has some (``neon_cpu-cortex-a76``)."""
    return "_".join([target.backend, *(f"{key}-{value}" for key, value in target.options)])


def check_imports(files: list[Path], allowed: frozenset[str]) -> list[str]:
    """The symbols ``files`` import, sorted; ArtifactError if one is not ``allowed`` (Mach-O's ``_`` prefix aside)."""
    from fxn.toolchain import undefined_symbols

    imported = sorted({symbol for path in files if _is_code(path) for symbol in undefined_symbols(path)})
    refused = [symbol for symbol in imported if symbol not in allowed and symbol.removeprefix("_") not in allowed]
    if refused:
        raise ArtifactError(f"{files[0].name} imports {', '.join(refused)}, which compiled predictors may not "
                            f"use (allowed: {', '.join(sorted(allowed))})")
    return imported


def needed_libraries(imports) -> list[str]:
    """The shared libraries besides the C library that artifacts importing ``imports`` need at run time: LLVM's
    OpenMP runtime where they have parallel loops."""
    from fxn.backends.base import OPENMP_IMPORTS
    from fxn.threads import OPENMP_LIBRARY

    return [OPENMP_LIBRARY] if OPENMP_IMPORTS & set(imports) else []


def _is_code(path: Path) -> bool:
    """Whether ``path`` holds machine code (an ELF, Mach-O, COFF or wasm file, or an archive of them)."""
    magic = path.read_bytes()[:8]
    return magic.startswith((b"\x7fELF", b"\0asm", b"!<arch>\n", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"))


def _sha256(path: Path | None) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path else None


# ----------------------------------------------------------------------------- manifest


def manifest(entries: list[Entry], artifacts: Artifacts, provenance: Provenance, target,
             imports: list[str] = ()) -> dict:
    """The JSON manifest: what was built from what, for which target, and each predictor's signature and symbols."""
    return {
        "fxn_version": provenance.fxn_version,
        "source": provenance.source,
        "source_sha256": provenance.source_sha256,
        "toolchain": provenance.toolchain,
        "library": artifacts.library.name,
        "header": artifacts.header.name,
        "files": {path.name: _sha256(path) for path in artifacts.files},
        "imports": list(imports),
        "libraries": needed_libraries(imports),
        "target": {"backend": target.backend, **target.describe()},
        "predictors": [_predictor_manifest(e) for e in entries],
    }


def _predictor_manifest(entry: Entry) -> dict:
    compiled, function, lowered = entry.compiled, entry.function, entry.lowered
    scalar = function.scalar_results(lowered.result_types, lowered.arg_types)
    parameters = [
        {"name": name, "path": path, "type": str(t), "dtype": t.dtype, "shape": list(shape),
         "python_scalar": p.is_scalar,
         "string": p.string}
        for (name, path), p, t, shape in zip(entry.parameter_paths, function.parameters, lowered.arg_types,
                                             function.annotated_shapes())
    ]
    results = [
        {"path": path, "type": str(t), "dtype": t.dtype, "shape": list(t.shape), "python_scalar": s,
         "string": string}
        for path, t, s, string in zip(entry.result_paths, lowered.result_types, scalar, _string_results(lowered))
    ]
    leaves = iter(range(len(parameters)))
    structure = {
        "parameters": [{"name": name, **_structure_manifest(s, leaves)} for name, s in entry.layout],
        "result": _structure_manifest(lowered.traced.result_structure, iter(range(len(results)))),
    }
    return {
        "name": entry.variable,
        "function": entry.name,
        "tag": compiled.tag,
        "description": compiled.description,
        "signature": {"parameters": parameters, "results": results, "structure": structure},
        "requires": lowered.dim_assumptions.statements(),
        "symbols": entry.symbols,
        # Where the code may fail, site k (the status's) at index k - 1: as text, and as data with its kind.
        "allocation_sites": [str(site) for site in lowered.allocation_sites],
        "sites": [site.describe() for site in lowered.allocation_sites],
        # What tracing read from the world and baked in (allow_trace_effects=True); empty otherwise.
        "trace_effects": list(lowered.traced.trace_effects),
    }


def _structure_manifest(structure, leaves) -> dict:
    """A parameter's or the result's structure as JSON, each leaf the index of its entry (from ``leaves``) in
    the signature's parameters or results (see the module docstring)."""
    if structure.is_leaf:
        return {"kind": "leaf", "index": next(leaves)}
    node = {"kind": structure.kind}
    if structure.kind == "dict":
        node["keys"] = [key if isinstance(key, (str, int, float)) or key is None else repr(key)
                        for key in structure.names]
    elif structure.kind in ("namedtuple", "dataclass"):
        node["type"] = structure.kind_type.__qualname__
        node["fields"] = list(structure.names)
    node["items"] = [_structure_manifest(child, leaves) for child in structure.children]
    return node


def _string_results(lowered) -> list[bool]:
    """Whether each result of ``lowered`` is a str (its UTF-8 bytes)."""
    return [kind == "string" for kind in leaf_kinds(lowered.traced.result_structure)]


# ----------------------------------------------------------------------------- C header

_ABI = """\
ABI (every symbol below is exported by {library}; nothing else is):

Memref entry, every predictor:
    void fxn_<function>(<result> *fxn_result, const <memref> *arg0, ..., fxn_status *fxn_status);
  MLIR's C interface. Each argument is a memref descriptor
    {{ T *allocated; T *aligned; I offset; I sizes[rank]; I strides[rank]; }}
  (I is the target's index type: int64_t, or int32_t on 32-bit targets such as wasm32)
  of a row-major contiguous array: set allocated = aligned = the data,
  offset = 0, sizes = the shape and strides = the row-major strides in
  elements (the code indexes with sizes and assumes that layout). Arguments
  are only read, never written. The result descriptor (a struct of them for
  several results) is filled in; each result's buffer was malloc'ed by the
  library and belongs to the caller: free(fxn_result.allocated) when done
  (several results of one call may share one allocation: free each distinct
  pointer once). Elements start at aligned + offset.
  Status: fxn_status is four int64_t {{ site, value, bound, axis }} on
  every target. Every allocation the code makes is checked, and so is
  every index it takes at run time and every store of a run-time size. The entry sets fxn_status->site to 0
  if the call succeeded. Otherwise it returns at once with site set to
  the number of the site that failed (listed under "sites" in the
  manifest with its kind, op and source line, and as text under
  "allocation_sites", site k at index k - 1) and:
  - an allocation failed (no memory, or a size past 2**62 bytes): value
    is the size it asked for, in bytes; bound and axis are 0;
  - an index was out of bounds: value is the index as given (it may be
    negative), bound the size of the axis it indexes, axis that axis;
  - a stored value did not broadcast to its window (kind "broadcast"):
    value is its size, bound the window's size, axis the array's axis;
  - int() of a str found no integer (kind "literal"): axis is 0, value
    the byte where the text stops being one, bound the text's bytes; or
    an integer beyond the result's range: axis is the result's bits.
  The result descriptors then hold nothing to use or free (buffers
  allocated before the failure are not freed).

Value entry, predictors of 0-d arguments and one 0-d result whose code
cannot fail (it allocates nothing and checks no index):
    T fxn_<function>__value(T0 arg0, T1 arg1, ...);
  Plain C scalars in and out; nothing to free.

Function values: a parameter declared function<R(A, ...)> below takes the
address of a C function of type fxn_function_R_A_... (typedef'ed below
with the element types' C types: R (*)(A, ...)) as an int64_t,
(int64_t)(intptr_t)callback: in the value entry's int64_t and in the 0-d
int64_t memref of the memref entry. The function must be pure (the code
may call it fewer or more times than the Python source does); its bool
parameters and result are bytes that are 0 or 1. The value entry of a
predictor of that type is such a function.

Strings: a parameter or result declared "str" below is a Python str as
its UTF-8 bytes in a 1-d ui8 memref (fxn_memref_1d_ui8): aligned + offset
points at the first byte, sizes[0] is the length in bytes, strides[0] = 1,
and there is no terminating NUL (a NUL byte is a character like any other).
An argument must be valid UTF-8; a result is (and, like every result,
is the caller's to free: free(fxn_result.allocated)).

Element types: f32 float, f64 double, f16 _Float16, i8 int8_t, ui8 uint8_t, i32 int32_t,
i64 int64_t, i1 bool (one byte, 0 or 1). A dynamic dim (? below) takes any
size; arguments whose annotations share a dim name (in brackets below) must
agree on it, and a call must meet each "requires" line of its predictor
(conditions on dynamic dims that the code assumes and does not check: it
would read out of bounds). A parameter is declared under its own name, or
as arg<i> where that is no ASCII identifier or is reserved (_X, __x, fxn_),
with trailing underscores while it is a C or C++ keyword or taken.

Containers: a predictor whose parameters are tuples, lists, dicts, named
tuples or dataclasses (declared by annotations or input_signature) takes
one argument per array or number in them, in the order of the value read
depth first: tuple and list elements and named tuple and dataclass fields
in order, dict items in the order of their keys' Python repr
(sorted(keys, key=repr)). Such an argument is named after its Python path,
each run of characters other than letters, digits and _ one _, leading and
trailing _ dropped (pair_0 is pair[0], cfg_scale is cfg['scale'], p_weight
is p.weight; trailing underscores where another parameter has the name),
then as above; its path follows in a comment. Results are flattened the same way, except that dict
items keep the order in which the function inserted them. Several results
are the fields of fxn_<function>_results, named after their paths in the
returned value, result (r0 is result[0], mean is result['mean'], stats_low
is result['stats'].low; r before a digit), by the rules above (r<i> for
arg<i>). The manifest gives each parameter's and result's path, and the
structures that rebuild the Python values.
"""


def _descriptor_name(t: TensorType, index_bits: int = 64) -> str:
    """The C type of a memref descriptor: ``fxn_memref_2d_f32``, ``fxn_memref32_2d_f32`` for 32-bit indices."""
    width = "" if index_bits == 64 else str(index_bits)
    return f"fxn_memref{width}_{t.rank}d_{t.dtype}"


def _function_type_name(signature) -> str:
    """The C typedef of a function value's type: ``fxn_function_f64_f64_i32`` is ``double (*)(double, int32_t)``."""
    return "_".join(["fxn_function", signature.result, *signature.params])


def _function_typedef(signature) -> str:
    params = ", ".join(C_TYPES[p] for p in signature.params) or "void"
    name = _function_type_name(signature)
    return _shared_typedef(name, f"typedef {C_TYPES[signature.result]} (*{name})({params});")


def _function_signatures(entries: list[Entry]) -> list:
    """The signatures of the function values the entries' parameters take, each once, in order."""
    signatures = [getattr(t, "signature", None) for e in entries for t in e.lowered.arg_types]
    return list(dict.fromkeys(s for s in signatures if s is not None))


def _descriptor_typedef(rank: int, dtype: str, index_bits: int = 64) -> str:
    element, index = C_TYPES[dtype], f"int{index_bits}_t"
    dims = f" {index} sizes[{rank}]; {index} strides[{rank}];" if rank else ""
    name = _descriptor_name(TensorType(dtype, (None,) * rank), index_bits)
    fields = f"{element} *allocated; {element} *aligned; {index} offset;{dims}"
    return _shared_typedef(name, f"typedef struct {{ {fields} }} {name};")


#: The status every memref entry reports (see the ABI; ``STATUS_FIELDS`` of
#: :mod:`fxn.passes.lowering.checked_allocation`).
_STATUS_TYPEDEF = "typedef struct { int64_t site; int64_t value; int64_t bound; int64_t axis; } fxn_status;"
#: The status's layout, in the guard of its typedef: a header of the first layout (``{site, bytes}``)
#: and one of this in one C file conflict (a compile error) instead of one taking the other's layout.
_STATUS_VERSION = "2"


def _shared_typedef(name: str, typedef: str, version: str = "") -> str:
    """``typedef`` guarded so that several fxn headers can be included in one C file.

    ``version`` (appended to the guard) distinguishes layouts of one type
    that headers of different fxn versions declare.
    """
    guard = f"FXN_TYPEDEF_{name.upper()}{f'_V{version}' if version else ''}"
    return f"#ifndef {guard}\n#define {guard}\n{typedef}\n#endif"


def _comment(text: str, indent: str = "") -> str:
    """A C block comment of ``text``, one comment line per line, made safe by :func:`comment_text`."""
    lines = comment_text(text).rstrip("\n").split("\n")
    return "\n".join([f"{indent}/*"] + [f"{indent} * {line}".rstrip() for line in lines] + [f"{indent} */"])


#: Where a space goes so that no ``*/`` ends a comment and no ``/*`` opens one: between ``*`` and ``/``, either way.
_COMMENT_DELIMITER = re.compile(r"(?<=\*)(?=/)|(?<=/)(?=\*)")


def comment_text(text: str) -> str:
    """``text`` as it may stand inside a C comment: printable ASCII and line breaks (rules: the module docstring)."""
    text = re.sub(r"(?<=\?)\?", r"\\?", text.replace("\\", "\\\\"))
    text = "".join(c if c == "\n" or " " <= c <= "~" else _universal_character_name(c) for c in text)
    return _COMMENT_DELIMITER.sub(" ", text)


def _universal_character_name(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _dim_names(shape) -> str:
    """`` [N, 3]`` for a shape annotated with dim names, else nothing."""
    return f" [{', '.join(map(str, shape))}]" if any(isinstance(d, str) for d in shape or ()) else ""


def _c_names(names: list[str], fallback: str = "arg") -> list[str]:
    """The parameters' (or results' fields') names in C: ``arg<i>`` (``<fallback><i>``) for a name that is
    no ASCII identifier or is reserved (to C: ``_X``, ``__x``; to the header, whose types a parameter would
    hide: ``fxn_``); then trailing underscores while a name is a keyword or taken."""
    taken = set(C_KEYWORDS)
    c_names = []
    for index, name in enumerate(names):
        usable = name.isascii() and name.isidentifier() and not re.match(r"__|_[A-Z]|fxn_", name)
        c_name = name if usable else f"{fallback}{index}"
        while c_name in taken:
            c_name += "_"
        taken.add(c_name)
        c_names.append(c_name)
    return c_names


def _result_fields(paths: list[str]) -> list[str]:
    """The fields of a results struct, from the results' paths: the path after ``result`` with each run of
    other characters than letters, digits and _ as one _, an ``r`` before a digit (``r0`` is ``result[0]``,
    ``mean`` is ``result['mean']``, ``stats_low`` is ``result['stats'].low``); then :func:`_c_names`."""
    names = [re.sub(r"\W+", "_", path.removeprefix("result")).strip("_") for path in paths]
    return _c_names([f"r{name}" if name[:1].isdigit() else name for name in names], fallback="r")


def _with_path(text: str, path: str | None) -> str:
    """A line of the header followed by the Python path it declares, in a comment (if there is one)."""
    return f"{text}  /* {comment_text(path)} */" if path else text


def _struct_typedef(name: str, fields: list[tuple[str, str | None]], commented: bool) -> str:
    """``typedef struct { fields } name;`` on one line, or one field per line with its path in a comment."""
    if not commented:
        return f"typedef struct {{ {' '.join(text for text, _ in fields)} }} {name};"
    return "\n".join(["typedef struct {", *(f"    {_with_path(text, path)}" for text, path in fields), f"}} {name};"])


def _prototype(head: str, parameters: list[tuple[str, str | None]], commented: bool) -> str:
    """``head(parameters);`` on one line, or one parameter per line with its path in a comment."""
    if not commented:
        return f"{head}({', '.join(text for text, _ in parameters)});"
    last = len(parameters) - 1
    lines = [f"    {_with_path(text + (',' if i < last else ');'), path)}" for i, (text, path) in enumerate(parameters)]
    return "\n".join([f"{head}(", *lines])


def _type_text(t: TensorType, string: bool) -> str:
    """How the header's comment names a parameter's or result's type: ``tensor<3xf32>``, ``str (UTF-8 bytes)``,
    ``function<f64(f64, i32)> (fxn_function_f64_f64_i32)``."""
    if getattr(t, "signature", None) is not None:
        return f"{t} ({_function_type_name(t.signature)})"
    return f"str (UTF-8 bytes: {t})" if string else str(t)


def _declarations(entry: Entry) -> list[str]:
    compiled, function, lowered = entry.compiled, entry.function, entry.lowered
    names = _c_names([p.name for p in function.parameters])
    signature = ", ".join(f"{n}: {_type_text(t, p.string)}{_dim_names(shape)}" for n, t, shape, p in
                          zip(names, lowered.arg_types, function.annotated_shapes(), function.parameters))
    results = ", ".join(_type_text(t, string) for t, string in zip(lowered.result_types, _string_results(lowered)))
    about = [f"{entry.variable}: {compiled.tag or entry.name}"]
    if compiled.description:
        about.append(compiled.description)
    about.append(f"{entry.name}({signature}) -> {results}")
    about += [f"requires {statement}" for statement in lowered.dim_assumptions.statements()]
    lines = ["", _comment("\n".join(about))]
    bits, structured = lowered.target.index_bits, entry.structured
    arguments = [(f"const {_descriptor_name(t, bits)} *{n}", path)
                 for n, t, (_, path) in zip(names, lowered.arg_types, entry.parameter_paths)]
    if len(lowered.result_types) == 1:
        path = entry.result_paths[0]
        result = (f"{_descriptor_name(lowered.result_types[0], bits)} *fxn_result", path if path != "result" else None)
    else:
        struct = f"fxn_{entry.name}_results"
        fields = [(f"{_descriptor_name(t, bits)} {field};", path) for field, t, path
                  in zip(_result_fields(entry.result_paths), lowered.result_types, entry.result_paths)]
        lines.append(_struct_typedef(struct, fields, structured))
        result = (f"{struct} *fxn_results", None)
    parameters = [result, *arguments, ("fxn_status *fxn_status", None)]
    lines.append(_prototype(f"void {memref_symbol(entry.name)}", parameters, structured))
    if lowered.value_entry:
        scalars = ", ".join(f"{C_TYPES[t.dtype]} {n}" for n, t in zip(names, lowered.arg_types))
        lines.append(f"{C_TYPES[lowered.result_types[0].dtype]} {value_symbol(entry.name)}({scalars});")
    return lines


def c_header(entries: list[Entry], stem: str, provenance: Provenance, target, library: str,
             libraries: list[str] = ()) -> str:
    """The C header declaring every entry point of ``library`` (the artifact's file name), with the ABI;
    ``libraries``: what it needs at run time besides the C library (:func:`needed_libraries`)."""
    guard = f"FXN_{''.join(c if c.isascii() and c.isalnum() else '_' for c in stem).upper()}_H"
    title = (f"{library}: fxn {provenance.fxn_version} predictors of {provenance.source}, "
             f"built for {target.triple} ({target.cpu}) with {provenance.toolchain or 'an unknown compiler'}.\n"
             f"Source sha256: {provenance.source_sha256 or 'unknown'}.\n\n")
    if libraries:
        title += (f"Needs {', '.join(libraries)} (LLVM's OpenMP runtime): its large loops run on threads, as many "
                  "as the predictor was compiled for, else OMP_NUM_THREADS or every core.\n\n")
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
        _shared_typedef("fxn_status", _STATUS_TYPEDEF, _STATUS_VERSION),
        *(_descriptor_typedef(rank, dtype, target.index_bits) for rank, dtype in descriptors),
        *(_function_typedef(signature) for signature in _function_signatures(entries)),
    ]
    for entry in entries:
        lines += _declarations(entry)
    lines += ["", "#ifdef __cplusplus", "}", "#endif", "", f"#endif  /* {guard} */", ""]
    return "\n".join(lines)
