// RUN: fxn-opt %s --split-input-file --pass-pipeline='builtin.module(fxn-constant-fold)' | FileCheck %s
// RUN: fxn-opt %s --split-input-file --fxn-constant-fold=max-elements=3 | FileCheck %s --check-prefix=SMALL
// RUN: fxn-opt %s --split-input-file --fxn-constant-fold --mlir-pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS

// STATS: fxn pass statistics
// STATS: FxnConstantFold (fxn-constant-fold)
// STATS-NEXT: (num-folded) 2 : Number of ops folded to constants

// CHECK-LABEL: func.func @chain(
// CHECK-NEXT: %[[C:.+]] = "fxn.constant"() {value = dense<[3.000000e+00, 5.000000e+00, 7.000000e+00, 9.000000e+00]> : tensor<4xf32>} : () -> tensor<4xf32>
// CHECK-NEXT: return %[[C]]
// SMALL-LABEL: func.func @chain(
// SMALL: "fxn.mul"
// SMALL: "fxn.add"
func.func @chain() -> tensor<4xf32> {
  %a = "fxn.constant"() {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %two = "fxn.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %one = "fxn.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %0 = "fxn.mul"(%a, %two) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = "fxn.add"(%0, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Ops with a non-constant operand stay; their constant operands do too.
// CHECK-LABEL: func.func @partial(
// CHECK-SAME: %[[X:.+]]: tensor<2xi32>
// CHECK-NEXT: %[[C:.+]] = "fxn.constant"() {value = dense<[10, 20]> : tensor<2xi32>}
// CHECK-NEXT: %[[R:.+]] = "fxn.add"(%[[X]], %[[C]])
// CHECK-NEXT: return %[[R]]
func.func @partial(%x: tensor<2xi32>) -> tensor<2xi32> {
  %c = "fxn.constant"() {value = dense<[10, 20]> : tensor<2xi32>} : () -> tensor<2xi32>
  %0 = "fxn.add"(%x, %c) : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Resource-backed constants fold too: [1.0, 2.0] (little-endian f32 after the 4-byte alignment).
// CHECK-LABEL: func.func @resource(
// CHECK-NEXT: %[[C:.+]] = "fxn.constant"() {value = dense<[2.000000e+00, 4.000000e+00]> : tensor<2xf32>}
// CHECK-NEXT: return %[[C]]
func.func @resource() -> tensor<2xf32> {
  %w = "fxn.constant"() {value = dense_resource<weights> : tensor<2xf32>} : () -> tensor<2xf32>
  %0 = "fxn.add"(%w, %w) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F00000040"
    }
  }
#-}
