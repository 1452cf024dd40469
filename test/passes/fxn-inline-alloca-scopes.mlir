// RUN: fxn-opt %s -p 'builtin.module(fxn-inline-alloca-scopes)' | FileCheck %s

// A scope that allocates nothing on the stack (what convert-scf-to-openmp wraps a loop body in) is
// inlined, its result replaced by the value it returned; a scope with a memref.alloca stays.
// CHECK-LABEL: func.func @scopes(
// CHECK-SAME: %[[X:[^:]+]]: f32, %[[OUT:[^:]+]]: memref<4xf32>
// CHECK-NOT: memref.alloca_scope.return %{{.+}} : f32
// CHECK: %[[DOUBLE:.+]] = arith.addf %[[X]], %[[X]] : f32
// CHECK-NEXT: memref.store %[[DOUBLE]], %[[OUT]]
// CHECK: memref.alloca_scope {
// CHECK-NEXT: memref.alloca() : memref<4xf32>
func.func @scopes(%x: f32, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %r = memref.alloca_scope -> (f32) {
    %d = arith.addf %x, %x : f32
    memref.alloca_scope.return %d : f32
  }
  memref.store %r, %out[%c0] : memref<4xf32>
  memref.alloca_scope {
    %buffer = memref.alloca() : memref<4xf32>
    memref.copy %buffer, %out : memref<4xf32> to memref<4xf32>
  }
  return
}
