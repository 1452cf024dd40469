// RUN: fxn-opt %s | fxn-opt | FileCheck %s
// RUN: fxn-opt %s -o %t.1 && fxn-opt %t.1 -o %t.2 && diff %t.1 %t.2
// RUN: fxn-opt %s --mlir-print-op-generic | fxn-opt | FileCheck %s

// Round trip of fxn.call_indirect: a call through a function address held in a 0-d i64.

// CHECK-LABEL: func.func @apply(
// CHECK-SAME: %[[F:[^:]+]]: tensor<i64>, %[[X:[^:]+]]: tensor<f32>
// CHECK: %[[R:.+]] = "fxn.call_indirect"(%[[F]], %[[X]]) {signature = (f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f32>
// CHECK: return %[[R]]
func.func @apply(%f: tensor<i64>, %x: tensor<f32>) -> tensor<f32> {
  %0 = "fxn.call_indirect"(%f, %x) {signature = (f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Two parameters, a boolean result.
// CHECK-LABEL: func.func @predicate(
// CHECK: "fxn.call_indirect"(%{{.+}}, %{{.+}}, %{{.+}}) {signature = (f64, f64) -> i1} : (tensor<i64>, tensor<f64>, tensor<f64>) -> tensor<i1>
func.func @predicate(%f: tensor<i64>, %x: tensor<f64>, %y: tensor<f64>) -> tensor<i1> {
  %0 = "fxn.call_indirect"(%f, %x, %y) {signature = (f64, f64) -> i1} : (tensor<i64>, tensor<f64>, tensor<f64>) -> tensor<i1>
  return %0 : tensor<i1>
}

// A function of no arguments.
// CHECK-LABEL: func.func @nullary(
// CHECK: "fxn.call_indirect"(%{{.+}}) {signature = () -> i64} : (tensor<i64>) -> tensor<i64>
func.func @nullary(%f: tensor<i64>) -> tensor<i64> {
  %0 = "fxn.call_indirect"(%f) {signature = () -> i64} : (tensor<i64>) -> tensor<i64>
  return %0 : tensor<i64>
}
