"""The WebAssembly SIMD128 backend (wasm32): a ``.wasm`` that imports nothing and an ES-module loader.

Target ``wasm_simd``: triple ``wasm32-unknown-unknown``, CPU ``generic``
(bulk memory, sign extension, non-trapping float-to-int included), feature
``simd128``, 128-bit vectors, 32-bit indices and pointers (memref
descriptors are five 32-bit fields and two per dim; the core's lowering
converts vector ops with 32-bit indices for any such target). Option ``relaxed``
(``true|false``, default false): relaxed SIMD, whose ``relaxed_madd`` may
fuse a multiply and an add (one rounding) or not (two), as the engine and
CPU choose; only then does the target declare FMA (``fast_math`` contracts,
``fxn.fma`` becomes ``relaxed_madd``). See :mod:`.lowering` for ``fxn.fma``.

Artifacts: ``<stem>.wasm`` (the predictors, fxn's allocator
``runtime.c``; exports ``fxn_<name>`` entries, ``fxn_malloc``, ``fxn_free``
and ``memory``) and ``<stem>.mjs``, a loader for browsers and Node that
takes the signatures from the manifest ``<stem>.json`` next to it (see
:mod:`.loader`). Tests run the code with wasmtime (:mod:`.runner`).
"""

from __future__ import annotations

from pathlib import Path

from fxn import toolchain as shared_toolchain
from fxn.backends.base import Backend, Target, take_options

TRIPLE = "wasm32-unknown-unknown"


def _lower_fma(op, target):
    from .lowering import lower_fma  # MLIR is imported when a module is lowered, not when fxn lists backends

    return lower_fma(op, target)


class WasmSimdBackend(Backend):
    def target(self, **options: str) -> Target:
        chosen = take_options(self, options, {"relaxed": ("true", "false")})
        relaxed = options.get("relaxed") == "true"
        features = ("simd128", "relaxed-simd") if relaxed else ("simd128",)
        return Target(self.name, TRIPLE, "generic", features, vector_bits=128, index_bits=32, has_fma=relaxed,
                      artifacts=("wasm",), options=chosen)

    def assemble(self, llvm_ir: str, target: Target) -> str:
        from .toolchain import assemble

        return assemble(llvm_ir, target)

    def build(self, llvm_ir_modules: list[str], directory: Path, stem: str, exported: list[str],
              target: Target) -> list[Path]:
        from .loader import write_loader
        from .toolchain import link_module

        module = link_module(llvm_ir_modules, directory / f"{stem}.wasm", exported, target)
        return [module, write_loader(directory, stem)]

    def allowed_imports(self, target: Target) -> frozenset[str]:
        return frozenset()  # the allocator is linked in; nothing comes from the host

    def runner(self, target: Target):
        from .runner import shared_runner, wasmtime_missing

        return None if wasmtime_missing() else shared_runner()

    def toolchain_version(self) -> str | None:
        return shared_toolchain.version()


backend = WasmSimdBackend(
    "wasm_simd", "WebAssembly SIMD128 (wasm32): .wasm without imports + ES-module loader",
    lowerings={"fxn.fma": _lower_fma},
    options={"relaxed": "true|false: relaxed SIMD, relaxed_madd as FMA (may fuse or not: results may differ "
                        "by one rounding between engines)"},
)
