// RUN: fxn-opt %s | fxn-opt | FileCheck %s
// RUN: fxn-opt %s -o %t.1 && fxn-opt %t.1 -o %t.2 && diff %t.1 %t.2
// RUN: fxn-opt %s --mlir-print-op-generic | fxn-opt | FileCheck %s

// Round trip of fxn.call_indirect: a call through a function address held in a 0-d i64. The arguments are
// optional operands to IRDL (each of its own type), so every call carries operandSegmentSizes: 1 for the
// callee, 1 per argument, then 0s up to the 8 arguments the op takes at most.

// CHECK-LABEL: func.func @apply(
// CHECK-SAME: %[[F:[^:]+]]: tensor<i64>, %[[X:[^:]+]]: tensor<f32>
// CHECK: %[[R:.+]] = "fxn.call_indirect"(%[[F]], %[[X]]) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f32>
// CHECK: return %[[R]]
func.func @apply(%f: tensor<i64>, %x: tensor<f32>) -> tensor<f32> {
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Two parameters, a boolean result.
// CHECK-LABEL: func.func @predicate(
// CHECK: "fxn.call_indirect"(%{{.+}}, %{{.+}}, %{{.+}}) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0>, signature = (f64, f64) -> i1} : (tensor<i64>, tensor<f64>, tensor<f64>) -> tensor<i1>
func.func @predicate(%f: tensor<i64>, %x: tensor<f64>, %y: tensor<f64>) -> tensor<i1> {
  %0 = "fxn.call_indirect"(%f, %x, %y) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0>, signature = (f64, f64) -> i1} : (tensor<i64>, tensor<f64>, tensor<f64>) -> tensor<i1>
  return %0 : tensor<i1>
}

// Parameters of different element types, each argument of its own.
// CHECK-LABEL: func.func @mixed(
// CHECK-SAME: %[[F:[^:]+]]: tensor<i64>, %[[X:[^:]+]]: tensor<f64>, %[[N:[^:]+]]: tensor<i32>, %[[B:[^:]+]]: tensor<i1>
// CHECK: "fxn.call_indirect"(%[[F]], %[[X]], %[[N]], %[[B]]) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0, 0>, signature = (f64, i32, i1) -> f64} : (tensor<i64>, tensor<f64>, tensor<i32>, tensor<i1>) -> tensor<f64>
func.func @mixed(%f: tensor<i64>, %x: tensor<f64>, %n: tensor<i32>, %b: tensor<i1>) -> tensor<f64> {
  %0 = "fxn.call_indirect"(%f, %x, %n, %b) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0, 0>, signature = (f64, i32, i1) -> f64} : (tensor<i64>, tensor<f64>, tensor<i32>, tensor<i1>) -> tensor<f64>
  return %0 : tensor<f64>
}

// The most parameters a function value takes: eight.
// CHECK-LABEL: func.func @eight(
// CHECK: "fxn.call_indirect"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1, 1>, signature = (f32, f64, i8, ui8, i32, i64, i1, f32) -> ui8}
func.func @eight(%f: tensor<i64>, %a: tensor<f32>, %b: tensor<f64>, %c: tensor<i8>, %d: tensor<ui8>, %e: tensor<i32>, %g: tensor<i64>, %h: tensor<i1>) -> tensor<ui8> {
  %0 = "fxn.call_indirect"(%f, %a, %b, %c, %d, %e, %g, %h, %a) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1, 1>, signature = (f32, f64, i8, ui8, i32, i64, i1, f32) -> ui8} : (tensor<i64>, tensor<f32>, tensor<f64>, tensor<i8>, tensor<ui8>, tensor<i32>, tensor<i64>, tensor<i1>, tensor<f32>) -> tensor<ui8>
  return %0 : tensor<ui8>
}

// A function of no arguments.
// CHECK-LABEL: func.func @nullary(
// CHECK: "fxn.call_indirect"(%{{.+}}) {operandSegmentSizes = array<i32: 1, 0, 0, 0, 0, 0, 0, 0, 0>, signature = () -> i64} : (tensor<i64>) -> tensor<i64>
func.func @nullary(%f: tensor<i64>) -> tensor<i64> {
  %0 = "fxn.call_indirect"(%f) {operandSegmentSizes = array<i32: 1, 0, 0, 0, 0, 0, 0, 0, 0>, signature = () -> i64} : (tensor<i64>) -> tensor<i64>
  return %0 : tensor<i64>
}
