// RUN: fxn-opt %s --split-input-file --verify-diagnostics

// One chunk per verifier rule of the image ops; each error names the fault.

// Only CHW and NCHW inputs.
func.func @resize_rank_2(%x: tensor<4x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op requires a rank 3 (CHW) or rank 4 (NCHW) input; got rank 2}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 4, 4>} : (tensor<4x5xf32>) -> tensor<4x4xf32>
  return
}

// -----

// Torch refuses to resize an empty image.
func.func @resize_empty_input(%x: tensor<1x0x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op input spatial dims must be at least 1; got [0, 5]}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 4, 4>} : (tensor<1x0x5xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @resize_missing_size(%x: tensor<1x3x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op requires attribute 'size'}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear"} : (tensor<1x3x5xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @resize_size_not_an_array(%x: tensor<1x3x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op attribute 'size' must be an array<i64: ...>; got [4, 4]}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = [4, 4]} : (tensor<1x3x5xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @resize_size_length(%x: tensor<1x3x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op attribute 'size' must have 2 elements; got 3}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 1, 4, 4>} : (tensor<1x3x5xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @resize_size_zero(%x: tensor<1x3x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op attribute 'size' elements must be at least 1; got [0, 4]}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 0, 4>} : (tensor<1x3x5xf32>) -> tensor<1x0x4xf32>
  return
}

// -----

func.func @resize_unknown_mode(%x: tensor<1x3x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op attribute 'mode' must be one of "nearest", "bilinear", "bicubic"; got "area"}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "area", size = array<i64: 4, 4>} : (tensor<1x3x5xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @resize_flag_not_bool(%x: tensor<1x3x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op attribute 'antialias' must be true or false; got 1 : i64}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = 1 : i64, mode = "bilinear", size = array<i64: 4, 4>} : (tensor<1x3x5xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

// Interpolating modes need a float input.
func.func @resize_bilinear_integers(%x: tensor<1x3x5xi32>) {
  // expected-error @+1 {{'fxn.resize' op mode "bilinear" requires a float input (f16, f32, f64); got i32}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 4, 4>} : (tensor<1x3x5xi32>) -> tensor<1x4x4xi32>
  return
}

// -----

func.func @resize_bicubic_integers(%x: tensor<1x3x5xi8>) {
  // expected-error @+1 {{'fxn.resize' op mode "bicubic" requires a float input (f16, f32, f64); got i8}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bicubic", size = array<i64: 4, 4>} : (tensor<1x3x5xi8>) -> tensor<1x4x4xi8>
  return
}

// -----

func.func @resize_nearest_bool(%x: tensor<1x3x5xi1>) {
  // expected-error @+1 {{'fxn.resize' op mode "nearest" requires a numeric input; got i1}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "nearest", size = array<i64: 4, 4>} : (tensor<1x3x5xi1>) -> tensor<1x4x4xi1>
  return
}

// -----

// torch refuses align_corners and antialias with nearest.
func.func @resize_nearest_align_corners(%x: tensor<1x3x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op align_corners = true is only allowed with mode "bilinear" or "bicubic"}}
  %0 = "fxn.resize"(%x) {align_corners = true, antialias = false, mode = "nearest", size = array<i64: 4, 4>} : (tensor<1x3x5xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @resize_nearest_antialias(%x: tensor<1x3x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op antialias = true is only allowed with mode "bilinear" or "bicubic"}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = true, mode = "nearest", size = array<i64: 4, 4>} : (tensor<1x3x5xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @resize_wrong_result(%x: tensor<2x3x5xf32>) {
  // expected-error @+1 {{'fxn.resize' op result type tensor<2x4x5xf32> does not match the inferred type tensor<2x4x4xf32>}}
  %0 = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 4, 4>} : (tensor<2x3x5xf32>) -> tensor<2x4x5xf32>
  return
}

// -----

func.func @crop_rank_1(%x: tensor<5xf32>) {
  // expected-error @+1 {{'fxn.crop' op requires an input of rank at least 2; got rank 1}}
  %0 = "fxn.crop"(%x) {height = 2 : i64, left = 0 : i64, top = 0 : i64, width = 2 : i64} : (tensor<5xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @crop_negative_top(%x: tensor<5x5xf32>) {
  // expected-error @+1 {{'fxn.crop' op attribute 'top' must be at least 0; got -1}}
  %0 = "fxn.crop"(%x) {height = 2 : i64, left = 0 : i64, top = -1 : i64, width = 2 : i64} : (tensor<5x5xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @crop_negative_left(%x: tensor<5x5xf32>) {
  // expected-error @+1 {{'fxn.crop' op attribute 'left' must be at least 0; got -2}}
  %0 = "fxn.crop"(%x) {height = 2 : i64, left = -2 : i64, top = 0 : i64, width = 2 : i64} : (tensor<5x5xf32>) -> tensor<2x2xf32>
  return
}

// -----

// An empty window is refused.
func.func @crop_zero_height(%x: tensor<5x5xf32>) {
  // expected-error @+1 {{'fxn.crop' op attribute 'height' must be at least 1; got 0}}
  %0 = "fxn.crop"(%x) {height = 0 : i64, left = 0 : i64, top = 0 : i64, width = 2 : i64} : (tensor<5x5xf32>) -> tensor<0x2xf32>
  return
}

// -----

func.func @crop_zero_width(%x: tensor<5x5xf32>) {
  // expected-error @+1 {{'fxn.crop' op attribute 'width' must be at least 1; got 0}}
  %0 = "fxn.crop"(%x) {height = 2 : i64, left = 0 : i64, top = 0 : i64, width = 0 : i64} : (tensor<5x5xf32>) -> tensor<2x0xf32>
  return
}

// -----

func.func @crop_offset_not_i64(%x: tensor<5x5xf32>) {
  // expected-error @+1 {{'fxn.crop' op attribute 'left' must be an i64 integer; got 0 : i32}}
  %0 = "fxn.crop"(%x) {height = 2 : i64, left = 0 : i32, top = 0 : i64, width = 2 : i64} : (tensor<5x5xf32>) -> tensor<2x2xf32>
  return
}

// -----

// The window must lie inside the input (no zero padding, unlike torchvision).
func.func @crop_rows_outside(%x: tensor<3x5x5xf32>) {
  // expected-error @+1 {{'fxn.crop' op crop window rows [4, 6) exceed the input's 5 rows}}
  %0 = "fxn.crop"(%x) {height = 2 : i64, left = 0 : i64, top = 4 : i64, width = 2 : i64} : (tensor<3x5x5xf32>) -> tensor<3x2x2xf32>
  return
}

// -----

func.func @crop_columns_outside(%x: tensor<5x5xi1>) {
  // expected-error @+1 {{'fxn.crop' op crop window columns [2, 6) exceed the input's 5 columns}}
  %0 = "fxn.crop"(%x) {height = 2 : i64, left = 2 : i64, top = 0 : i64, width = 4 : i64} : (tensor<5x5xi1>) -> tensor<2x4xi1>
  return
}

// -----

func.func @crop_wrong_result(%x: tensor<5x5xf32>) {
  // expected-error @+1 {{'fxn.crop' op result type tensor<2x3xf32> does not match the inferred type tensor<2x2xf32>}}
  %0 = "fxn.crop"(%x) {height = 2 : i64, left = 0 : i64, top = 0 : i64, width = 2 : i64} : (tensor<5x5xf32>) -> tensor<2x3xf32>
  return
}
