// RUN: fxn-opt %s --split-input-file --verify-diagnostics

// One chunk per verifier rule of every nn op; each error names the fault.

func.func @matmul_contracting_dims_differ(%a0: tensor<2x3xf32>, %a1: tensor<4x5xf32>) {
  // expected-error @+1 {{'fxn.matmul' op contracting dimensions 3 and 4 differ}}
  %0 = "fxn.matmul"(%a0, %a1) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_rank_0(%a0: tensor<f32>, %a1: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.matmul' op operands must have rank at least 1; got ranks 0 and 1}}
  %0 = "fxn.matmul"(%a0, %a1) : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @matmul_element_types_differ(%a0: tensor<2x3xf32>, %a1: tensor<3x4xf16>) {
  // expected-error @+1 {{'fxn.matmul' op operand element types differ: f32, f16}}
  %0 = "fxn.matmul"(%a0, %a1) : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_requires_numeric(%a0: tensor<2x3xi1>, %a1: tensor<3x4xi1>) {
  // expected-error @+1 {{'fxn.matmul' op requires numeric operands; got i1}}
  %0 = "fxn.matmul"(%a0, %a1) : (tensor<2x3xi1>, tensor<3x4xi1>) -> tensor<2x4xi1>
  return
}

// -----

func.func @matmul_batch_not_broadcastable(%a0: tensor<2x2x3xf32>, %a1: tensor<3x3x4xf32>) {
  // expected-error @+1 {{'fxn.matmul' op batch dimensions [2] and [3] are not broadcastable}}
  %0 = "fxn.matmul"(%a0, %a1) : (tensor<2x2x3xf32>, tensor<3x3x4xf32>) -> tensor<2x2x4xf32>
  return
}

// -----

func.func @linear_requires_float(%a0: tensor<2x3xi32>, %a1: tensor<4x3xi32>) {
  // expected-error @+1 {{'fxn.linear' op requires float operands; got i32}}
  %0 = "fxn.linear"(%a0, %a1) : (tensor<2x3xi32>, tensor<4x3xi32>) -> tensor<2x4xi32>
  return
}

// -----

func.func @linear_element_types_differ(%a0: tensor<2x3xf32>, %a1: tensor<4x3xf32>, %a2: tensor<4xf64>) {
  // expected-error @+1 {{'fxn.linear' op operand element types differ: f32, f32, f64}}
  %0 = "fxn.linear"(%a0, %a1, %a2) : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_input_rank_0(%a0: tensor<f32>, %a1: tensor<4x3xf32>) {
  // expected-error @+1 {{'fxn.linear' op input must have rank at least 1 (*, in); got rank 0}}
  %0 = "fxn.linear"(%a0, %a1) : (tensor<f32>, tensor<4x3xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @linear_weight_rank(%a0: tensor<2x3xf32>, %a1: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.linear' op weight must have rank 2 (out, in); got rank 1}}
  %0 = "fxn.linear"(%a0, %a1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @linear_features_differ(%a0: tensor<2x3xf32>, %a1: tensor<4x5xf32>) {
  // expected-error @+1 {{'fxn.linear' op input features 3 and weight input features 5 differ}}
  %0 = "fxn.linear"(%a0, %a1) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_bias_rank(%a0: tensor<2x3xf32>, %a1: tensor<4x3xf32>, %a2: tensor<1x4xf32>) {
  // expected-error @+1 {{'fxn.linear' op bias must have rank 1; got rank 2}}
  %0 = "fxn.linear"(%a0, %a1, %a2) : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_bias_size(%a0: tensor<2x3xf32>, %a1: tensor<4x3xf32>, %a2: tensor<5xf32>) {
  // expected-error @+1 {{'fxn.linear' op bias size 5 and weight output features 4 differ}}
  %0 = "fxn.linear"(%a0, %a1, %a2) : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<5xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @conv2d_requires_float(%a0: tensor<1x3x5x5xi32>, %a1: tensor<2x3x3x3xi32>) {
  // expected-error @+1 {{'fxn.conv2d' op requires float operands; got i32}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xi32>, tensor<2x3x3x3xi32>) -> tensor<1x2x3x3xi32>
  return
}

// -----

func.func @conv2d_element_types_differ(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3x3xf16>) {
  // expected-error @+1 {{'fxn.conv2d' op operand element types differ: f32, f16}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf16>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @conv2d_input_rank(%a0: tensor<3x5x5xf32>, %a1: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op input must have rank 4 (N, C, H, W); got rank 3}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<2x3x3xf32>
  return
}

// -----

func.func @conv2d_weight_rank(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op weight must have rank 4 (O, C / groups, kH, kW); got rank 3}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @conv2d_groups_below_1(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op attribute 'groups' must be at least 1; got 0}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 0 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @conv2d_stride_below_1(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op attribute 'stride' elements must be at least 1; got [0, 1]}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 0, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @conv2d_padding_length(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op attribute 'padding' must have 2 elements; got 1}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @conv2d_input_channels_not_divisible(%a0: tensor<1x6x5x5xf32>, %a1: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op input channels 6 are not divisible by groups 4}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 4 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x6x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @conv2d_output_channels_not_divisible(%a0: tensor<1x6x5x5xf32>, %a1: tensor<3x3x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op output channels 3 are not divisible by groups 2}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x6x5x5xf32>, tensor<3x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @conv2d_group_channels_differ(%a0: tensor<1x6x5x5xf32>, %a1: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op input channels per group 3 (6 / groups 2) and weight input channels 2 differ}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x6x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @conv2d_kernel_empty(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x0x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op kernel size must be positive; got [0, 3]}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x0x3xf32>) -> tensor<1x2x6x3xf32>
  return
}

// -----

func.func @conv2d_kernel_exceeds_input(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op dilated kernel height 7 exceeds padded input height 5}}
  %0 = "fxn.conv2d"(%a0, %a1) {dilation = array<i64: 3, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @conv2d_bias_rank(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3x3xf32>, %a2: tensor<2x1xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op bias must have rank 1; got rank 2}}
  %0 = "fxn.conv2d"(%a0, %a1, %a2) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>, tensor<2x1xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @conv2d_bias_size(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3x3xf32>, %a2: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.conv2d' op bias size 3 and output channels 2 differ}}
  %0 = "fxn.conv2d"(%a0, %a1, %a2) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>, tensor<3xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @max_pool2d_input_rank(%a0: tensor<4x4xf32>) {
  // expected-error @+1 {{'fxn.max_pool2d' op input must have rank 3 or 4 ((N,) C, H, W); got rank 2}}
  %0 = "fxn.max_pool2d"(%a0) {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>, ceil_mode = false, dilation = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @max_pool2d_requires_numeric(%a0: tensor<1x4x4xi1>) {
  // expected-error @+1 {{'fxn.max_pool2d' op requires numeric operands; got i1}}
  %0 = "fxn.max_pool2d"(%a0) {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>, ceil_mode = false, dilation = array<i64: 1, 1>} : (tensor<1x4x4xi1>) -> tensor<1x2x2xi1>
  return
}

// -----

func.func @max_pool2d_padding_over_half_kernel(%a0: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'fxn.max_pool2d' op padding 2 exceeds half the kernel width 2}}
  %0 = "fxn.max_pool2d"(%a0) {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 2>, stride = array<i64: 2, 2>, ceil_mode = false, dilation = array<i64: 1, 1>} : (tensor<1x4x4xf32>) -> tensor<1x2x4xf32>
  return
}

// -----

func.func @max_pool2d_empty_height(%a0: tensor<1x0x4xf32>) {
  // expected-error @+1 {{'fxn.max_pool2d' op input height must not be 0}}
  %0 = "fxn.max_pool2d"(%a0) {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>, ceil_mode = false, dilation = array<i64: 1, 1>} : (tensor<1x0x4xf32>) -> tensor<1x0x2xf32>
  return
}

// -----

func.func @max_pool2d_input_too_small(%a0: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'fxn.max_pool2d' op input width 4 with padding 0 is too small for the dilated kernel width 5}}
  %0 = "fxn.max_pool2d"(%a0) {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>, ceil_mode = false, dilation = array<i64: 1, 4>} : (tensor<1x4x4xf32>) -> tensor<1x2x1xf32>
  return
}

// -----

func.func @max_pool2d_kernel_size_below_1(%a0: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'fxn.max_pool2d' op attribute 'kernel_size' elements must be at least 1; got [0, 2]}}
  %0 = "fxn.max_pool2d"(%a0) {kernel_size = array<i64: 0, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>, ceil_mode = false, dilation = array<i64: 1, 1>} : (tensor<1x4x4xf32>) -> tensor<1x2x2xf32>
  return
}

// -----

func.func @avg_pool2d_requires_float(%a0: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'fxn.avg_pool2d' op requires float operands; got i32}}
  %0 = "fxn.avg_pool2d"(%a0) {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>, ceil_mode = false, count_include_pad = true} : (tensor<1x4x4xi32>) -> tensor<1x2x2xi32>
  return
}

// -----

func.func @avg_pool2d_padding_over_half_kernel(%a0: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'fxn.avg_pool2d' op padding 2 exceeds half the kernel height 2}}
  %0 = "fxn.avg_pool2d"(%a0) {kernel_size = array<i64: 2, 2>, padding = array<i64: 2, 0>, stride = array<i64: 2, 2>, ceil_mode = false, count_include_pad = true} : (tensor<1x4x4xf32>) -> tensor<1x4x2xf32>
  return
}

// -----

func.func @avg_pool2d_input_too_small(%a0: tensor<1x1x4xf32>) {
  // expected-error @+1 {{'fxn.avg_pool2d' op input height 1 with padding 0 is too small for the dilated kernel height 2}}
  %0 = "fxn.avg_pool2d"(%a0) {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>, ceil_mode = false, count_include_pad = true} : (tensor<1x1x4xf32>) -> tensor<1x0x2xf32>
  return
}

// -----

func.func @adaptive_avg_pool2d_requires_float(%a0: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'fxn.adaptive_avg_pool2d' op requires float operands; got i32}}
  %0 = "fxn.adaptive_avg_pool2d"(%a0) {output_size = array<i64: 1, 1>} : (tensor<1x4x4xi32>) -> tensor<1x1x1xi32>
  return
}

