// RUN: fxn-opt %s | fxn-opt | FileCheck %s
// RUN: fxn-opt %s -o %t.1 && fxn-opt %t.1 -o %t.2 && diff %t.1 %t.2
// RUN: fxn-opt %s --mlir-print-op-generic | fxn-opt | FileCheck %s

// Round trip of every elementwise op: the verifier accepts these types and
// the printer reproduces them (generic form, attributes sorted by name).

// CHECK-LABEL: func.func @add_broadcast(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<3xf32>
// CHECK: %[[R:.+]] = "fxn.add"(%[[A]], %[[B]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: return %[[R]]
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "fxn.add"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @sub_scalar_rhs(
// CHECK: "fxn.sub"(%{{.+}}, %{{.+}}) : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
func.func @sub_scalar_rhs(%a: tensor<2x3xi32>, %b: tensor<i32>) -> tensor<2x3xi32> {
  %0 = "fxn.sub"(%a, %b) : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// CHECK-LABEL: func.func @mul_outer(
// CHECK: "fxn.mul"(%{{.+}}, %{{.+}}) : (tensor<4x1xf16>, tensor<3xf16>) -> tensor<4x3xf16>
func.func @mul_outer(%a: tensor<4x1xf16>, %b: tensor<3xf16>) -> tensor<4x3xf16> {
  %0 = "fxn.mul"(%a, %b) : (tensor<4x1xf16>, tensor<3xf16>) -> tensor<4x3xf16>
  return %0 : tensor<4x3xf16>
}

// A dynamic dim broadcast against a static one takes the static size.
// CHECK-LABEL: func.func @div_dynamic(
// CHECK: "fxn.div"(%{{.+}}, %{{.+}}) : (tensor<?x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
// CHECK: "fxn.div"(%{{.+}}, %{{.+}}) : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
func.func @div_dynamic(%a: tensor<?x3xf32>, %b: tensor<4x1xf32>, %c: tensor<?x1xf32>) -> (tensor<4x3xf32>, tensor<?x3xf32>) {
  %0 = "fxn.div"(%a, %b) : (tensor<?x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %1 = "fxn.div"(%a, %c) : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<?x3xf32>
}

// CHECK-LABEL: func.func @max_min(
// CHECK-SAME: %[[A:[^:]+]]: tensor<7xi8>, %[[B:[^:]+]]: tensor<7xi8>
// CHECK: %[[MAX:.+]] = "fxn.max"(%[[A]], %[[B]]) : (tensor<7xi8>, tensor<7xi8>) -> tensor<7xi8>
// CHECK: "fxn.min"(%[[MAX]], %[[B]]) : (tensor<7xi8>, tensor<7xi8>) -> tensor<7xi8>
func.func @max_min(%a: tensor<7xi8>, %b: tensor<7xi8>) -> tensor<7xi8> {
  %0 = "fxn.max"(%a, %b) : (tensor<7xi8>, tensor<7xi8>) -> tensor<7xi8>
  %1 = "fxn.min"(%0, %b) : (tensor<7xi8>, tensor<7xi8>) -> tensor<7xi8>
  return %1 : tensor<7xi8>
}

// CHECK-LABEL: func.func @numeric_unary(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?xi64>
// CHECK: %[[NEG:.+]] = "fxn.neg"(%[[A]]) : (tensor<?xi64>) -> tensor<?xi64>
// CHECK: %[[ABS:.+]] = "fxn.abs"(%[[NEG]]) : (tensor<?xi64>) -> tensor<?xi64>
// CHECK: "fxn.relu"(%[[ABS]]) : (tensor<?xi64>) -> tensor<?xi64>
func.func @numeric_unary(%a: tensor<?xi64>) -> tensor<?xi64> {
  %0 = "fxn.neg"(%a) : (tensor<?xi64>) -> tensor<?xi64>
  %1 = "fxn.abs"(%0) : (tensor<?xi64>) -> tensor<?xi64>
  %2 = "fxn.relu"(%1) : (tensor<?xi64>) -> tensor<?xi64>
  return %2 : tensor<?xi64>
}

// CHECK-LABEL: func.func @pow_scalar(
// CHECK: "fxn.pow"(%{{.+}}, %{{.+}}) : (tensor<f64>, tensor<f64>) -> tensor<f64>
func.func @pow_scalar(%a: tensor<f64>, %b: tensor<f64>) -> tensor<f64> {
  %0 = "fxn.pow"(%a, %b) : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// CHECK-LABEL: func.func @float_unary(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x?xf16>
// CHECK: %[[EXP:.+]] = "fxn.exp"(%[[A]]) : (tensor<2x?xf16>) -> tensor<2x?xf16>
// CHECK: %[[LOG:.+]] = "fxn.log"(%[[EXP]])
// CHECK: %[[SQRT:.+]] = "fxn.sqrt"(%[[LOG]])
// CHECK: %[[RSQRT:.+]] = "fxn.rsqrt"(%[[SQRT]])
// CHECK: %[[TANH:.+]] = "fxn.tanh"(%[[RSQRT]])
// CHECK: %[[SIGMOID:.+]] = "fxn.sigmoid"(%[[TANH]])
// CHECK: %[[ERF:.+]] = "fxn.erf"(%[[SIGMOID]]) : (tensor<2x?xf16>) -> tensor<2x?xf16>
// CHECK: return %[[ERF]]
func.func @float_unary(%a: tensor<2x?xf16>) -> tensor<2x?xf16> {
  %0 = "fxn.exp"(%a) : (tensor<2x?xf16>) -> tensor<2x?xf16>
  %1 = "fxn.log"(%0) : (tensor<2x?xf16>) -> tensor<2x?xf16>
  %2 = "fxn.sqrt"(%1) : (tensor<2x?xf16>) -> tensor<2x?xf16>
  %3 = "fxn.rsqrt"(%2) : (tensor<2x?xf16>) -> tensor<2x?xf16>
  %4 = "fxn.tanh"(%3) : (tensor<2x?xf16>) -> tensor<2x?xf16>
  %5 = "fxn.sigmoid"(%4) : (tensor<2x?xf16>) -> tensor<2x?xf16>
  %6 = "fxn.erf"(%5) : (tensor<2x?xf16>) -> tensor<2x?xf16>
  return %6 : tensor<2x?xf16>
}

// Infinite bounds print as hexadecimal f64 literals.
// CHECK-LABEL: func.func @clamp(
// CHECK: "fxn.clamp"(%{{.+}}) {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : (tensor<3xf32>) -> tensor<3xf32>
// CHECK: "fxn.clamp"(%{{.+}}) {max = 0x7FF0000000000000 : f64, min = -1.000000e+00 : f64} : (tensor<3xf32>) -> tensor<3xf32>
// CHECK: "fxn.clamp"(%{{.+}}) {max = 1.000000e+02 : f64, min = 0xFFF0000000000000 : f64} : (tensor<i8>) -> tensor<i8>
func.func @clamp(%a: tensor<3xf32>, %b: tensor<i8>) -> (tensor<3xf32>, tensor<3xf32>, tensor<i8>) {
  %0 = "fxn.clamp"(%a) {min = 0.0 : f64, max = 6.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>
  %1 = "fxn.clamp"(%a) {min = -1.0 : f64, max = 0x7FF0000000000000 : f64} : (tensor<3xf32>) -> tensor<3xf32>
  %2 = "fxn.clamp"(%b) {min = 0xFFF0000000000000 : f64, max = 100.0 : f64} : (tensor<i8>) -> tensor<i8>
  return %0, %1, %2 : tensor<3xf32>, tensor<3xf32>, tensor<i8>
}

// CHECK-LABEL: func.func @fma(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x3xf32>, %[[Y:[^:]+]]: tensor<3xf32>, %[[Z:[^:]+]]: tensor<f32>
// CHECK: "fxn.fma"(%[[X]], %[[Y]], %[[Z]]) : (tensor<?x3xf32>, tensor<3xf32>, tensor<f32>) -> tensor<?x3xf32>
func.func @fma(%x: tensor<?x3xf32>, %y: tensor<3xf32>, %z: tensor<f32>) -> tensor<?x3xf32> {
  %0 = "fxn.fma"(%x, %y, %z) : (tensor<?x3xf32>, tensor<3xf32>, tensor<f32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// CHECK-LABEL: func.func @compare(
// CHECK: "fxn.compare"(%{{.+}}, %{{.+}}) {predicate = "lt"} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>
// CHECK: "fxn.compare"(%{{.+}}, %{{.+}}) {predicate = "ne"} : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
func.func @compare(%a: tensor<2x3xf32>, %b: tensor<f32>, %c: tensor<?xi1>) -> (tensor<2x3xi1>, tensor<?xi1>) {
  %0 = "fxn.compare"(%a, %b) {predicate = "lt"} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>
  %1 = "fxn.compare"(%c, %c) {predicate = "ne"} : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  return %0, %1 : tensor<2x3xi1>, tensor<?xi1>
}

// CHECK-LABEL: func.func @select(
// CHECK-SAME: %[[C:[^:]+]]: tensor<2x1xi1>, %[[T:[^:]+]]: tensor<3xi32>, %[[F:[^:]+]]: tensor<i32>
// CHECK: "fxn.select"(%[[C]], %[[T]], %[[F]]) : (tensor<2x1xi1>, tensor<3xi32>, tensor<i32>) -> tensor<2x3xi32>
func.func @select(%c: tensor<2x1xi1>, %t: tensor<3xi32>, %f: tensor<i32>) -> tensor<2x3xi32> {
  %0 = "fxn.select"(%c, %t, %f) : (tensor<2x1xi1>, tensor<3xi32>, tensor<i32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// CHECK-LABEL: func.func @cast(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?x2xf64>
// CHECK: %[[I8:.+]] = "fxn.cast"(%[[A]]) : (tensor<?x2xf64>) -> tensor<?x2xi8>
// CHECK: %[[BOOL:.+]] = "fxn.cast"(%[[I8]]) : (tensor<?x2xi8>) -> tensor<?x2xi1>
// CHECK: "fxn.cast"(%[[BOOL]]) : (tensor<?x2xi1>) -> tensor<?x2xf16>
// CHECK: "fxn.cast"(%{{.+}}) : (tensor<f32>) -> tensor<f32>
func.func @cast(%a: tensor<?x2xf64>, %s: tensor<f32>) -> (tensor<?x2xf16>, tensor<f32>) {
  %0 = "fxn.cast"(%a) : (tensor<?x2xf64>) -> tensor<?x2xi8>
  %1 = "fxn.cast"(%0) : (tensor<?x2xi8>) -> tensor<?x2xi1>
  %2 = "fxn.cast"(%1) : (tensor<?x2xi1>) -> tensor<?x2xf16>
  %3 = "fxn.cast"(%s) : (tensor<f32>) -> tensor<f32>
  return %2, %3 : tensor<?x2xf16>, tensor<f32>
}

// ui8 is unsigned: a type of its own, not i8 (casts between them keep the bits).
// CHECK-LABEL: func.func @unsigned_max(
// CHECK: "fxn.max"(%{{.+}}, %{{.+}}) : (tensor<4xui8>, tensor<ui8>) -> tensor<4xui8>
// CHECK: "fxn.cast"(%{{.+}}) : (tensor<4xui8>) -> tensor<4xi8>
func.func @unsigned_max(%a: tensor<4xui8>, %b: tensor<ui8>) -> tensor<4xi8> {
  %0 = "fxn.max"(%a, %b) : (tensor<4xui8>, tensor<ui8>) -> tensor<4xui8>
  %1 = "fxn.cast"(%0) : (tensor<4xui8>) -> tensor<4xi8>
  return %1 : tensor<4xi8>
}

// Division with rounding and remainders take every numeric type.
// CHECK-LABEL: func.func @division(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3xi32>, %[[B:[^:]+]]: tensor<3xi32>, %[[X:[^:]+]]: tensor<?xf16>
// CHECK: "fxn.floor_div"(%[[A]], %[[B]]) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
// CHECK: "fxn.remainder"(%[[A]], %[[B]]) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
// CHECK: "fxn.fmod"(%[[X]], %[[X]]) : (tensor<?xf16>, tensor<?xf16>) -> tensor<?xf16>
func.func @division(%a: tensor<2x3xi32>, %b: tensor<3xi32>, %x: tensor<?xf16>) -> (tensor<2x3xi32>, tensor<2x3xi32>, tensor<?xf16>) {
  %0 = "fxn.floor_div"(%a, %b) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %1 = "fxn.remainder"(%a, %b) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %2 = "fxn.fmod"(%x, %x) : (tensor<?xf16>, tensor<?xf16>) -> tensor<?xf16>
  return %0, %1, %2 : tensor<2x3xi32>, tensor<2x3xi32>, tensor<?xf16>
}

// CHECK-LABEL: func.func @rounding(
// CHECK-SAME: %[[A:[^:]+]]: tensor<4xf64>, %[[I:[^:]+]]: tensor<4xui8>
// CHECK: %[[FLOOR:.+]] = "fxn.floor"(%[[A]]) : (tensor<4xf64>) -> tensor<4xf64>
// CHECK: %[[CEIL:.+]] = "fxn.ceil"(%[[FLOOR]])
// CHECK: %[[ROUND:.+]] = "fxn.round"(%[[CEIL]])
// CHECK: %[[TRUNC:.+]] = "fxn.trunc"(%[[ROUND]])
// CHECK: "fxn.sign"(%[[TRUNC]]) : (tensor<4xf64>) -> tensor<4xf64>
// CHECK: "fxn.sign"(%[[I]]) : (tensor<4xui8>) -> tensor<4xui8>
func.func @rounding(%a: tensor<4xf64>, %i: tensor<4xui8>) -> (tensor<4xf64>, tensor<4xui8>) {
  %0 = "fxn.floor"(%a) : (tensor<4xf64>) -> tensor<4xf64>
  %1 = "fxn.ceil"(%0) : (tensor<4xf64>) -> tensor<4xf64>
  %2 = "fxn.round"(%1) : (tensor<4xf64>) -> tensor<4xf64>
  %3 = "fxn.trunc"(%2) : (tensor<4xf64>) -> tensor<4xf64>
  %4 = "fxn.sign"(%3) : (tensor<4xf64>) -> tensor<4xf64>
  %5 = "fxn.sign"(%i) : (tensor<4xui8>) -> tensor<4xui8>
  return %4, %5 : tensor<4xf64>, tensor<4xui8>
}

// Bitwise logic takes integers and i1, shifts integers.
// CHECK-LABEL: func.func @bits(
// CHECK-SAME: %[[A:[^:]+]]: tensor<3xi64>, %[[B:[^:]+]]: tensor<i64>, %[[C:[^:]+]]: tensor<3xi1>
// CHECK: %[[AND:.+]] = "fxn.bitwise_and"(%[[A]], %[[B]]) : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
// CHECK: %[[OR:.+]] = "fxn.bitwise_or"(%[[AND]], %[[B]])
// CHECK: %[[XOR:.+]] = "fxn.bitwise_xor"(%[[OR]], %[[A]])
// CHECK: %[[NOT:.+]] = "fxn.bitwise_not"(%[[XOR]]) : (tensor<3xi64>) -> tensor<3xi64>
// CHECK: %[[SHL:.+]] = "fxn.shift_left"(%[[NOT]], %[[B]]) : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
// CHECK: "fxn.shift_right"(%[[SHL]], %[[B]])
// CHECK: "fxn.bitwise_not"(%[[C]]) : (tensor<3xi1>) -> tensor<3xi1>
func.func @bits(%a: tensor<3xi64>, %b: tensor<i64>, %c: tensor<3xi1>) -> (tensor<3xi64>, tensor<3xi1>) {
  %0 = "fxn.bitwise_and"(%a, %b) : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %1 = "fxn.bitwise_or"(%0, %b) : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %2 = "fxn.bitwise_xor"(%1, %a) : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %3 = "fxn.bitwise_not"(%2) : (tensor<3xi64>) -> tensor<3xi64>
  %4 = "fxn.shift_left"(%3, %b) : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %5 = "fxn.shift_right"(%4, %b) : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %6 = "fxn.bitwise_not"(%c) : (tensor<3xi1>) -> tensor<3xi1>
  return %5, %6 : tensor<3xi64>, tensor<3xi1>
}

// The trigonometric and hyperbolic functions take floats and keep the type; atan2 broadcasts.
// CHECK-LABEL: func.func @trigonometric(
// CHECK: "fxn.sin"(%{{.+}}) : (tensor<2x?xf16>) -> tensor<2x?xf16>
// CHECK: "fxn.atan2"(%{{.+}}, %{{.+}}) : (tensor<2x?xf16>, tensor<f16>) -> tensor<2x?xf16>
// CHECK: "fxn.cosh"(%{{.+}}) : (tensor<2x?xf16>) -> tensor<2x?xf16>
func.func @trigonometric(%a: tensor<2x?xf16>, %b: tensor<f16>) -> tensor<2x?xf16> {
  %0 = "fxn.sin"(%a) : (tensor<2x?xf16>) -> tensor<2x?xf16>
  %1 = "fxn.atan2"(%0, %b) : (tensor<2x?xf16>, tensor<f16>) -> tensor<2x?xf16>
  %2 = "fxn.cosh"(%1) : (tensor<2x?xf16>) -> tensor<2x?xf16>
  return %2 : tensor<2x?xf16>
}
