// RUN: fxn-opt %s --split-input-file --verify-diagnostics

// One chunk per verifier rule of every elementwise op; each error names the fault.

func.func @add_element_types_differ(%a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.add' op operand element types differ: f32, i32}}
  %0 = "fxn.add"(%a, %b) : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @add_requires_numeric(%a: tensor<3xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.add' op requires numeric operands; got i1}}
  %0 = "fxn.add"(%a, %b) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @add_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'fxn.add' op operand shapes [2, 3] and [4] are not broadcastable}}
  %0 = "fxn.add"(%a, %b) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @add_wrong_result(%a: tensor<2x3xi8>, %b: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.add' op result type tensor<3xi8> does not match the inferred type tensor<2x3xi8>}}
  %0 = "fxn.add"(%a, %b) : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return
}

// -----

func.func @sub_element_types_differ(%a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.sub' op operand element types differ: f32, i32}}
  %0 = "fxn.sub"(%a, %b) : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @sub_requires_numeric(%a: tensor<3xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.sub' op requires numeric operands; got i1}}
  %0 = "fxn.sub"(%a, %b) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @sub_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'fxn.sub' op operand shapes [2, 3] and [4] are not broadcastable}}
  %0 = "fxn.sub"(%a, %b) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @sub_wrong_result(%a: tensor<2x3xi8>, %b: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.sub' op result type tensor<3xi8> does not match the inferred type tensor<2x3xi8>}}
  %0 = "fxn.sub"(%a, %b) : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return
}

// -----

func.func @mul_element_types_differ(%a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.mul' op operand element types differ: f32, i32}}
  %0 = "fxn.mul"(%a, %b) : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @mul_requires_numeric(%a: tensor<3xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.mul' op requires numeric operands; got i1}}
  %0 = "fxn.mul"(%a, %b) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @mul_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'fxn.mul' op operand shapes [2, 3] and [4] are not broadcastable}}
  %0 = "fxn.mul"(%a, %b) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @mul_wrong_result(%a: tensor<2x3xi8>, %b: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.mul' op result type tensor<3xi8> does not match the inferred type tensor<2x3xi8>}}
  %0 = "fxn.mul"(%a, %b) : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return
}

// -----

func.func @max_element_types_differ(%a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.max' op operand element types differ: f32, i32}}
  %0 = "fxn.max"(%a, %b) : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @max_requires_numeric(%a: tensor<3xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.max' op requires numeric operands; got i1}}
  %0 = "fxn.max"(%a, %b) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @max_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'fxn.max' op operand shapes [2, 3] and [4] are not broadcastable}}
  %0 = "fxn.max"(%a, %b) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @max_wrong_result(%a: tensor<2x3xi8>, %b: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.max' op result type tensor<3xi8> does not match the inferred type tensor<2x3xi8>}}
  %0 = "fxn.max"(%a, %b) : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return
}

// -----

func.func @min_element_types_differ(%a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.min' op operand element types differ: f32, i32}}
  %0 = "fxn.min"(%a, %b) : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @min_requires_numeric(%a: tensor<3xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.min' op requires numeric operands; got i1}}
  %0 = "fxn.min"(%a, %b) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @min_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'fxn.min' op operand shapes [2, 3] and [4] are not broadcastable}}
  %0 = "fxn.min"(%a, %b) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @min_wrong_result(%a: tensor<2x3xi8>, %b: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.min' op result type tensor<3xi8> does not match the inferred type tensor<2x3xi8>}}
  %0 = "fxn.min"(%a, %b) : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return
}

// -----

func.func @add_one_operand(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.add' op expected 2 operands; got 1}}
  %0 = "fxn.add"(%a) : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @div_element_types_differ(%a: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{'fxn.div' op operand element types differ: f32, f64}}
  %0 = "fxn.div"(%a, %b) : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  return
}

// -----

