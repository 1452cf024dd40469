// RUN: fxn-opt %s | fxn-opt | FileCheck %s
// RUN: fxn-opt %s -o %t.1 && fxn-opt %t.1 -o %t.2 && diff %t.1 %t.2
// RUN: fxn-opt %s --mlir-print-op-generic | fxn-opt | FileCheck %s

// Round trip of every nn op: the verifier accepts these types and the
// printer reproduces them (generic form, attributes sorted by name).

// CHECK-LABEL: func.func @matmul_2d(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<3x4xf32>
// CHECK: %[[R:.+]] = "fxn.matmul"(%[[A]], %[[B]]) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[R]]
func.func @matmul_2d(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "fxn.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// Batch dims broadcast; a dynamic batch dim against 1 stays dynamic.
// CHECK-LABEL: func.func @matmul_batch_broadcast(
// CHECK: "fxn.matmul"(%{{.+}}, %{{.+}}) : (tensor<?x1x2x3xi8>, tensor<4x3x5xi8>) -> tensor<?x4x2x5xi8>
func.func @matmul_batch_broadcast(%a: tensor<?x1x2x3xi8>, %b: tensor<4x3x5xi8>) -> tensor<?x4x2x5xi8> {
  %0 = "fxn.matmul"(%a, %b) : (tensor<?x1x2x3xi8>, tensor<4x3x5xi8>) -> tensor<?x4x2x5xi8>
  return %0 : tensor<?x4x2x5xi8>
}

// 1-D by 1-D is the dot product: a 0-d result.
// CHECK-LABEL: func.func @matmul_dot(
// CHECK: "fxn.matmul"(%{{.+}}, %{{.+}}) : (tensor<?xf64>, tensor<3xf64>) -> tensor<f64>
func.func @matmul_dot(%a: tensor<?xf64>, %b: tensor<3xf64>) -> tensor<f64> {
  %0 = "fxn.matmul"(%a, %b) : (tensor<?xf64>, tensor<3xf64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// CHECK-LABEL: func.func @matmul_vector_matrix(
// CHECK: "fxn.matmul"(%{{.+}}, %{{.+}}) : (tensor<3xf16>, tensor<2x3x?xf16>) -> tensor<2x?xf16>
func.func @matmul_vector_matrix(%a: tensor<3xf16>, %b: tensor<2x3x?xf16>) -> tensor<2x?xf16> {
  %0 = "fxn.matmul"(%a, %b) : (tensor<3xf16>, tensor<2x3x?xf16>) -> tensor<2x?xf16>
  return %0 : tensor<2x?xf16>
}

// CHECK-LABEL: func.func @linear_bias(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x3xf32>, %[[W:[^:]+]]: tensor<4x3xf32>, %[[B:[^:]+]]: tensor<4xf32>
// CHECK: %[[R:.+]] = "fxn.linear"(%[[X]], %[[W]], %[[B]]) : (tensor<?x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x4xf32>
// CHECK: return %[[R]]
func.func @linear_bias(%x: tensor<?x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = "fxn.linear"(%x, %w, %b) : (tensor<?x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @linear_no_bias(
// CHECK: "fxn.linear"(%{{.+}}, %{{.+}}) : (tensor<2x5x3xf16>, tensor<1x3xf16>) -> tensor<2x5x1xf16>
func.func @linear_no_bias(%x: tensor<2x5x3xf16>, %w: tensor<1x3xf16>) -> tensor<2x5x1xf16> {
  %0 = "fxn.linear"(%x, %w) : (tensor<2x5x3xf16>, tensor<1x3xf16>) -> tensor<2x5x1xf16>
  return %0 : tensor<2x5x1xf16>
}

// Output extent (9 + 2*1 - 1*(3-1) - 1) // 2 + 1 = 5 by (8 + 2*2 - 2*(3-1) - 1) // 1 + 1 = 8.
// CHECK-LABEL: func.func @conv2d_grouped(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4x9x8xf32>, %[[W:[^:]+]]: tensor<6x2x3x3xf32>, %[[B:[^:]+]]: tensor<6xf32>
// CHECK: %[[R:.+]] = "fxn.conv2d"(%[[X]], %[[W]], %[[B]]) {dilation = array<i64: 1, 2>, groups = 2 : i64, padding = array<i64: 1, 2>, stride = array<i64: 2, 1>} : (tensor<2x4x9x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<2x6x5x8xf32>
// CHECK: return %[[R]]
func.func @conv2d_grouped(%x: tensor<2x4x9x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x5x8xf32> {
  %0 = "fxn.conv2d"(%x, %w, %b) {dilation = array<i64: 1, 2>, groups = 2 : i64, padding = array<i64: 1, 2>, stride = array<i64: 2, 1>} : (tensor<2x4x9x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<2x6x5x8xf32>
  return %0 : tensor<2x6x5x8xf32>
}

// CHECK-LABEL: func.func @conv2d_dynamic(
// CHECK: "fxn.conv2d"(%{{.+}}, %{{.+}}) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<?x3x?x?xf64>, tensor<4x3x3x3xf64>) -> tensor<?x4x?x?xf64>
func.func @conv2d_dynamic(%x: tensor<?x3x?x?xf64>, %w: tensor<4x3x3x3xf64>) -> tensor<?x4x?x?xf64> {
  %0 = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<?x3x?x?xf64>, tensor<4x3x3x3xf64>) -> tensor<?x4x?x?xf64>
  return %0 : tensor<?x4x?x?xf64>
}

// ceil_mode keeps a partial last window: 7 -> (7 + 2 - 3 + 1) // 2 + 1 = 4 rows.
// CHECK-LABEL: func.func @max_pool2d_ceil(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x2x7x6xi32>
// CHECK: %[[R:.+]] = "fxn.max_pool2d"(%[[X]]) {ceil_mode = true, dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 2>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x2x7x6xi32>) -> tensor<2x2x4x4xi32>
// CHECK: return %[[R]]
func.func @max_pool2d_ceil(%x: tensor<2x2x7x6xi32>) -> tensor<2x2x4x4xi32> {
  %0 = "fxn.max_pool2d"(%x) {ceil_mode = true, dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 2>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x2x7x6xi32>) -> tensor<2x2x4x4xi32>
  return %0 : tensor<2x2x4x4xi32>
}

// CHECK-LABEL: func.func @max_pool2d_chw_dynamic(
// CHECK: "fxn.max_pool2d"(%{{.+}}) {ceil_mode = false, dilation = array<i64: 2, 2>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<3x?x5xf32>) -> tensor<3x?x3xf32>
func.func @max_pool2d_chw_dynamic(%x: tensor<3x?x5xf32>) -> tensor<3x?x3xf32> {
  %0 = "fxn.max_pool2d"(%x) {ceil_mode = false, dilation = array<i64: 2, 2>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<3x?x5xf32>) -> tensor<3x?x3xf32>
  return %0 : tensor<3x?x3xf32>
}

// ceil_mode drops a window that would start in the right padding: 5 -> 3, not 4.
// CHECK-LABEL: func.func @avg_pool2d_ceil_drops_window(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x1x5x5xf16>
// CHECK: %[[R:.+]] = "fxn.avg_pool2d"(%[[X]]) {ceil_mode = true, count_include_pad = false, kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x1x5x5xf16>) -> tensor<1x1x3x3xf16>
// CHECK: return %[[R]]
func.func @avg_pool2d_ceil_drops_window(%x: tensor<1x1x5x5xf16>) -> tensor<1x1x3x3xf16> {
  %0 = "fxn.avg_pool2d"(%x) {ceil_mode = true, count_include_pad = false, kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x1x5x5xf16>) -> tensor<1x1x3x3xf16>
  return %0 : tensor<1x1x3x3xf16>
}

// CHECK-LABEL: func.func @avg_pool2d_dynamic(
// CHECK: "fxn.avg_pool2d"(%{{.+}}) {ceil_mode = false, count_include_pad = true, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
func.func @avg_pool2d_dynamic(%x: tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32> {
  %0 = "fxn.avg_pool2d"(%x) {ceil_mode = false, count_include_pad = true, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  return %0 : tensor<?x8x?x?xf32>
}

// The output extent is the attribute's, whatever the input extent.
// CHECK-LABEL: func.func @adaptive_avg_pool2d(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x3x?x?xf32>
// CHECK: %[[R:.+]] = "fxn.adaptive_avg_pool2d"(%[[X]]) {output_size = array<i64: 1, 1>} : (tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32>
// CHECK: return %[[R]]
func.func @adaptive_avg_pool2d(%x: tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32> {
  %0 = "fxn.adaptive_avg_pool2d"(%x) {output_size = array<i64: 1, 1>} : (tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32>
  return %0 : tensor<?x3x1x1xf32>
}

// CHECK-LABEL: func.func @adaptive_avg_pool2d_chw(
// CHECK: "fxn.adaptive_avg_pool2d"(%{{.+}}) {output_size = array<i64: 5, 4>} : (tensor<2x3x2xf64>) -> tensor<2x5x4xf64>
func.func @adaptive_avg_pool2d_chw(%x: tensor<2x3x2xf64>) -> tensor<2x5x4xf64> {
  %0 = "fxn.adaptive_avg_pool2d"(%x) {output_size = array<i64: 5, 4>} : (tensor<2x3x2xf64>) -> tensor<2x5x4xf64>
  return %0 : tensor<2x5x4xf64>
}

// CHECK-LABEL: func.func @batch_norm(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x3x4x4xf32>, %[[M:[^:]+]]: tensor<3xf32>, %[[V:[^:]+]]: tensor<3xf32>, %[[W:[^:]+]]: tensor<3xf32>, %[[B:[^:]+]]: tensor<3xf32>
// CHECK: %[[R:.+]] = "fxn.batch_norm"(%[[X]], %[[M]], %[[V]], %[[W]], %[[B]]) {eps = 1.000000e-05 : f64} : (tensor<?x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x4x4xf32>
// CHECK: return %[[R]]
func.func @batch_norm(%x: tensor<?x3x4x4xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>, %w: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<?x3x4x4xf32> {
  %0 = "fxn.batch_norm"(%x, %m, %v, %w, %b) {eps = 1.0e-05 : f64} : (tensor<?x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// CHECK-LABEL: func.func @batch_norm_dynamic_channels(
// CHECK: "fxn.batch_norm"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {eps = 1.000000e-03 : f64} : (tensor<2x?xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>) -> tensor<2x?xf16>
func.func @batch_norm_dynamic_channels(%x: tensor<2x?xf16>, %m: tensor<5xf16>, %v: tensor<5xf16>, %w: tensor<5xf16>, %b: tensor<5xf16>) -> tensor<2x?xf16> {
  %0 = "fxn.batch_norm"(%x, %m, %v, %w, %b) {eps = 1.0e-03 : f64} : (tensor<2x?xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>) -> tensor<2x?xf16>
  return %0 : tensor<2x?xf16>
}

// CHECK-LABEL: func.func @layer_norm(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4x768xf32>, %[[W:[^:]+]]: tensor<768xf32>, %[[B:[^:]+]]: tensor<768xf32>
// CHECK: %[[R:.+]] = "fxn.layer_norm"(%[[X]], %[[W]], %[[B]]) {eps = 1.000000e-05 : f64, normalized_rank = 1 : i64} : (tensor<?x4x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<?x4x768xf32>
// CHECK: return %[[R]]
func.func @layer_norm(%x: tensor<?x4x768xf32>, %w: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<?x4x768xf32> {
  %0 = "fxn.layer_norm"(%x, %w, %b) {eps = 1.0e-05 : f64, normalized_rank = 1 : i64} : (tensor<?x4x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<?x4x768xf32>
  return %0 : tensor<?x4x768xf32>
}

// CHECK-LABEL: func.func @layer_norm_over_run_time_dims(
// CHECK: "fxn.layer_norm"(%{{.+}}, %{{.+}}, %{{.+}}) {eps = 1.000000e-01 : f64, normalized_rank = 2 : i64} : (tensor<2x?x?xf16>, tensor<3x?xf16>, tensor<?x5xf16>) -> tensor<2x?x?xf16>
func.func @layer_norm_over_run_time_dims(%x: tensor<2x?x?xf16>, %w: tensor<3x?xf16>, %b: tensor<?x5xf16>) -> tensor<2x?x?xf16> {
  %0 = "fxn.layer_norm"(%x, %w, %b) {eps = 0.1 : f64, normalized_rank = 2 : i64} : (tensor<2x?x?xf16>, tensor<3x?xf16>, tensor<?x5xf16>) -> tensor<2x?x?xf16>
  return %0 : tensor<2x?x?xf16>
}
