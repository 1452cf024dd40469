// RUN: not fxn-opt %s 2>&1 | FileCheck %s --check-prefix=REFUSED
// RUN: fxn-opt %s --allow-unregistered-dialect | FileCheck %s

// REFUSED: unregistered.mlir:[[# @LINE + 4]]:21: error: operation being parsed with an unregistered dialect
// CHECK-LABEL: func.func @f(
// CHECK: "acme.matmul"
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "acme.matmul"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "fxn.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
