// RUN: fxn-opt %s -p 'builtin.module(fxn-lower-vector-contractions)' | FileCheck %s

// One k step of an 8x4 register tile: the contraction becomes a broadcast of each element of the
// A column and an FMA with the B row per row of C; the 2-D transfers of C become one 1-D transfer
// per row, unrolled.
// CHECK-LABEL: func.func @tile(
// CHECK-NOT: vector.contract
// CHECK-COUNT-8: vector.transfer_read %{{.+}} : memref<8x4xf32>, vector<4xf32>
// CHECK-COUNT-8: vector.fma %{{.+}}, %{{.+}}, %{{.+}} : vector<4xf32>
// CHECK-COUNT-8: vector.transfer_write %{{.+}} : vector<4xf32>, memref<8x4xf32>
// CHECK-NOT: vector<8x4xf32>
#lhs = affine_map<(k, m, n) -> (k, m)>
#rhs = affine_map<(k, m, n) -> (k, n)>
#acc = affine_map<(k, m, n) -> (m, n)>
func.func @tile(%a: vector<1x8xf32>, %b: vector<1x4xf32>, %c: memref<8x4xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %old = vector.transfer_read %c[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x4xf32>, vector<8x4xf32>
  %new = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["reduction", "parallel", "parallel"],
                          kind = #vector.kind<add>} %a, %b, %old : vector<1x8xf32>, vector<1x4xf32> into vector<8x4xf32>
  vector.transfer_write %new, %c[%c0, %c0] {in_bounds = [true, true]} : vector<8x4xf32>, memref<8x4xf32>
  return
}
