// RUN: fxn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(fxn-canonicalize))' | FileCheck %s
// RUN: fxn-opt %s --split-input-file --fxn-canonicalize | FileCheck %s
// RUN: fxn-opt %s --split-input-file --fxn-canonicalize=no-signed-zeros=true | FileCheck %s --check-prefix=NSZ

// CHECK-LABEL: func.func @mul_by_one(
// CHECK-SAME: %[[X:.+]]: tensor<2x3xf32>
// CHECK-NOT: fxn.mul
// CHECK-NOT: fxn.constant
// CHECK: return %[[X]], %[[X]]
func.func @mul_by_one(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %one = "fxn.constant"() {value = dense<1.0> : tensor<3xf32>} : () -> tensor<3xf32>
  %0 = "fxn.mul"(%x, %one) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = "fxn.mul"(%one, %x) : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A constant that broadcasts x to a larger shape is not an identity.
// CHECK-LABEL: func.func @mul_by_one_broadcasting(
// CHECK: %[[R:.+]] = "fxn.mul"
// CHECK-NEXT: return %[[R]]
func.func @mul_by_one_broadcasting(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %one = "fxn.constant"() {value = dense<1.0> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %0 = "fxn.mul"(%x, %one) : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @add_zero_int(
// CHECK-SAME: %[[X:.+]]: tensor<4xi32>
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @add_zero_int(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
  %zero = "fxn.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
  %0 = "fxn.add"(%x, %zero) : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  %1 = "fxn.add"(%zero, %x) : (tensor<i32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xi32>, tensor<4xi32>
}

// -----

// x + (-0.0) is x for every float x; x + (+0.0) turns -0.0 into +0.0, so it stays.
// CHECK-LABEL: func.func @add_zero_float(
// CHECK-SAME: %[[X:.+]]: tensor<4xf32>
// CHECK: %[[POS:.+]] = "fxn.constant"() {value = dense<0.000000e+00> : tensor<f32>}
// CHECK-NEXT: %[[KEPT:.+]] = "fxn.add"(%[[X]], %[[POS]])
// CHECK-NEXT: return %[[X]], %[[KEPT]]
func.func @add_zero_float(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %negzero = "fxn.constant"() {value = dense<-0.0> : tensor<f32>} : () -> tensor<f32>
  %poszero = "fxn.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %0 = "fxn.add"(%x, %negzero) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = "fxn.add"(%x, %poszero) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// x - (+0.0) and x / 1 are x; 0 - x is not.
// CHECK-LABEL: func.func @sub_zero_div_one(
// CHECK-SAME: %[[X:.+]]: tensor<4xf32>
// CHECK: %[[Z:.+]] = "fxn.constant"
// CHECK-NEXT: %[[NEG:.+]] = "fxn.sub"(%[[Z]], %[[X]])
// CHECK-NEXT: return %[[X]], %[[X]], %[[NEG]]
func.func @sub_zero_div_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = "fxn.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %one = "fxn.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %0 = "fxn.sub"(%x, %zero) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = "fxn.div"(%x, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %2 = "fxn.sub"(%zero, %x) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @double_transpose(
// CHECK-SAME: %[[X:.+]]: tensor<2x3x4xf32>
// CHECK-NEXT: %[[T:.+]] = "fxn.transpose"(%[[X]]) {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[X]], %[[T]]
func.func @double_transpose(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x2x3xf32>) {
  %0 = "fxn.transpose"(%x) {permutation = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %1 = "fxn.transpose"(%0) {permutation = array<i64: 1, 0, 2>} : (tensor<3x2x4xf32>) -> tensor<2x3x4xf32>
  %2 = "fxn.transpose"(%0) {permutation = array<i64: 2, 1, 0>} : (tensor<3x2x4xf32>) -> tensor<4x2x3xf32>
  return %1, %2 : tensor<2x3x4xf32>, tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshapes(
// CHECK-SAME: %[[X:.+]]: tensor<2x6xf32>
// CHECK-NEXT: %[[R:.+]] = "fxn.reshape"(%[[X]]) {shape = array<i64: 3, 4>} : (tensor<2x6xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[R]], %[[X]]
func.func @reshapes(%x: tensor<2x6xf32>) -> (tensor<3x4xf32>, tensor<2x6xf32>) {
  %0 = "fxn.reshape"(%x) {shape = array<i64: 12>} : (tensor<2x6xf32>) -> tensor<12xf32>
  %1 = "fxn.reshape"(%0) {shape = array<i64: 3, 4>} : (tensor<12xf32>) -> tensor<3x4xf32>
  %2 = "fxn.reshape"(%x) {shape = array<i64: 2, 6>} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  return %1, %2 : tensor<3x4xf32>, tensor<2x6xf32>
}

// -----

// CHECK-LABEL: func.func @same_type(
// CHECK-SAME: %[[X:.+]]: tensor<2x3xi32>
// CHECK-NOT: fxn.
// CHECK: return %[[X]], %[[X]], %[[X]]
func.func @same_type(%x: tensor<2x3xi32>) -> (tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>) {
  %0 = "fxn.broadcast_to"(%x) {shape = array<i64: 2, 3>} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  %1 = "fxn.cast"(%0) : (tensor<2x3xi32>) -> tensor<2x3xi32>
  %2 = "fxn.slice"(%1) {limits = array<i64: 2, 3>, starts = array<i64: 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0, %1, %2 : tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>
}

// -----

// A real slice and a real cast stay.
// CHECK-LABEL: func.func @kept(
// CHECK: "fxn.slice"
// CHECK: "fxn.cast"
func.func @kept(%x: tensor<2x3xi32>) -> (tensor<2x2xi32>, tensor<2x3xf32>) {
  %0 = "fxn.slice"(%x) {limits = array<i64: 2, 3>, starts = array<i64: 0, 1>, strides = array<i64: 1, 1>} : (tensor<2x3xi32>) -> tensor<2x2xi32>
  %1 = "fxn.cast"(%x) : (tensor<2x3xi32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x2xi32>, tensor<2x3xf32>
}

// -----

// With no-signed-zeros, any float zero is an identity of add and sub.
// NSZ-LABEL: func.func @no_signed_zeros(
// NSZ-SAME: %[[X:.+]]: tensor<4xf32>
// NSZ-NEXT: return %[[X]], %[[X]]
// CHECK-LABEL: func.func @no_signed_zeros(
// CHECK: "fxn.add"
// CHECK: "fxn.sub"
func.func @no_signed_zeros(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %poszero = "fxn.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %negzero = "fxn.constant"() {value = dense<-0.0> : tensor<f32>} : () -> tensor<f32>
  %0 = "fxn.add"(%poszero, %x) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "fxn.sub"(%x, %negzero) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Splat identities of any size are read as their one value, never expanded
// (4294967296x4294967296 elements overflow an int64 product; 100000x100000 f32 is 37 GiB).
// CHECK-LABEL: func.func @huge_splat_identities(
// CHECK-SAME: %[[X:[^:]+]]: tensor<100000x100000xf32>
// CHECK-SAME: %[[Y:[^:]+]]: tensor<4294967296x4294967296xf32>
// CHECK-NOT: fxn.mul
// CHECK-NOT: fxn.div
// CHECK: return %[[X]], %[[Y]], %[[Y]]
func.func @huge_splat_identities(%x: tensor<100000x100000xf32>, %y: tensor<4294967296x4294967296xf32>) -> (tensor<100000x100000xf32>, tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>) {
  %one = "fxn.constant"() {value = dense<1.0> : tensor<100000x100000xf32>} : () -> tensor<100000x100000xf32>
  %huge_one = "fxn.constant"() {value = dense<1.0> : tensor<4294967296x4294967296xf32>} : () -> tensor<4294967296x4294967296xf32>
  %0 = "fxn.mul"(%x, %one) : (tensor<100000x100000xf32>, tensor<100000x100000xf32>) -> tensor<100000x100000xf32>
  %1 = "fxn.mul"(%huge_one, %y) : (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32>
  %2 = "fxn.div"(%y, %huge_one) : (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32>
  return %0, %1, %2 : tensor<100000x100000xf32>, tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>
}

// -----

// x + (-0.0) folds and x + (+0.0) stays, for a huge splat as for a scalar.
// CHECK-LABEL: func.func @huge_splat_zeros(
// CHECK-SAME: %[[X:.+]]: tensor<4294967296x4294967296xf32>
// CHECK: %[[POS:.+]] = "fxn.constant"() {value = dense<0.000000e+00> : tensor<4294967296x4294967296xf32>}
// CHECK-NEXT: %[[KEPT:.+]] = "fxn.add"(%[[X]], %[[POS]])
// CHECK-NEXT: return %[[X]], %[[KEPT]]
// NSZ-LABEL: func.func @huge_splat_zeros(
// NSZ-SAME: %[[X:.+]]: tensor<4294967296x4294967296xf32>
// NSZ-NEXT: return %[[X]], %[[X]]
func.func @huge_splat_zeros(%x: tensor<4294967296x4294967296xf32>) -> (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>) {
  %negzero = "fxn.constant"() {value = dense<-0.0> : tensor<4294967296x4294967296xf32>} : () -> tensor<4294967296x4294967296xf32>
  %poszero = "fxn.constant"() {value = dense<0.0> : tensor<4294967296x4294967296xf32>} : () -> tensor<4294967296x4294967296xf32>
  %0 = "fxn.add"(%x, %negzero) : (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32>
  %1 = "fxn.add"(%x, %poszero) : (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32>
  return %0, %1 : tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>
}

// -----

// Ops on huge splat constants that are not identities stay as they are.
// CHECK-LABEL: func.func @huge_splats_kept(
// CHECK-NEXT: %[[S:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<f32>}
// CHECK-NEXT: %[[C:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<4294967296x4294967296xf32>}
// CHECK-NEXT: %[[ADD:.+]] = "fxn.add"(%[[C]], %[[C]])
// CHECK-NEXT: %[[B:.+]] = "fxn.broadcast_to"(%[[S]])
// CHECK-NEXT: %[[T:.+]] = "fxn.transpose"(%[[C]])
// CHECK-NEXT: %[[SL:.+]] = "fxn.slice"(%[[C]])
// CHECK-NEXT: %[[P:.+]] = "fxn.pad"(%[[C]])
// CHECK-NEXT: %[[CAT:.+]] = "fxn.concat"(%[[C]], %[[C]])
// CHECK-NEXT: return %[[ADD]], %[[B]], %[[T]], %[[SL]], %[[P]], %[[CAT]]
func.func @huge_splats_kept() -> (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>, tensor<2x3xf32>, tensor<4294967296x4294967298xf32>, tensor<4294967296x8589934592xf32>) {
  %s = "fxn.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %c = "fxn.constant"() {value = dense<2.0> : tensor<4294967296x4294967296xf32>} : () -> tensor<4294967296x4294967296xf32>
  %0 = "fxn.add"(%c, %c) : (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32>
  %1 = "fxn.broadcast_to"(%s) {shape = array<i64: 4294967296, 4294967296>} : (tensor<f32>) -> tensor<4294967296x4294967296xf32>
  %2 = "fxn.transpose"(%c) {permutation = array<i64: 1, 0>} : (tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32>
  %3 = "fxn.slice"(%c) {limits = array<i64: 2, 3>, starts = array<i64: 0, 0>, strides = array<i64: 1, 1>} : (tensor<4294967296x4294967296xf32>) -> tensor<2x3xf32>
  %4 = "fxn.pad"(%c) {high = array<i64: 0, 1>, low = array<i64: 0, 1>, mode = "replicate", value = 0.0 : f64} : (tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967298xf32>
  %5 = "fxn.concat"(%c, %c) {dim = 1 : i64} : (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>) -> tensor<4294967296x8589934592xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>, tensor<2x3xf32>, tensor<4294967296x4294967298xf32>, tensor<4294967296x8589934592xf32>
}
