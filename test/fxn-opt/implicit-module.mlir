// The file is a module's body, as mlir-opt reads it: aliases between top-level ops, several top-level ops.

// RUN: fxn-opt %s | FileCheck %s
// RUN: fxn-opt %s --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// RUN: not fxn-opt %s --no-implicit-module 2>&1 | FileCheck %s --check-prefix=NO-IMPLICIT
// RUN: fxn-opt %S/Inputs/explicit-module.mlir | FileCheck %s --check-prefix=EXPLICIT
// RUN: fxn-opt %S/Inputs/explicit-module.mlir --no-implicit-module | FileCheck %s --check-prefix=EXPLICIT
// RUN: fxn-opt %S/Inputs/one-function.mlir --no-implicit-module | FileCheck %s --check-prefix=ONE-OP
// RUN: not fxn-opt %S/Inputs/one-function.mlir --no-implicit-module --pass-pipeline='builtin.module(cse)' 2>&1 | FileCheck %s --check-prefix=ANCHOR

// CHECK: #[[MAP:.+]] = affine_map<(d0) -> (d0)>
// CHECK-NEXT: module {
// CHECK-NEXT: func.func private @a() attributes {m = #[[MAP]]}
// CHECK-NEXT: func.func private @b() attributes {t = i32}
// CHECK-NEXT: }

// The implicit module is at the file's line 0; each op at its own line.
// LOC: } loc(#loc)
// LOC: #loc = loc("{{.*}}implicit-module.mlir":0:0)
// LOC: loc("{{.*}}implicit-module.mlir":33:1)

// NO-IMPLICIT: error: source must contain a single top-level operation, found: 2

// EXPLICIT: module attributes {fxn.kept} {
// EXPLICIT-NEXT: func.func private @c()

// ONE-OP: {{^}}func.func private @alone()
// ONE-OP-NOT: module

// ANCHOR: one-function.mlir:1:1: error: can't run 'builtin.module' pass manager on 'func.func' op

#map = affine_map<(d0) -> (d0)>
func.func private @a() attributes {m = #map}
!t = i32
func.func private @b() attributes {t = !t}
