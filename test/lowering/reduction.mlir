// RUN: fxn-opt %s --fxn-lower-to-linalg | FileCheck %s

// f16 accumulates in f32 in a zero-filled accumulator; mean divides by the
// run-time extent and rounds once; keepdims is an expand_shape.
// CHECK-LABEL: func.func @mean_f16(
// CHECK-SAME: %[[X:.+]]: tensor<2x?x5xf16>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {{{.+}} iterator_types = ["parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<2x?x5xf16>) outs(%[[ACC]] : tensor<2xf32>)
// CHECK: arith.extf
// CHECK-NEXT: arith.addf
// CHECK: %[[DIM:.+]] = tensor.dim %[[X]], %c1
// CHECK: %[[COUNT:.+]] = arith.muli %c5, %[[DIM]] : index
// CHECK: %[[MEAN:.+]] = linalg.generic {{.+}} ins(%[[SUM]] : tensor<2xf32>) outs(%{{.+}} : tensor<2xf16>)
// CHECK: arith.divf
// CHECK-NEXT: arith.truncf
// CHECK: tensor.expand_shape %[[MEAN]] {{\[\[}}0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf16> into tensor<2x1x1xf16>
func.func @mean_f16(%x: tensor<2x?x5xf16>) -> tensor<2x1x1xf16> {
  %0 = "fxn.reduce"(%x) {axes = array<i64: 1, -1>, keepdims = true, kind = "mean"} : (tensor<2x?x5xf16>) -> tensor<2x1x1xf16>
  return %0 : tensor<2x1x1xf16>
}

