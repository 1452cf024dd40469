// --log-actions-to: each pass execution as MLIR's action log, in order, nested passes once per op they run on.

// RUN: fxn-opt %s --log-actions-to=- --pass-pipeline='builtin.module(func.func(canonicalize),cse)' -o /dev/null \
// RUN:   | FileCheck %s
// RUN: fxn-opt %s --log-actions-to=%t.log --pass-pipeline='builtin.module(func.func(canonicalize),cse)' \
// RUN:   | FileCheck %s --check-prefix=OUTPUT
// RUN: FileCheck %s < %t.log
// RUN: fxn-opt %s --log-actions-to=- --composite-fixed-point-pass='name=Fixed pipeline=any(cse)' -o /dev/null \
// RUN:   | FileCheck %s --check-prefix=COMPOSITE
// RUN: not fxn-opt %s --log-actions-to=- --cse --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=REFUSED

// CHECK:      [thread fxn-opt] begins (no breakpoint) Action `pass-execution` running `CanonicalizerPass` on Operation `func.func` (func.func @f(%arg0: i32) -> i32 {...})`
// CHECK-NEXT: [thread fxn-opt] completed `pass-execution`
// CHECK-NEXT: [thread fxn-opt] begins (no breakpoint) Action `pass-execution` running `CanonicalizerPass` on Operation `func.func` (func.func @g() {...})`
// CHECK-NEXT: [thread fxn-opt] completed `pass-execution`
// CHECK-NEXT: [thread fxn-opt] begins (no breakpoint) Action `pass-execution` running `CSEPass` on Operation `builtin.module` (module {...})`
// CHECK-NEXT: [thread fxn-opt] completed `pass-execution`
// CHECK-NOT: Action

// OUTPUT: func.func @f
// OUTPUT-NOT: Action

// The composite pass runs its pipeline until the IR stops changing: twice here, as the first CSE changes @f.
// COMPOSITE:      running `Fixed` on Operation `builtin.module`
// COMPOSITE-NEXT: running `CSEPass` on Operation `func.func` (func.func @f
// COMPOSITE-NEXT: completed
// COMPOSITE-NEXT: running `CSEPass` on Operation `func.func` (func.func @g
// COMPOSITE-NEXT: completed
// COMPOSITE-NEXT: running `CSEPass` on Operation `func.func` (func.func @f
// COMPOSITE-NEXT: completed
// COMPOSITE-NEXT: running `CSEPass` on Operation `func.func` (func.func @g
// COMPOSITE-NEXT: completed
// COMPOSITE-NEXT: completed `pass-execution`
// COMPOSITE-NOT: Action

// REFUSED: fxn-opt: error: --log-actions-to cannot be combined with --mlir-print-ir-after-all in fxn-opt

func.func @f(%a: i32) -> i32 {
  %0 = arith.addi %a, %a : i32
  %1 = arith.addi %a, %a : i32
  %2 = arith.muli %0, %1 : i32
  return %2 : i32
}

func.func @g() {
  return
}
