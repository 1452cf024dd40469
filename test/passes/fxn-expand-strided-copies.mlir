// RUN: fxn-opt %s -p 'builtin.module(fxn-expand-strided-copies)' | FileCheck %s

// A copy out of a strided view becomes a linalg.copy (loops later); copies between contiguous buffers,
// an offset view of whole rows among them, stay memref.copy (llvm.memcpy).
// CHECK-LABEL: func.func @copies(
// CHECK-SAME: %[[BUFFER:[^:]+]]: memref<4x16xf32>, %[[SMALL:[^:]+]]: memref<4x8xf32>, %[[OTHER:[^:]+]]: memref<4x16xf32>
// CHECK: %[[VIEW:.+]] = memref.subview %[[BUFFER]][0, 0] [4, 8] [1, 1]
// CHECK-NEXT: linalg.copy {{.*}}ins(%[[VIEW]] : memref<4x8xf32, strided<[16, 1]>>) outs(%[[SMALL]] : memref<4x8xf32>)
// CHECK-NEXT: memref.copy %[[BUFFER]], %[[OTHER]] : memref<4x16xf32> to memref<4x16xf32>
// CHECK-NEXT: %[[ROWS:.+]] = memref.subview %[[BUFFER]][1, 0] [2, 16] [1, 1]
// CHECK-NEXT: memref.copy %[[ROWS]], %{{.+}} : memref<2x16xf32, strided<[16, 1], offset: 16>> to memref<2x16xf32>
// CHECK-NOT: memref.copy
func.func @copies(%buffer: memref<4x16xf32>, %small: memref<4x8xf32>, %other: memref<4x16xf32>, %rows: memref<2x16xf32>) {
  %view = memref.subview %buffer[0, 0] [4, 8] [1, 1] : memref<4x16xf32> to memref<4x8xf32, strided<[16, 1]>>
  memref.copy %view, %small : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32>
  memref.copy %buffer, %other : memref<4x16xf32> to memref<4x16xf32>
  %middle = memref.subview %buffer[1, 0] [2, 16] [1, 1] : memref<4x16xf32> to memref<2x16xf32, strided<[16, 1], offset: 16>>
  memref.copy %middle, %rows : memref<2x16xf32, strided<[16, 1], offset: 16>> to memref<2x16xf32>
  return
}
