// mlir-opt's diagnostic options: the op a diagnostic is about as a note, notes left out, a verbosity level.

// RUN: not fxn-opt %s --split-input-file 2>&1 | FileCheck %s --strict-whitespace
// RUN: not fxn-opt %s --split-input-file --mlir-print-op-on-diagnostic=false 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NO-OP
// RUN: not fxn-opt %s --split-input-file --mlir-disable-diagnostic-notes 2>&1 | FileCheck %s --check-prefix=NO-NOTES
// RUN: not fxn-opt %s --split-input-file --transform-interpreter 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: not fxn-opt %s --split-input-file --transform-interpreter --mlir-diagnostic-verbosity-level=warnings 2>&1 \
// RUN:   | FileCheck %s --check-prefix=WARNINGS
// RUN: not fxn-opt %s --mlir-diagnostic-verbosity-level=all 2>&1 | FileCheck %s --check-prefix=BAD-LEVEL

// An error on an op carries the op as a note, at the error's own location, so without the source line again.
// CHECK:      diagnostic-options.mlir:[[# @LINE + 11]]:3: error: type of return operand 0 ('i32') doesn't match function result type ('i64') in function @f
// CHECK-NEXT: {{^}}  return %a : i32
// CHECK-NEXT: {{^}}  ^
// CHECK-NEXT: diagnostic-options.mlir:[[# @LINE + 8]]:3: note: see current operation: "func.return"(%arg0) : (i32) -> ()
// CHECK-NEXT: diagnostic-options.mlir:{{[0-9]+}}:19: error: use of value '%a'

// NO-OP: error: type of return operand 0
// NO-OP-NOT: see current operation
// NO-OP: note: prior use here

func.func @f(%a: i32) -> i64 {
  return %a : i32
}

// -----

// NO-NOTES: error: type of return operand 0
// NO-NOTES-NOT: note:
// NO-NOTES: error: use of value '%a' expects different type than prior uses: 'i64' vs 'i32'
// NO-NOTES-NOT: note:
func.func @g(%a: i32) {
  %b = arith.addi %a, %a : i64
  return
}

// -----

// A remark shows at the default level (remarks) and not at the level of warnings.
// REMARK: diagnostic-options.mlir:[[# @LINE + 4]]:3: remark: a remark
// REMARK: note: see current operation:
// WARNINGS-NOT: remark: a remark
module attributes {transform.with_named_sequence} {
  func.func @h() {
    return
  }
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.debug.emit_remark_at %f, "a remark" : !transform.any_op
    transform.yield
  }
}

// BAD-LEVEL: fxn-opt: error: option '--mlir-diagnostic-verbosity-level' takes one of errors, warnings, remarks; got 'all'