func.func @div_requires_float(%a: tensor<3xi32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.div' op requires floating-point operands; got i32}}
  %0 = "fxn.div"(%a, %b) : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @div_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'fxn.div' op operand shapes [2, 3] and [2] are not broadcastable}}
  %0 = "fxn.div"(%a, %b) : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @div_wrong_result(%a: tensor<?x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.div' op result type tensor<4x3xf32> does not match the inferred type tensor<?x3xf32>}}
  %0 = "fxn.div"(%a, %b) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @pow_element_types_differ(%a: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{'fxn.pow' op operand element types differ: f32, f64}}
  %0 = "fxn.pow"(%a, %b) : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  return
}

// -----

func.func @pow_requires_numbers(%a: tensor<3xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.pow' op requires numeric operands; got i1}}
  %0 = "fxn.pow"(%a, %b) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @pow_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'fxn.pow' op operand shapes [2, 3] and [2] are not broadcastable}}
  %0 = "fxn.pow"(%a, %b) : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @pow_wrong_result(%a: tensor<?x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.pow' op result type tensor<4x3xf32> does not match the inferred type tensor<?x3xf32>}}
  %0 = "fxn.pow"(%a, %b) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @neg_requires_numeric(%a: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.neg' op requires numeric operands; got i1}}
  %0 = "fxn.neg"(%a) : (tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @neg_wrong_result(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.neg' op result type tensor<3xi64> does not match the inferred type tensor<3xi32>}}
  %0 = "fxn.neg"(%a) : (tensor<3xi32>) -> tensor<3xi64>
  return
}

// -----

func.func @abs_requires_numeric(%a: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.abs' op requires numeric operands; got i1}}
  %0 = "fxn.abs"(%a) : (tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @abs_wrong_result(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.abs' op result type tensor<3xi64> does not match the inferred type tensor<3xi32>}}
  %0 = "fxn.abs"(%a) : (tensor<3xi32>) -> tensor<3xi64>
  return
}

// -----

func.func @relu_requires_numeric(%a: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.relu' op requires numeric operands; got i1}}
  %0 = "fxn.relu"(%a) : (tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @relu_wrong_result(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.relu' op result type tensor<3xi64> does not match the inferred type tensor<3xi32>}}
  %0 = "fxn.relu"(%a) : (tensor<3xi32>) -> tensor<3xi64>
  return
}

// -----

func.func @exp_requires_float(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.exp' op requires floating-point operands; got i32}}
  %0 = "fxn.exp"(%a) : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @exp_wrong_result(%a: tensor<f16>) {
  // expected-error @+1 {{'fxn.exp' op result type tensor<1xf16> does not match the inferred type tensor<f16>}}
  %0 = "fxn.exp"(%a) : (tensor<f16>) -> tensor<1xf16>
  return
}

// -----

func.func @log_requires_float(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.log' op requires floating-point operands; got i32}}
  %0 = "fxn.log"(%a) : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @log_wrong_result(%a: tensor<f16>) {
  // expected-error @+1 {{'fxn.log' op result type tensor<1xf16> does not match the inferred type tensor<f16>}}
  %0 = "fxn.log"(%a) : (tensor<f16>) -> tensor<1xf16>
  return
}

// -----

func.func @sqrt_requires_float(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.sqrt' op requires floating-point operands; got i32}}
  %0 = "fxn.sqrt"(%a) : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @sqrt_wrong_result(%a: tensor<f16>) {
  // expected-error @+1 {{'fxn.sqrt' op result type tensor<1xf16> does not match the inferred type tensor<f16>}}
  %0 = "fxn.sqrt"(%a) : (tensor<f16>) -> tensor<1xf16>
  return
}

// -----

func.func @rsqrt_requires_float(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.rsqrt' op requires floating-point operands; got i32}}
  %0 = "fxn.rsqrt"(%a) : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @rsqrt_wrong_result(%a: tensor<f16>) {
  // expected-error @+1 {{'fxn.rsqrt' op result type tensor<1xf16> does not match the inferred type tensor<f16>}}
  %0 = "fxn.rsqrt"(%a) : (tensor<f16>) -> tensor<1xf16>
  return
}

// -----

func.func @tanh_requires_float(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.tanh' op requires floating-point operands; got i32}}
  %0 = "fxn.tanh"(%a) : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @tanh_wrong_result(%a: tensor<f16>) {
  // expected-error @+1 {{'fxn.tanh' op result type tensor<1xf16> does not match the inferred type tensor<f16>}}
  %0 = "fxn.tanh"(%a) : (tensor<f16>) -> tensor<1xf16>
  return
}

// -----

func.func @sigmoid_requires_float(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.sigmoid' op requires floating-point operands; got i32}}
  %0 = "fxn.sigmoid"(%a) : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @sigmoid_wrong_result(%a: tensor<f16>) {
  // expected-error @+1 {{'fxn.sigmoid' op result type tensor<1xf16> does not match the inferred type tensor<f16>}}
  %0 = "fxn.sigmoid"(%a) : (tensor<f16>) -> tensor<1xf16>
  return
}

// -----

func.func @erf_requires_float(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.erf' op requires floating-point operands; got i32}}
  %0 = "fxn.erf"(%a) : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @erf_wrong_result(%a: tensor<f16>) {
  // expected-error @+1 {{'fxn.erf' op result type tensor<1xf16> does not match the inferred type tensor<f16>}}
  %0 = "fxn.erf"(%a) : (tensor<f16>) -> tensor<1xf16>
  return
}

// -----

func.func @fma_element_types_differ(%a: tensor<3xf32>, %b: tensor<3xf32>, %c: tensor<3xf16>) {
  // expected-error @+1 {{'fxn.fma' op operand element types differ: f32, f32, f16}}
  %0 = "fxn.fma"(%a, %b, %c) : (tensor<3xf32>, tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return
}

// -----

func.func @fma_requires_float(%a: tensor<3xi8>, %b: tensor<3xi8>, %c: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.fma' op requires floating-point operands; got i8}}
  %0 = "fxn.fma"(%a, %b, %c) : (tensor<3xi8>, tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return
}

// -----

func.func @fma_not_broadcastable(%a: tensor<2x1xf32>, %b: tensor<3xf32>, %c: tensor<2xf32>) {
  // expected-error @+1 {{'fxn.fma' op operand shapes [2, 1] and [3] and [2] are not broadcastable}}
  %0 = "fxn.fma"(%a, %b, %c) : (tensor<2x1xf32>, tensor<3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @fma_wrong_result(%a: tensor<2x1xf32>, %b: tensor<3xf32>, %c: tensor<f32>) {
  // expected-error @+1 {{'fxn.fma' op result type tensor<2x1xf32> does not match the inferred type tensor<2x3xf32>}}
  %0 = "fxn.fma"(%a, %b, %c) : (tensor<2x1xf32>, tensor<3xf32>, tensor<f32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @fma_two_operands(%a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.fma' op expected 3 operands; got 2}}
  %0 = "fxn.fma"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @clamp_requires_numeric(%a: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.clamp' op requires numeric operands; got i1}}
  %0 = "fxn.clamp"(%a) {max = 1.0 : f64, min = 0.0 : f64} : (tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @clamp_min_above_max(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.clamp' op requires min <= max; got min = 2.0, max = 1.0}}
  %0 = "fxn.clamp"(%a) {max = 1.0 : f64, min = 2.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @clamp_fractional_integer_bound(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.clamp' op requires integral bounds for i32 operands; got min = 0.5}}
  %0 = "fxn.clamp"(%a) {max = 0x7FF0000000000000 : f64, min = 0.5 : f64} : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @clamp_bound_out_of_range(%a: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.clamp' op bound max = 300.0 is out of range for i8 [-128, 127]}}
  %0 = "fxn.clamp"(%a) {max = 300.0 : f64, min = 0.0 : f64} : (tensor<3xi8>) -> tensor<3xi8>
  return
}

// -----

func.func @clamp_nan_bound(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.clamp' op attribute 'max' must not be NaN}}
  %0 = "fxn.clamp"(%a) {max = 0x7FF8000000000000 : f64, min = 0.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @clamp_f32_bound(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.clamp' op attribute 'min' must be an f64 float; got 0.000000e+00 : f32}}
  %0 = "fxn.clamp"(%a) {max = 1.0 : f64, min = 0.0 : f32} : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @clamp_missing_bound(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.clamp' op requires attribute 'max'}}
  %0 = "fxn.clamp"(%a) {min = 0.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @clamp_wrong_result(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.clamp' op result type tensor<3xf64> does not match the inferred type tensor<3xf32>}}
  %0 = "fxn.clamp"(%a) {max = 1.0 : f64, min = 0.0 : f64} : (tensor<3xf32>) -> tensor<3xf64>
  return
}

// -----

func.func @compare_unknown_predicate(%a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.compare' op attribute 'predicate' must be one of "eq", "ne", "lt", "le", "gt", "ge"; got "lte"}}
  %0 = "fxn.compare"(%a, %b) {predicate = "lte"} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return
}

// -----

func.func @compare_missing_predicate(%a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.compare' op requires attribute 'predicate'}}
  %0 = "fxn.compare"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return
}

// -----

func.func @compare_element_types_differ(%a: tensor<3xi1>, %b: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.compare' op operand element types differ: i1, i8}}
  %0 = "fxn.compare"(%a, %b) {predicate = "eq"} : (tensor<3xi1>, tensor<3xi8>) -> tensor<3xi1>
  return
}

// -----

func.func @compare_unsupported_element_type(%a: tensor<3xbf16>, %b: tensor<3xbf16>) {
  // expected-error @+1 {{'fxn.compare' op operand 'lhs' has unsupported element type bf16}}
  %0 = "fxn.compare"(%a, %b) {predicate = "eq"} : (tensor<3xbf16>, tensor<3xbf16>) -> tensor<3xi1>
  return
}

// -----

func.func @compare_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.compare' op operand shapes [2] and [3] are not broadcastable}}
  %0 = "fxn.compare"(%a, %b) {predicate = "eq"} : (tensor<2xf32>, tensor<3xf32>) -> tensor<3xi1>
  return
}

// -----

func.func @compare_result_not_i1(%a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.compare' op result type tensor<3xf32> does not match the inferred type tensor<3xi1>}}
  %0 = "fxn.compare"(%a, %b) {predicate = "gt"} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @select_condition_not_i1(%a: tensor<3xi8>, %b: tensor<3xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.select' op requires an i1 condition; got i8}}
  %0 = "fxn.select"(%a, %b, %c) : (tensor<3xi8>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @select_value_types_differ(%a: tensor<3xi1>, %b: tensor<3xf32>, %c: tensor<3xf16>) {
  // expected-error @+1 {{'fxn.select' op operand element types differ: f32, f16}}
  %0 = "fxn.select"(%a, %b, %c) : (tensor<3xi1>, tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return
}

// -----

func.func @select_not_broadcastable(%a: tensor<2xi1>, %b: tensor<3xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.select' op operand shapes [2] and [3] are not broadcastable}}
  %0 = "fxn.select"(%a, %b, %c) : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @select_wrong_result(%a: tensor<2x1xi1>, %b: tensor<3xi32>, %c: tensor<i32>) {
  // expected-error @+1 {{'fxn.select' op result type tensor<3xi32> does not match the inferred type tensor<2x3xi32>}}
  %0 = "fxn.select"(%a, %b, %c) : (tensor<2x1xi1>, tensor<3xi32>, tensor<i32>) -> tensor<3xi32>
  return
}

// -----

func.func @cast_shape_differs(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.cast' op requires the result shape to equal the operand shape; got [2, 3] -> [3, 2]}}
  %0 = "fxn.cast"(%a) : (tensor<2x3xf32>) -> tensor<3x2xi32>
  return
}

// -----

func.func @cast_dynamic_dim_differs(%a: tensor<?x3xf32>) {
  // expected-error @+1 {{'fxn.cast' op requires the result shape to equal the operand shape; got [?, 3] -> [2, 3]}}
  %0 = "fxn.cast"(%a) : (tensor<?x3xf32>) -> tensor<2x3xf16>
  return
}

// -----

func.func @cast_unsupported_result(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.cast' op result has unsupported element type bf16}}
  %0 = "fxn.cast"(%a) : (tensor<3xf32>) -> tensor<3xbf16>
  return
}

// -----

func.func @cast_not_a_tensor(%a: f32) {
  // expected-error @+1 {{'fxn.cast' op operand 'input' must be a ranked tensor, got f32}}
  %0 = "fxn.cast"(%a) : (f32) -> tensor<f32>
  return
}

// -----

func.func @cast_two_operands(%a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.cast' op expected 1 operand; got 2}}
  %0 = "fxn.cast"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @unsigned_and_signed_operands(%a: tensor<3xui8>, %b: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.add' op operand element types differ: ui8, i8}}
  %0 = "fxn.add"(%a, %b) : (tensor<3xui8>, tensor<3xi8>) -> tensor<3xui8>
  return
}

// -----

func.func @unsigned_clamp_below_zero(%a: tensor<3xui8>) {
  // expected-error @+1 {{'fxn.clamp' op bound min = -1.0 is out of range for ui8 [0, 255]}}
  %0 = "fxn.clamp"(%a) {min = -1.0 : f64, max = 7.0 : f64} : (tensor<3xui8>) -> tensor<3xui8>
  return
}

// -----

func.func @floor_div_requires_numeric(%a: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.floor_div' op requires numeric operands; got i1}}
  %0 = "fxn.floor_div"(%a, %a) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @remainder_same_types(%a: tensor<3xi32>, %b: tensor<3xi64>) {
  // expected-error @+1 {{'fxn.remainder' op operand element types differ: i32, i64}}
  %0 = "fxn.remainder"(%a, %b) : (tensor<3xi32>, tensor<3xi64>) -> tensor<3xi32>
  return
}

// -----

func.func @floor_requires_float(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.floor' op requires floating-point operands; got i32}}
  %0 = "fxn.floor"(%a) : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @sign_requires_numeric(%a: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.sign' op requires numeric operands; got i1}}
  %0 = "fxn.sign"(%a) : (tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @bitwise_and_requires_integers(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.bitwise_and' op requires integer or i1 operands; got f32}}
  %0 = "fxn.bitwise_and"(%a, %a) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @bitwise_not_requires_integers(%a: tensor<3xf16>) {
  // expected-error @+1 {{'fxn.bitwise_not' op requires integer or i1 operands; got f16}}
  %0 = "fxn.bitwise_not"(%a) : (tensor<3xf16>) -> tensor<3xf16>
  return
}

// -----

func.func @shift_left_requires_integers(%a: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.shift_left' op requires integer operands; got i1}}
  %0 = "fxn.shift_left"(%a, %a) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @shift_right_wrong_result(%a: tensor<3xi8>, %b: tensor<i8>) {
  // expected-error @+1 {{'fxn.shift_right' op result type tensor<i8> does not match the inferred type tensor<3xi8>}}
  %0 = "fxn.shift_right"(%a, %b) : (tensor<3xi8>, tensor<i8>) -> tensor<i8>
  return
}

// -----

func.func @sin_of_int(%a0: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.sin' op requires floating-point operands; got i32}}
  %0 = "fxn.sin"(%a0) : (tensor<3xi32>) -> tensor<3xi32>
  return
}
