"""The x86 backend (SSE4.2 / AVX2+FMA / AVX-512): target triple, CPU features,
vector width and op lowerings for x86-64. Registered through the
``fxn.backends`` entry point once the host end-to-end path lands."""
