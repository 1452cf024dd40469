// RUN: fxn-opt %s --fxn-lower-to-linalg | FileCheck %s

// The broadcast source map of @broadcast_to: the size-1 dim that broadcasts is collapsed away.
// CHECK-DAG: #[[SOURCE:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// The transpose's read: result dim i is input dim permutation[i].
// CHECK-DAG: #[[PERMUTED:.+]] = affine_map<(d0, d1, d2) -> (d1, d2, d0)>

// Result dim i is input dim permutation[i] (negative entries count from the end); a generic,
// so that elementwise fusion can merge it into its consumer.
// CHECK-LABEL: func.func @transpose(
// CHECK-SAME: %[[X:.+]]: tensor<?x3x4xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %c0 : tensor<?x3x4xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[N]]) : tensor<4x?x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[PERMUTED]], #{{.+}}], {{.+}} ins(%[[X]] : tensor<?x3x4xf32>) outs(%[[INIT]] : tensor<4x?x3xf32>)
func.func @transpose(%x: tensor<?x3x4xf32>) -> tensor<4x?x3xf32> {
  %0 = "fxn.transpose"(%x) {permutation = array<i64: 2, 0, -2>} : (tensor<?x3x4xf32>) -> tensor<4x?x3xf32>
  return %0 : tensor<4x?x3xf32>
}

