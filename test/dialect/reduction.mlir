// RUN: fxn-opt %s | fxn-opt | FileCheck %s
// RUN: fxn-opt %s -o %t.1 && fxn-opt %t.1 -o %t.2 && diff %t.1 %t.2
// RUN: fxn-opt %s --mlir-print-op-generic | fxn-opt | FileCheck %s

// Round trip of every reduction op: the verifier accepts these types and
// the printer reproduces them (generic form, attributes sorted by name).

// CHECK-LABEL: func.func @reduce_sum_negative_axes(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x5xf32>
// CHECK: %[[R:.+]] = "fxn.reduce"(%[[X]]) {axes = array<i64: 0, -1>, keepdims = false, kind = "sum"} : (tensor<2x3x5xf32>) -> tensor<3xf32>
// CHECK: return %[[R]]
func.func @reduce_sum_negative_axes(%x: tensor<2x3x5xf32>) -> tensor<3xf32> {
  %0 = "fxn.reduce"(%x) {kind = "sum", axes = array<i64: 0, -1>, keepdims = false} : (tensor<2x3x5xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// A kept dim becomes 1, also when it was dynamic; other dynamic dims stay.
// CHECK-LABEL: func.func @reduce_mean_keepdims_dynamic(
// CHECK: "fxn.reduce"(%{{.+}}) {axes = array<i64: 1>, keepdims = true, kind = "mean"} : (tensor<?x?xf16>) -> tensor<?x1xf16>
func.func @reduce_mean_keepdims_dynamic(%x: tensor<?x?xf16>) -> tensor<?x1xf16> {
  %0 = "fxn.reduce"(%x) {axes = array<i64: 1>, keepdims = true, kind = "mean"} : (tensor<?x?xf16>) -> tensor<?x1xf16>
  return %0 : tensor<?x1xf16>
}

// CHECK-LABEL: func.func @reduce_max_i8(
// CHECK: "fxn.reduce"(%{{.+}}) {axes = array<i64: 1>, keepdims = false, kind = "max"} : (tensor<4x?xi8>) -> tensor<4xi8>
func.func @reduce_max_i8(%x: tensor<4x?xi8>) -> tensor<4xi8> {
  %0 = "fxn.reduce"(%x) {axes = array<i64: 1>, keepdims = false, kind = "max"} : (tensor<4x?xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// CHECK-LABEL: func.func @reduce_min_all_axes(
// CHECK: "fxn.reduce"(%{{.+}}) {axes = array<i64: 0, 1>, keepdims = false, kind = "min"} : (tensor<2x3xi32>) -> tensor<i32>
func.func @reduce_min_all_axes(%x: tensor<2x3xi32>) -> tensor<i32> {
  %0 = "fxn.reduce"(%x) {axes = array<i64: 0, 1>, keepdims = false, kind = "min"} : (tensor<2x3xi32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// A 0-d tensor has one axis (0 or -1) holding its one element.
// CHECK-LABEL: func.func @reduce_prod_scalar(
// CHECK: "fxn.reduce"(%{{.+}}) {axes = array<i64: -1>, keepdims = true, kind = "prod"} : (tensor<i64>) -> tensor<i64>
func.func @reduce_prod_scalar(%x: tensor<i64>) -> tensor<i64> {
  %0 = "fxn.reduce"(%x) {axes = array<i64: -1>, keepdims = true, kind = "prod"} : (tensor<i64>) -> tensor<i64>
  return %0 : tensor<i64>
}

// CHECK-LABEL: func.func @softmax_last_dim(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[R:.+]] = "fxn.softmax"(%[[X]]) {dim = -1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: return %[[R]]
func.func @softmax_last_dim(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "fxn.softmax"(%x) {dim = -1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @softmax_dynamic(
// CHECK: "fxn.softmax"(%{{.+}}) {dim = 0 : i64} : (tensor<?x4xf64>) -> tensor<?x4xf64>
func.func @softmax_dynamic(%x: tensor<?x4xf64>) -> tensor<?x4xf64> {
  %0 = "fxn.softmax"(%x) {dim = 0 : i64} : (tensor<?x4xf64>) -> tensor<?x4xf64>
  return %0 : tensor<?x4xf64>
}

// CHECK-LABEL: func.func @argmax_keepdims(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x5xf16>
// CHECK: %[[R:.+]] = "fxn.argmax"(%[[X]]) {dim = 1 : i64, keepdims = true} : (tensor<2x3x5xf16>) -> tensor<2x1x5xi64>
// CHECK: return %[[R]]
func.func @argmax_keepdims(%x: tensor<2x3x5xf16>) -> tensor<2x1x5xi64> {
  %0 = "fxn.argmax"(%x) {dim = 1 : i64, keepdims = true} : (tensor<2x3x5xf16>) -> tensor<2x1x5xi64>
  return %0 : tensor<2x1x5xi64>
}

// CHECK-LABEL: func.func @argmax_dynamic(
// CHECK: "fxn.argmax"(%{{.+}}) {dim = -1 : i64, keepdims = false} : (tensor<?x?xi32>) -> tensor<?xi64>
func.func @argmax_dynamic(%x: tensor<?x?xi32>) -> tensor<?xi64> {
  %0 = "fxn.argmax"(%x) {dim = -1 : i64, keepdims = false} : (tensor<?x?xi32>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// A running sum keeps the input's type and shape; the axis may be negative.
// CHECK-LABEL: func.func @cumulative_sum(
// CHECK: "fxn.cumulative"(%{{.+}}) {axis = -1 : i64, kind = "sum"} : (tensor<?x3xi64>) -> tensor<?x3xi64>
func.func @cumulative_sum(%x: tensor<?x3xi64>) -> tensor<?x3xi64> {
  %0 = "fxn.cumulative"(%x) {axis = -1 : i64, kind = "sum"} : (tensor<?x3xi64>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// CHECK-LABEL: func.func @cumulative_prod_scalar(
// CHECK: "fxn.cumulative"(%{{.+}}) {axis = 0 : i64, kind = "prod"} : (tensor<f16>) -> tensor<f16>
func.func @cumulative_prod_scalar(%x: tensor<f16>) -> tensor<f16> {
  %0 = "fxn.cumulative"(%x) {axis = 0 : i64, kind = "prod"} : (tensor<f16>) -> tensor<f16>
  return %0 : tensor<f16>
}
