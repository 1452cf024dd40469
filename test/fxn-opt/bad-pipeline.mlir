// Pipelines that do not parse, or name unknown passes or options, are located errors.

// RUN: not fxn-opt %s -p 'builtin.module(func.func(fxn-canonicalise))' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: <pass-pipeline>:1:26: error: 'fxn-canonicalise' does not refer to a registered pass or pass pipeline
// UNKNOWN-NEXT: builtin.module(func.func(fxn-canonicalise))
// UNKNOWN-NEXT: {{^                         \^$}}

// A pass restricted to functions, put where it would run on the module.
// RUN: not fxn-opt %s -p 'builtin.module(cse,affine-parallelize)' 2>&1 | FileCheck %s --check-prefix=NESTING
// NESTING: <pass-pipeline>:1:20: error: Can't add pass 'AffineParallelize' restricted to 'func.func' on a PassManager intended to run on 'builtin.module', did you intend to nest?

// RUN: not fxn-opt %s -p 'builtin.module(fxn-constant-fold{max-elems=4})' 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: <pass-pipeline>:1:16: error: pass 'fxn-constant-fold' has no option 'max-elems' (options: max-elements)

// RUN: not fxn-opt %s -p 'builtin.module(fxn-constant-fold{max-elements=many})' 2>&1 | FileCheck %s --check-prefix=VALUE
// VALUE: <pass-pipeline>:1:16: error: option 'max-elements' of pass 'fxn-constant-fold' expects int; got 'many'

// RUN: not fxn-opt %s -p 'builtin.module(cse{bogus=1})' 2>&1 | FileCheck %s --check-prefix=UPSTREAM
// UPSTREAM: <pass-pipeline>:1:16: error: invalid options for pass 'cse': no such option bogus

// RUN: not fxn-opt %s -p 'builtin.module(func.func(cse)' 2>&1 | FileCheck %s --check-prefix=PAREN
// PAREN: <pass-pipeline>:1:30: error: expected ')' to close the pipeline of 'builtin.module'

// RUN: not fxn-opt %s -p 'cse' 2>&1 | FileCheck %s --check-prefix=ANCHOR
// ANCHOR: <pass-pipeline>:1:1: error: a pipeline must be anchored on an operation, e.g. 'builtin.module(...)'

// RUN: not fxn-opt %s -p 'builtin.module(cse)' --cse 2>&1 | FileCheck %s --check-prefix=BOTH
// BOTH: fxn-opt: error: --pass-pipeline cannot be combined with individual pass flags

// RUN: not fxn-opt %s -p 'func.func(cse)' 2>&1 | FileCheck %s --check-prefix=ROOT
// ROOT: fxn-opt: error: can't run 'func.func' pass manager on 'builtin.module' op

// CHECK-NOT: Traceback
func.func @f() {
  return
}
