// RUN: fxn-opt %s | fxn-opt | FileCheck %s
// RUN: fxn-opt %s -o %t.1 && fxn-opt %t.1 -o %t.2 && diff %t.1 %t.2
// RUN: fxn-opt %s --mlir-print-op-generic | fxn-opt | FileCheck %s

// Round trip of every string op: a string is a tensor<?xui8> of UTF-8 bytes; a
// constant's text prints with MLIR's escapes for bytes outside printable ASCII.

// CHECK-LABEL: func.func @greeting(
// CHECK-SAME: %[[NAME:[^:]+]]: tensor<?xui8>
// CHECK: %[[HELLO:.+]] = "fxn.str_constant"() {value = "Hello "} : () -> tensor<?xui8>
// CHECK: %[[REST:.+]] = "fxn.str_constant"() {value = "! Zo\C3\AB \E6\97\A5\E6\9C\AC"} : () -> tensor<?xui8>
// CHECK: %[[R:.+]] = "fxn.str_concat"(%[[HELLO]], %[[NAME]], %[[REST]]) : (tensor<?xui8>, tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>
// CHECK: return %[[R]]
func.func @greeting(%name: tensor<?xui8>) -> tensor<?xui8> {
  %0 = "fxn.str_constant"() {value = "Hello "} : () -> tensor<?xui8>
  %1 = "fxn.str_constant"() {value = "! Zoë 日本"} : () -> tensor<?xui8>
  %2 = "fxn.str_concat"(%0, %name, %1) : (tensor<?xui8>, tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>
  return %2 : tensor<?xui8>
}

// CHECK-LABEL: func.func @inspect(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?xui8>, %[[B:[^:]+]]: tensor<?xui8>
// CHECK: "fxn.str_len"(%[[A]]) : (tensor<?xui8>) -> tensor<i64>
// CHECK: "fxn.str_compare"(%[[A]], %[[B]]) {predicate = "le"} : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
// CHECK: "fxn.str_contains"(%[[A]], %[[B]]) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
func.func @inspect(%a: tensor<?xui8>, %b: tensor<?xui8>) -> (tensor<i64>, tensor<i1>, tensor<i1>) {
  %0 = "fxn.str_len"(%a) : (tensor<?xui8>) -> tensor<i64>
  %1 = "fxn.str_compare"(%a, %b) {predicate = "le"} : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
  %2 = "fxn.str_contains"(%a, %b) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
  return %0, %1, %2 : tensor<i64>, tensor<i1>, tensor<i1>
}

// CHECK-LABEL: func.func @format(
// CHECK: "fxn.format"(%{{.+}}) {spec = "*^+#12x"} : (tensor<i64>) -> tensor<?xui8>
// CHECK: "fxn.format"(%{{.+}}) {spec = ""} : (tensor<i1>) -> tensor<?xui8>
// CHECK: "fxn.format"(%{{.+}}) {spec = "\E6\97\A5<5"} : (tensor<ui8>) -> tensor<?xui8>
// CHECK: "fxn.format"(%{{.+}}) {spec = ">10.2"} : (tensor<?xui8>) -> tensor<?xui8>
func.func @format(%x: tensor<i64>, %b: tensor<i1>, %u: tensor<ui8>, %s: tensor<?xui8>) -> (tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<?xui8>) {
  %0 = "fxn.format"(%x) {spec = "*^+#12x"} : (tensor<i64>) -> tensor<?xui8>
  %1 = "fxn.format"(%b) {spec = ""} : (tensor<i1>) -> tensor<?xui8>
  %2 = "fxn.format"(%u) {spec = "日<5"} : (tensor<ui8>) -> tensor<?xui8>
  %3 = "fxn.format"(%s) {spec = ">10.2"} : (tensor<?xui8>) -> tensor<?xui8>
  return %0, %1, %2, %3 : tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<?xui8>
}

// CHECK-LABEL: func.func @slices(
// CHECK-SAME: %[[S:[^:]+]]: tensor<?xui8>, %[[A:[^:]+]]: tensor<i64>, %[[B:[^:]+]]: tensor<i64>
// CHECK: "fxn.str_slice"(%[[S]], %[[A]], %[[B]]) : (tensor<?xui8>, tensor<i64>, tensor<i64>) -> tensor<?xui8>
// CHECK: "fxn.str_at"(%[[S]], %[[A]]) : (tensor<?xui8>, tensor<i64>) -> tensor<?xui8>
// CHECK: "fxn.str_starts_with"(%[[S]], %{{.+}}) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
// CHECK: "fxn.str_ends_with"(%[[S]], %{{.+}}) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
func.func @slices(%s: tensor<?xui8>, %a: tensor<i64>, %b: tensor<i64>) -> (tensor<?xui8>, tensor<?xui8>, tensor<i1>, tensor<i1>) {
  %0 = "fxn.str_slice"(%s, %a, %b) : (tensor<?xui8>, tensor<i64>, tensor<i64>) -> tensor<?xui8>
  %1 = "fxn.str_at"(%s, %a) : (tensor<?xui8>, tensor<i64>) -> tensor<?xui8>
  %2 = "fxn.str_starts_with"(%s, %0) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
  %3 = "fxn.str_ends_with"(%s, %1) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
  return %0, %1, %2, %3 : tensor<?xui8>, tensor<?xui8>, tensor<i1>, tensor<i1>
}

// CHECK-LABEL: func.func @to_int(
// CHECK: "fxn.str_to_int"(%{{.+}}) {dtype = "i32"} : (tensor<?xui8>) -> tensor<i32>
// CHECK: "fxn.str_to_int"(%{{.+}}) {dtype = "i64"} : (tensor<?xui8>) -> tensor<i64>
func.func @to_int(%s: tensor<?xui8>) -> (tensor<i32>, tensor<i64>) {
  %0 = "fxn.str_to_int"(%s) {dtype = "i32"} : (tensor<?xui8>) -> tensor<i32>
  %1 = "fxn.str_to_int"(%s) {dtype = "i64"} : (tensor<?xui8>) -> tensor<i64>
  return %0, %1 : tensor<i32>, tensor<i64>
}

// CHECK-LABEL: func.func @to_float_and_format(
// CHECK: %[[X:.+]] = "fxn.str_to_float"(%{{.+}}) {dtype = "f32"} : (tensor<?xui8>) -> tensor<f32>
// CHECK: "fxn.str_to_float"(%{{.+}}) {dtype = "f64"} : (tensor<?xui8>) -> tensor<f64>
// CHECK: "fxn.format"(%[[X]]) {spec = "+.3e"} : (tensor<f32>) -> tensor<?xui8>
// CHECK: "fxn.format"(%[[X]]) {spec = "*^12.2f"} : (tensor<f32>) -> tensor<?xui8>
func.func @to_float_and_format(%s: tensor<?xui8>) -> (tensor<f64>, tensor<?xui8>, tensor<?xui8>) {
  %0 = "fxn.str_to_float"(%s) {dtype = "f32"} : (tensor<?xui8>) -> tensor<f32>
  %1 = "fxn.str_to_float"(%s) {dtype = "f64"} : (tensor<?xui8>) -> tensor<f64>
  %2 = "fxn.format"(%0) {spec = "+.3e"} : (tensor<f32>) -> tensor<?xui8>
  %3 = "fxn.format"(%0) {spec = "*^12.2f"} : (tensor<f32>) -> tensor<?xui8>
  return %1, %2, %3 : tensor<f64>, tensor<?xui8>, tensor<?xui8>
}

// CHECK-LABEL: func.func @methods(
// CHECK-SAME: %[[S:[^:]+]]: tensor<?xui8>, %[[T:[^:]+]]: tensor<?xui8>, %[[N:[^:]+]]: tensor<i64>
// CHECK: "fxn.str_case"(%[[S]]) {mode = "upper"} : (tensor<?xui8>) -> tensor<?xui8>
// CHECK: "fxn.str_case"(%[[S]]) {mode = "lower"} : (tensor<?xui8>) -> tensor<?xui8>
// CHECK: "fxn.str_strip"(%[[S]], %[[T]]) {side = "left"} : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>
// CHECK: "fxn.str_replace"(%[[S]], %[[T]], %[[S]], %[[N]]) : (tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<i64>) -> tensor<?xui8>
// CHECK: "fxn.str_split_count"(%[[S]], %[[T]], %[[N]]) : (tensor<?xui8>, tensor<?xui8>, tensor<i64>) -> tensor<i64>
// CHECK: "fxn.str_split_part"(%[[S]], %[[T]], %[[N]], %[[N]]) : (tensor<?xui8>, tensor<?xui8>, tensor<i64>, tensor<i64>) -> tensor<?xui8>
func.func @methods(%s: tensor<?xui8>, %t: tensor<?xui8>, %n: tensor<i64>) -> (tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<i64>, tensor<?xui8>) {
  %0 = "fxn.str_case"(%s) {mode = "upper"} : (tensor<?xui8>) -> tensor<?xui8>
  %1 = "fxn.str_case"(%s) {mode = "lower"} : (tensor<?xui8>) -> tensor<?xui8>
  %2 = "fxn.str_strip"(%s, %t) {side = "left"} : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>
  %3 = "fxn.str_replace"(%s, %t, %s, %n) : (tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<i64>) -> tensor<?xui8>
  %4 = "fxn.str_split_count"(%s, %t, %n) : (tensor<?xui8>, tensor<?xui8>, tensor<i64>) -> tensor<i64>
  %5 = "fxn.str_split_part"(%s, %t, %n, %n) : (tensor<?xui8>, tensor<?xui8>, tensor<i64>, tensor<i64>) -> tensor<?xui8>
  return %0, %1, %2, %3, %4, %5 : tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<i64>, tensor<?xui8>
}
