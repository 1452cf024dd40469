// Bad input of every kind gives an MLIR-style located error, exit 1 and no traceback.

// RUN: not fxn-opt %S/Inputs/syntax-error.mlir 2>&1 | FileCheck %s --check-prefix=SYNTAX
// SYNTAX: syntax-error.mlir:3:27: error: expected '{' to begin a region
// SYNTAX-NOT: Traceback

// RUN: not fxn-opt %S/Inputs/unknown-op.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: unknown-op.mlir:2:8: error: unregistered operation 'fxn.frobnicate' found in dialect ('fxn') that does not allow unknown operations
// UNKNOWN-NOT: Traceback

// RUN: not fxn-opt %S/Inputs/ill-typed.mlir 2>&1 | FileCheck %s --check-prefix=VERIFY
// VERIFY: ill-typed.mlir:2:8: error: 'fxn.add' op operand shapes [2] and [3] are not broadcastable
// VERIFY-NOT: Traceback

// RUN: not fxn-opt %t.does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: fxn-opt: error: could not open input file '{{.*}}does-not-exist.mlir': No such file or directory

// RUN: %python -c "import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)" > %t.bin
// RUN: not fxn-opt %t.bin 2>&1 | FileCheck %s --check-prefix=BINARY
// BINARY: fxn-opt: error: '{{.*}}.bin' is not MLIR text (it contains NUL bytes)

// RUN: %python -c "import sys; sys.stdout.buffer.write(b'\xff\xfe\x80garbage')" > %t.latin
// RUN: not fxn-opt %t.latin 2>&1 | FileCheck %s --check-prefix=UNDECODABLE
// UNDECODABLE: .latin:1:1: error:
// UNDECODABLE-NOT: Traceback

// RUN: not fxn-opt %S/Inputs/ill-typed.mlir --no-such-flag 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: fxn-opt: error: unknown option '--no-such-flag' (neither an fxn-opt flag nor a registered pass)

// RUN: not fxn-opt %S/Inputs/ill-typed.mlir --fxn-constant-fold=max-elements=lots 2>&1 | FileCheck %s --check-prefix=FLAG-OPTION
// FLAG-OPTION: fxn-opt: error: --fxn-constant-fold: option 'max-elements' of pass 'fxn-constant-fold' expects int; got 'lots'

// RUN: not fxn-opt a.mlir b.mlir 2>&1 | FileCheck %s --check-prefix=TWO
// TWO: fxn-opt: error: too many input files: a.mlir b.mlir

// RUN: echo 'func.func @f() { return }' | not fxn-opt - -o %t.missing-dir/out.mlir 2>&1 | FileCheck %s --check-prefix=OUTPUT
// OUTPUT: fxn-opt: error: could not open output file '{{.*}}out.mlir': No such file or directory