// Integer max starts from the type's minimum.
// CHECK-LABEL: func.func @max_i8(
// CHECK: %[[LOWEST:.+]] = arith.constant -128 : i8
// CHECK: linalg.fill ins(%[[LOWEST]] : i8)
// CHECK: linalg.generic {{{.+}} iterator_types = ["reduction", "parallel"]}
// CHECK-NEXT: ^bb0(%[[IN:.+]]: i8, %[[OUT:.+]]: i8):
// CHECK-NEXT: arith.maxsi %[[IN]], %[[OUT]] : i8
func.func @max_i8(%x: tensor<3x4xi8>) -> tensor<4xi8> {
  %0 = "fxn.reduce"(%x) {axes = array<i64: 0>, keepdims = false, kind = "max"} : (tensor<3x4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// softmax along the last dim of a matrix: one row at a time (its passes stay in the cache): the row's
// max, exp(x - max) expanded without libm, their sum, one reciprocal (a scalar), the product.
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[RESULT:.+]] = scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[DONE:.+]] = %{{.+}}) -> (tensor<2x3xf32>)
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[X]][%[[I]], 0] [1, 3] [1, 1] : tensor<2x3xf32> to tensor<3xf32>
// CHECK: %[[MAX:.+]] = linalg.generic {{{.+}} iterator_types = ["reduction"]} ins(%[[ROW]] : tensor<3xf32>)
// CHECK: arith.maximumf
// CHECK: %[[LARGEST:.+]] = tensor.extract %[[MAX]][] : tensor<f32>
// CHECK: %[[EXP:.+]] = linalg.generic {{{.+}} iterator_types = ["parallel"]} ins(%[[ROW]] : tensor<3xf32>)
// CHECK: arith.subf %{{.+}}, %[[LARGEST]]
// CHECK-NOT: math.exp
// CHECK: math.roundeven
// CHECK: %[[SUM:.+]] = linalg.generic {{{.+}} iterator_types = ["reduction"]} ins(%[[EXP]] : tensor<3xf32>)
// CHECK: %[[TOTAL:.+]] = tensor.extract %[[SUM]][] : tensor<f32>
// CHECK: %[[RECIPROCAL:.+]] = arith.divf %{{.+}}, %[[TOTAL]] : f32
// CHECK: %[[SCALED:.+]] = linalg.generic {{{.+}} ins(%[[EXP]] : tensor<3xf32>)
// CHECK-NOT: arith.divf
// CHECK: arith.mulf %{{.+}}, %[[RECIPROCAL]] : f32
// CHECK: %[[NEXT:.+]] = tensor.insert_slice %[[SCALED]] into %[[DONE]][%[[I]], 0] [1, 3] [1, 1]
// CHECK: scf.yield %[[NEXT]]
// CHECK: return %[[RESULT]]
func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "fxn.softmax"(%x) {dim = -1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Other ranks (or a softmax along another dim) pass over the whole tensor: max, exp(x - max), sum, one
// reciprocal per slice, the product.
// CHECK-LABEL: func.func @softmax_3d(
// CHECK: %[[MAX:.+]] = linalg.generic {{{.+}} iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: %[[EXP:.+]] = linalg.generic {{{.+}} ins(%{{.+}}, %[[MAX]] : tensor<2x2x3xf32>, tensor<2x2xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {{{.+}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[EXP]] : tensor<2x2x3xf32>)
// CHECK: %[[RECIPROCAL:.+]] = linalg.generic {{{.+}} ins(%[[SUM]] : tensor<2x2xf32>)
// CHECK: arith.divf
// CHECK: linalg.generic {{{.+}} ins(%[[EXP]], %[[RECIPROCAL]] : tensor<2x2x3xf32>, tensor<2x2xf32>)
// CHECK-NOT: arith.divf
// CHECK: arith.mulf
func.func @softmax_3d(%x: tensor<2x2x3xf32>) -> tensor<2x2x3xf32> {
  %0 = "fxn.softmax"(%x) {dim = -1 : i64} : (tensor<2x2x3xf32>) -> tensor<2x2x3xf32>
  return %0 : tensor<2x2x3xf32>
}

// argmax carries (maximum, index); only a greater value or the first NaN moves the index.
// CHECK-LABEL: func.func @argmax(
// CHECK: %[[R:.+]]:2 = linalg.generic {{{.+}} iterator_types = ["parallel", "reduction"]} ins(%{{.+}} : tensor<2x3xf32>) outs(%{{.+}}, %{{.+}} : tensor<2xf32>, tensor<2xi64>)
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf uno
// CHECK: arith.cmpf ord
// CHECK: linalg.index 1
// CHECK: return %[[R]]#1 : tensor<2xi64>
func.func @argmax(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %0 = "fxn.argmax"(%x) {dim = 1 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// A running sum of f16 along axis 0: loops over the other dim, then the axis carrying an f32 scalar;
// each element extracted, added, rounded once and inserted into the carried result.
// CHECK-LABEL: func.func @cumulative_sum_f16(
// CHECK-SAME: %[[X:.+]]: tensor<?x5xf16>
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %c0
// CHECK: %[[INIT:.+]] = tensor.empty(%[[N]]) : tensor<?x5xf16>
// CHECK: scf.for %[[J:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[OUTER:.+]] = %[[INIT]]) -> (tensor<?x5xf16>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[PARTIAL:.+]] = %[[OUTER]], %[[ACC:.+]] = %[[ZERO]]) -> (tensor<?x5xf16>, f32)
// CHECK-NEXT: %[[E:.+]] = tensor.extract %[[X]][%[[I]], %[[J]]] : tensor<?x5xf16>
// CHECK-NEXT: %[[W:.+]] = arith.extf %[[E]] : f16 to f32
// CHECK-NEXT: %[[SUM:.+]] = arith.addf %[[W]], %[[ACC]] : f32
// CHECK-NEXT: %[[R:.+]] = arith.truncf %[[SUM]] : f32 to f16
// CHECK-NEXT: %[[NEXT:.+]] = tensor.insert %[[R]] into %[[PARTIAL]][%[[I]], %[[J]]] : tensor<?x5xf16>
// CHECK-NEXT: scf.yield %[[NEXT]], %[[SUM]] : tensor<?x5xf16>, f32
func.func @cumulative_sum_f16(%x: tensor<?x5xf16>) -> tensor<?x5xf16> {
  %0 = "fxn.cumulative"(%x) {axis = 0 : i64, kind = "sum"} : (tensor<?x5xf16>) -> tensor<?x5xf16>
  return %0 : tensor<?x5xf16>
}

// A 0-d input is its own running product.
// CHECK-LABEL: func.func @cumulative_prod_scalar(
// CHECK-SAME: %[[X:.+]]: tensor<i32>
// CHECK-NEXT: return %[[X]] : tensor<i32>
func.func @cumulative_prod_scalar(%x: tensor<i32>) -> tensor<i32> {
  %0 = "fxn.cumulative"(%x) {axis = -1 : i64, kind = "prod"} : (tensor<i32>) -> tensor<i32>
  return %0 : tensor<i32>
}
