"""The Apple Accelerate backend: Mach-O arm64 objects calling vDSP/BLAS. It
cannot run on this Linux machine; tests check the object it produces. Not
implemented yet (roadmap step 4)."""
