// RUN: fxn-opt %s --split-input-file --fxn-fold-batch-norm | FileCheck %s
// RUN: fxn-opt %s --split-input-file --fxn-fold-batch-norm --fxn-constant-fold | FileCheck %s --check-prefix=FOLDED

// The conv's attributes stay; its weights and bias are scaled by gamma / sqrt(var + eps).
// CHECK-LABEL: func.func @conv(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x4x9x9xf32>, %[[W:[^:]+]]: tensor<4x2x3x3xf32>, %[[B:[^:]+]]: tensor<4xf32>, %[[MEAN:[^:]+]]: tensor<4xf32>, %[[VAR:[^:]+]]: tensor<4xf32>, %[[G:[^:]+]]: tensor<4xf32>, %[[BETA:[^:]+]]: tensor<4xf32>
// CHECK-DAG: %[[EPS:.+]] = "fxn.constant"() {value = dense<1.000000e-03> : tensor<f32>}
// CHECK-DAG: %[[VE:.+]] = "fxn.add"(%[[VAR]], %[[EPS]])
// CHECK-DAG: %[[SD:.+]] = "fxn.sqrt"(%[[VE]])
// CHECK-DAG: %[[S:.+]] = "fxn.div"(%[[G]], %[[SD]])
// CHECK-DAG: %[[SC:.+]] = "fxn.reshape"(%[[S]]) {shape = array<i64: -1, 1, 1, 1>}
// CHECK-DAG: %[[W2:.+]] = "fxn.mul"(%[[W]], %[[SC]])
// CHECK-DAG: %[[BM:.+]] = "fxn.sub"(%[[B]], %[[MEAN]])
// CHECK-DAG: %[[BS:.+]] = "fxn.mul"(%[[BM]], %[[S]])
// CHECK-DAG: %[[B2:.+]] = "fxn.add"(%[[BS]], %[[BETA]])
// CHECK: %[[R:.+]] = "fxn.conv2d"(%[[X]], %[[W2]], %[[B2]]) {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
// CHECK-NOT: fxn.batch_norm
// CHECK: return %[[R]]
func.func @conv(%x: tensor<1x4x9x9xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>, %mean: tensor<4xf32>, %var: tensor<4xf32>, %g: tensor<4xf32>, %beta: tensor<4xf32>) -> tensor<1x4x5x5xf32> {
  %c = "fxn.conv2d"(%x, %w, %b) {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x4x9x9xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  %y = "fxn.batch_norm"(%c, %mean, %var, %g, %beta) {eps = 1.0e-03 : f64} : (tensor<1x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  return %y : tensor<1x4x5x5xf32>
}

// -----

// Constant parameters, as a model's: after constant folding only the conv is left, with new constants.
// FOLDED-LABEL: func.func @constant_parameters(
// FOLDED-NOT: fxn.batch_norm
// FOLDED-DAG: %[[W2:.+]] = "fxn.constant"() {value = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>}
// FOLDED-DAG: %[[B2:.+]] = "fxn.constant"() {value = dense<[1.000000e+00, -5.000000e+00]> : tensor<2xf32>}
// FOLDED: "fxn.conv2d"(%arg0, %[[W2]], %[[B2]])
// FOLDED-NOT: fxn.batch_norm
// FOLDED-NOT: fxn.sqrt
func.func @constant_parameters(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = "fxn.constant"() {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %mean = "fxn.constant"() {value = dense<[0.5, 3.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %var = "fxn.constant"() {value = dense<[0.25, 4.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %g = "fxn.constant"() {value = dense<[1.0, 4.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %beta = "fxn.constant"() {value = dense<[2.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %c = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = "fxn.batch_norm"(%c, %mean, %var, %g, %beta) {eps = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A linear with (N, out) results folds; its bias may be missing.
// FOLDED-LABEL: func.func @linear(
// CHECK-LABEL: func.func @linear(
// CHECK: "fxn.reshape"({{.+}}) {shape = array<i64: -1, 1>}
// CHECK: "fxn.neg"
// CHECK: "fxn.linear"
// CHECK-NOT: fxn.batch_norm
func.func @linear(%x: tensor<8x3xf64>, %w: tensor<5x3xf64>, %mean: tensor<5xf64>, %var: tensor<5xf64>, %g: tensor<5xf64>, %beta: tensor<5xf64>) -> tensor<8x5xf64> {
  %l = "fxn.linear"(%x, %w) : (tensor<8x3xf64>, tensor<5x3xf64>) -> tensor<8x5xf64>
  %y = "fxn.batch_norm"(%l, %mean, %var, %g, %beta) {eps = 1.0e-05 : f64} : (tensor<8x5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>) -> tensor<8x5xf64>
  return %y : tensor<8x5xf64>
}

// -----

// Not folded: batch_norm's channels are not the linear's features (rank 3), the conv has another use,
// or f16 (whose batch_norm rounds once from f32).
// CHECK-LABEL: func.func @kept(
// CHECK-COUNT-3: "fxn.batch_norm"
func.func @kept(%x: tensor<2x4x3xf32>, %w: tensor<4x3xf32>, %v: tensor<4xf32>, %c1: tensor<1x4x2x2xf32>, %w1: tensor<4x4x1x1xf32>, %h: tensor<1x2x2x2xf16>, %wh: tensor<2x2x1x1xf16>, %vh: tensor<2xf16>) -> (tensor<2x4x4xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x2x2x2xf16>) {
  %l = "fxn.linear"(%x, %w) : (tensor<2x4x3xf32>, tensor<4x3xf32>) -> tensor<2x4x4xf32>
  %y = "fxn.batch_norm"(%l, %v, %v, %v, %v) {eps = 1.0e-05 : f64} : (tensor<2x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x4xf32>
  %c = "fxn.conv2d"(%c1, %w1) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x2x2xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  %z = "fxn.batch_norm"(%c, %v, %v, %v, %v) {eps = 1.0e-05 : f64} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  %ch = "fxn.conv2d"(%h, %wh) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf16>, tensor<2x2x1x1xf16>) -> tensor<1x2x2x2xf16>
  %zh = "fxn.batch_norm"(%ch, %vh, %vh, %vh, %vh) {eps = 1.0e-05 : f64} : (tensor<1x2x2x2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>) -> tensor<1x2x2x2xf16>
  return %y, %z, %c, %zh : tensor<2x4x4xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x2x2x2xf16>
}
