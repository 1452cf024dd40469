// Diagnostics as mlir-opt prints them: located, then the source line and a caret under the column, notes too.

// RUN: not fxn-opt %s 2>&1 | FileCheck %s --strict-whitespace
// RUN: not fxn interpret %s 2>&1 | FileCheck %s --strict-whitespace --check-prefix=INTERPRET

// CHECK:      diagnostics.mlir:18:19: error: use of value '%a' expects different type than prior uses: 'i64' vs 'i32'
// CHECK-NEXT: {{^}}  %b = arith.addi %a, %a : i64
// CHECK-NEXT: {{^}}                  ^
// CHECK-NEXT: diagnostics.mlir:17:14: note: prior use here
// CHECK-NEXT: {{^}}func.func @f(%a: i32) {
// CHECK-NEXT: {{^}}             ^

// INTERPRET:      fxn: error: {{.*}}diagnostics.mlir:18:19: error: use of value '%a'
// INTERPRET-NEXT: {{^}}  %b = arith.addi %a, %a : i64
// INTERPRET-NEXT: {{^}}                  ^

func.func @f(%a: i32) {
  %b = arith.addi %a, %a : i64
  return
}
