// RUN: fxn-opt %s --split-input-file --fxn-specialize-resize | FileCheck %s

// To the input's own size, in any mode: the input itself.
// CHECK-LABEL: func.func @identity(
// CHECK-NOT: fxn.resize
// CHECK: return %arg0, %arg0, %arg1
func.func @identity(%x: tensor<1x3x5x7xf32>, %u: tensor<2x4x4xui8>) -> (tensor<1x3x5x7xf32>, tensor<1x3x5x7xf32>, tensor<2x4x4xui8>) {
  %a = "fxn.resize"(%x) {align_corners = true, antialias = false, mode = "bicubic", size = array<i64: 5, 7>} : (tensor<1x3x5x7xf32>) -> tensor<1x3x5x7xf32>
  %b = "fxn.resize"(%x) {align_corners = false, antialias = true, mode = "bilinear", size = array<i64: 5, 7>} : (tensor<1x3x5x7xf32>) -> tensor<1x3x5x7xf32>
  %c = "fxn.resize"(%u) {align_corners = false, antialias = false, mode = "nearest", size = array<i64: 4, 4>} : (tensor<2x4x4xui8>) -> tensor<2x4x4xui8>
  return %a, %b, %c : tensor<1x3x5x7xf32>, tensor<1x3x5x7xf32>, tensor<2x4x4xui8>
}

// -----

// Nearest, shrinking by whole factors: a strided slice.
// CHECK-LABEL: func.func @nearest_by_factors(
// CHECK-NOT: fxn.resize
// CHECK: "fxn.slice"(%arg0) {limits = array<i64: 1, 3, 8, 9>, starts = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1, 4, 3>}
func.func @nearest_by_factors(%x: tensor<1x3x8x9xui8>) -> tensor<1x3x2x3xui8> {
  %r = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "nearest", size = array<i64: 2, 3>} : (tensor<1x3x8x9xui8>) -> tensor<1x3x2x3xui8>
  return %r : tensor<1x3x2x3xui8>
}

// -----

// Bilinear halving (one or both axes): a 2x2 (or 2x1) average pool.
// CHECK-LABEL: func.func @bilinear_halving(
// CHECK-NOT: fxn.resize
// CHECK: "fxn.avg_pool2d"(%arg0) {ceil_mode = false, count_include_pad = true, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>}
// CHECK: "fxn.avg_pool2d"(%arg1) {{{.*}}kernel_size = array<i64: 1, 2>{{.*}}stride = array<i64: 1, 2>}
func.func @bilinear_halving(%x: tensor<1x3x8x6xf32>, %y: tensor<3x5x6xf64>) -> (tensor<1x3x4x3xf32>, tensor<3x5x3xf64>) {
  %a = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 4, 3>} : (tensor<1x3x8x6xf32>) -> tensor<1x3x4x3xf32>
  %b = "fxn.resize"(%y) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 5, 3>} : (tensor<3x5x6xf64>) -> tensor<3x5x3xf64>
  return %a, %b : tensor<1x3x4x3xf32>, tensor<3x5x3xf64>
}

// -----

// Kept: upscaling, a factor of 4 in bilinear, align_corners, antialias, f16 bilinear, a dynamic size.
// CHECK-LABEL: func.func @kept(
// CHECK-COUNT-6: "fxn.resize"
// CHECK-NOT: fxn.slice
// CHECK-NOT: fxn.avg_pool2d
func.func @kept(%x: tensor<1x3x8x8xf32>, %h: tensor<1x3x8x8xf16>, %d: tensor<1x3x?x8xf32>) -> (tensor<1x3x16x16xf32>, tensor<1x3x2x2xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf16>, tensor<1x3x4x4xf32>) {
  %a = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "nearest", size = array<i64: 16, 16>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x16x16xf32>
  %b = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x2x2xf32>
  %c = "fxn.resize"(%x) {align_corners = true, antialias = false, mode = "bilinear", size = array<i64: 4, 4>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  %e = "fxn.resize"(%x) {align_corners = false, antialias = true, mode = "bilinear", size = array<i64: 4, 4>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  %f = "fxn.resize"(%h) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 4, 4>} : (tensor<1x3x8x8xf16>) -> tensor<1x3x4x4xf16>
  %g = "fxn.resize"(%d) {align_corners = false, antialias = false, mode = "nearest", size = array<i64: 4, 4>} : (tensor<1x3x?x8xf32>) -> tensor<1x3x4x4xf32>
  return %a, %b, %c, %e, %f, %g : tensor<1x3x16x16xf32>, tensor<1x3x2x2xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf16>, tensor<1x3x4x4xf32>
}
