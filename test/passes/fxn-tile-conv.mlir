// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-tile-conv{vector-bits=512})' | FileCheck %s
// RUN: fxn-opt %s --split-input-file -p 'builtin.module(func.func(fxn-tile-conv{vector-bits=128}))' | FileCheck %s --check-prefix=SSE

// 20 output columns at 16 lanes: a piece of 16 columns, then one of 4; in each, 16 filters times one
// register of columns accumulate in registers across channels (4 at a time) and the 3x3 taps.
// CHECK-LABEL: func.func @conv(
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: scf.for %{{.+}} step %{{.+}} iter_args(%{{.+}}) -> (tensor<1x32x10x16xf32>)
// CHECK: scf.for {{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (vector<16x16xf32>)
// CHECK-COUNT-2: scf.for {{.+}} -> (vector<16x16xf32>)
// CHECK: vector.contract {{.+}} : vector<4x16xf32>, vector<16x4xf32> into vector<16x16xf32>
// CHECK: vector.transfer_write {{.+}} : vector<16x16xf32>, tensor<1x16x1x16xf32>
// CHECK: scf.for %{{.+}} step %{{.+}} iter_args(%{{.+}}) -> (tensor<1x32x10x4xf32>)
// CHECK: vector.contract {{.+}} : vector<4x4xf32>, vector<16x4xf32> into vector<16x4xf32>
// CHECK-NOT: fxn.tile_conv
// SSE-LABEL: func.func @conv(
// SSE: vector.contract {{.+}} : vector<4x4xf32>, vector<16x4xf32> into vector<16x4xf32>
// SSE-NOT: vector<16x16xf32>
func.func @conv(%x: tensor<1x8x12x22xf32>, %w: tensor<32x8x3x3xf32>) -> tensor<1x32x10x20xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<1x32x10x20xf32>
  %filled = linalg.fill ins(%zero : f32) outs(%init : tensor<1x32x10x20xf32>) -> tensor<1x32x10x20xf32>
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x8x12x22xf32>, tensor<32x8x3x3xf32>) outs(%filled : tensor<1x32x10x20xf32>) -> tensor<1x32x10x20xf32>
  return %r : tensor<1x32x10x20xf32>
}

// -----

// Strided along the width, dilated, dynamic or integer convolutions are left to the generic path.
// CHECK-LABEL: func.func @left_alone(
// CHECK-COUNT-4: linalg.conv_2d_nchw_fchw
// CHECK-NOT: vector.contract
func.func @left_alone(%x: tensor<1x4x9x9xf32>, %w: tensor<8x4x3x3xf32>, %d: tensor<?x4x9x9xf32>,
                      %xi: tensor<1x4x9x9xi32>, %wi: tensor<8x4x3x3xi32>) -> (tensor<1x8x7x4xf32>, tensor<1x8x5x5xf32>, tensor<?x8x7x7xf32>, tensor<1x8x7x7xi32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %e0 = tensor.empty() : tensor<1x8x7x4xf32>
  %s = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>}
      ins(%x, %w : tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>) outs(%e0 : tensor<1x8x7x4xf32>) -> tensor<1x8x7x4xf32>
  %e1 = tensor.empty() : tensor<1x8x5x5xf32>
  %l = linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>) outs(%e1 : tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  %n = tensor.dim %d, %c0 : tensor<?x4x9x9xf32>
  %e2 = tensor.empty(%n) : tensor<?x8x7x7xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%d, %w : tensor<?x4x9x9xf32>, tensor<8x4x3x3xf32>) outs(%e2 : tensor<?x8x7x7xf32>) -> tensor<?x8x7x7xf32>
  %e3 = tensor.empty() : tensor<1x8x7x7xi32>
  %i = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xi, %wi : tensor<1x4x9x9xi32>, tensor<8x4x3x3xi32>) outs(%e3 : tensor<1x8x7x7xi32>) -> tensor<1x8x7x7xi32>
  return %s, %l, %y, %i : tensor<1x8x7x4xf32>, tensor<1x8x5x5xf32>, tensor<?x8x7x7xf32>, tensor<1x8x7x7xi32>
}
