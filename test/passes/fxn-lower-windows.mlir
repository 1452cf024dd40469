// RUN: fxn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(fxn-lower-to-linalg),canonicalize)' | FileCheck %s
// RUN: fxn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(fxn-lower-to-linalg{bounds-check=false}),canonicalize)' | FileCheck %s --check-prefix=UNCHECKED

// x[i]: the index wraps below 0, is checked against the dim, and is one tensor.extract.
// CHECK: func.func private @fxn.index_out_of_bounds(i64, i64, i64)
// CHECK-LABEL: func.func @element(
// CHECK: %[[I:.+]] = tensor.extract %arg1[] : tensor<i64>
// CHECK: %[[NEGATIVE:.+]] = arith.cmpi slt, %[[I]], %c0_i64
// CHECK: %[[WRAPPED:.+]] = arith.select %[[NEGATIVE]]
// CHECK: %[[OUTSIDE:.+]] = arith.cmpi uge, %[[WRAPPED]], %c10_i64
// CHECK: scf.if %[[OUTSIDE]] {
// CHECK-NEXT: func.call @fxn.index_out_of_bounds(%[[I]], %c10_i64, %c0_i64)
// CHECK: %[[AT:.+]] = arith.index_cast %[[WRAPPED]]
// CHECK: tensor.extract %arg0[%[[AT]]] : tensor<10xf32>
// UNCHECKED-NOT: fxn.index_out_of_bounds
// UNCHECKED-LABEL: func.func @element(
// UNCHECKED-NOT: scf.if
// UNCHECKED: tensor.extract %arg0
func.func @element(%x: tensor<10xf32>, %i: tensor<i64>) -> tensor<f32> {
  %r = "fxn.dynamic_slice"(%x, %i) {drop = array<i64: 0>, sizes = array<i64: 1>, strides = array<i64: 1>} : (tensor<10xf32>, tensor<i64>) -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// out[i] = v: one tensor.insert, no copy of the array.
// CHECK-LABEL: func.func @store(
// CHECK: scf.if
// CHECK: %[[V:.+]] = tensor.extract %arg1[] : tensor<f32>
// CHECK: tensor.insert %[[V]] into %arg0[%{{.+}}] : tensor<5xf32>
// CHECK-NOT: linalg.generic
func.func @store(%x: tensor<5xf32>, %v: tensor<f32>, %i: tensor<i64>) -> tensor<5xf32> {
  %r = "fxn.dynamic_update_slice"(%x, %v, %i) {drop = array<i64: 0>, sizes = array<i64: 1>, strides = array<i64: 1>} : (tensor<5xf32>, tensor<f32>, tensor<i64>) -> tensor<5xf32>
  return %r : tensor<5xf32>
}

// -----

// x[a:a+n:-2] of a run-time size: both ends checked, a generic reading backwards.
// CHECK-LABEL: func.func @backwards(
// CHECK: arith.maxsi
// CHECK: scf.if
// CHECK: func.call @fxn.index_out_of_bounds
// CHECK: linalg.generic
// CHECK: arith.muli %{{.+}}, %c-2
// CHECK: tensor.extract %arg0
func.func @backwards(%x: tensor<9xf32>, %a: tensor<i64>, %n: tensor<i64>) -> tensor<?xf32> {
  %r = "fxn.dynamic_slice"(%x, %a, %n) {drop = array<i64>, sizes = array<i64: -1>, strides = array<i64: -2>} : (tensor<9xf32>, tensor<i64>, tensor<i64>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// out[1:3] = v with v of a run-time size: v's size must be 1 or 2, else the broadcast check fails (axis 0).
// CHECK: func.func private @fxn.broadcast_mismatch(i64, i64, i64)
// CHECK-LABEL: func.func @store_run_time_size(
// CHECK: %[[N:.+]] = tensor.dim %arg1, %c0
// CHECK: %[[SIZE:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[ONE:.+]] = arith.cmpi eq, %[[SIZE]], %c1_i64
// CHECK: %[[SAME:.+]] = arith.cmpi eq, %[[SIZE]], %c2_i64
// CHECK: %[[FITS:.+]] = arith.ori %[[ONE]], %[[SAME]]
// CHECK: scf.if
// CHECK-NEXT: func.call @fxn.broadcast_mismatch(%[[SIZE]], %c2_i64, %c0_i64)
// UNCHECKED-NOT: fxn.broadcast_mismatch
func.func @store_run_time_size(%x: tensor<5xf32>, %v: tensor<?xf32>, %i: tensor<i64>) -> tensor<5xf32> {
  %r = "fxn.dynamic_update_slice"(%x, %v, %i) {drop = array<i64>, sizes = array<i64: 2>, strides = array<i64: 1>} : (tensor<5xf32>, tensor<?xf32>, tensor<i64>) -> tensor<5xf32>
  return %r : tensor<5xf32>
}
