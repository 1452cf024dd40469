// RUN: fxn-opt %s --split-input-file --fxn-check-allocations | FileCheck %s

// Sites are numbered in the module attribute, with their kind and the allocation's location.
// CHECK: module attributes {fxn.allocation_sites = [{column = 12 : i64, file = "p.py", kind = "allocation", line = 4 : i64}]}
module {
  llvm.func @malloc(i64) -> !llvm.ptr

  // A function that allocates takes the status last, clears its site, and on NULL
  // stores the site and the size asked for (bound and axis 0), then returns a zero value.
  // CHECK-LABEL: llvm.func @make(
  // CHECK-SAME: %[[N:[^:]+]]: i64, %[[STATUS:[^:]+]]: !llvm.ptr) -> !llvm.ptr attributes {fxn.may_fail}
  // CHECK-NEXT: %[[ZERO:.+]] = llvm.mlir.constant(0 : i64) : i64
  // CHECK-NEXT: llvm.store %[[ZERO]], %[[STATUS]] : i64, !llvm.ptr
  // CHECK-NEXT: %[[P:.+]] = llvm.call @malloc(%[[N]])
  // CHECK-NEXT: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
  // CHECK-NEXT: %[[FAILED:.+]] = llvm.icmp "eq" %[[P]], %[[NULL]]
  // CHECK-NEXT: %[[SITE:.+]] = llvm.mlir.constant(1 : i64) : i64
  // CHECK-NEXT: %[[NONE:.+]] = llvm.mlir.constant(0 : i64) : i64
  // CHECK-NEXT: llvm.cond_br %[[FAILED]], ^[[FAIL:.+]](%[[SITE]], %[[N]], %[[NONE]], %[[NONE]] : i64, i64, i64, i64), ^[[OK:[^ ]+]]
  // CHECK: ^[[OK]]:
  // CHECK: llvm.store %{{.+}}, %[[P]] : f32, !llvm.ptr
  // CHECK-NEXT: llvm.return %[[P]] : !llvm.ptr
  // CHECK: ^[[FAIL]](%[[S:.+]]: i64, %[[B:.+]]: i64, %[[BOUND:.+]]: i64, %[[AXIS:.+]]: i64):
  // CHECK-NEXT: llvm.store %[[S]], %[[STATUS]] : i64, !llvm.ptr
  // CHECK-NEXT: %[[SECOND:.+]] = llvm.getelementptr %[[STATUS]][1]
  // CHECK-NEXT: llvm.store %[[B]], %[[SECOND]] : i64, !llvm.ptr
  // CHECK-NEXT: %[[THIRD:.+]] = llvm.getelementptr %[[STATUS]][2]
  // CHECK-NEXT: llvm.store %[[BOUND]], %[[THIRD]] : i64, !llvm.ptr
  // CHECK-NEXT: %[[FOURTH:.+]] = llvm.getelementptr %[[STATUS]][3]
  // CHECK-NEXT: llvm.store %[[AXIS]], %[[FOURTH]] : i64, !llvm.ptr
  // CHECK-NEXT: llvm.br ^[[RETURN:.+]]
  // CHECK: ^[[RETURN]]:
  // CHECK-NEXT: %[[NOTHING:.+]] = llvm.mlir.zero : !llvm.ptr
  // CHECK-NEXT: llvm.return %[[NOTHING]] : !llvm.ptr
  llvm.func @make(%n: i64) -> !llvm.ptr {
    %p = llvm.call @malloc(%n) : (i64) -> !llvm.ptr loc("p.py":4:12)
    %c = llvm.mlir.constant(1.0 : f32) : f32
    llvm.store %c, %p : f32, !llvm.ptr
    llvm.return %p : !llvm.ptr
  }

  // A C interface passes its status on and returns at once when the callee failed.
  // CHECK-LABEL: llvm.func @_mlir_ciface_make(
  // CHECK-SAME: %[[OUT:[^:]+]]: !llvm.ptr, %[[N:[^:]+]]: i64, %[[STATUS:[^:]+]]: !llvm.ptr) attributes {fxn.may_fail}
  // CHECK: %[[P:.+]] = llvm.call @make(%[[N]], %[[STATUS]]) : (i64, !llvm.ptr) -> !llvm.ptr
  // CHECK-NEXT: %[[SITE:.+]] = llvm.load %[[STATUS]] : !llvm.ptr -> i64
  // CHECK-NEXT: %[[ZERO:.+]] = llvm.mlir.constant(0 : i64) : i64
  // CHECK-NEXT: %[[FAILED:.+]] = llvm.icmp "ne" %[[SITE]], %[[ZERO]] : i64
  // CHECK-NEXT: llvm.cond_br %[[FAILED]], ^[[RETURN:.+]], ^[[OK:[^ ]+]]
  // CHECK: ^[[OK]]:
  // CHECK-NEXT: llvm.store %[[P]], %[[OUT]]
  // CHECK: ^[[RETURN]]:
  // CHECK-NEXT: llvm.return
  llvm.func @_mlir_ciface_make(%out: !llvm.ptr, %n: i64) {
    %p = llvm.call @make(%n) : (i64) -> !llvm.ptr
    llvm.store %p, %out : !llvm.ptr, !llvm.ptr
    llvm.return
  }

  // A C interface that cannot fail still takes the status (one ABI for every entry) and clears it.
  // CHECK-LABEL: llvm.func @_mlir_ciface_copy(
  // CHECK-SAME: %{{[^:]+}}: !llvm.ptr, %[[STATUS:[^:]+]]: !llvm.ptr) {
  // CHECK-NEXT: %[[ZERO:.+]] = llvm.mlir.constant(0 : i64) : i64
  // CHECK-NEXT: llvm.store %[[ZERO]], %[[STATUS]] : i64, !llvm.ptr
  llvm.func @_mlir_ciface_copy(%out: !llvm.ptr) {
    llvm.return
  }

  // A function that neither allocates nor is an entry keeps its signature.
  // CHECK-LABEL: llvm.func @pure(
  // CHECK-SAME: %{{[^:]+}}: f32) -> f32 {
  // CHECK-NEXT: llvm.return
  llvm.func @pure(%x: f32) -> f32 {
    llvm.return %x : f32
  }
}