// -----

func.func @adaptive_avg_pool2d_input_rank(%a0: tensor<2x1x1x4x4xf32>) {
  // expected-error @+1 {{'fxn.adaptive_avg_pool2d' op input must have rank 3 or 4 ((N,) C, H, W); got rank 5}}
  %0 = "fxn.adaptive_avg_pool2d"(%a0) {output_size = array<i64: 1, 1>} : (tensor<2x1x1x4x4xf32>) -> tensor<2x1x1x1x1xf32>
  return
}

// -----

func.func @adaptive_avg_pool2d_empty_width(%a0: tensor<1x4x0xf32>) {
  // expected-error @+1 {{'fxn.adaptive_avg_pool2d' op input width must not be 0}}
  %0 = "fxn.adaptive_avg_pool2d"(%a0) {output_size = array<i64: 1, 1>} : (tensor<1x4x0xf32>) -> tensor<1x1x1xf32>
  return
}

// -----

func.func @adaptive_avg_pool2d_output_size_negative(%a0: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'fxn.adaptive_avg_pool2d' op attribute 'output_size' elements must be at least 0; got [1, -1]}}
  %0 = "fxn.adaptive_avg_pool2d"(%a0) {output_size = array<i64: 1, -1>} : (tensor<1x4x4xf32>) -> tensor<1x1x1xf32>
  return
}

