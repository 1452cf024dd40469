// RUN: fxn-opt %s --fxn-lower-to-linalg | FileCheck %s

// CHECK-DAG: #[[IDENTITY:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// bilinear: per axis a compile-time band (first input index per output, one weight
// table per tap), applied one axis at a time by a parallel generic that gathers its
// taps with tensor.extract. The height grows, so the columns go first (fewer gathers).
// CHECK-LABEL: func.func @bilinear(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x3x4x6xf32>
// CHECK: %[[COLUMN_START:.+]] = arith.constant dense<[0, 2, 4]> : tensor<3xi32>
// CHECK: %[[COLUMNS:.+]] = linalg.generic {{{.+}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%{{.+}}, %{{.+}} : tensor<3xf32>, tensor<3xf32>) outs(%{{.+}} : tensor<?x3x4x3xf32>)
// CHECK-NEXT: ^bb0(%[[W0:.+]]: f32, %[[W1:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[J:.+]] = linalg.index 3
// CHECK: tensor.extract %[[COLUMN_START]][%[[J]]]
// CHECK: %[[FIRST:.+]] = arith.index_cast
// CHECK: %[[TAP0:.+]] = tensor.extract %[[X]][%{{.+}}, %{{.+}}, %{{.+}}, %[[FIRST]]] : tensor<?x3x4x6xf32>
// CHECK-NEXT: %[[TERM0:.+]] = arith.mulf %[[W0]], %[[TAP0]]
// CHECK: %[[SECOND:.+]] = arith.addi %[[FIRST]], %c1
// CHECK-NEXT: %[[TAP1:.+]] = tensor.extract %[[X]][%{{.+}}, %{{.+}}, %{{.+}}, %[[SECOND]]]
// CHECK-NEXT: %[[TERM1:.+]] = arith.mulf %[[W1]], %[[TAP1]]
// CHECK-NEXT: arith.addf %[[TERM0]], %[[TERM1]]
// CHECK: arith.constant dense<[0, 0, 0, 1, 1, 2, 2, 2]> : tensor<8xi32>
// CHECK: %[[WEIGHT0:.+]] = arith.constant dense<[1.000000e+00, 7.500000e-01, 2.500000e-01, {{.+}}]> : tensor<8xf32>
// CHECK: %[[ROWS:.+]] = linalg.generic {{.+}} ins(%[[WEIGHT0]], %{{.+}} : tensor<8xf32>, tensor<8xf32>) outs(%{{.+}} : tensor<?x3x8x3xf32>)
// CHECK: tensor.extract %[[COLUMNS]]
// CHECK: return %[[ROWS]]
func.func @bilinear(%x: tensor<?x3x4x6xf32>) -> tensor<?x3x8x3xf32> {
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 8, 3>} : (tensor<?x3x4x6xf32>) -> tensor<?x3x8x3xf32>
  return %0 : tensor<?x3x8x3xf32>
}

// Shrinking by 20 with antialias gives a wide band: a reduction loop over the taps.
// CHECK-LABEL: func.func @antialias_wide(
// CHECK: %[[ZEROS:.+]] = linalg.fill
// CHECK: linalg.generic {{{.+}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%{{.+}} : tensor<2x{{[0-9]+}}xf32>) outs(%[[ZEROS]] : tensor<1x2x3xf32>)
func.func @antialias_wide(%x: tensor<1x40x3xf32>) -> tensor<1x2x3xf32> {
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = true, mode = "bilinear", size = array<i64: 2, 3>} : (tensor<1x40x3xf32>) -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}

// An axis whose band is the identity is skipped; f16 computes in f32 and rounds once.
// CHECK-LABEL: func.func @bicubic_rows_only(
// CHECK: %[[ROWS:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<3x2x6xf32>)
// CHECK: arith.extf
// CHECK-NOT: tensor.extract
// CHECK: linalg.generic {{.+}} ins(%[[ROWS]] : tensor<3x2x6xf32>) outs(%{{.+}} : tensor<3x2x6xf16>)
// CHECK: arith.truncf
func.func @bicubic_rows_only(%x: tensor<3x4x6xf16>) -> tensor<3x2x6xf16> {
  %0 = "fxn.resize"(%x) {align_corners = true, antialias = false, mode = "bicubic", size = array<i64: 2, 6>} : (tensor<3x4x6xf16>) -> tensor<3x2x6xf16>
  return %0 : tensor<3x2x6xf16>
}

