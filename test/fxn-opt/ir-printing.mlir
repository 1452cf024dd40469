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

// The displays and format the bindings' timer and statistics have are accepted; the others are refused.
// RUN: fxn-opt %s --cse --mlir-timing --mlir-timing-display=tree --mlir-output-format=text 2>&1 >/dev/null \
// RUN:   | FileCheck %s --check-prefix=TIMING-CSE
// TIMING-CSE: Execution time report
// TIMING-CSE: CSE
// RUN: fxn-opt %s --cse --mlir-pass-statistics --mlir-pass-statistics-display=pipeline 2>&1 >/dev/null \
// RUN:   | FileCheck %s --check-prefix=STATS-DISPLAY
// STATS-DISPLAY: Pass statistics report
// RUN: not fxn-opt %s --mlir-timing --mlir-output-format=json 2>&1 | FileCheck %s --check-prefix=JSON
// JSON: fxn-opt: error: option '--mlir-output-format=json' is not supported by fxn-opt: the bindings' pass timer writes only text

// --mlir-print-ir-tree-dir: the dumps go to one file per pass run, in a tree of the ops they ran on.
// RUN: fxn-opt %s --pass-pipeline='builtin.module(func.func(canonicalize),cse)' --mlir-print-ir-after-all \
// RUN:   --mlir-print-ir-tree-dir=%t.tree 2>&1 >/dev/null | FileCheck %s --check-prefix=TREE-STDERR --allow-empty
// TREE-STDERR-NOT: IR Dump
// RUN: cat %t.tree/builtin_module_no-symbol-name/func_func_f/0_0_canonicalize.mlir | FileCheck %s --check-prefix=TREE
// TREE: IR Dump After CanonicalizerPass: canonicalize
// TREE-NEXT: func.func @f
// RUN: cat %t.tree/builtin_module_no-symbol-name/1_cse.mlir | FileCheck %s --check-prefix=TREE-CSE
// TREE-CSE: IR Dump After CSEPass: cse
// TREE-CSE-NEXT: module {
// RUN: not fxn-opt %s --cse --mlir-print-ir-after=cse --mlir-print-ir-tree-dir=%t.tree 2>&1 \
// RUN:   | FileCheck %s --check-prefix=TREE-SELECTED
// TREE-SELECTED: fxn-opt: error: --mlir-print-ir-tree-dir applies to --mlir-print-ir-before-all

// --mlir-print-ir-after-failure: the IR after the pass that failed, and after no other.
// RUN: not fxn-opt %S/Inputs/unbufferizable.mlir --allow-unregistered-dialect --canonicalize --one-shot-bufferize \
// RUN:   --mlir-print-ir-after-failure 2>&1 | FileCheck %s --check-prefix=FAILURE
// FAILURE-NOT: IR Dump After CanonicalizerPass
// FAILURE: IR Dump After OneShotBufferizePass Failed: one-shot-bufferize
// FAILURE-NEXT: module {
// FAILURE: "t.make"
// FAILURE: unbufferizable.mlir:3:8: error: op was not bufferized
// RUN: fxn-opt %s --cse --mlir-print-ir-after-failure 2>&1 >/dev/null | FileCheck %s --check-prefix=NO-FAILURE --allow-empty
// NO-FAILURE-NOT: IR Dump

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
