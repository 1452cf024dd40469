// RUN: fxn-opt %s --fxn-lower-to-linalg | FileCheck %s

// CHECK-DAG: #[[VECTOR:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[STRIDED:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3, d4 * 2 + d1)>
// CHECK-DAG: #[[CHANNEL:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>

// 2-D by 2-D is linalg.matmul into a zero-filled accumulator (dynamic sizes from the operands).
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: %[[A:[^:]+]]: tensor<3x4xf32>, %[[B:[^:]+]]: tensor<4x?xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[B]], %c1
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<3x?xf32>
// CHECK: %[[ACC:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[EMPTY]] : tensor<3x?xf32>)
// CHECK: %[[R:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<3x4xf32>, tensor<4x?xf32>) outs(%[[ACC]] : tensor<3x?xf32>)
// CHECK-NEXT: return %[[R]]
func.func @matmul(%a: tensor<3x4xf32>, %b: tensor<4x?xf32>) -> tensor<3x?xf32> {
  %0 = "fxn.matmul"(%a, %b) : (tensor<3x4xf32>, tensor<4x?xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// Equal batch dims: linalg.batch_matmul; f16 accumulates in f32 and rounds once.
// CHECK-LABEL: func.func @matmul_f16_batch(
// CHECK: %[[P:.+]] = linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<2x3x4xf16>, tensor<2x4x5xf16>) outs(%{{.+}} : tensor<2x3x5xf32>)
// CHECK: linalg.generic {{.+}} ins(%[[P]] : tensor<2x3x5xf32>) outs(%{{.+}} : tensor<2x3x5xf16>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f16):
// CHECK-NEXT: arith.truncf %[[IN]] : f32 to f16
func.func @matmul_f16_batch(%a: tensor<2x3x4xf16>, %b: tensor<2x4x5xf16>) -> tensor<2x3x5xf16> {
  %0 = "fxn.matmul"(%a, %b) : (tensor<2x3x4xf16>, tensor<2x4x5xf16>) -> tensor<2x3x5xf16>
  return %0 : tensor<2x3x5xf16>
}

// A 1-D operand against a batch: one contraction generic, integers multiply and add.
// CHECK-LABEL: func.func @matmul_broadcast(
// CHECK: linalg.generic {indexing_maps = [#[[VECTOR]], #{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<4xi32>, tensor<2x4x3xi32>) outs(%{{.+}} : tensor<2x3xi32>)
// CHECK: arith.muli
// CHECK-NEXT: arith.addi
func.func @matmul_broadcast(%a: tensor<4xi32>, %b: tensor<2x4x3xi32>) -> tensor<2x3xi32> {
  %0 = "fxn.matmul"(%a, %b) : (tensor<4xi32>, tensor<2x4x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// linear contracts the input with the weight's rows, then adds the bias after the sum.
// CHECK-LABEL: func.func @linear(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x3xf32>, %[[W:[^:]+]]: tensor<4x3xf32>, %[[B:[^:]+]]: tensor<4xf32>
// CHECK: %[[P:.+]] = linalg.generic {{{.+}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[W]] : tensor<?x3xf32>, tensor<4x3xf32>)
// CHECK: linalg.generic {{.+}} ins(%[[P]], %[[B]] : tensor<?x4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
func.func @linear(%x: tensor<?x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = "fxn.linear"(%x, %w, %b) : (tensor<?x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// conv2d: zero padding (a generic selecting the input or 0); a stride along the width becomes stride 1
// over its phases (input[..., p::2] stacked as channels; with fewer than 4 channels, one convolution over
// them all, the taps stacked alike, zero-padded to 2 taps); then linalg.conv_2d_nchw_fchw and the bias.
// CHECK-LABEL: func.func @conv2d(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x3x8x8xf32>, %[[W:[^:]+]]: tensor<4x3x3x3xf32>, %[[B:[^:]+]]: tensor<4xf32>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PADDED:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<1x3x10x10xf32>)
// CHECK: arith.cmpi slt
// CHECK: arith.minsi
// CHECK: %[[READ:.+]] = tensor.extract %[[X]]
// CHECK-NEXT: arith.select %{{.+}}, %[[READ]], %[[ZERO]] : f32
// CHECK: %[[PHASES:.+]] = linalg.generic {indexing_maps = [#[[STRIDED]], #{{.+}}], {{.+}} ins(%[[PADDED]] : tensor<1x3x10x10xf32>) outs(%{{.+}} : tensor<1x2x3x10x5xf32>)
// CHECK: %[[XP:.+]] = tensor.collapse_shape %[[PHASES]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x10x5xf32> into tensor<1x6x10x5xf32>
// CHECK: %[[TAPS:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<4x3x3x4xf32>)
// CHECK: %[[TAP_PHASES:.+]] = linalg.generic {indexing_maps = [#[[STRIDED]], #{{.+}}], {{.+}} ins(%[[TAPS]] : tensor<4x3x3x4xf32>) outs(%{{.+}} : tensor<4x2x3x3x2xf32>)
// CHECK: %[[WP:.+]] = tensor.collapse_shape %[[TAP_PHASES]] {{.+}} into tensor<4x6x3x2xf32>
// CHECK: %[[C:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%[[XP]], %[[WP]] : tensor<1x6x10x5xf32>, tensor<4x6x3x2xf32>) outs(%{{.+}} : tensor<1x4x4x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[CHANNEL]], #{{.+}}], {{.+}} ins(%[[C]], %[[B]] : tensor<1x4x4x4xf32>, tensor<4xf32>)
func.func @conv2d(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = "fxn.conv2d"(%x, %w, %b) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// groups split the channels: linalg.conv_2d_ngchw_gfchw between expand_shape and collapse_shape.
// CHECK-LABEL: func.func @conv2d_grouped(
// CHECK: %[[XG:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 8, 8]
// CHECK: %[[WG:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK: %[[C:.+]] = linalg.conv_2d_ngchw_gfchw {{.+}} ins(%[[XG]], %[[WG]] : tensor<1x2x2x8x8xf32>, tensor<2x3x2x3x3xf32>) outs(%{{.+}} : tensor<1x2x3x6x6xf32>)
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x6x6xf32> into tensor<1x6x6x6xf32>
func.func @conv2d_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// max_pool2d pads with -inf (also past the padding for the ceil-mode window) and uses linalg.pooling_nchw_max.
// CHECK-LABEL: func.func @max_pool2d(
// CHECK: %[[X:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2], [3]] output_shape [1, 3, 7, 7]
// CHECK: %[[NEG_INF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PADDED:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<1x3x9x9xf32>)
// CHECK: %[[READ:.+]] = tensor.extract %[[X]]
// CHECK-NEXT: arith.select %{{.+}}, %[[READ]], %[[NEG_INF]] : f32
// CHECK: %[[P:.+]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PADDED]], %{{.+}} : tensor<1x3x9x9xf32>, tensor<3x3xf32>) outs(%{{.+}} : tensor<1x3x4x4xf32>)
// CHECK: tensor.collapse_shape %[[P]] {{\[\[}}0, 1], [2], [3]] : tensor<1x3x4x4xf32> into tensor<3x4x4xf32>
func.func @max_pool2d(%x: tensor<3x7x7xf32>) -> tensor<3x4x4xf32> {
  %0 = "fxn.max_pool2d"(%x) {ceil_mode = true, dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<3x7x7xf32>) -> tensor<3x4x4xf32>
  return %0 : tensor<3x4x4xf32>
}

// avg_pool2d sums in f32 (linalg.pooling_nchw_sum), then divides by compile-time window counts.
// CHECK-LABEL: func.func @avg_pool2d(
// CHECK: %[[S:.+]] = linalg.pooling_nchw_sum {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x3x9x9xf16>, tensor<3x3xf32>) outs(%{{.+}} : tensor<1x3x4x4xf32>)
// CHECK: %[[COUNTS:.+]] = arith.constant dense<[2.000000e+00, 3.000000e+00, 3.000000e+00, 3.000000e+00]> : tensor<4xf32>
// CHECK: linalg.generic {{.+}} ins(%[[S]], %[[COUNTS]], %{{.+}} : tensor<1x3x4x4xf32>, tensor<4xf32>, tensor<4xf32>) outs(%{{.+}} : tensor<1x3x4x4xf16>)
// CHECK: arith.mulf
// CHECK-NEXT: arith.divf
// CHECK-NEXT: arith.truncf
func.func @avg_pool2d(%x: tensor<1x3x8x8xf16>) -> tensor<1x3x4x4xf16> {
  %0 = "fxn.avg_pool2d"(%x) {ceil_mode = false, count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x3x8x8xf16>) -> tensor<1x3x4x4xf16>
  return %0 : tensor<1x3x4x4xf16>
}

// adaptive_avg_pool2d sums each axis's bins (0/1 bands), then divides by the bin sizes.
// CHECK-LABEL: func.func @adaptive_avg_pool2d(
// CHECK: %[[ROWS:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<1x3x1x7xf32>)
// CHECK-COUNT-7: tensor.extract %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}] : tensor<1x3x7x7xf32>
// CHECK: %[[BINS:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<1x3x1x1xf32>)
// CHECK: tensor.extract %[[ROWS]]
// CHECK: linalg.generic {{.+}} ins(%[[BINS]], %{{.+}}, %{{.+}} : tensor<1x3x1x1xf32>, tensor<1xf32>, tensor<1xf32>)
// CHECK: arith.divf
func.func @adaptive_avg_pool2d(%x: tensor<1x3x7x7xf32>) -> tensor<1x3x1x1xf32> {
  %0 = "fxn.adaptive_avg_pool2d"(%x) {output_size = array<i64: 1, 1>} : (tensor<1x3x7x7xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// batch_norm is one elementwise generic with the channel vectors read along dim 1.
// CHECK-LABEL: func.func @batch_norm(
// CHECK: linalg.generic {indexing_maps = [#[[ID:.+]], #[[C:.+]], #[[C]], #[[C]], #[[C]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK: arith.subf
// CHECK: arith.addf
// CHECK-NEXT: math.sqrt
// CHECK-NEXT: arith.divf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf
func.func @batch_norm(%x: tensor<?x3x4x4xf32>, %mean: tensor<3xf32>, %var: tensor<3xf32>, %w: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<?x3x4x4xf32> {
  %0 = "fxn.batch_norm"(%x, %mean, %var, %w, %b) {eps = 1.0e-05 : f64} : (tensor<?x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// A 1x1 convolution of stride 1 without padding reads each pixel once: its rows become one row of
// H * W pixels (collapse, expand), convolved, then shaped back.
// CHECK-LABEL: func.func @pointwise(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x4x3x5xf32>, %[[W:[^:]+]]: tensor<6x4x1x1xf32>
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<1x4x3x5xf32> into tensor<1x4x15xf32>
// CHECK: %[[ROW:.+]] = tensor.expand_shape %[[FLAT]] {{\[}}[0], [1], [2, 3]] {{.+}} : tensor<1x4x15xf32> into tensor<1x4x1x15xf32>
// CHECK: %[[C:.+]] = linalg.conv_2d_nchw_fchw {{.+}} ins(%[[ROW]], %[[W]] : tensor<1x4x1x15xf32>, tensor<6x4x1x1xf32>) outs(%{{.+}} : tensor<1x6x1x15xf32>)
// CHECK: %[[BACK:.+]] = tensor.collapse_shape %[[C]] {{.+}} : tensor<1x6x1x15xf32> into tensor<1x6x15xf32>
// CHECK: tensor.expand_shape %[[BACK]] {{.+}} : tensor<1x6x15xf32> into tensor<1x6x3x5xf32>
func.func @pointwise(%x: tensor<1x4x3x5xf32>, %w: tensor<6x4x1x1xf32>) -> tensor<1x6x3x5xf32> {
  %0 = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x3x5xf32>, tensor<6x4x1x1xf32>) -> tensor<1x6x3x5xf32>
  return %0 : tensor<1x6x3x5xf32>
}

// layer_norm flattens the normalized dims into rows and normalizes one row at a time (an scf.for of
// independent iterations): the row's sum, then the sum of its squared deviations from the mean, then one
// elementwise pass with the weight and bias flattened alike.
// CHECK-LABEL: func.func @layer_norm(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4x8xf32>, %[[W:[^:]+]]: tensor<4x8xf32>, %[[B:[^:]+]]: tensor<4x8xf32>
// CHECK-DAG: %[[WF:.+]] = tensor.collapse_shape %[[W]] {{\[}}[0, 1]] : tensor<4x8xf32> into tensor<32xf32>
// CHECK-DAG: %[[BF:.+]] = tensor.collapse_shape %[[B]] {{\[}}[0, 1]] : tensor<4x8xf32> into tensor<32xf32>
// CHECK-DAG: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2]] : tensor<?x4x8xf32> into tensor<?x32xf32>
// CHECK: %[[ROWS:.+]] = scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[DONE:.+]] = %{{.+}}) -> (tensor<?x32xf32>)
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[FLAT]][%[[I]], 0] [1, 32] [1, 1] : tensor<?x32xf32> to tensor<32xf32>
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction"]} ins(%[[ROW]] : tensor<32xf32>)
// CHECK: arith.divf
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction"]} ins(%[[ROW]] : tensor<32xf32>)
// CHECK: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK: math.sqrt
// CHECK: %[[OUT:.+]] = linalg.generic {{.+}} iterator_types = ["parallel"]} ins(%[[ROW]], %[[WF]], %[[BF]] : tensor<32xf32>, tensor<32xf32>, tensor<32xf32>)
// CHECK: tensor.insert_slice %[[OUT]] into %[[DONE]][%[[I]], 0] [1, 32] [1, 1]
// CHECK: } {fxn.independent_iterations}
// CHECK: tensor.expand_shape %[[ROWS]] {{\[}}[0], [1, 2]] {{.+}} : tensor<?x32xf32> into tensor<?x4x8xf32>
func.func @layer_norm(%x: tensor<?x4x8xf32>, %w: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<?x4x8xf32> {
  %0 = "fxn.layer_norm"(%x, %w, %b) {eps = 1.0e-05 : f64, normalized_rank = 2 : i64} : (tensor<?x4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<?x4x8xf32>
  return %0 : tensor<?x4x8xf32>
}

// A layer_norm over every dim is one row, without a loop; f16 computes in f32 and rounds once.
// CHECK-LABEL: func.func @layer_norm_whole(
// CHECK-NOT: scf.for
// CHECK: arith.extf
// CHECK: arith.truncf {{.+}} : f32 to f16
// CHECK-NOT: scf.for
// CHECK: return
func.func @layer_norm_whole(%x: tensor<6xf16>, %w: tensor<6xf16>, %b: tensor<6xf16>) -> tensor<6xf16> {
  %0 = "fxn.layer_norm"(%x, %w, %b) {eps = 1.0e-05 : f64, normalized_rank = 1 : i64} : (tensor<6xf16>, tensor<6xf16>, tensor<6xf16>) -> tensor<6xf16>
  return %0 : tensor<6xf16>
}
