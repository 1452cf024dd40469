// RUN: fxn-opt %s --fxn-lower-to-linalg | FileCheck %s

// A call through a function address: the address becomes a pointer, the call an indirect llvm.call on the
// scalars of the 0-d tensors.
// CHECK-LABEL: func.func @apply(
// CHECK-SAME: %[[F:[^:]+]]: tensor<i64>, %[[X:[^:]+]]: tensor<f32>
// CHECK: %[[A:.+]] = tensor.extract %[[F]][] : tensor<i64>
// CHECK-NEXT: %[[P:.+]] = llvm.inttoptr %[[A]] : i64 to !llvm.ptr
// CHECK-NEXT: %[[V:.+]] = tensor.extract %[[X]][] : tensor<f32>
// CHECK-NEXT: %[[C:.+]] = llvm.call %[[P]](%[[V]]) : !llvm.ptr, (f32) -> f32
// CHECK-NEXT: %[[R:.+]] = tensor.from_elements %[[C]] : tensor<f32>
// CHECK-NEXT: return %[[R]]
func.func @apply(%f: tensor<i64>, %x: tensor<f32>) -> tensor<f32> {
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// An i1 result comes back as a byte that is 0 or 1, truncated.
// CHECK-LABEL: func.func @predicate(
// CHECK: %[[C:.+]] = llvm.call %{{.+}}(%{{.+}}, %{{.+}}) : !llvm.ptr, (f64, f64) -> i8
// CHECK-NEXT: %[[B:.+]] = arith.trunci %[[C]] : i8 to i1
// CHECK-NEXT: tensor.from_elements %[[B]] : tensor<i1>
func.func @predicate(%f: tensor<i64>, %x: tensor<f64>, %y: tensor<f64>) -> tensor<i1> {
  %0 = "fxn.call_indirect"(%f, %x, %y) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0>, signature = (f64, f64) -> i1} : (tensor<i64>, tensor<f64>, tensor<f64>) -> tensor<i1>
  return %0 : tensor<i1>
}

// Arguments of different element types, each passed as its own C type; an i1 argument as a byte that is 0 or 1,
// zero-extended into its register as C passes a bool.
// CHECK-LABEL: func.func @mixed(
// CHECK-SAME: %[[F:[^:]+]]: tensor<i64>, %[[X:[^:]+]]: tensor<f64>, %[[N:[^:]+]]: tensor<i32>, %[[B:[^:]+]]: tensor<i1>
// CHECK: %[[A:.+]] = tensor.extract %[[F]][] : tensor<i64>
// CHECK-NEXT: %[[P:.+]] = llvm.inttoptr %[[A]] : i64 to !llvm.ptr
// CHECK-NEXT: %[[XV:.+]] = tensor.extract %[[X]][] : tensor<f64>
// CHECK-NEXT: %[[NV:.+]] = tensor.extract %[[N]][] : tensor<i32>
// CHECK-NEXT: %[[BV:.+]] = tensor.extract %[[B]][] : tensor<i1>
// CHECK-NEXT: %[[BYTE:.+]] = arith.extui %[[BV]] : i1 to i8
// CHECK-NEXT: %[[C:.+]] = llvm.call %[[P]](%[[XV]], %[[NV]], %[[BYTE]]) : !llvm.ptr, (f64, i32, i8 {llvm.zeroext}) -> f64
// CHECK-NEXT: tensor.from_elements %[[C]] : tensor<f64>
func.func @mixed(%f: tensor<i64>, %x: tensor<f64>, %n: tensor<i32>, %b: tensor<i1>) -> tensor<f64> {
  %0 = "fxn.call_indirect"(%f, %x, %n, %b) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0, 0>, signature = (f64, i32, i1) -> f64} : (tensor<i64>, tensor<f64>, tensor<i32>, tensor<i1>) -> tensor<f64>
  return %0 : tensor<f64>
}