// reshape collapses to 1-d and expands; the -1 dim is the element count over the other sizes.
// CHECK-LABEL: func.func @reshape(
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1, 2]] : tensor<?x3x4xf32> into tensor<?xf32>
// CHECK: %[[COUNT:.+]] = tensor.dim %[[FLAT]], %c0 : tensor<?xf32>
// CHECK: %[[ROWS:.+]] = arith.divui %[[COUNT]], %c2 : index
// CHECK: tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [%[[ROWS]], 2] : tensor<?xf32> into tensor<?x2xf32>
func.func @reshape(%x: tensor<?x3x4xf32>) -> tensor<?x2xf32> {
  %0 = "fxn.reshape"(%x) {shape = array<i64: -1, 2>} : (tensor<?x3x4xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// CHECK-LABEL: func.func @reshape_scalar(
// CHECK: tensor.expand_shape %{{.+}} [] output_shape [1] : tensor<f32> into tensor<1xf32>
func.func @reshape_scalar(%x: tensor<f32>) -> tensor<1x1xf32> {
  %0 = "fxn.reshape"(%x) {shape = array<i64: 1, 1>} : (tensor<f32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// A slice is a generic reading start + stride * index: always a fresh buffer, never a strided view.
// CHECK-LABEL: func.func @slice(
// CHECK-SAME: %[[X:.+]]: tensor<?x9xi8>
// CHECK: %[[ROWS:.+]] = linalg.generic {{{.+}}} outs(%{{.+}} : tensor<2x9xi8>)
// CHECK: %[[I:.+]] = linalg.index 0 : index
// CHECK-NEXT: %[[J:.+]] = linalg.index 1 : index
// CHECK: %[[SCALED:.+]] = arith.muli %[[I]], %c2
// CHECK: %[[ROW:.+]] = arith.addi %[[SCALED]], %c1
// CHECK: tensor.extract %[[X]][%[[ROW]], %[[J]]] : tensor<?x9xi8>
// CHECK: linalg.generic
// CHECK: tensor.extract %[[ROWS]]
func.func @slice(%x: tensor<?x9xi8>) -> tensor<2x4xi8> {
  %0 = "fxn.slice"(%x) {limits = array<i64: 5, 9>, starts = array<i64: 1, 0>, strides = array<i64: 2, 1>} : (tensor<?x9xi8>) -> tensor<2x9xi8>
  %1 = "fxn.slice"(%0) {limits = array<i64: 2, 8>, starts = array<i64: 0, 1>, strides = array<i64: 1, 2>} : (tensor<2x9xi8>) -> tensor<2x4xi8>
  return %1 : tensor<2x4xi8>
}

// Constant padding: the source element where the position is inside it, else the value
// (rounded to the element type: 0.1 in f16).
// CHECK-LABEL: func.func @pad_constant(
// CHECK-SAME: %[[X:.+]]: tensor<?x3xf16>
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %c0
// CHECK: %[[ROWS:.+]] = arith.addi %[[N]], %c2
// CHECK: tensor.empty(%[[ROWS]]) : tensor<?x4xf16>
// CHECK: %[[VALUE:.+]] = arith.constant 9.997550e-02 : f16
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[ROW:.+]] = arith.subi %[[I]], %{{.+}} : index
// CHECK: %[[INSIDE:.+]] = arith.andi
// CHECK-NEXT: scf.if %[[INSIDE]] -> (f16) {
// CHECK-NEXT: %[[E:.+]] = tensor.extract %[[X]][%[[ROW]], %{{.+}}]
// CHECK-NEXT: scf.yield %[[E]]
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[VALUE]]
func.func @pad_constant(%x: tensor<?x3xf16>) -> tensor<?x4xf16> {
  %0 = "fxn.pad"(%x) {high = array<i64: 0, 1>, low = array<i64: 2, 0>, mode = "constant", value = 0.1 : f64} : (tensor<?x3xf16>) -> tensor<?x4xf16>
  return %0 : tensor<?x4xf16>
}

// Reflect: |i - low|, mirrored at the far edge.
// CHECK-LABEL: func.func @pad_reflect(
// CHECK: %[[OFFSET:.+]] = arith.subi %{{.+}}, %c2
// CHECK: %[[NEGATED:.+]] = arith.subi %c0, %[[OFFSET]]
// CHECK-NEXT: %[[MIRRORED:.+]] = arith.maxsi %[[OFFSET]], %[[NEGATED]]
// CHECK: %[[INDEX:.+]] = arith.select %{{.+}}, %[[MIRRORED]], %{{.+}} : index
// CHECK-NEXT: tensor.extract %{{.+}}[%[[INDEX]]] : tensor<5xi32>
func.func @pad_reflect(%x: tensor<5xi32>) -> tensor<8xi32> {
  %0 = "fxn.pad"(%x) {high = array<i64: 1>, low = array<i64: 2>, mode = "reflect", value = 0.0 : f64} : (tensor<5xi32>) -> tensor<8xi32>
  return %0 : tensor<8xi32>
}

// Replicate: the position clamped into the source.
// CHECK-LABEL: func.func @pad_replicate(
// CHECK: %[[LOW:.+]] = arith.maxsi %{{.+}}, %c0
// CHECK-NEXT: %[[INDEX:.+]] = arith.minsi %[[LOW]], %{{.+}}
// CHECK-NEXT: tensor.extract %{{.+}}[%[[INDEX]]] : tensor<5xi32>
func.func @pad_replicate(%x: tensor<5xi32>) -> tensor<8xi32> {
  %0 = "fxn.pad"(%x) {high = array<i64: 1>, low = array<i64: 2>, mode = "replicate", value = 0.0 : f64} : (tensor<5xi32>) -> tensor<8xi32>
  return %0 : tensor<8xi32>
}

// Each element reads only the input whose range holds it (inputs may be empty).
// CHECK-LABEL: func.func @concat(
// CHECK-SAME: %[[A:.+]]: tensor<2x?xf32>, %[[B:.+]]: tensor<2x3xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[A]], %c1
// CHECK: %[[TOTAL:.+]] = arith.addi %[[N]], %c3
// CHECK: tensor.empty(%[[TOTAL]]) : tensor<2x?xf32>
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK-NEXT: %[[J:.+]] = linalg.index 1
// CHECK-NEXT: %[[FIRST:.+]] = arith.cmpi ult, %[[J]], %[[N]]
// CHECK-NEXT: scf.if %[[FIRST]] -> (f32) {
// CHECK-NEXT: tensor.extract %[[A]][%[[I]], %[[J]]]
// CHECK: } else {
// CHECK-NEXT: %[[SHIFTED:.+]] = arith.subi %[[J]], %[[N]]
// CHECK-NEXT: tensor.extract %[[B]][%[[I]], %[[SHIFTED]]]
func.func @concat(%a: tensor<2x?xf32>, %b: tensor<2x3xf32>) -> tensor<2x?xf32> {
  %0 = "fxn.concat"(%a, %b) {dim = -1 : i64} : (tensor<2x?xf32>, tensor<2x3xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// CHECK-LABEL: func.func @broadcast_to(
// CHECK: linalg.generic {indexing_maps = [#[[SOURCE]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.+}} : tensor<3xi1>) outs(%{{.+}} : tensor<2x3x4xi1>)
func.func @broadcast_to(%x: tensor<3x1xi1>) -> tensor<2x3x4xi1> {
  %0 = "fxn.broadcast_to"(%x) {shape = array<i64: 2, 3, 4>} : (tensor<3x1xi1>) -> tensor<2x3x4xi1>
  return %0 : tensor<2x3x4xi1>
}

// CHECK-LABEL: func.func @constant(
// CHECK: %[[C:.+]] = arith.constant dense_resource<{{.+}}> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = "fxn.constant"() {value = dense_resource<weights> : tensor<2xf32>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// A ui8 splat of any size becomes the i8 splat of the same byte, never expanded.
// CHECK-LABEL: func.func @huge_ui8_splat(
// CHECK: arith.constant dense<-56> : tensor<4294967296x4294967296xi8>
func.func @huge_ui8_splat() -> tensor<4294967296x4294967296xui8> {
  %c = "fxn.constant"() {value = dense<200> : tensor<4294967296x4294967296xui8>} : () -> tensor<4294967296x4294967296xui8>
  return %c : tensor<4294967296x4294967296xui8>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F00000040"
    }
  }
#-}
