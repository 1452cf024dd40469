// RUN: fxn-opt %s --pass-pipeline='builtin.module(func.func(fxn-canonicalize),cse)' --mlir-print-ir-after-all 2>&1 >/dev/null | FileCheck %s --check-prefix=AFTER-ALL
// AFTER-ALL: IR Dump After FxnCanonicalize: fxn-canonicalize
// AFTER-ALL-NOT: "fxn.mul"
// AFTER-ALL: IR Dump After CSE

// RUN: fxn-opt %s --pass-pipeline='builtin.module(func.func(fxn-canonicalize),cse)' --mlir-print-ir-before-all 2>&1 >/dev/null | FileCheck %s --check-prefix=BEFORE-ALL
// BEFORE-ALL: IR Dump Before FxnCanonicalize: fxn-canonicalize
// BEFORE-ALL: "fxn.mul"
// BEFORE-ALL: IR Dump Before CSE

// RUN: fxn-opt %s --fxn-canonicalize --cse --mlir-print-ir-before=fxn-canonicalize --mlir-print-ir-after=cse 2>&1 >/dev/null | FileCheck %s --check-prefix=SELECTED
// SELECTED: IR Dump Before fxn-canonicalize
// SELECTED-NEXT: module {
// SELECTED: "fxn.mul"
// SELECTED: IR Dump After cse
// SELECTED-NOT: "fxn.mul"
// SELECTED-NOT: IR Dump

// RUN: fxn-opt %s --fxn-canonicalize --cse --mlir-timing 2>&1 >/dev/null | FileCheck %s --check-prefix=TIMING
// TIMING: Execution time report
// TIMING: FxnCanonicalize
// TIMING: CSE
// TIMING: Total

// The bindings are a release build of MLIR, which keeps no counters of its
// own passes: the upstream report is empty; fxn's passes report theirs.
// RUN: fxn-opt %s --cse --fxn-constant-fold --mlir-pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS
// STATS: Pass statistics report
// STATS: fxn pass statistics
// STATS-NEXT: ===
// STATS-NEXT: FxnConstantFold (fxn-constant-fold)

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = "fxn.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %0 = "fxn.mul"(%x, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
