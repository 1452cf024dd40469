// RUN: fxn-opt %s --split-input-file --fxn-check-allocations | FileCheck %s

// An index out of bounds is a failure site: the lowering calls @fxn.index_out_of_bounds(index, size, axis)
// where the index is out of bounds; the call becomes a branch to the failure block, which stores the site,
// the index, the size and the axis into the status. The sites (allocations and index checks) are numbered
// in one sequence, each with its kind; the declaration is erased (nothing imports it).
// CHECK: module attributes {fxn.allocation_sites = [{column = 12 : i64, file = "p.py", kind = "allocation", line = 4 : i64}, {column = 7 : i64, file = "p.py", kind = "index", line = 5 : i64}]}
// CHECK-NOT: @fxn.index_out_of_bounds
module {
  llvm.func @malloc(i64) -> !llvm.ptr
  llvm.func @fxn.index_out_of_bounds(i64, i64, i64)

  // CHECK-LABEL: llvm.func @element(
  // CHECK-SAME: %[[X:[^:]+]]: !llvm.ptr, %[[I:[^:]+]]: i64, %[[N:[^:]+]]: i64, %[[STATUS:[^:]+]]: !llvm.ptr) -> f32 attributes {fxn.may_fail}
  // CHECK-NEXT: %[[ZERO:.+]] = llvm.mlir.constant(0 : i64) : i64
  // CHECK-NEXT: llvm.store %[[ZERO]], %[[STATUS]] : i64, !llvm.ptr
  // CHECK: %[[P:.+]] = llvm.call @malloc(%[[N]])
  // CHECK: llvm.cond_br %{{.+}}, ^[[FAIL:bb[0-9]+]](%{{.+}}), ^[[CHECKED:[^ ]+]]
  // CHECK: ^[[CHECKED]]:
  // CHECK: %[[AXIS:.+]] = llvm.mlir.constant(1 : i64) : i64
  // CHECK: llvm.cond_br %{{.+}}, ^[[OUT:[^,]+]], ^[[IN:[^ ]+]]
  // CHECK: ^[[OUT]]:
  // CHECK-NEXT: %[[SITE:.+]] = llvm.mlir.constant(2 : i64) : i64
  // CHECK-NEXT: llvm.br ^[[FAIL]](%[[SITE]], %[[I]], %[[N]], %[[AXIS]] : i64, i64, i64, i64)
  // CHECK-NEXT: ^[[IN]]:
  // CHECK: llvm.return %{{.+}} : f32
  // CHECK: ^[[FAIL]](%[[S:.+]]: i64, %[[VALUE:.+]]: i64, %[[BOUND:.+]]: i64, %[[AXIS2:.+]]: i64):
  // CHECK-NEXT: llvm.store %[[S]], %[[STATUS]] : i64, !llvm.ptr
  // CHECK-NEXT: %[[SECOND:.+]] = llvm.getelementptr %[[STATUS]][1]
  // CHECK-NEXT: llvm.store %[[VALUE]], %[[SECOND]] : i64, !llvm.ptr
  // CHECK-NEXT: %[[THIRD:.+]] = llvm.getelementptr %[[STATUS]][2]
  // CHECK-NEXT: llvm.store %[[BOUND]], %[[THIRD]] : i64, !llvm.ptr
  // CHECK-NEXT: %[[FOURTH:.+]] = llvm.getelementptr %[[STATUS]][3]
  // CHECK-NEXT: llvm.store %[[AXIS2]], %[[FOURTH]] : i64, !llvm.ptr
  // CHECK-NEXT: llvm.br ^[[RETURN:.+]]
  // CHECK: ^[[RETURN]]:
  // CHECK-NEXT: %[[NOTHING:.+]] = llvm.mlir.zero : f32
  // CHECK-NEXT: llvm.return %[[NOTHING]] : f32
  llvm.func @element(%x: !llvm.ptr, %i: i64, %n: i64) -> f32 {
    %p = llvm.call @malloc(%n) : (i64) -> !llvm.ptr loc("p.py":4:12)
    %axis = llvm.mlir.constant(1 : i64) : i64
    %zero = llvm.mlir.constant(0 : i64) : i64
    %below = llvm.icmp "slt" %i, %zero : i64
    %above = llvm.icmp "sge" %i, %n : i64
    %out = llvm.or %below, %above : i1
    llvm.cond_br %out, ^out, ^in
  ^out:
    llvm.call @fxn.index_out_of_bounds(%i, %n, %axis) : (i64, i64, i64) -> () loc("p.py":5:7)
    llvm.br ^in
  ^in:
    %address = llvm.getelementptr %x[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    %value = llvm.load %address : !llvm.ptr -> f32
    llvm.return %value : f32
  }

  // A caller of a function that may fail checks the site after the call, as for allocations.
  // CHECK-LABEL: llvm.func @_mlir_ciface_element(
  // CHECK-SAME: %[[STATUS:[^:]+]]: !llvm.ptr) -> f32 attributes {fxn.may_fail}
  // CHECK: llvm.call @element(%{{.+}}, %{{.+}}, %{{.+}}, %[[STATUS]])
  // CHECK-NEXT: %{{.+}} = llvm.load %[[STATUS]] : !llvm.ptr -> i64
  llvm.func @_mlir_ciface_element(%x: !llvm.ptr, %i: i64, %n: i64) -> f32 {
    %value = llvm.call @element(%x, %i, %n) : (!llvm.ptr, i64, i64) -> f32
    llvm.return %value : f32
  }
}

// -----

// The site's location is the first file location inside a call-site (the callee's: where an inlined op
// came from), fused or name location. Narrower operands are sign-extended (the index may be negative).
// The ops after the call in its block never run: erased, and a value they define that another block
// uses becomes poison there.
// CHECK: module attributes {fxn.allocation_sites = [{column = 3 : i64, file = "inlined.py", kind = "index", line = 9 : i64}, {column = 4 : i64, file = "fused.py", kind = "index", line = 2 : i64}]}
// CHECK-NOT: @fxn.index_out_of_bounds
module {
  llvm.func @fxn.index_out_of_bounds(i32, i32, i32)

  // CHECK-LABEL: llvm.func @narrow(
  // CHECK-SAME: %[[I:[^:]+]]: i32, %[[N:[^:]+]]: i32, %[[C:[^:]+]]: i1, %[[STATUS:[^:]+]]: !llvm.ptr) -> i64 attributes {fxn.may_fail}
  // CHECK-NEXT: %[[POISON:.+]] = llvm.mlir.poison : i64
  // CHECK: %[[AXIS:.+]] = llvm.mlir.constant(0 : i32) : i32
  // CHECK-NEXT: llvm.cond_br %[[C]], ^[[OUT:[^,]+]], ^[[IN:[^ ]+]]
  // CHECK-NEXT: ^[[OUT]]:
  // CHECK-NEXT: %[[SITE:.+]] = llvm.mlir.constant(1 : i64) : i64
  // CHECK-NEXT: %[[I64:.+]] = llvm.sext %[[I]] : i32 to i64
  // CHECK-NEXT: %[[N64:.+]] = llvm.sext %[[N]] : i32 to i64
  // CHECK-NEXT: %[[A64:.+]] = llvm.sext %[[AXIS]] : i32 to i64
  // CHECK-NEXT: llvm.br ^[[FAIL:bb[0-9]+]](%[[SITE]], %[[I64]], %[[N64]], %[[A64]] : i64, i64, i64, i64)
  // CHECK-NEXT: ^[[AFTER:.+]]:
  // CHECK-NEXT: llvm.return %[[POISON]] : i64
  // CHECK-NEXT: ^[[IN]]:
  // CHECK-NEXT: %[[ONE:.+]] = llvm.mlir.constant(1 : i32) : i32
  // CHECK-NEXT: %[[SITE2:.+]] = llvm.mlir.constant(2 : i64) : i64
  // CHECK: llvm.br ^[[FAIL]](%[[SITE2]],
  // CHECK-NOT: llvm.call
  // CHECK: ^[[FAIL]](
  llvm.func @narrow(%i: i32, %n: i32, %c: i1) -> i64 {
    %axis = llvm.mlir.constant(0 : i32) : i32
    llvm.cond_br %c, ^out, ^in
  ^out:
    llvm.call @fxn.index_out_of_bounds(%i, %n, %axis) : (i32, i32, i32) -> () loc(callsite("inlined.py":9:3 at "entry.py":1:1))
    %seven = llvm.mlir.constant(7 : i64) : i64
    llvm.br ^after
  ^after:
    llvm.return %seven : i64
  ^in:
    %one = llvm.mlir.constant(1 : i32) : i32
    llvm.call @fxn.index_out_of_bounds(%one, %one, %one) : (i32, i32, i32) -> () loc(fused["a name", "fused.py":2:4, "other.py":3:5])
    %two = llvm.mlir.constant(2 : i64) : i64
    llvm.return %two : i64
  }
}

// -----

// A function of that name with a body is no failure hook: it is called as any other.
// CHECK: module attributes {fxn.allocation_sites = []}
// CHECK-LABEL: llvm.func @fxn.index_out_of_bounds(
// CHECK-LABEL: llvm.func @caller(
// CHECK-SAME: %{{[^:]+}}: i64) {
// CHECK-NEXT: llvm.call @fxn.index_out_of_bounds(
module {
  llvm.func @fxn.index_out_of_bounds(%i: i64, %n: i64, %axis: i64) {
    llvm.return
  }

  llvm.func @caller(%i: i64) {
    llvm.call @fxn.index_out_of_bounds(%i, %i, %i) : (i64, i64, i64) -> ()
    llvm.return
  }
}
