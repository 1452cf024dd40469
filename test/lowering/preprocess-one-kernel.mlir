// RUN: fxn-opt %s -p 'builtin.module(func.func(fxn-lower-to-linalg),canonicalize,cse,func.func(linalg-fuse-elementwise-ops),func.func(fxn-fuse-into-extract),canonicalize)' | FileCheck %s

// The "lowered" stage of fxn.compile on image preprocessing (examples/preprocess.py on a 1080p frame):
// the layout change (HWC uint8 to CHW), the cast and scaling, the bilinear resize (a 1080p image shrunk to
// 224x224 reads a fifth of it, so its cast is computed where a tap reads it) and the per-channel
// normalization are one kernel: the (3, 1, 1) mean and standard deviation are read without their broadcast
// dims, so upstream elementwise fusion merges the normalization through the batch reshape into the resize.
// CHECK-LABEL: func.func @preprocess(
// CHECK-SAME: %[[IMAGE:[^:]+]]: tensor<1080x1920x3xi8>
// CHECK: %[[HWC:.+]] = tensor.expand_shape %[[IMAGE]]
// CHECK: %[[ONE:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<1x3x224x224xf32>)
// CHECK-COUNT-4: tensor.extract %[[HWC]]
// CHECK: arith.uitofp
// CHECK: arith.subf
// CHECK: arith.divf
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: %[[CHW:.+]] = tensor.collapse_shape %[[ONE]] {{\[}}[0, 1], [2], [3]] : tensor<1x3x224x224xf32> into tensor<3x224x224xf32>
// CHECK: return %[[CHW]]
func.func @preprocess(%arg0: tensor<1080x1920x3xui8>) -> tensor<3x224x224xf32> {
  %0 = "fxn.transpose"(%arg0) {permutation = array<i64: 2, 0, 1>} : (tensor<1080x1920x3xui8>) -> tensor<3x1080x1920xui8>
  %1 = "fxn.cast"(%0) : (tensor<3x1080x1920xui8>) -> tensor<3x1080x1920xf32>
  %2 = "fxn.constant"() {value = dense<2.550000e+02> : tensor<f32>} : () -> tensor<f32>
  %3 = "fxn.div"(%1, %2) : (tensor<3x1080x1920xf32>, tensor<f32>) -> tensor<3x1080x1920xf32>
  %4 = "fxn.reshape"(%3) {shape = array<i64: 1, 3, 1080, 1920>} : (tensor<3x1080x1920xf32>) -> tensor<1x3x1080x1920xf32>
  %5 = "fxn.resize"(%4) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 224, 224>} : (tensor<1x3x1080x1920xf32>) -> tensor<1x3x224x224xf32>
  %6 = "fxn.reshape"(%5) {shape = array<i64: 3, 224, 224>} : (tensor<1x3x224x224xf32>) -> tensor<3x224x224xf32>
  %7 = "fxn.constant"() {value = dense<[[[4.850000e-01]], [[4.560000e-01]], [[4.060000e-01]]]> : tensor<3x1x1xf32>} : () -> tensor<3x1x1xf32>
  %8 = "fxn.sub"(%6, %7) : (tensor<3x224x224xf32>, tensor<3x1x1xf32>) -> tensor<3x224x224xf32>
  %9 = "fxn.constant"() {value = dense<[[[2.290000e-01]], [[2.240000e-01]], [[2.250000e-01]]]> : tensor<3x1x1xf32>} : () -> tensor<3x1x1xf32>
  %10 = "fxn.div"(%8, %9) : (tensor<3x224x224xf32>, tensor<3x1x1xf32>) -> tensor<3x224x224xf32>
  return %10 : tensor<3x224x224xf32>
}
