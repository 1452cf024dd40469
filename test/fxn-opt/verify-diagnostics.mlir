// RUN: fxn-opt %s --split-input-file --verify-diagnostics
// RUN: not fxn-opt %S/Inputs/unmet-expectations.mlir --split-input-file --verify-diagnostics 2>&1 | FileCheck %s

// CHECK: unmet-expectations.mlir:3:8: error: unexpected error: 'fxn.add' op operand shapes [2] and [3] are not broadcastable
// CHECK: unmet-expectations.mlir:2:6: error: expected error "shapes [2] and [4]" was not produced
// CHECK: unmet-expectations.mlir:9:6: error: expected error "never emitted" was not produced

func.func @plus_one(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{operand shapes [2] and [3] are not broadcastable}}
  %0 = "fxn.add"(%a, %b) : (tensor<2xf32>, tensor<3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @below(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @below {{not broadcastable}}
  %0 = "fxn.add"(%a, %b) : (tensor<2xf32>, tensor<3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @same_line_and_regex(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  %0 = "fxn.add"(%a, %b) : (tensor<2xf32>, tensor<3xf32>) -> tensor<2xf32> // expected-error-re {{shapes [{{[0-9]}}] and [3]}}
  return
}

// -----

func.func @parse_error_with_note(%a: tensor<2xf32>) {
  // expected-note @+1 {{prior use here}}
  %0 = "fxn.add"(%a, %a) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // expected-error @+1 {{expects different type than prior uses}}
  %1 = "fxn.add"(%0, %0) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}
