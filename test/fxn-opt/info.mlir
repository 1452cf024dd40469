// RUN: fxn-opt --version | FileCheck %s --check-prefix=VERSION
// VERSION: fxn-opt {{[0-9]+\.[0-9]+\.[0-9]+}} (MLIR bindings: torch-mlir {{[0-9]+}})

// RUN: fxn-opt --help | FileCheck %s --check-prefix=HELP
// HELP: USAGE: fxn-opt [options] [<input file>]
// HELP: --pass-pipeline=<pipeline>

// RUN: fxn-opt --list-passes | FileCheck %s --check-prefix=PASSES
// PASSES: fxn passes:
// PASSES: --fxn-canonicalize {{.*}} Remove fxn ops that provably do nothing
// PASSES: --fxn-constant-fold {{.*}} Replace fxn ops whose operands are all constants
// PASSES-NEXT: --max-elements=<int> {{.*}}(default: 1024)
// PASSES: Upstream MLIR passes
// PASSES: --canonicalize {{.*}} Canonicalize operations
// PASSES-NEXT: options: {{.*}}max-iterations=10
// PASSES: --cse {{.*}} Eliminate common sub-expressions
// PASSES: --one-shot-bufferize

// RUN: fxn-opt --show-dialects | FileCheck %s --check-prefix=DIALECTS
// DIALECTS: Available Dialects: {{.*}}arith,{{.*}},func,fxn,{{.*}},linalg,{{.*}},scf,{{.*}},tensor,
// DIALECTS-NOT: (*)

// RUN: fxn-opt --list-backends | FileCheck %s --check-prefix=BACKENDS
// BACKENDS: Available backends:
