"""The WebAssembly SIMD128 backend: wasm32 modules run with wasmtime in tests.
SIMD128 has no fused multiply-add, so this backend lowers ``fxn.fma`` itself.
Not implemented yet (roadmap step 4)."""
