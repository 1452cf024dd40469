// RUN: fxn-opt %s -p 'builtin.module(func.func(fxn-lower-to-linalg{target=avx}))' | FileCheck %s
// RUN: fxn-opt %s -p 'builtin.module(func.func(fxn-lower-to-linalg))' | FileCheck %s --check-prefix=NO-TARGET

// A stride-1 convolution whose output rows (7) are not a whole number of the target's vectors (16 f32 on
// avx) is computed on its padded rows joined into one (7 rows of 9 = 63 pixels, a spare zero row below):
// one 1x3 convolution per kernel row over the joined row, shifted by a row (9), accumulated; then the
// first 7 columns of each row.
// CHECK-LABEL: func.func @joined(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x4x7x7xf32>, %[[W:[^:]+]]: tensor<8x4x3x3xf32>
// CHECK: %[[PADDED:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<1x4x10x9xf32>)
// CHECK: %[[ZEROS:.+]] = linalg.fill {{.+}} -> tensor<1x8x1x63xf32>
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[PADDED]] {{.+}} into tensor<1x4x90xf32>
// CHECK: %[[JOINED:.+]] = tensor.expand_shape %[[FLAT]] {{.+}} into tensor<1x4x1x90xf32>
// CHECK: %[[TAPS0:.+]] = tensor.extract_slice %[[W]][0, 0, 0, 0] [8, 4, 1, 3]
// CHECK: %[[ROW0:.+]] = tensor.extract_slice %[[JOINED]][0, 0, 0, 0] [1, 4, 1, 65]
// CHECK: %[[C0:.+]] = linalg.conv_2d_nchw_fchw {{.+}} ins(%[[ROW0]], %[[TAPS0]] : {{.+}}) outs(%[[ZEROS]] : tensor<1x8x1x63xf32>)
// CHECK: %[[ROW1:.+]] = tensor.extract_slice %[[JOINED]][0, 0, 0, 9] [1, 4, 1, 65]
// CHECK: %[[C1:.+]] = linalg.conv_2d_nchw_fchw {{.+}} ins(%[[ROW1]], %{{.+}} : {{.+}}) outs(%[[C0]] : tensor<1x8x1x63xf32>)
// CHECK: %[[ROW2:.+]] = tensor.extract_slice %[[JOINED]][0, 0, 0, 18] [1, 4, 1, 65]
// CHECK: %[[C2:.+]] = linalg.conv_2d_nchw_fchw {{.+}} ins(%[[ROW2]], %{{.+}} : {{.+}}) outs(%[[C1]] : tensor<1x8x1x63xf32>)
// CHECK: %[[ROWS:.+]] = tensor.expand_shape %{{.+}} into tensor<1x8x7x9xf32>
// CHECK: %[[R:.+]] = tensor.extract_slice %[[ROWS]][0, 0, 0, 0] [1, 8, 7, 7] [1, 1, 1, 1]
// CHECK: return %[[R]]
// Without a target (no vector width), the convolution stays one.
// NO-TARGET-LABEL: func.func @joined(
// NO-TARGET-COUNT-1: linalg.conv_2d_nchw_fchw
// NO-TARGET-NOT: linalg.conv_2d_nchw_fchw
func.func @joined(%x: tensor<1x4x7x7xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x7x7xf32> {
  %0 = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x7x7xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}

// -----

// A stride of 2 along both axes whose output rows (7) are shorter than a vector: the columns, then the
// rows, are split into 2 phases each (stacked as channels: 4 x 4 = 16; the 3x3 taps as 2x2), then the
// stride-1 convolution runs on the joined rows (9 rows of 8 columns, the 9th the spare row).
// CHECK-LABEL: func.func @strided_rows(
// CHECK: linalg.generic {indexing_maps = [#[[COLUMNS:.+]], #{{.+}}], {{.+}} outs(%{{.+}} : tensor<1x2x4x16x8xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ROWS:.+]], #{{.+}}], {{.+}} outs(%{{.+}} : tensor<1x2x8x9x8xf32>)
// CHECK: tensor.collapse_shape %{{.+}} {{.+}} : tensor<1x2x8x9x8xf32> into tensor<1x16x9x8xf32>
// CHECK: tensor.collapse_shape %{{.+}} {{.+}} : tensor<8x2x8x2x2xf32> into tensor<8x16x2x2xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x16x1x57xf32>, tensor<8x16x1x2xf32>) outs(%{{.+}} : tensor<1x8x1x56xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x16x1x57xf32>, tensor<8x16x1x2xf32>) outs(%{{.+}} : tensor<1x8x1x56xf32>)
// NO-TARGET-LABEL: func.func @strided_rows(
// NO-TARGET: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
func.func @strided_rows(%x: tensor<1x4x14x14xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x7x7xf32> {
  %0 = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x4x14x14xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}

// -----

// A 1x1 convolution of stride 2: the subsampled pixels (7 x 7) as one row of 49.
// CHECK-LABEL: func.func @strided_pointwise(
// CHECK: tensor.collapse_shape %{{.+}} {{.+}} : tensor<1x1x4x7x7xf32> into tensor<1x4x7x7xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x4x1x49xf32>, tensor<8x4x1x1xf32>) outs(%{{.+}} : tensor<1x8x1x49xf32>)
func.func @strided_pointwise(%x: tensor<1x4x14x14xf32>, %w: tensor<8x4x1x1xf32>) -> tensor<1x8x7x7xf32> {
  %0 = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x14x14xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}