// -----

// A 32-bit target's malloc (wasm32) takes an i32 size: the status gets it zero-extended to its int64 field.
// CHECK: module attributes {fxn.allocation_sites = [{column = 10 : i64, file = "q.py", kind = "allocation", line = 7 : i64}]}
module {
  llvm.func @malloc(i32) -> !llvm.ptr

  // CHECK-LABEL: llvm.func @make32(
  // CHECK-SAME: %[[N:[^:]+]]: i32, %[[STATUS:[^:]+]]: !llvm.ptr) -> !llvm.ptr attributes {fxn.may_fail}
  // CHECK: %[[P:.+]] = llvm.call @malloc(%[[N]]) : (i32) -> !llvm.ptr
  // CHECK-NEXT: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
  // CHECK-NEXT: %[[FAILED:.+]] = llvm.icmp "eq" %[[P]], %[[NULL]]
  // CHECK-NEXT: %[[SITE:.+]] = llvm.mlir.constant(1 : i64) : i64
  // CHECK-NEXT: %[[BYTES:.+]] = llvm.zext %[[N]] : i32 to i64
  // CHECK-NEXT: %[[NONE:.+]] = llvm.mlir.constant(0 : i64) : i64
  // CHECK-NEXT: llvm.cond_br %[[FAILED]], ^[[FAIL:.+]](%[[SITE]], %[[BYTES]], %[[NONE]], %[[NONE]] : i64, i64, i64, i64), ^[[OK:[^ ]+]]
  // CHECK: ^[[FAIL]](%[[S:.+]]: i64, %[[B:.+]]: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64):
  // CHECK-NEXT: llvm.store %[[S]], %[[STATUS]] : i64, !llvm.ptr
  // CHECK-NEXT: %[[SECOND:.+]] = llvm.getelementptr %[[STATUS]][1]
  // CHECK-NEXT: llvm.store %[[B]], %[[SECOND]] : i64, !llvm.ptr
  llvm.func @make32(%n: i32) -> !llvm.ptr {
    %p = llvm.call @malloc(%n) : (i32) -> !llvm.ptr loc("q.py":7:10)
    llvm.return %p : !llvm.ptr
  }
}
