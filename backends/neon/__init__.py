"""The ARM NEON backend (aarch64): lowerings for 128-bit NEON, code run under
``qemu-aarch64`` in tests. Not implemented yet (roadmap step 4)."""
