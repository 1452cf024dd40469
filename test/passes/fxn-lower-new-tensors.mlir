// RUN: fxn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(fxn-lower-to-linalg),canonicalize)' | FileCheck %s

// np.empty(n): a tensor.empty of the size clamped at 0, and nothing written into it.
// CHECK-LABEL: func.func @empty(
// CHECK: %[[N:.+]] = tensor.extract %arg0[] : tensor<i64>
// CHECK: %[[CLAMPED:.+]] = arith.maxsi %[[N]], %c0_i64
// CHECK: %[[SIZE:.+]] = arith.index_cast %[[CLAMPED]] : i64 to index
// CHECK: %[[R:.+]] = tensor.empty(%[[SIZE]]) : tensor<?x3xf64>
// CHECK-NOT: linalg
// CHECK: return %[[R]]
func.func @empty(%n: tensor<i64>) -> tensor<?x3xf64> {
  %r = "fxn.empty"(%n) {dtype = "f64", shape = array<i64: -1, 3>} : (tensor<i64>) -> tensor<?x3xf64>
  return %r : tensor<?x3xf64>
}

// -----

// np.full((n, 3), v): the same tensor.empty, every element written with v.
// CHECK-LABEL: func.func @full(
// CHECK: %[[INIT:.+]] = tensor.empty(%{{.+}}) : tensor<?x3xf32>
// CHECK: %[[V:.+]] = tensor.extract %arg0[] : tensor<f32>
// CHECK: linalg.generic {{.+}} outs(%[[INIT]] : tensor<?x3xf32>)
// CHECK: linalg.yield %[[V]] : f32
func.func @full(%v: tensor<f32>, %n: tensor<i64>) -> tensor<?x3xf32> {
  %r = "fxn.full"(%v, %n) {shape = array<i64: -1, 3>} : (tensor<f32>, tensor<i64>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
