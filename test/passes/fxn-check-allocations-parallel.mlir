// RUN: fxn-opt %s --fxn-check-allocations | FileCheck %s

// An allocation inside a parallel loop (an OpenMP region, which code cannot return from): on NULL
// the iteration reports its site only if no other thread has (a compare-exchange of the site from 0),
// then ends (the region's omp.yield); after the loop, a reported site returns at once.
// CHECK: module attributes {fxn.allocation_sites = [{column = 7 : i64, file = "p.py", kind = "allocation", line = 3 : i64}]}
// CHECK-LABEL: llvm.func @chunks(
// CHECK-SAME: %[[N:[^:]+]]: i64, %[[OUT:[^:]+]]: !llvm.ptr, %[[STATUS:[^:]+]]: !llvm.ptr) attributes {fxn.may_fail}
// CHECK: omp.parallel {
// CHECK: omp.loop_nest (%[[I:.+]]) : i64
// CHECK: %[[P:.+]] = llvm.call @malloc(%[[N]])
// CHECK: %[[FAILED:.+]] = llvm.icmp "eq" %[[P]], %{{.+}}
// CHECK: %[[SITE:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: llvm.cond_br %[[FAILED]], ^[[FAIL:.+]](%[[SITE]], %[[N]], %{{.+}}, %{{.+}} : i64, i64, i64, i64), ^[[OK:[^ ]+]]
// CHECK: ^[[OK]]:
// CHECK: llvm.store %{{.+}}, %{{.+}} : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: omp.yield
// CHECK: ^[[FAIL]](%[[S:.+]]: i64, %[[VALUE:.+]]: i64, %[[BOUND:.+]]: i64, %[[AXIS:.+]]: i64):
// CHECK: %[[OLD:.+]] = llvm.cmpxchg %[[STATUS]], %{{.+}}, %[[S]] acq_rel monotonic : !llvm.ptr, i64
// CHECK: %[[FIRST:.+]] = llvm.extractvalue %[[OLD]][1] : !llvm.struct<(i64, i1)>
// CHECK: llvm.cond_br %[[FIRST]], ^[[RECORD:.+]], ^[[END:[^ ]+]]
// CHECK: ^[[RECORD]]:
// CHECK: llvm.store %[[VALUE]]
// CHECK: llvm.store %[[BOUND]]
// CHECK: llvm.store %[[AXIS]]
// CHECK: llvm.br ^[[END]]
// CHECK: ^[[END]]:
// CHECK-NEXT: omp.yield
// CHECK: omp.terminator
// CHECK: %[[REPORTED:.+]] = llvm.load %[[STATUS]] : !llvm.ptr -> i64
// CHECK: %[[NONZERO:.+]] = llvm.icmp "ne" %[[REPORTED]], %{{.+}} : i64
// CHECK: llvm.cond_br %[[NONZERO]], ^[[RETURN:.+]], ^{{.+}}
// CHECK: ^[[RETURN]]:
// CHECK-NEXT: llvm.return
module {
  llvm.func @malloc(i64) -> !llvm.ptr
  llvm.func @chunks(%n: i64, %out: !llvm.ptr) {
    %c0 = llvm.mlir.constant(0 : i64) : i64
    %c1 = llvm.mlir.constant(1 : i64) : i64
    %c4 = llvm.mlir.constant(4 : i64) : i64
    omp.parallel {
      omp.wsloop {
        omp.loop_nest (%i) : i64 = (%c0) to (%c4) step (%c1) {
          %p = llvm.call @malloc(%n) : (i64) -> !llvm.ptr loc("p.py":3:7)
          %slot = llvm.getelementptr %out[%i] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.ptr
          llvm.store %p, %slot : !llvm.ptr, !llvm.ptr
          omp.yield
        }
      }
      omp.terminator
    }
    llvm.return
  }
}
