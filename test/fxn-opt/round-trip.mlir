// RUN: fxn-opt %s | fxn-opt | FileCheck %s
// RUN: fxn-opt %s -o %t && fxn-opt < %t | FileCheck %s
// RUN: fxn-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: fxn-opt %s --mlir-print-debuginfo | FileCheck %s --check-prefix=DEBUGINFO

// Several top-level functions are wrapped in a module, as mlir-opt does.

// CHECK: module {
// CHECK-LABEL: func.func @first(
// CHECK-SAME: %[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3xf32>
// CHECK-NEXT: %[[R:.+]] = "fxn.add"(%[[A]], %[[B]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[R]]
// GENERIC: "func.func"() <{function_type = (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>, sym_name = "first"}>
// GENERIC: "func.return"
// DEBUGINFO: "fxn.add"({{.*}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc(#[[LOC:loc[0-9]*]])
// DEBUGINFO: #[[LOC]] = loc("{{.*}}round-trip.mlir":18:8)
func.func @first(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "fxn.add"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @second(
// CHECK-SAME: %[[X:.+]]: tensor<?xi32>
// CHECK-NEXT: return %[[X]]
func.func @second(%x: tensor<?xi32>) -> tensor<?xi32> {
  return %x : tensor<?xi32>
}
