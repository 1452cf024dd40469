// RUN: fxn-opt %s --split-input-file --verify-diagnostics

// One chunk per verifier rule of the string ops; each error names the fault.

func.func @constant_not_text() {
  // expected-error @+1 {{'fxn.str_constant' op attribute 'value' must be a string; got 1 : i64}}
  %0 = "fxn.str_constant"() {value = 1} : () -> tensor<?xui8>
  return
}

// -----

func.func @constant_not_utf8() {
  // expected-error @+1 {{'fxn.str_constant' op attribute 'value' is not UTF-8 text (invalid start byte at byte 1)}}
  %0 = "fxn.str_constant"() {value = "a\FF"} : () -> tensor<?xui8>
  return
}

// -----

func.func @constant_static(%a: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.str_constant' op result type tensor<2xui8> does not match the inferred type tensor<?xui8>}}
  %0 = "fxn.str_constant"() {value = "ab"} : () -> tensor<2xui8>
  return
}

// -----

func.func @concat_nothing() {
  // expected-error @+1 {{'fxn.str_concat' op expected at least one input}}
  %0 = "fxn.str_concat"() : () -> tensor<?xui8>
  return
}

// -----

func.func @concat_static(%a: tensor<3xui8>) {
  // expected-error @+1 {{'fxn.str_concat' op operand 'inputs #0' must be a string (tensor<?xui8>); got tensor<3xui8>}}
  %0 = "fxn.str_concat"(%a, %a) : (tensor<3xui8>, tensor<3xui8>) -> tensor<?xui8>
  return
}

// -----

func.func @len_of_bytes(%a: tensor<?xi8>) {
  // expected-error @+1 {{'fxn.str_len' op operand 'input' must be a string (tensor<?xui8>); got tensor<?xi8>}}
  %0 = "fxn.str_len"(%a) : (tensor<?xi8>) -> tensor<i64>
  return
}

// -----

func.func @len_result(%a: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.str_len' op result type tensor<i32> does not match the inferred type tensor<i64>}}
  %0 = "fxn.str_len"(%a) : (tensor<?xui8>) -> tensor<i32>
  return
}

// -----

func.func @compare_predicate(%a: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.str_compare' op attribute 'predicate' must be one of "eq", "ne", "lt", "le", "gt", "ge"; got "is"}}
  %0 = "fxn.str_compare"(%a, %a) {predicate = "is"} : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
  return
}

// -----

func.func @contains_2d(%a: tensor<?xui8>, %b: tensor<2x?xui8>) {
  // expected-error @+1 {{'fxn.str_contains' op operand 'needle' must be a string (tensor<?xui8>); got tensor<2x?xui8>}}
  %0 = "fxn.str_contains"(%a, %b) : (tensor<?xui8>, tensor<2x?xui8>) -> tensor<i1>
  return
}

// -----

func.func @format_array(%x: tensor<3xi32>) {
  // expected-error @+1 {{'fxn.format' op operand 'input' must be 0-d (a number) or a string (tensor<?xui8>); got tensor<3xi32>}}
  %0 = "fxn.format"(%x) {spec = ""} : (tensor<3xi32>) -> tensor<?xui8>
  return
}

// -----

func.func @format_half(%x: tensor<f16>) {
  // expected-error @+1 {{'fxn.format' op cannot format f16 values yet (supported: integers, i1, f32 and f64)}}
  %0 = "fxn.format"(%x) {spec = ".2f"} : (tensor<f16>) -> tensor<?xui8>
  return
}

// -----

func.func @format_invalid_spec(%x: tensor<i32>) {
  // expected-error @+1 {{'fxn.format' op invalid format specifier '5x1'}}
  %0 = "fxn.format"(%x) {spec = "5x1"} : (tensor<i32>) -> tensor<?xui8>
  return
}

// -----

func.func @format_precision(%x: tensor<i32>) {
  // expected-error @+1 {{'fxn.format' op format spec '.2d': precision not allowed in integer format specifier}}
  %0 = "fxn.format"(%x) {spec = ".2d"} : (tensor<i32>) -> tensor<?xui8>
  return
}

// -----

func.func @format_grouping(%x: tensor<i32>) {
  // expected-error @+1 {{'fxn.format' op format spec ',d': grouping with ',' is not supported}}
  %0 = "fxn.format"(%x) {spec = ",d"} : (tensor<i32>) -> tensor<?xui8>
  return
}

// -----

func.func @format_type(%x: tensor<i64>) {
  // expected-error @+1 {{'fxn.format' op format spec '.3f': type 'f' of an integer is not supported (supported: d, x, X, o, b or none)}}
  %0 = "fxn.format"(%x) {spec = ".3f"} : (tensor<i64>) -> tensor<?xui8>
  return
}

// -----

func.func @format_missing_spec(%x: tensor<i32>) {
  // expected-error @+1 {{'fxn.format' op requires attribute 'spec'}}
  %0 = "fxn.format"(%x) : (tensor<i32>) -> tensor<?xui8>
  return
}

// -----

func.func @format_string_sign(%s: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.format' op format spec '+5': sign not allowed in string format specifier}}
  %0 = "fxn.format"(%s) {spec = "+5"} : (tensor<?xui8>) -> tensor<?xui8>
  return
}

// -----

