// RUN: fxn-opt %s --split-input-file --pass-pipeline='builtin.module(fxn-constant-fold)' | FileCheck %s
// RUN: fxn-opt %s --split-input-file --fxn-constant-fold=max-elements=3 | FileCheck %s --check-prefix=SMALL
// A bound past any machine's memory still folds splats from their one value, never expanding them.
// RUN: fxn-opt %s --split-input-file --fxn-constant-fold=max-elements=100000000000000000000 | FileCheck %s --check-prefix=HUGE
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

// -----

// Elementwise ops of splats fold to splats of any size, whatever max-elements,
// computed from the one value (4294967296x4294967296 overflows an int64 product).
// CHECK-LABEL: func.func @huge_splat_elementwise(
// CHECK-DAG: %[[MUL:.+]] = "fxn.constant"() {value = dense<6.000000e+00> : tensor<4294967296x4294967296xf32>}
// CHECK-DAG: %[[EXP:.+]] = "fxn.constant"() {value = dense<7.390630e+00> : tensor<100000x100000xf16>}
// CHECK-DAG: %[[CMP:.+]] = "fxn.constant"() {value = dense<true> : tensor<100000x100000xi1>}
// CHECK-DAG: %[[CAST:.+]] = "fxn.constant"() {value = dense<212> : tensor<4294967296x4294967296xui8>}
// CHECK-NOT: fxn.mul
// CHECK: return %[[MUL]], %[[EXP]], %[[CMP]], %[[CAST]]
// HUGE-LABEL: func.func @huge_splat_elementwise(
// HUGE-NOT: "fxn.{{(mul|exp|compare|cast)}}"
// HUGE: return
// SMALL-LABEL: func.func @huge_splat_elementwise(
// SMALL-NOT: "fxn.{{(mul|exp|compare|cast)}}"
// SMALL: return
func.func @huge_splat_elementwise() -> (tensor<4294967296x4294967296xf32>, tensor<100000x100000xf16>, tensor<100000x100000xi1>, tensor<4294967296x4294967296xui8>) {
  %two = "fxn.constant"() {value = dense<2.0> : tensor<4294967296x4294967296xf32>} : () -> tensor<4294967296x4294967296xf32>
  %three = "fxn.constant"() {value = dense<3.0> : tensor<f32>} : () -> tensor<f32>
  %h = "fxn.constant"() {value = dense<2.0> : tensor<100000x100000xf16>} : () -> tensor<100000x100000xf16>
  %n = "fxn.constant"() {value = dense<-300.5> : tensor<4294967296x4294967296xf32>} : () -> tensor<4294967296x4294967296xf32>
  %0 = "fxn.mul"(%two, %three) : (tensor<4294967296x4294967296xf32>, tensor<f32>) -> tensor<4294967296x4294967296xf32>
  %1 = "fxn.exp"(%h) : (tensor<100000x100000xf16>) -> tensor<100000x100000xf16>
  %2 = "fxn.compare"(%h, %h) {predicate = "eq"} : (tensor<100000x100000xf16>, tensor<100000x100000xf16>) -> tensor<100000x100000xi1>
  %3 = "fxn.cast"(%n) : (tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xui8>
  return %0, %1, %2, %3 : tensor<4294967296x4294967296xf32>, tensor<100000x100000xf16>, tensor<100000x100000xi1>, tensor<4294967296x4294967296xui8>
}

// -----

// Shape ops of a splat give the same splat; a concat of equal splats and a pad
// adding only the splat's own value too.
// CHECK-LABEL: func.func @huge_splat_shape_ops(
// CHECK-NEXT: %[[B:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<4294967296x4294967296xf32>}
// CHECK-NEXT: %[[R:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<4294967296x4294967296x1xf32>}
// CHECK-NEXT: %[[T:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<4294967296x4294967296xf32>}
// CHECK-NEXT: %[[SL:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<2x3xf32>}
// CHECK-NEXT: %[[P1:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<4294967296x4294967298xf32>}
// CHECK-NEXT: %[[P2:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<4294967296x4294967298xf32>}
// CHECK-NEXT: %[[CAT:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<4294967296x8589934592xf32>}
// CHECK-NEXT: return %[[B]], %[[R]], %[[T]], %[[SL]], %[[P1]], %[[P2]], %[[CAT]]
func.func @huge_splat_shape_ops() -> (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296x1xf32>, tensor<4294967296x4294967296xf32>, tensor<2x3xf32>, tensor<4294967296x4294967298xf32>, tensor<4294967296x4294967298xf32>, tensor<4294967296x8589934592xf32>) {
  %s = "fxn.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %c = "fxn.constant"() {value = dense<2.0> : tensor<4294967296x4294967296xf32>} : () -> tensor<4294967296x4294967296xf32>
  %0 = "fxn.broadcast_to"(%s) {shape = array<i64: 4294967296, 4294967296>} : (tensor<f32>) -> tensor<4294967296x4294967296xf32>
  %1 = "fxn.reshape"(%c) {shape = array<i64: 4294967296, 4294967296, 1>} : (tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296x1xf32>
  %2 = "fxn.transpose"(%c) {permutation = array<i64: 1, 0>} : (tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32>
  %3 = "fxn.slice"(%c) {limits = array<i64: 2, 3>, starts = array<i64: 0, 0>, strides = array<i64: 1, 1>} : (tensor<4294967296x4294967296xf32>) -> tensor<2x3xf32>
  %4 = "fxn.pad"(%c) {high = array<i64: 0, 1>, low = array<i64: 0, 1>, mode = "replicate", value = 0.0 : f64} : (tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967298xf32>
  %5 = "fxn.pad"(%c) {high = array<i64: 0, 1>, low = array<i64: 0, 1>, mode = "constant", value = 2.0 : f64} : (tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967298xf32>
  %6 = "fxn.concat"(%c, %c) {dim = 1 : i64} : (tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296xf32>) -> tensor<4294967296x8589934592xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4294967296x4294967296xf32>, tensor<4294967296x4294967296x1xf32>, tensor<4294967296x4294967296xf32>, tensor<2x3xf32>, tensor<4294967296x4294967298xf32>, tensor<4294967296x4294967298xf32>, tensor<4294967296x8589934592xf32>
}

// -----

// What is no splat, or would need the elements, stays: a pad with another
// value, a concat of different splats, a reduction, an op of a non-constant.
// CHECK-LABEL: func.func @huge_splats_kept(
// CHECK-SAME: %[[X:.+]]: tensor<100000x100000xf32>
// CHECK-DAG: %[[TWO:.+]] = "fxn.constant"() {value = dense<2.000000e+00> : tensor<100000x100000xf32>}
// CHECK-DAG: %[[NEG:.+]] = "fxn.constant"() {value = dense<-0.000000e+00> : tensor<100000x100000xf32>}
// CHECK-DAG: %[[POS:.+]] = "fxn.constant"() {value = dense<0.000000e+00> : tensor<100000x100000xf32>}
// CHECK: %[[PAD:.+]] = "fxn.pad"(%[[TWO]])
// CHECK-NEXT: %[[CAT:.+]] = "fxn.concat"(%[[NEG]], %[[POS]])
// CHECK-NEXT: %[[SUM:.+]] = "fxn.reduce"(%[[TWO]])
// CHECK-NEXT: %[[MUL:.+]] = "fxn.mul"(%[[X]], %[[TWO]])
// CHECK-NEXT: return %[[PAD]], %[[CAT]], %[[SUM]], %[[MUL]]
func.func @huge_splats_kept(%x: tensor<100000x100000xf32>) -> (tensor<100000x100002xf32>, tensor<100000x200000xf32>, tensor<f32>, tensor<100000x100000xf32>) {
  %two = "fxn.constant"() {value = dense<2.0> : tensor<100000x100000xf32>} : () -> tensor<100000x100000xf32>
  %negzero = "fxn.constant"() {value = dense<-0.0> : tensor<100000x100000xf32>} : () -> tensor<100000x100000xf32>
  %poszero = "fxn.constant"() {value = dense<0.0> : tensor<100000x100000xf32>} : () -> tensor<100000x100000xf32>
  %0 = "fxn.pad"(%two) {high = array<i64: 0, 1>, low = array<i64: 0, 1>, mode = "constant", value = 0.0 : f64} : (tensor<100000x100000xf32>) -> tensor<100000x100002xf32>
  %1 = "fxn.concat"(%negzero, %poszero) {dim = 1 : i64} : (tensor<100000x100000xf32>, tensor<100000x100000xf32>) -> tensor<100000x200000xf32>
  %2 = "fxn.reduce"(%two) {axes = array<i64: 0, 1>, keepdims = false, kind = "sum"} : (tensor<100000x100000xf32>) -> tensor<f32>
  %3 = "fxn.mul"(%x, %two) : (tensor<100000x100000xf32>, tensor<100000x100000xf32>) -> tensor<100000x100000xf32>
  return %0, %1, %2, %3 : tensor<100000x100002xf32>, tensor<100000x200000xf32>, tensor<f32>, tensor<100000x100000xf32>
}

// -----

// A constant operand past max-elements is not expanded, even for a small result.
// CHECK-LABEL: func.func @operand_bound(
// CHECK-NEXT: %[[C:.+]] = "fxn.constant"() {value = dense<[2, 3]> : tensor<2xi32>}
// CHECK-NEXT: return %[[C]]
// SMALL-LABEL: func.func @operand_bound(
// SMALL: "fxn.slice"
func.func @operand_bound() -> tensor<2xi32> {
  %c = "fxn.constant"() {value = dense<[1, 2, 3, 4]> : tensor<4xi32>} : () -> tensor<4xi32>
  %0 = "fxn.slice"(%c) {limits = array<i64: 3>, starts = array<i64: 1>, strides = array<i64: 1>} : (tensor<4xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}
