// RUN: fxn-opt %s --split-input-file --fxn-optimize | FileCheck %s
// RUN: fxn-opt %s --split-input-file --fxn-optimize=contract=true | FileCheck %s --check-prefix=CONTRACT
// RUN: fxn-opt %s --fxn-optimize --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE

// PIPELINE: builtin.module(fxn-canonicalize,fxn-fold-batch-norm,fxn-fuse-conv-bias-act,fxn-specialize-resize,fxn-constant-fold,fxn-fuse-fma,cse)

// A model's conv + batch_norm + relu with constant parameters: one conv with new constants and the relu
// as its activation; x * 1 is gone.
// CHECK-LABEL: func.func @conv_batch_norm(
// CHECK-NOT: fxn.batch_norm
// CHECK-NOT: fxn.mul
// CHECK: "fxn.conv2d_activation"(%arg0, %{{.+}}, %{{.+}}) {activation = "relu"
// CHECK-NOT: fxn.batch_norm
// CHECK-NOT: fxn.relu
// CHECK: return
func.func @conv_batch_norm(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %one = "fxn.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %x1 = "fxn.mul"(%x, %one) : (tensor<1x1x4x4xf32>, tensor<f32>) -> tensor<1x1x4x4xf32>
  %w = "fxn.constant"() {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %v = "fxn.constant"() {value = dense<[0.5, 3.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %c = "fxn.conv2d"(%x1, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = "fxn.batch_norm"(%c, %v, %v, %v, %v) {eps = 1.0e-05 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = "fxn.relu"(%y) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// A bilinear halving then x * 2 + 1: an average pool; the multiply-add fuses only with contract=true.
// CHECK-LABEL: func.func @preprocess(
// CHECK: "fxn.avg_pool2d"
// CHECK: "fxn.mul"
// CHECK: "fxn.add"
// CHECK-NOT: fxn.fma
// CONTRACT-LABEL: func.func @preprocess(
// CONTRACT: %[[P:.+]] = "fxn.avg_pool2d"
// CONTRACT: "fxn.fma"(%[[P]],
// CONTRACT-NOT: fxn.mul
func.func @preprocess(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  %r = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 4, 4>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  %two = "fxn.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %one = "fxn.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %m = "fxn.mul"(%r, %two) : (tensor<1x3x4x4xf32>, tensor<f32>) -> tensor<1x3x4x4xf32>
  %a = "fxn.add"(%m, %one) : (tensor<1x3x4x4xf32>, tensor<f32>) -> tensor<1x3x4x4xf32>
  return %a : tensor<1x3x4x4xf32>
}
