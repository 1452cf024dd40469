// RUN: fxn-opt %s | fxn-opt | FileCheck %s
// RUN: fxn-opt %s -o %t.1 && fxn-opt %t.1 -o %t.2 && diff %t.1 %t.2
// RUN: fxn-opt %s --mlir-print-op-generic | fxn-opt | FileCheck %s

// Round trip of the image ops: the verifier accepts these types and the
// printer reproduces them (generic form, attributes sorted by name, whatever
// order they were written in).

// CHECK-LABEL: func.func @resize_nearest_integers(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x5x7xi8>
// CHECK: %[[R:.+]] = "fxn.resize"(%[[X]]) {align_corners = false, antialias = false, mode = "nearest", size = array<i64: 10, 3>} : (tensor<2x3x5x7xi8>) -> tensor<2x3x10x3xi8>
// CHECK: return %[[R]]
func.func @resize_nearest_integers(%x: tensor<2x3x5x7xi8>) -> tensor<2x3x10x3xi8> {
  %0 = "fxn.resize"(%x) {size = array<i64: 10, 3>, mode = "nearest", antialias = false, align_corners = false} : (tensor<2x3x5x7xi8>) -> tensor<2x3x10x3xi8>
  return %0 : tensor<2x3x10x3xi8>
}

// CHECK-LABEL: func.func @resize_bilinear_align_corners_chw(
// CHECK: "fxn.resize"(%{{.+}}) {align_corners = true, antialias = false, mode = "bilinear", size = array<i64: 224, 224>} : (tensor<3x100x150xf32>) -> tensor<3x224x224xf32>
func.func @resize_bilinear_align_corners_chw(%x: tensor<3x100x150xf32>) -> tensor<3x224x224xf32> {
  %0 = "fxn.resize"(%x) {mode = "bilinear", size = array<i64: 224, 224>, align_corners = true, antialias = false} : (tensor<3x100x150xf32>) -> tensor<3x224x224xf32>
  return %0 : tensor<3x224x224xf32>
}

// CHECK-LABEL: func.func @resize_bicubic_antialias_f16(
// CHECK: "fxn.resize"(%{{.+}}) {align_corners = false, antialias = true, mode = "bicubic", size = array<i64: 1, 1>} : (tensor<1x1x9x9xf16>) -> tensor<1x1x1x1xf16>
func.func @resize_bicubic_antialias_f16(%x: tensor<1x1x9x9xf16>) -> tensor<1x1x1x1xf16> {
  %0 = "fxn.resize"(%x) {antialias = true, mode = "bicubic", align_corners = false, size = array<i64: 1, 1>} : (tensor<1x1x9x9xf16>) -> tensor<1x1x1x1xf16>
  return %0 : tensor<1x1x1x1xf16>
}

// Leading dims stay as they are, dynamic ones included; the spatial dims
// of the result are always the static `size`.
// CHECK-LABEL: func.func @resize_dynamic_dims(
// CHECK: "fxn.resize"(%{{.+}}) {align_corners = false, antialias = false, mode = "bicubic", size = array<i64: 8, 6>} : (tensor<?x3x?x?xf64>) -> tensor<?x3x8x6xf64>
func.func @resize_dynamic_dims(%x: tensor<?x3x?x?xf64>) -> tensor<?x3x8x6xf64> {
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bicubic", size = array<i64: 8, 6>} : (tensor<?x3x?x?xf64>) -> tensor<?x3x8x6xf64>
  return %0 : tensor<?x3x8x6xf64>
}

// CHECK-LABEL: func.func @crop_rank_2_bool(
// CHECK-SAME: %[[X:[^:]+]]: tensor<5x7xi1>
// CHECK: %[[R:.+]] = "fxn.crop"(%[[X]]) {height = 3 : i64, left = 2 : i64, top = 1 : i64, width = 4 : i64} : (tensor<5x7xi1>) -> tensor<3x4xi1>
// CHECK: return %[[R]]
func.func @crop_rank_2_bool(%x: tensor<5x7xi1>) -> tensor<3x4xi1> {
  %0 = "fxn.crop"(%x) {top = 1 : i64, left = 2 : i64, height = 3 : i64, width = 4 : i64} : (tensor<5x7xi1>) -> tensor<3x4xi1>
  return %0 : tensor<3x4xi1>
}

// The whole image is a valid window.
// CHECK-LABEL: func.func @crop_whole_nchw(
// CHECK: "fxn.crop"(%{{.+}}) {height = 6 : i64, left = 0 : i64, top = 0 : i64, width = 5 : i64} : (tensor<2x3x6x5xf32>) -> tensor<2x3x6x5xf32>
func.func @crop_whole_nchw(%x: tensor<2x3x6x5xf32>) -> tensor<2x3x6x5xf32> {
  %0 = "fxn.crop"(%x) {top = 0 : i64, left = 0 : i64, height = 6 : i64, width = 5 : i64} : (tensor<2x3x6x5xf32>) -> tensor<2x3x6x5xf32>
  return %0 : tensor<2x3x6x5xf32>
}

// With dynamic spatial dims the window is checked at run time, not here.
// CHECK-LABEL: func.func @crop_dynamic_dims(
// CHECK: "fxn.crop"(%{{.+}}) {height = 100 : i64, left = 7 : i64, top = 50 : i64, width = 3 : i64} : (tensor<?x?x?xi64>) -> tensor<?x100x3xi64>
func.func @crop_dynamic_dims(%x: tensor<?x?x?xi64>) -> tensor<?x100x3xi64> {
  %0 = "fxn.crop"(%x) {top = 50 : i64, left = 7 : i64, height = 100 : i64, width = 3 : i64} : (tensor<?x?x?xi64>) -> tensor<?x100x3xi64>
  return %0 : tensor<?x100x3xi64>
}
