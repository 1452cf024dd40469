// RUN: fxn-opt %s --split-input-file --verify-diagnostics

// One chunk per verifier rule of fxn.call_indirect; each error names the fault.

func.func @callee_not_an_address(%f: tensor<i32>, %x: tensor<f32>) {
  // expected-error @+1 {{'fxn.call_indirect' op operand 'callee' must be a function address, tensor<i64>; got tensor<i32>}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32) -> f32} : (tensor<i32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @argument_count(%f: tensor<i64>, %x: tensor<f32>) {
  // expected-error @+1 {{'fxn.call_indirect' op signature takes 2 argument(s); got 1}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32, f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @argument_type(%f: tensor<i64>, %x: tensor<f64>) {
  // expected-error @+1 {{'fxn.call_indirect' op argument #0 must be tensor<f32> as the signature says; got tensor<f64>}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32) -> f32} : (tensor<i64>, tensor<f64>) -> tensor<f32>
  return
}

// -----

// Arguments are scalars: a function value takes no arrays.
func.func @argument_not_a_scalar(%f: tensor<i64>, %x: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.call_indirect' op argument #0 must be tensor<f32> as the signature says; got tensor<3xf32>}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32) -> f32} : (tensor<i64>, tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @result_type(%f: tensor<i64>, %x: tensor<f32>) {
  // expected-error @+1 {{'fxn.call_indirect' op result type tensor<f64> does not match the inferred type tensor<f32>}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f64>
  return
}

// -----

func.func @two_results(%f: tensor<i64>, %x: tensor<f32>) {
  // expected-error @+1 {{'fxn.call_indirect' op attribute 'signature' must have exactly one result; got (f32) -> (f32, f32)}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32) -> (f32, f32)} : (tensor<i64>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @f16_has_no_c_type(%f: tensor<i64>, %x: tensor<f16>) {
  // expected-error @+1 {{'fxn.call_indirect' op attribute 'signature' takes and returns scalars of f32, f64, i8, ui8, i32, i64, i1; got (f16) -> f16}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f16) -> f16} : (tensor<i64>, tensor<f16>) -> tensor<f16>
  return
}

// -----

func.func @signature_not_a_type(%f: tensor<i64>, %x: tensor<f32>) {
  // expected-error @+1 {{'fxn.call_indirect' op attribute 'signature' must be a function type; got "f32"}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = "f32"} : (tensor<i64>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @signature_missing(%f: tensor<i64>, %x: tensor<f32>) {
  // expected-error @+1 {{'fxn.call_indirect' op requires attribute 'signature'}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>} : (tensor<i64>, tensor<f32>) -> tensor<f32>
  return
}

// -----

// Each argument is checked against its own parameter.
func.func @mixed_argument_type(%f: tensor<i64>, %x: tensor<f64>, %n: tensor<f64>) {
  // expected-error @+1 {{'fxn.call_indirect' op argument #1 must be tensor<i32> as the signature says; got tensor<f64>}}
  %0 = "fxn.call_indirect"(%f, %x, %n) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0>, signature = (f64, i32) -> f64} : (tensor<i64>, tensor<f64>, tensor<f64>) -> tensor<f64>
  return
}

// -----

func.func @segments_missing(%f: tensor<i64>, %x: tensor<f64>, %n: tensor<i32>) {
  // expected-error @+1 {{'fxn.call_indirect' op requires attribute 'operandSegmentSizes' (array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0> for 3 operands)}}
  %0 = "fxn.call_indirect"(%f, %x, %n) {signature = (f64, i32) -> f64} : (tensor<i64>, tensor<f64>, tensor<i32>) -> tensor<f64>
  return
}

// -----

// One spelling per call: the arguments present come first.
func.func @segments_with_a_gap(%f: tensor<i64>, %x: tensor<f64>, %n: tensor<i32>) {
  // expected-error @+1 {{'fxn.call_indirect' op attribute 'operandSegmentSizes' must be array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0> for 3 operands (the present operands of a list first); got array<i32: 1, 1, 0, 1, 0, 0, 0, 0, 0>}}
  %0 = "fxn.call_indirect"(%f, %x, %n) {operandSegmentSizes = array<i32: 1, 1, 0, 1, 0, 0, 0, 0, 0>, signature = (f64, i32) -> f64} : (tensor<i64>, tensor<f64>, tensor<i32>) -> tensor<f64>
  return
}

// -----

func.func @too_many_parameters(%f: tensor<i64>, %x: tensor<f32>) {
  // expected-error @+1 {{'fxn.call_indirect' op attribute 'signature' takes at most 8 parameters; got (f32, f32, f32, f32, f32, f32, f32, f32, f32) -> f32}}
  %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32, f32, f32, f32, f32, f32, f32, f32, f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @too_many_operands(%f: tensor<i64>, %x: tensor<f32>) {
  // expected-error @+1 {{'fxn.call_indirect' op expected 1 to 9 operands; got 10}}
  %0 = "fxn.call_indirect"(%f, %x, %x, %x, %x, %x, %x, %x, %x, %x) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1, 1>, signature = (f32) -> f32} : (tensor<i64>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}