// nearest: one gather through two index tables, any dtype.
// CHECK-LABEL: func.func @nearest(
// CHECK-DAG: %[[ROWS:.+]] = arith.constant dense<[0, 2]> : tensor<2xi32>
// CHECK-DAG: %[[COLUMNS:.+]] = arith.constant dense<[0, 2, 4]> : tensor<3xi32>
// CHECK: linalg.generic {{.+}} ins(%[[ROWS]], %[[COLUMNS]] : tensor<2xi32>, tensor<3xi32>) outs(%{{.+}} : tensor<3x2x3xi8>)
// CHECK: %[[E:.+]] = tensor.extract %{{.+}} : tensor<3x4x6xi8>
// CHECK-NEXT: linalg.yield %[[E]] : i8
func.func @nearest(%x: tensor<3x4x6xi8>) -> tensor<3x2x3xi8> {
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "nearest", size = array<i64: 2, 3>} : (tensor<3x4x6xi8>) -> tensor<3x2x3xi8>
  return %0 : tensor<3x2x3xi8>
}

// crop copies its window into a fresh tensor, each element extracted at the shifted index
// (never a view of the input, even at offset 0).
// CHECK-LABEL: func.func @crop(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x4x5xi1>
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %c0
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x2x3xi1>
// CHECK: %[[COPY:.+]] = linalg.generic {indexing_maps = [#[[IDENTITY]]], {{.+}} outs(%[[EMPTY]] : tensor<?x2x3xi1>)
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[J:.+]] = linalg.index 1
// CHECK: %[[K:.+]] = linalg.index 2
// CHECK: %[[K1:.+]] = arith.addi %[[K]], %c1
// CHECK: tensor.extract %[[X]][%[[I]], %[[J]], %[[K1]]]
// CHECK: return %[[COPY]]
func.func @crop(%x: tensor<?x4x5xi1>) -> tensor<?x2x3xi1> {
  %0 = "fxn.crop"(%x) {height = 2 : i64, left = 1 : i64, top = 0 : i64, width = 3 : i64} : (tensor<?x4x5xi1>) -> tensor<?x2x3xi1>
  return %0 : tensor<?x2x3xi1>
}

// -----

// A large shrink of both axes (64x80 to 7x9, bilinear: 2 taps a side): one generic gathers each output's
// 2 x 2 taps, summing each column's row taps, then the columns (the two passes' order), with no
// intermediate image.
// CHECK-LABEL: func.func @shrink_both(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x3x64x80xf32>
// CHECK: %[[R:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : tensor<7xf32>, tensor<7xf32>, tensor<9xf32>, tensor<9xf32>) outs(%{{.+}} : tensor<1x3x7x9xf32>)
// CHECK-NEXT: ^bb0(%[[R0:.+]]: f32, %[[R1:.+]]: f32, %[[C0:.+]]: f32, %[[C1:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[T00:.+]] = tensor.extract %[[X]]
// CHECK-NEXT: %[[P00:.+]] = arith.mulf %[[R0]], %[[T00]]
// CHECK: %[[T10:.+]] = tensor.extract %[[X]]
// CHECK-NEXT: %[[P10:.+]] = arith.mulf %[[R1]], %[[T10]]
// CHECK-NEXT: %[[S0:.+]] = arith.addf %[[P00]], %[[P10]]
// CHECK-NEXT: %[[Q0:.+]] = arith.mulf %[[C0]], %[[S0]]
// CHECK: arith.mulf %[[C1]], %{{.+}}
// CHECK-NEXT: %[[SUM:.+]] = arith.addf %[[Q0]], %{{.+}}
// CHECK-NEXT: linalg.yield %[[SUM]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @shrink_both(%x: tensor<1x3x64x80xf32>) -> tensor<1x3x7x9xf32> {
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 7, 9>} : (tensor<1x3x64x80xf32>) -> tensor<1x3x7x9xf32>
  return %0 : tensor<1x3x7x9xf32>
}
