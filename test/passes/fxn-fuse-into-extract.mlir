// RUN: fxn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(fxn-fuse-into-extract),canonicalize)' | FileCheck %s

// A transposing cast read by tensor.extract: the read becomes an extract of the
// source at the permuted position and the cast; the f32 tensor is never built.
// CHECK-LABEL: func.func @transposed_cast(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x6xi8>, %[[I:[^:]+]]: index, %[[J:[^:]+]]: index
// CHECK-NOT: linalg.generic
// CHECK: %[[B:.+]] = tensor.extract %[[X]][%[[J]], %[[I]]] : tensor<4x6xi8>
// CHECK-NEXT: %[[F:.+]] = arith.uitofp %[[B]] : i8 to f32
// CHECK-NEXT: return %[[F]]
func.func @transposed_cast(%x: tensor<4x6xi8>, %i: index, %j: index) -> f32 {
  %e = tensor.empty() : tensor<6x4xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x6xi8>) outs(%e : tensor<6x4xf32>) {
  ^bb0(%in: i8, %out: f32):
    %c = arith.uitofp %in : i8 to f32
    linalg.yield %c : f32
  } -> tensor<6x4xf32>
  %v = tensor.extract %f[%i, %j] : tensor<6x4xf32>
  return %v : f32
}

// -----

// Broadcast inputs (constant map results) and several reads, each computing its own element.
// CHECK-LABEL: func.func @scaled_rows(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3x5xf32>, %[[S:[^:]+]]: tensor<3x1xf32>
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK: %[[A:.+]] = tensor.extract %[[X]][%[[C2]], %[[C4]]]
// CHECK-NEXT: %[[B:.+]] = tensor.extract %[[S]][%[[C2]], %[[C0]]]
// CHECK-NEXT: %[[M:.+]] = arith.mulf %[[A]], %[[B]]
// CHECK: %[[A2:.+]] = tensor.extract %[[X]][%[[C0]], %[[C0]]]
// CHECK-NEXT: %[[B2:.+]] = tensor.extract %[[S]][%[[C0]], %[[C0]]]
// CHECK-NEXT: %[[M2:.+]] = arith.mulf %[[A2]], %[[B2]]
// CHECK: return %[[M]], %[[M2]]
func.func @scaled_rows(%x: tensor<3x5xf32>, %s: tensor<3x1xf32>) -> (f32, f32) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<3x5xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s : tensor<3x5xf32>, tensor<3x1xf32>) outs(%e : tensor<3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<3x5xf32>
  %v = tensor.extract %f[%c2, %c4] : tensor<3x5xf32>
  %w = tensor.extract %f[%c0, %c0] : tensor<3x5xf32>
  return %v, %w : f32, f32
}

// -----

// Not fused: a producer whose result is also used whole, and one whose body is not cheap
// (recomputing exp at every read could cost more than storing it).
// CHECK-LABEL: func.func @kept(
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: linalg.generic
func.func @kept(%x: tensor<4xf32>, %i: index) -> (f32, tensor<4xf32>, f32) {
  %e = tensor.empty() : tensor<4xf32>
  %neg = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  %exp = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = math.exp %in : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  %v = tensor.extract %neg[%i] : tensor<4xf32>
  %w = tensor.extract %exp[%i] : tensor<4xf32>
  return %v, %neg, %w : f32, tensor<4xf32>, f32
}

// -----

// Not fused: the consumer reads each of the 4 elements twice (8 iterations), more than
// recomputing pays for (at most half as many reads as elements).
// CHECK-LABEL: func.func @read_often(
// CHECK-COUNT-2: linalg.generic
func.func @read_often(%x: tensor<4xi8>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xi8>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: i8, %out: f32):
    %c = arith.uitofp %in : i8 to f32
    linalg.yield %c : f32
  } -> tensor<4xf32>
  %e8 = tensor.empty() : tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e8 : tensor<8xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %c2 = arith.constant 2 : index
    %half = arith.divui %i, %c2 : index
    %v = tensor.extract %f[%half] : tensor<4xf32>
    linalg.yield %v : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}
