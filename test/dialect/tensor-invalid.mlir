// RUN: fxn-opt %s --split-input-file --verify-diagnostics

// One chunk per verifier rule of every tensor op; each error names the fault.

func.func @constant_value_not_elements() {
  // expected-error @+1 {{'fxn.constant' op attribute 'value' must be dense<...> or dense_resource<...>}}
  %0 = "fxn.constant"() {value = 1.0 : f32} : () -> tensor<f32>
  return
}

// -----

func.func @constant_result_differs() {
  // expected-error @+1 {{'fxn.constant' op result type tensor<3xf32> does not match the inferred type tensor<2xf32>}}
  %0 = "fxn.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return
}

// -----

func.func @constant_unsupported_element_type() {
  // expected-error @+1 {{'fxn.constant' op attribute 'value' has unsupported element type i16}}
  %0 = "fxn.constant"() {value = dense<1> : tensor<2xi16>} : () -> tensor<2xi16>
  return
}

// -----

func.func @broadcast_to_negative_size(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.broadcast_to' op attribute 'shape' elements must be at least 0; got [-1, 3]}}
  %0 = "fxn.broadcast_to"(%a) {shape = array<i64: -1, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @broadcast_to_rank_exceeds_target(%a: tensor<1x3xf32>) {
  // expected-error @+1 {{'fxn.broadcast_to' op input rank 2 exceeds the rank 1 of target shape [3]}}
  %0 = "fxn.broadcast_to"(%a) {shape = array<i64: 3>} : (tensor<1x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @broadcast_to_incompatible_dim(%a: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.broadcast_to' op input shape [3] cannot broadcast to target shape [2, 4]: dimension 0 has size 3, not 1 or 4}}
  %0 = "fxn.broadcast_to"(%a) {shape = array<i64: 2, 4>} : (tensor<3xi1>) -> tensor<2x4xi1>
  return
}

// -----

func.func @reshape_size_below_minus_one(%a: tensor<6xf32>) {
  // expected-error @+1 {{'fxn.reshape' op attribute 'shape' elements must be at least -1; got [-2, 3]}}
  %0 = "fxn.reshape"(%a) {shape = array<i64: -2, 3>} : (tensor<6xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @reshape_two_inferred_dims(%a: tensor<6xf32>) {
  // expected-error @+1 {{'fxn.reshape' op shape [-1, -1] has more than one -1}}
  %0 = "fxn.reshape"(%a) {shape = array<i64: -1, -1>} : (tensor<6xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @reshape_ambiguous_inferred_dim(%a: tensor<0xf32>) {
  // expected-error @+1 {{'fxn.reshape' op shape [0, -1] leaves the size of -1 ambiguous: the other dimensions hold no elements}}
  %0 = "fxn.reshape"(%a) {shape = array<i64: 0, -1>} : (tensor<0xf32>) -> tensor<0x0xf32>
  return
}

// -----

func.func @reshape_count_differs(%a: tensor<2x3xi8>) {
  // expected-error @+1 {{'fxn.reshape' op cannot reshape tensor<2x3xi8> (6 elements) into shape [4] (4 elements)}}
  %0 = "fxn.reshape"(%a) {shape = array<i64: 4>} : (tensor<2x3xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @reshape_count_not_divisible(%a: tensor<2x3xi8>) {
  // expected-error @+1 {{'fxn.reshape' op cannot reshape tensor<2x3xi8> (6 elements) into shape [4, -1]: 6 is not a multiple of 4}}
  %0 = "fxn.reshape"(%a) {shape = array<i64: 4, -1>} : (tensor<2x3xi8>) -> tensor<4x1xi8>
  return
}

// -----

func.func @reshape_dynamic_count_not_a_multiple(%a: tensor<?x3xf32>) {
  // expected-error @+1 {{'fxn.reshape' op cannot reshape tensor<?x3xf32> (a multiple of 3 elements) into shape [4] (4 elements)}}
  %0 = "fxn.reshape"(%a) {shape = array<i64: 4>} : (tensor<?x3xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @transpose_wrong_length(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.transpose' op permutation [0] has 1 entries; the input tensor<2x3xf32> has rank 2}}
  %0 = "fxn.transpose"(%a) {permutation = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_repeated_dim(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.transpose' op permutation [0, 0] is not a permutation of 0..1}}
  %0 = "fxn.transpose"(%a) {permutation = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @transpose_repeated_negative_dim(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'fxn.transpose' op permutation [1, -2, 2] is not a permutation of 0..2}}
  %0 = "fxn.transpose"(%a) {permutation = array<i64: 1, -2, 2>} : (tensor<2x3x4xf32>) -> tensor<3x3x4xf32>
  return
}

// -----

func.func @slice_wrong_length(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.slice' op attribute 'starts' has 1 entries; the input tensor<2x3xf32> has rank 2}}
  %0 = "fxn.slice"(%a) {limits = array<i64: 1, 1>, starts = array<i64: 0>, strides = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return
}

// -----

func.func @slice_negative_start(%a: tensor<2xf32>) {
  // expected-error @+1 {{'fxn.slice' op attribute 'starts' elements must be at least 0; got [-1]}}
  %0 = "fxn.slice"(%a) {limits = array<i64: 1>, starts = array<i64: -1>, strides = array<i64: 1>} : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @slice_zero_stride(%a: tensor<2xf32>) {
  // expected-error @+1 {{'fxn.slice' op attribute 'strides' elements must be at least 1; got [0]}}
  %0 = "fxn.slice"(%a) {limits = array<i64: 1>, starts = array<i64: 0>, strides = array<i64: 0>} : (tensor<2xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @slice_start_after_limit(%a: tensor<4xf32>) {
  // expected-error @+1 {{'fxn.slice' op dimension 0: start 3 exceeds limit 2}}
  %0 = "fxn.slice"(%a) {limits = array<i64: 2>, starts = array<i64: 3>, strides = array<i64: 1>} : (tensor<4xf32>) -> tensor<0xf32>
  return
}

// -----

func.func @slice_limit_beyond_size(%a: tensor<4xf32>) {
  // expected-error @+1 {{'fxn.slice' op dimension 0: limit 5 exceeds size 4}}
  %0 = "fxn.slice"(%a) {limits = array<i64: 5>, starts = array<i64: 0>, strides = array<i64: 1>} : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @pad_wrong_length(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.pad' op attribute 'low' has 2 entries; the input tensor<3xf32> has rank 1}}
  %0 = "fxn.pad"(%a) {high = array<i64: 1>, low = array<i64: 1, 1>, mode = "constant", value = 0.0 : f64} : (tensor<3xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @pad_negative_amount(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.pad' op attribute 'high' elements must be at least 0; got [-1]}}
  %0 = "fxn.pad"(%a) {high = array<i64: -1>, low = array<i64: 1>, mode = "constant", value = 0.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @pad_unknown_mode(%a: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.pad' op attribute 'mode' must be one of "constant", "reflect", "replicate"}}
  %0 = "fxn.pad"(%a) {high = array<i64: 1>, low = array<i64: 1>, mode = "circular", value = 0.0 : f64} : (tensor<3xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @pad_reflect_too_wide(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.pad' op reflect padding of dimension 1 needs amounts below its size 3; got low 1, high 3}}
  %0 = "fxn.pad"(%a) {high = array<i64: 0, 3>, low = array<i64: 0, 1>, mode = "reflect", value = 0.0 : f64} : (tensor<2x3xf32>) -> tensor<2x7xf32>
  return
}

// -----

func.func @pad_replicate_empty_dim(%a: tensor<0xf32>) {
  // expected-error @+1 {{'fxn.pad' op replicate padding of dimension 0 needs a non-empty dimension}}
  %0 = "fxn.pad"(%a) {high = array<i64: 1>, low = array<i64: 0>, mode = "replicate", value = 0.0 : f64} : (tensor<0xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @pad_value_not_integral(%a: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.pad' op padding value 0.5 is not an integer, as the i32 tensor needs}}
  %0 = "fxn.pad"(%a) {high = array<i64: 1>, low = array<i64: 1>, mode = "constant", value = 0.5 : f64} : (tensor<3xi32>) -> tensor<5xi32>
  return
}

// -----

func.func @pad_value_not_boolean(%a: tensor<3xi1>) {
  // expected-error @+1 {{'fxn.pad' op padding value 2.0 must be 0 or 1 for an i1 tensor}}
  %0 = "fxn.pad"(%a) {high = array<i64: 1>, low = array<i64: 1>, mode = "constant", value = 2.0 : f64} : (tensor<3xi1>) -> tensor<5xi1>
  return
}

// -----

func.func @pad_value_out_of_range(%a: tensor<3xi8>) {
  // expected-error @+1 {{'fxn.pad' op padding value 128.0 is out of range for i8}}
  %0 = "fxn.pad"(%a) {high = array<i64: 1>, low = array<i64: 1>, mode = "constant", value = 128.0 : f64} : (tensor<3xi8>) -> tensor<5xi8>
  return
}

// -----

func.func @concat_one_input(%a: tensor<2xf32>) {
  // expected-error @+1 {{'fxn.concat' op expected at least 2 operands; got 1}}
  %0 = "fxn.concat"(%a) {dim = 0 : i64} : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @concat_tail_types_differ(%a: tensor<2xf32>, %b: tensor<1xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.concat' op inputs after the second must share one type}}
  %0 = "fxn.concat"(%a, %a, %b, %c) {dim = 0 : i64} : (tensor<2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<3xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @concat_scalars(%a: tensor<f32>, %b: tensor<f32>) {
  // expected-error @+1 {{'fxn.concat' op cannot concatenate 0-d tensors}}
  %0 = "fxn.concat"(%a, %b) {dim = 0 : i64} : (tensor<f32>, tensor<f32>) -> tensor<2xf32>
  return
}

// -----

func.func @concat_dim_out_of_range(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'fxn.concat' op dimension 2 is out of range for rank 2}}
  %0 = "fxn.concat"(%a, %a) {dim = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_element_types_differ(%a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+1 {{'fxn.concat' op input element types differ: f32, i32}}
  %0 = "fxn.concat"(%a, %b) {dim = 0 : i64} : (tensor<2xf32>, tensor<2xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @concat_ranks_differ(%a: tensor<2xf32>, %b: tensor<2x1xf32>) {
  // expected-error @+1 {{'fxn.concat' op input ranks differ: 1, 2}}
  %0 = "fxn.concat"(%a, %b) {dim = 0 : i64} : (tensor<2xf32>, tensor<2x1xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @concat_other_dim_differs(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{'fxn.concat' op input sizes differ in dimension 1, which is not the concatenation dimension 0: 3, 4}}
  %0 = "fxn.concat"(%a, %b) {dim = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}
