// RUN: fxn-opt %s -p 'builtin.module(func.func(fxn-lower-to-linalg{target=avx:cpu=skylake-avx512}))' | FileCheck %s
// RUN: fxn-opt %s -p 'builtin.module(func.func(fxn-lower-to-linalg))' | FileCheck %s --check-prefix=NO-TARGET

// A stride-1 convolution whose output rows (7) are not a whole number of the target's vectors (16 f32 on
// the AVX-512 CPU the RUN line names) is computed on its padded rows joined into one (7 rows of 9 = 63
// pixels, rounded up to 64 = 4 vectors; a spare zero row below): one 1x3 convolution per kernel row over
// the joined row, shifted by a row (9), accumulated; then the first 63 columns as 7 rows of 9, and the
// first 7 columns of each row.
// CHECK-LABEL: func.func @joined(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x4x7x7xf32>, %[[W:[^:]+]]: tensor<8x4x3x3xf32>
// CHECK: %[[PADDED:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<1x4x10x9xf32>)
// CHECK: %[[ZEROS:.+]] = linalg.fill {{.+}} -> tensor<1x8x1x64xf32>
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[PADDED]] {{.+}} into tensor<1x4x90xf32>
// CHECK: %[[JOINED:.+]] = tensor.expand_shape %[[FLAT]] {{.+}} into tensor<1x4x1x90xf32>
// CHECK: %[[TAPS0:.+]] = tensor.extract_slice %[[W]][0, 0, 0, 0] [8, 4, 1, 3]
// CHECK: %[[ROW0:.+]] = tensor.extract_slice %[[JOINED]][0, 0, 0, 0] [1, 4, 1, 66]
// CHECK: %[[C0:.+]] = linalg.conv_2d_nchw_fchw {{.+}} ins(%[[ROW0]], %[[TAPS0]] : {{.+}}) outs(%[[ZEROS]] : tensor<1x8x1x64xf32>)
// CHECK: %[[ROW1:.+]] = tensor.extract_slice %[[JOINED]][0, 0, 0, 9] [1, 4, 1, 66]
// CHECK: %[[C1:.+]] = linalg.conv_2d_nchw_fchw {{.+}} ins(%[[ROW1]], %{{.+}} : {{.+}}) outs(%[[C0]] : tensor<1x8x1x64xf32>)
// CHECK: %[[ROW2:.+]] = tensor.extract_slice %[[JOINED]][0, 0, 0, 18] [1, 4, 1, 66]
// CHECK: %[[C2:.+]] = linalg.conv_2d_nchw_fchw {{.+}} ins(%[[ROW2]], %{{.+}} : {{.+}}) outs(%[[C1]] : tensor<1x8x1x64xf32>)
// CHECK: %[[PIXELS:.+]] = tensor.extract_slice %[[C2]][0, 0, 0, 0] [1, 8, 1, 63]
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
// rows, are split into 2 phases each (stacked as blocks of 4 channels: 16), the taps alike (3x3 -> 2x2,
// 2x1, 1x2, 1x1, strided slices of the weight, step 1 over a single tap); each phase is a stride-1
// convolution on joined rows (10 rows of 8 columns, 2 spare rows), one per kernel row, all accumulated:
// 2 + 2 + 1 + 1 = 6, no product with a zero tap.
// CHECK-LABEL: func.func @strided_rows(
// CHECK-SAME: %{{[^:]+}}: tensor<1x4x14x14xf32>, %[[W:[^:]+]]: tensor<8x4x3x3xf32>
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<1x4x20x16xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[COLUMNS:.+]], #{{.+}}], {{.+}} outs(%{{.+}} : tensor<1x2x4x20x8xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ROWS:.+]], #{{.+}}], {{.+}} outs(%{{.+}} : tensor<1x2x8x10x8xf32>)
// CHECK: %[[PHASES:.+]] = tensor.collapse_shape %{{.+}} {{.+}} : tensor<1x2x8x10x8xf32> into tensor<1x16x10x8xf32>
// CHECK: tensor.extract_slice %[[W]][0, 0, 0, 0] [8, 4, 2, 2] [1, 1, 2, 2]
// CHECK: tensor.extract_slice %[[W]][0, 0, 0, 1] [8, 4, 2, 1] [1, 1, 2, 1]
// CHECK: tensor.extract_slice %[[W]][0, 0, 1, 0] [8, 4, 1, 2] [1, 1, 1, 2]
// CHECK: tensor.extract_slice %[[W]][0, 0, 1, 1] [8, 4, 1, 1] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[PHASES]][0, 12, 0, 0] [1, 4, 10, 8]
// CHECK: linalg.fill {{.+}} -> tensor<1x8x1x64xf32>
// CHECK-COUNT-6: linalg.conv_2d_nchw_fchw {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x4x1x6{{[45]}}xf32>, tensor<8x4x1x{{[12]}}xf32>) outs(%{{.+}} : tensor<1x8x1x64xf32>)
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: tensor.extract_slice %{{.+}}[0, 0, 0, 0] [1, 8, 1, 56]
// NO-TARGET-LABEL: func.func @strided_rows(
// NO-TARGET: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
func.func @strided_rows(%x: tensor<1x4x14x14xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x7x7xf32> {
  %0 = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x4x14x14xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}

// -----

// Fewer than 4 channels (an RGB image): the phases stay one convolution over all of them (3 x 4 = 12),
// the taps zero-padded to 2x2 per phase and stacked alike (pad, then split, per axis).
// CHECK-LABEL: func.func @strided_rgb(
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<8x3x3x4xf32>)
// CHECK: tensor.collapse_shape %{{.+}} {{.+}} : tensor<8x2x3x3x2xf32> into tensor<8x6x3x2xf32>
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<8x6x4x2xf32>)
// CHECK: tensor.collapse_shape %{{.+}} {{.+}} : tensor<8x2x6x2x2xf32> into tensor<8x12x2x2xf32>
// CHECK-COUNT-2: linalg.conv_2d_nchw_fchw {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x12x1x65xf32>, tensor<8x12x1x2xf32>)
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @strided_rgb(%x: tensor<1x3x14x14xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x7x7xf32> {
  %0 = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x3x14x14xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}

// -----

// Constant weights (a model's parameters) are split into phases at compile time: constants of the
// phases' taps, no slice or generic of the weight at run time. w[0, c, i, j] = 9c + 3i + j.
// CHECK-LABEL: func.func @strided_constant(
// CHECK-DAG: arith.constant dense<{{\[\[\[\[}}0.000000e+00, 2.000000e+00], [6.000000e+00, 8.000000e+00]], {{.+}} : tensor<1x4x2x2xf32>
// CHECK-DAG: arith.constant dense<{{\[\[\[\[}}1.000000e+00], [7.000000e+00]], {{.+}} : tensor<1x4x2x1xf32>
// CHECK-DAG: arith.constant dense<{{\[\[\[\[}}3.000000e+00, 5.000000e+00]], {{.+}} : tensor<1x4x1x2xf32>
// CHECK-DAG: arith.constant dense<{{\[\[\[\[}}4.000000e+00]], {{.+}} : tensor<1x4x1x1xf32>
// CHECK-NOT: tensor.extract_slice %{{.+}}[{{.+}}] [{{.+}}] [1, 1, 2, 2]
// CHECK-COUNT-6: linalg.conv_2d_nchw_fchw
func.func @strided_constant(%x: tensor<1x4x14x14xf32>) -> tensor<1x1x7x7xf32> {
  %w = "fxn.constant"() {value = dense<[[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], [[9.0, 10.0, 11.0], [12.0, 13.0, 14.0], [15.0, 16.0, 17.0]], [[18.0, 19.0, 20.0], [21.0, 22.0, 23.0], [24.0, 25.0, 26.0]], [[27.0, 28.0, 29.0], [30.0, 31.0, 32.0], [33.0, 34.0, 35.0]]]]> : tensor<1x4x3x3xf32>} : () -> tensor<1x4x3x3xf32>
  %0 = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x4x14x14xf32>, tensor<1x4x3x3xf32>) -> tensor<1x1x7x7xf32>
  return %0 : tensor<1x1x7x7xf32>
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
