// RUN: fxn-opt %s --split-input-file --fxn-check-alloc-sizes | FileCheck %s
// RUN: fxn-opt %s --split-input-file --fxn-check-alloc-sizes=index-bitwidth=32 | FileCheck %s --check-prefix=I32

// The byte size 12 * n * m is computed with overflow checks; past 2**62 bytes
// (or on overflow) the alloc asks for 2**62 / 12 x 3 x 1 elements instead.
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: %[[N:[^:]+]]: index, %[[M:[^:]+]]: index
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[LIMIT:.+]] = arith.constant 4611686018427387904 : index
// CHECK-DAG: %[[TWELVE:.+]] = arith.constant 12 : index
// CHECK: %[[LOW1:.+]], %[[HIGH1:.+]] = arith.mului_extended %[[TWELVE]], %[[N]] : index
// CHECK-DAG: %[[OVER1:.+]] = arith.cmpi ne, %[[HIGH1]], %[[ZERO]] : index
// CHECK-DAG: %[[BIG1:.+]] = arith.cmpi uge, %[[LOW1]], %[[LIMIT]] : index
// CHECK: %[[BAD1:.+]] = arith.ori %[[OVER1]], %[[BIG1]] : i1
// CHECK: %[[LOW2:.+]], %[[HIGH2:.+]] = arith.mului_extended %[[LOW1]], %[[M]] : index
// CHECK: %[[BAD:.+]] = arith.ori %[[BAD1]], %{{.+}} : i1
// CHECK-DAG: %[[HUGE:.+]] = arith.constant 384307168202282325 : index
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[N2:.+]] = arith.select %[[BAD]], %[[HUGE]], %[[N]] : index
// CHECK-DAG: %[[M2:.+]] = arith.select %[[BAD]], %[[ONE]], %[[M]] : index
// CHECK: memref.alloc(%[[N2]], %[[M2]]) : memref<?x3x?xf32>
// I32-LABEL: func.func @dynamic(
// I32-DAG: arith.constant 1073741824 : index
// I32-DAG: arith.constant 89478485 : index
func.func @dynamic(%n: index, %m: index) -> memref<?x3x?xf32> {
  %a = memref.alloc(%n, %m) : memref<?x3x?xf32>
  return %a : memref<?x3x?xf32>
}

// -----

// Static sizes are known not to overflow: nothing to check.
// CHECK-LABEL: func.func @static(
// CHECK-NEXT: %[[A:.+]] = memref.alloc() : memref<4x3xi8>
// CHECK-NEXT: return %[[A]]
func.func @static() -> memref<4x3xi8> {
  %a = memref.alloc() : memref<4x3xi8>
  return %a : memref<4x3xi8>
}

// -----

// A dim of zero static size: the buffer holds nothing whatever the other dims are.
// CHECK-LABEL: func.func @empty(
// CHECK-NOT: arith.mului_extended
// CHECK: memref.alloc(%{{.+}}) : memref<0x?xf64>
func.func @empty(%n: index) -> memref<0x?xf64> {
  %a = memref.alloc(%n) : memref<0x?xf64>
  return %a : memref<0x?xf64>
}
