// RUN: fxn-opt %s --split-input-file --fxn-fuse-conv-bias-act | FileCheck %s
// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-fuse-conv-bias-act{fold-bias=false})' | FileCheck %s --check-prefix=NOBIAS
// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-fuse-conv-bias-act{fuse-activations=false})' | FileCheck %s --check-prefix=NOACT

// A per-channel vector added to a conv2d without bias becomes its bias (either operand order); the relu6
// clamp after it becomes its activation.
// CHECK-LABEL: func.func @relu6(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x3x8x8xf32>, %[[W:[^:]+]]: tensor<4x3x3x3xf32>, %[[C:[^:]+]]: tensor<4x1x1xf32>
// CHECK-NEXT: %[[B:.+]] = "fxn.reshape"(%[[C]]) {shape = array<i64: 4>} : (tensor<4x1x1xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[R:.+]] = "fxn.conv2d_activation"(%[[X]], %[[W]], %[[B]]) {activation = "clamp", dilation = array<i64: 1, 1>, groups = 1 : i64, max = 6.000000e+00 : f64, min = 0.000000e+00 : f64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
// CHECK-NOT: fxn.add
// CHECK-NOT: fxn.clamp
// CHECK-NEXT: return %[[R]]
// Without the bias fold, the clamp follows an add, not the conv2d: nothing fuses.
// NOBIAS-LABEL: func.func @relu6(
// NOBIAS-NEXT: "fxn.conv2d"(
// NOBIAS-NEXT: "fxn.add"
// NOBIAS-NEXT: "fxn.clamp"
// NOACT-LABEL: func.func @relu6(
// NOACT: "fxn.conv2d"(%{{.+}}, %{{.+}}, %{{.+}})
// NOACT-NEXT: "fxn.clamp"
func.func @relu6(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %c: tensor<4x1x1xf32>) -> tensor<1x4x4x4xf32> {
  %conv = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  %sum = "fxn.add"(%c, %conv) : (tensor<4x1x1xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %r = "fxn.clamp"(%sum) {max = 6.0 : f64, min = 0.0 : f64} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}

// -----

// A conv2d that has a bias keeps the add (adding both into one bias would round differently); its relu
// still fuses. A vector along the width is no bias.
// CHECK-LABEL: func.func @kept_adds(
// CHECK: %[[R:.+]] = "fxn.conv2d_activation"(%{{.+}}, %{{.+}}, %{{.+}}) {activation = "relu", {{.+}}, max = 0x7FF0000000000000 : f64, min = 0xFFF0000000000000 : f64, {{.+}}} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
// CHECK: "fxn.add"(%[[R]], %{{.+}}) : (tensor<1x4x6x6xf32>, tensor<4x1x1xf32>)
// CHECK: %[[P:.+]] = "fxn.conv2d"(%{{.+}}, %{{.+}}) {{.+}} -> tensor<1x4x6x6xf32>
// CHECK: "fxn.add"(%[[P]], %{{.+}}) : (tensor<1x4x6x6xf32>, tensor<6xf32>)
func.func @kept_adds(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %c: tensor<4x1x1xf32>, %v: tensor<6xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) {
  %conv = "fxn.conv2d"(%x, %w, %b) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %relu = "fxn.relu"(%conv) : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %sum = "fxn.add"(%relu, %c) : (tensor<1x4x6x6xf32>, tensor<4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %plain = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %row = "fxn.add"(%plain, %v) : (tensor<1x4x6x6xf32>, tensor<6xf32>) -> tensor<1x4x6x6xf32>
  return %sum, %row : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
}

// -----

// A conv2d with another use stays as it is; so does the f16 add (f16 rounds the sum before the add).
// CHECK-LABEL: func.func @unfused(
// CHECK: "fxn.conv2d"
// CHECK-NEXT: "fxn.sigmoid"
// CHECK: "fxn.conv2d"
// CHECK-NEXT: "fxn.add"
// CHECK-NOT: fxn.conv2d_activation
func.func @unfused(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %h: tensor<1x3x8x8xf16>, %k: tensor<4x3x3x3xf16>, %c: tensor<1x4x1x1xf16>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf16>) {
  %conv = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %s = "fxn.sigmoid"(%conv) : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %half = "fxn.conv2d"(%h, %k) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x8x8xf16>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf16>
  %sum = "fxn.add"(%half, %c) : (tensor<1x4x6x6xf16>, tensor<1x4x1x1xf16>) -> tensor<1x4x6x6xf16>
  return %s, %conv, %sum : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf16>
}

// -----

// A linear: a (1, out) vector becomes its bias, the sigmoid its activation.
// CHECK-LABEL: func.func @linear(
// CHECK-NEXT: %[[B:.+]] = "fxn.reshape"(%{{.+}}) {shape = array<i64: 4>} : (tensor<1x4xf64>) -> tensor<4xf64>
// CHECK-NEXT: "fxn.linear_activation"(%{{.+}}, %{{.+}}, %[[B]]) {activation = "sigmoid", {{.+}}} : (tensor<8x3xf64>, tensor<4x3xf64>, tensor<4xf64>) -> tensor<8x4xf64>
// CHECK-NOT: fxn.sigmoid
func.func @linear(%x: tensor<8x3xf64>, %w: tensor<4x3xf64>, %c: tensor<1x4xf64>) -> tensor<8x4xf64> {
  %l = "fxn.linear"(%x, %w) : (tensor<8x3xf64>, tensor<4x3xf64>) -> tensor<8x4xf64>
  %sum = "fxn.add"(%l, %c) : (tensor<8x4xf64>, tensor<1x4xf64>) -> tensor<8x4xf64>
  %r = "fxn.sigmoid"(%sum) : (tensor<8x4xf64>) -> tensor<8x4xf64>
  return %r : tensor<8x4xf64>
}