// -----

func.func @batch_norm_element_types_differ(%a0: tensor<2x3xf16>, %a1: tensor<3xf16>, %a2: tensor<3xf16>, %a3: tensor<3xf16>, %a4: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.batch_norm' op operand element types differ: f16, f16, f16, f16, f32}}
  %0 = "fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<2x3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf32>) -> tensor<2x3xf16>
  return
}

// -----

func.func @batch_norm_requires_float(%a0: tensor<2x3xi32>, %a1: tensor<3xi32>, %a2: tensor<3xi32>, %a3: tensor<3xi32>, %a4: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.batch_norm' op requires float operands; got i32}}
  %0 = "fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<2x3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  return
}

// -----

func.func @batch_norm_input_rank(%a0: tensor<3xf32>, %a1: tensor<3xf32>, %a2: tensor<3xf32>, %a3: tensor<3xf32>, %a4: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.batch_norm' op input must have rank at least 2 (N, C, ...); got rank 1}}
  %0 = "fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @batch_norm_vector_rank(%a0: tensor<2x3xf32>, %a1: tensor<3xf32>, %a2: tensor<3x1xf32>, %a3: tensor<3xf32>, %a4: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.batch_norm' op running_var must have rank 1; got rank 2}}
  %0 = "fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3x1xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @batch_norm_vector_size(%a0: tensor<2x3xf32>, %a1: tensor<3xf32>, %a2: tensor<3xf32>, %a3: tensor<3xf32>, %a4: tensor<4xf32>) {
  // expected-error @+1 {{'fxn.batch_norm' op bias size 4 and input channels 3 differ}}
  %0 = "fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_requires_float(%a0: tensor<2x3xi32>, %a1: tensor<3xi32>, %a2: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.layer_norm' op requires float operands; got i32}}
  %0 = "fxn.layer_norm"(%a0, %a1, %a2) {eps = 1.0e-05 : f64, normalized_rank = 1 : i64} : (tensor<2x3xi32>, tensor<3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  return
}

// -----

func.func @layer_norm_rank_exceeds_input(%a0: tensor<3xf32>, %a1: tensor<1x3xf32>, %a2: tensor<1x3xf32>) {
  // expected-error @+1 {{'fxn.layer_norm' op normalized_rank 2 exceeds the input's rank 1}}
  %0 = "fxn.layer_norm"(%a0, %a1, %a2) {eps = 1.0e-05 : f64, normalized_rank = 2 : i64} : (tensor<3xf32>, tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @layer_norm_rank_at_least_one(%a0: tensor<3xf32>, %a1: tensor<f32>, %a2: tensor<f32>) {
  // expected-error @+1 {{'fxn.layer_norm' op attribute 'normalized_rank' must be at least 1; got 0}}
  %0 = "fxn.layer_norm"(%a0, %a1, %a2) {eps = 1.0e-05 : f64, normalized_rank = 0 : i64} : (tensor<3xf32>, tensor<f32>, tensor<f32>) -> tensor<3xf32>
  return
}

// -----

func.func @layer_norm_weight_rank(%a0: tensor<2x3xf32>, %a1: tensor<2x3xf32>, %a2: tensor<3xf32>) {
  // expected-error @+1 {{'fxn.layer_norm' op weight must have rank 1 (the normalized dims); got rank 2}}
  %0 = "fxn.layer_norm"(%a0, %a1, %a2) {eps = 1.0e-05 : f64, normalized_rank = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_bias_shape(%a0: tensor<2x3x4xf32>, %a1: tensor<3x4xf32>, %a2: tensor<3x5xf32>) {
  // expected-error @+1 {{'fxn.layer_norm' op bias shape [3, 5] and the normalized dims [3, 4] differ}}
  %0 = "fxn.layer_norm"(%a0, %a1, %a2) {eps = 1.0e-05 : f64, normalized_rank = 2 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x5xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @conv2d_activation_unknown(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d_activation' op attribute 'activation' must be one of "relu", "clamp", "sigmoid"; got "gelu"}}
  %0 = "fxn.conv2d_activation"(%a0, %a1) {activation = "gelu", dilation = array<i64: 1, 1>, groups = 1 : i64, max = 0x7FF0000000000000 : f64, min = 0xFFF0000000000000 : f64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @conv2d_activation_bounds_reversed(%a0: tensor<1x3x5x5xf32>, %a1: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{'fxn.conv2d_activation' op requires min <= max; got min = 6.0, max = 0.0}}
  %0 = "fxn.conv2d_activation"(%a0, %a1) {activation = "clamp", dilation = array<i64: 1, 1>, groups = 1 : i64, max = 0.0 : f64, min = 6.0 : f64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @linear_activation_bounds_on_relu(%a0: tensor<8x3xf32>, %a1: tensor<4x3xf32>) {
  // expected-error @+1 {{'fxn.linear_activation' op min and max bound only a clamp; activation relu has min = 0.0, max = inf}}
  %0 = "fxn.linear_activation"(%a0, %a1) {activation = "relu", max = 0x7FF0000000000000 : f64, min = 0.0 : f64} : (tensor<8x3xf32>, tensor<4x3xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @linear_activation_of_conv_shapes(%a0: tensor<8x3xf32>, %a1: tensor<4x5xf32>) {
  // expected-error @+1 {{'fxn.linear_activation' op input features 3 and weight input features 5 differ}}
  %0 = "fxn.linear_activation"(%a0, %a1) {activation = "sigmoid", max = 0x7FF0000000000000 : f64, min = 0xFFF0000000000000 : f64} : (tensor<8x3xf32>, tensor<4x5xf32>) -> tensor<8x4xf32>
  return
}
