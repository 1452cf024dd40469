// RUN: fxn-opt %s --split-input-file --fxn-fuse-fma | FileCheck %s
// RUN: fxn-opt %s --split-input-file --pass-pipeline='builtin.module(fxn-fuse-fma{contract=false})' \
// RUN:   | FileCheck %s --check-prefix=NO-CONTRACT

// The product on either side of the add; the addend broadcast.
// CHECK-LABEL: func.func @product_first(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<4xf32>, %[[Z:[^:]+]]: tensor<f32>
// CHECK-NOT: fxn.mul
// CHECK-NOT: fxn.add
// CHECK: %[[R:.+]] = "fxn.fma"(%[[X]], %[[Y]], %[[Z]]) : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[R]]
// NO-CONTRACT-LABEL: func.func @product_first(
// NO-CONTRACT: "fxn.mul"
// NO-CONTRACT: "fxn.add"
// NO-CONTRACT-NOT: fxn.fma
func.func @product_first(%x: tensor<4xf32>, %y: tensor<4xf32>, %z: tensor<f32>) -> tensor<4xf32> {
  %p = "fxn.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = "fxn.add"(%p, %z) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @product_second(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3x1xf64>, %[[Y:[^:]+]]: tensor<4xf64>, %[[Z:[^:]+]]: tensor<3x4xf64>
// CHECK: "fxn.fma"(%[[X]], %[[Y]], %[[Z]]) : (tensor<3x1xf64>, tensor<4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
// CHECK-NOT: fxn.add
func.func @product_second(%x: tensor<3x1xf64>, %y: tensor<4xf64>, %z: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %p = "fxn.mul"(%x, %y) : (tensor<3x1xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %r = "fxn.add"(%z, %p) : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  return %r : tensor<3x4xf64>
}

// -----

// A product with another use stays: fusing would compute it twice.
// CHECK-LABEL: func.func @product_used_twice(
// CHECK: %[[P:.+]] = "fxn.mul"
// CHECK: "fxn.add"(%[[P]]
// CHECK-NOT: fxn.fma
func.func @product_used_twice(%x: tensor<4xf32>, %y: tensor<4xf32>, %z: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %p = "fxn.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = "fxn.add"(%p, %z) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r, %p : tensor<4xf32>, tensor<4xf32>
}

// -----

// Integers have no fused multiply-add.
// CHECK-LABEL: func.func @integers(
// CHECK: "fxn.mul"
// CHECK: "fxn.add"
// CHECK-NOT: fxn.fma
func.func @integers(%x: tensor<4xi32>, %y: tensor<4xi32>, %z: tensor<4xi32>) -> tensor<4xi32> {
  %p = "fxn.mul"(%x, %y) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %r = "fxn.add"(%p, %z) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

// A chain: each add whose product is its own fuses; here the second product is the first fma's addend.
// CHECK-LABEL: func.func @chain(
// CHECK: %[[F:.+]] = "fxn.fma"(%arg0, %arg1, %arg2)
// CHECK: "fxn.fma"(%arg0, %arg2, %[[F]])
// CHECK-NOT: fxn.mul
// CHECK-NOT: fxn.add
func.func @chain(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %p = "fxn.mul"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s = "fxn.add"(%p, %c) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %q = "fxn.mul"(%a, %c) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = "fxn.add"(%q, %s) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
