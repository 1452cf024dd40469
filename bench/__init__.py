"""fxn's benchmarks (not tests): fxn beside CPython, numpy, numba, C and torch, as ratios.

``scripts/bench`` runs every section in one go and prints one table per
section; each peer runs in a process of its own (importing torch or numba
must not slow the others), and every number is a median over repeats.
"""
