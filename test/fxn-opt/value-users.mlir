// --mlir-print-value-users and --mlir-print-unique-ssa-ids, numbered as mlir-opt numbers them: an op without
// results takes a value number (its id), which renumbers the values after it; unique ids do not restart the
// numbers in each region. The expected text is mlir-opt's for this file.

// RUN: fxn-opt %s --allow-unregistered-dialect --split-input-file --mlir-print-value-users | FileCheck %s
// RUN: fxn-opt %s --allow-unregistered-dialect --split-input-file --mlir-print-value-users --mlir-print-local-scope \
// RUN:   | FileCheck %s
// RUN: fxn-opt %s --allow-unregistered-dialect --split-input-file --mlir-print-value-users --mlir-print-debuginfo \
// RUN:   | FileCheck %s --check-prefix=DEBUGINFO
// RUN: fxn-opt %s --allow-unregistered-dialect --split-input-file --mlir-print-unique-ssa-ids \
// RUN:   | FileCheck %s --check-prefix=UNIQUE
// RUN: fxn-opt %s --allow-unregistered-dialect --split-input-file --mlir-print-op-generic --mlir-print-value-users \
// RUN:   | FileCheck %s --check-prefix=GENERIC
// RUN: not fxn-opt %s --mlir-print-value-users --mlir-print-debuginfo --mlir-pretty-debuginfo 2>&1 \
// RUN:   | FileCheck %s --check-prefix=REFUSED
// RUN: not fxn-opt %s --mlir-print-unique-ssa-ids --mlir-use-nameloc-as-prefix 2>&1 | FileCheck %s --check-prefix=REFUSED

// Ops without results at the top take %0 and %1, so the functions' values start at %2.
// CHECK-LABEL: func.func @f(%arg0: i32, %arg1: i32) -> i32 {
// CHECK-NEXT:    // %arg0 is used by %2
// CHECK-NEXT:    // %arg1 is used by %2
// CHECK-NEXT:    %2 = arith.addi %arg0, %arg1 : i32 // user: %3
// CHECK-NEXT:    %3 = arith.muli %2, %2 : i32 // user: %4
// CHECK-NEXT:    %c1_i32 = arith.constant 1 : i32 // user: %6
// CHECK-NEXT:    cf.br ^bb1(%3 : i32) // id: %4
// CHECK-NEXT:  ^bb1(%5: i32):  // pred: ^bb0
// CHECK-NEXT:    // %5 is used by %6
// CHECK-NEXT:    %6 = arith.addi %5, %c1_i32 : i32 // user: %7
// CHECK-NEXT:    return %6 : i32 // id: %7
// CHECK-NEXT:  }

// Users in use-list order (the latest use first); an op with regions gets its comment after its closing brace;
// the values of a nested region are numbered after the whole enclosing region.
// CHECK-LABEL: func.func @g(%arg0: memref<4xf32>, %arg1: f32) {
// CHECK-NEXT:    // %arg0 is used by %4, %2
// CHECK-NEXT:    // %arg1 is used by %6, %2
// CHECK-NEXT:    %c0 = arith.constant 0 : index // users: %4, %2
// CHECK-NEXT:    memref.store %arg1, %arg0[%c0] : memref<4xf32> // id: %2
// CHECK-NEXT:    %3 = scf.execute_region -> f32 {
// CHECK-NEXT:      %6 = arith.addf %arg1, %arg1 : f32 // user: %7
// CHECK-NEXT:      scf.yield %6 : f32 // id: %7
// CHECK-NEXT:    } // user: %4
// CHECK-NEXT:    memref.store %3, %arg0[%c0] : memref<4xf32> // id: %4
// CHECK-NEXT:    return{{$}}

// Locations as the printer writes them (aliases and all), the comment after each.
// DEBUGINFO: %2 = arith.addi %arg0, %arg1 : i32 loc(#loc{{[0-9]+}}) // user: %3
// DEBUGINFO: #loc{{[0-9]+}} = loc("{{.*}}value-users.mlir":[[# @LINE + 3]]:8)