func.func @format_string_type(%s: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.format' op format spec 'd': unknown format code 'd' for object of type 'str'}}
  %0 = "fxn.format"(%s) {spec = "d"} : (tensor<?xui8>) -> tensor<?xui8>
  return
}

// -----

func.func @format_string_equals(%s: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.format' op format spec '=5': '=' alignment not allowed in string format specifier}}
  %0 = "fxn.format"(%s) {spec = "=5"} : (tensor<?xui8>) -> tensor<?xui8>
  return
}

// -----

func.func @slice_i32_bound(%s: tensor<?xui8>, %a: tensor<i32>, %b: tensor<i64>) {
  // expected-error @+1 {{'fxn.str_slice' op operand 'start' must be a 0-d i64 (an index or a count); got tensor<i32>}}
  %0 = "fxn.str_slice"(%s, %a, %b) : (tensor<?xui8>, tensor<i32>, tensor<i64>) -> tensor<?xui8>
  return
}

// -----

func.func @at_of_bytes(%s: tensor<4xui8>, %i: tensor<i64>) {
  // expected-error @+1 {{'fxn.str_at' op operand 'input' must be a string (tensor<?xui8>); got tensor<4xui8>}}
  %0 = "fxn.str_at"(%s, %i) : (tensor<4xui8>, tensor<i64>) -> tensor<?xui8>
  return
}

// -----

func.func @starts_with_result(%s: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.str_starts_with' op result type tensor<?xui8> does not match the inferred type tensor<i1>}}
  %0 = "fxn.str_starts_with"(%s, %s) : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>
  return
}

// -----

func.func @to_int_float(%s: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.str_to_int' op attribute 'dtype' must be one of "i8", "i32", "i64"; got "f32"}}
  %0 = "fxn.str_to_int"(%s) {dtype = "f32"} : (tensor<?xui8>) -> tensor<f32>
  return
}

// -----

func.func @to_int_result(%s: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.str_to_int' op result type tensor<i64> does not match the inferred type tensor<i32>}}
  %0 = "fxn.str_to_int"(%s) {dtype = "i32"} : (tensor<?xui8>) -> tensor<i64>
  return
}

// -----

func.func @to_float_dtype(%s: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.str_to_float' op attribute 'dtype' must be one of "f32", "f64"; got "i32"}}
  %0 = "fxn.str_to_float"(%s) {dtype = "i32"} : (tensor<?xui8>) -> tensor<i32>
  return
}

// -----

func.func @format_float_repr(%x: tensor<f32>) {
  // expected-error @+1 {{'fxn.format' op format spec '': fxn formats a run-time float with a type, not as Python's shortest repr (str(x), f'{x}'): give a precision and a type, e.g. '.6f' or '.6e'}}
  %0 = "fxn.format"(%x) {spec = ""} : (tensor<f32>) -> tensor<?xui8>
  return
}

// -----

func.func @format_float_precision(%x: tensor<f64>) {
  // expected-error @+1 {{'fxn.format' op format spec '.19e': precision 19 of a float is above fxn's limit 18}}
  %0 = "fxn.format"(%x) {spec = ".19e"} : (tensor<f64>) -> tensor<?xui8>
  return
}

// -----

func.func @format_float_type(%x: tensor<f32>) {
  // expected-error @+1 {{'fxn.format' op format spec '.3g': type 'g' of a float is not supported (supported: f, F, e, E)}}
  %0 = "fxn.format"(%x) {spec = ".3g"} : (tensor<f32>) -> tensor<?xui8>
  return
}

// -----

func.func @case_mode(%s: tensor<?xui8>) {
  // expected-error @+1 {{'fxn.str_case' op attribute 'mode' must be one of "upper", "lower"; got "title"}}
  %0 = "fxn.str_case"(%s) {mode = "title"} : (tensor<?xui8>) -> tensor<?xui8>
  return
}

// -----

func.func @strip_chars(%s: tensor<?xui8>, %c: tensor<?xi32>) {
  // expected-error @+1 {{'fxn.str_strip' op operand 'chars' must be a string (tensor<?xui8>); got tensor<?xi32>}}
  %0 = "fxn.str_strip"(%s, %c) {side = "both"} : (tensor<?xui8>, tensor<?xi32>) -> tensor<?xui8>
  return
}

// -----

func.func @replace_count(%s: tensor<?xui8>, %n: tensor<i32>) {
  // expected-error @+1 {{'fxn.str_replace' op operand 'count' must be a 0-d i64 (an index or a count); got tensor<i32>}}
  %0 = "fxn.str_replace"(%s, %s, %s, %n) : (tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<i32>) -> tensor<?xui8>
  return
}

// -----

func.func @split_count_result(%s: tensor<?xui8>, %n: tensor<i64>) {
  // expected-error @+1 {{'fxn.str_split_count' op result type tensor<i32> does not match the inferred type tensor<i64>}}
  %0 = "fxn.str_split_count"(%s, %s, %n) : (tensor<?xui8>, tensor<?xui8>, tensor<i64>) -> tensor<i32>
  return
}

// -----

func.func @split_part_index(%s: tensor<?xui8>, %n: tensor<i64>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'fxn.str_split_part' op operand 'index' must be a 0-d i64 (an index or a count); got tensor<2xi64>}}
  %0 = "fxn.str_split_part"(%s, %s, %n, %i) : (tensor<?xui8>, tensor<?xui8>, tensor<i64>, tensor<2xi64>) -> tensor<?xui8>
  return
}
