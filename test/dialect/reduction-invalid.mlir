// RUN: fxn-opt %s --split-input-file --verify-diagnostics

// One chunk per verifier rule of every reduction op; each error names the fault.

func.func @reduce_unknown_kind(%a0: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.reduce' op attribute 'kind' must be one of "sum", "mean", "max", "min", "prod"}}
  %0 = "fxn.reduce"(%a0) {axes = array<i64: 0>, keepdims = false, kind = "median"} : (tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @reduce_axes_empty(%a0: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.reduce' op attribute 'axes' must not be empty}}
  %0 = "fxn.reduce"(%a0) {axes = array<i64>, keepdims = false, kind = "sum"} : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @reduce_axis_out_of_range(%a0: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.reduce' op axis 2 is out of range for rank 2}}
  %0 = "fxn.reduce"(%a0) {axes = array<i64: 2>, keepdims = false, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @reduce_axis_repeated(%a0: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.reduce' op axes 1 and -1 both name dimension 1}}
  %0 = "fxn.reduce"(%a0) {axes = array<i64: 1, -1>, keepdims = false, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @reduce_requires_numeric(%a0: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.reduce' op requires a numeric operand; got i1}}
  %0 = "fxn.reduce"(%a0) {axes = array<i64: 0>, keepdims = false, kind = "sum"} : (tensor<3xi1>) -> tensor<i1>
  return
}

// -----

func.func @reduce_mean_requires_float(%a0: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.reduce' op kind "mean" requires a float operand; got i32}}
  %0 = "fxn.reduce"(%a0) {axes = array<i64: 0>, keepdims = false, kind = "mean"} : (tensor<3xi32>) -> tensor<i32>
  return
}

// -----

func.func @reduce_keepdims_result_differs(%a0: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.reduce' op result type tensor<3xf32> does not match the inferred type tensor<1x3xf32>}}
  %0 = "fxn.reduce"(%a0) {axes = array<i64: 0>, keepdims = true, kind = "sum"} : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @softmax_requires_float(%a0: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.softmax' op requires a float operand; got i32}}
  %0 = "fxn.softmax"(%a0) {dim = 0 : i64} : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @softmax_dim_out_of_range(%a0: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.softmax' op dimension -3 is out of range for rank 2}}
  %0 = "fxn.softmax"(%a0) {dim = -3 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @argmax_requires_numeric(%a0: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.argmax' op requires a numeric operand; got i1}}
  %0 = "fxn.argmax"(%a0) {dim = 0 : i64, keepdims = false} : (tensor<3xi1>) -> tensor<i64>
  return
}

// -----

func.func @argmax_dim_out_of_range(%a0: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.argmax' op dimension 2 is out of range for rank 2}}
  %0 = "fxn.argmax"(%a0) {dim = 2 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xi64>
  return
}

// -----

func.func @argmax_result_not_i64(%a0: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.argmax' op result type tensor<2xi32> does not match the inferred type tensor<2xi64>}}
  %0 = "fxn.argmax"(%a0) {dim = 1 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xi32>
  return
}

// -----

func.func @cumulative_axis_out_of_range(%a0: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.cumulative' op axis 2 is out of range for rank 2}}
  %0 = "fxn.cumulative"(%a0) {axis = 2 : i64, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @cumulative_of_bool(%a0: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.cumulative' op requires a numeric operand; got i1}}
  %0 = "fxn.cumulative"(%a0) {axis = 0 : i64, kind = "sum"} : (tensor<3xi1>) -> tensor<3xi1>
  return
}

// -----

func.func @cumulative_unknown_kind(%a0: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.cumulative' op attribute 'kind' must be one of "sum", "prod"}}
  %0 = "fxn.cumulative"(%a0) {axis = 0 : i64, kind = "max"} : (tensor<3xf32>) -> tensor<3xf32>
  return
}