func.func @f(%a: i32, %b: i32) -> i32 {
  %0 = arith.addi %a, %b : i32
  %1 = arith.muli %0, %0 : i32
  %c = arith.constant 1 : i32
  cf.br ^bb1(%1 : i32)
^bb1(%x: i32):
  %2 = arith.addi %x, %c : i32
  return %2 : i32
}

func.func @g(%m: memref<4xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  memref.store %v, %m[%c0] : memref<4xf32>
  %r = scf.execute_region -> f32 {
    %3 = arith.addf %v, %v : f32
    scf.yield %3 : f32
  }
  memref.store %r, %m[%c0] : memref<4xf32>
  return
}

// -----

// Several results: one group per result; a user named by all its results; unused results and values.
// CHECK-LABEL: func.func @results
// CHECK-NEXT: // %arg0 is used by %2#0, %2#1, %1
// CHECK-NEXT: // %arg1 is unused
// CHECK-NEXT: %1 = "t.one"(%arg0) : (i32) -> i32 // unused
// CHECK-NEXT: %2:2 = "t.two"(%arg0) : (i32) -> (i32, i32) // users: (%3#0, %3#1), (unused)
// CHECK-NEXT: %3:2 = "t.two"(%2#0, %2#0) : (i32, i32) -> (i32, i32) // users: (%4), (unused)
// CHECK-NEXT: return %3#0 : i32 // id: %4
func.func @results(%a: i32, %unused: i32) -> i32 {
  %0 = "t.one"(%a) : (i32) -> i32
  %1:2 = "t.two"(%a) : (i32) -> (i32, i32)
  %2:2 = "t.two"(%1#0, %1#0) : (i32, i32) -> (i32, i32)
  return %2#0 : i32
}

// -----

// Unique ids: sibling regions do not reuse numbers, and regions are numbered last first, as the printer does.
// UNIQUE-LABEL: func.func @loops(%arg1: memref<i32>) {
// UNIQUE:      scf.for %arg3 = %c0 to %c8 step %c1 {
// UNIQUE-NEXT:   %1 = memref.load %arg1[] : memref<i32>
// UNIQUE:      scf.for %arg2 = %c0 to %c8 step %c1 {
// UNIQUE-NEXT:   %0 = memref.load %arg1[] : memref<i32>
// UNIQUE-LABEL: func.func @other(%arg0: i32)

// The generic form numbers every value and never restarts: the second loop's body is numbered first.
// GENERIC-LABEL: "func.func"() <{function_type = (memref<i32>) -> (), sym_name = "loops"}> ({
// GENERIC-NEXT:  ^bb0(%arg1: memref<i32>):
// GENERIC-NEXT:    // %arg1 is used by %10, %12
// GENERIC-NEXT:    %4 = "arith.constant"() <{value = 0 : index}> : () -> index // users: %8, %7
// GENERIC:         "scf.for"(%4, %6, %5) ({
// GENERIC-NEXT:    ^bb0(%arg3: index):
// GENERIC-NEXT:      // %arg3 is unused
// GENERIC-NEXT:      %12 = "memref.load"(%arg1) : (memref<i32>) -> i32 // unused
// GENERIC-NEXT:      "scf.yield"() : () -> ()
// GENERIC-NEXT:    }) : (index, index, index) -> () // id: %7
func.func @loops(%m: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %a = memref.load %m[] : memref<i32>
  }
  scf.for %j = %c0 to %c8 step %c1 {
    %b = memref.load %m[] : memref<i32>
  }
  return
}

func.func @other(%x: i32) {
  return
}

// REFUSED: fxn-opt: error: --mlir-print-value-users and --mlir-print-unique-ssa-ids cannot be combined with --mlir-use-nameloc-as-prefix or --mlir-pretty-debuginfo in fxn-opt
