// Every fxn op is Pure: upstream CSE merges identical ops and canonicalize erases unused ones.
// RUN: fxn-opt %s --cse --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @pure(
// CHECK-SAME: %[[X:.+]]: tensor<4xf32>
// CHECK-NEXT: %[[E:.+]] = "fxn.exp"(%[[X]])
// CHECK-NEXT: %[[S:.+]] = "fxn.add"(%[[E]], %[[E]])
// CHECK-NEXT: return %[[S]]
func.func @pure(%x: tensor<4xf32>) -> tensor<4xf32> {
  %img = "fxn.reshape"(%x) {shape = array<i64: 1, 2, 2>} : (tensor<4xf32>) -> tensor<1x2x2xf32>
  %unused = "fxn.resize"(%img) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 8, 8>} : (tensor<1x2x2xf32>) -> tensor<1x8x8xf32>
  %e1 = "fxn.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %e2 = "fxn.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %s = "fxn.add"(%e1, %e2) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}
