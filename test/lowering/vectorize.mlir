// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-vectorize{vector-bits=256 contract=true})' | FileCheck %s
// RUN: fxn-opt %s --split-input-file -p 'builtin.module(func.func(fxn-vectorize{vector-bits=256 contract=true}))' | FileCheck %s
// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-vectorize{vector-bits=128 contract=false})' | FileCheck %s --check-prefix=SSE

// A dynamic size: a main loop of full vectors, then a masked remainder.
// CHECK-LABEL: func.func @fma_dynamic(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?xf32>, %[[Y:[^:]+]]: tensor<?xf32>, %[[Z:[^:]+]]: tensor<?xf32>
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG: %[[N:.+]] = tensor.dim %[[X]]
// CHECK: %[[MAIN_END:.+]] = affine.apply #{{.+}}()[%[[N]]]
// CHECK: %[[MAIN:.+]] = scf.for %[[I:[^ ]+]] = %{{.+}} to %[[MAIN_END]] step %[[C8]] iter_args(%[[ACC:.+]] = %{{.+}}) -> (tensor<?xf32>)
// CHECK-NEXT: %[[XV:.+]] = vector.transfer_read %[[X]][%[[I]]], %{{.+}} {in_bounds = [true]} : tensor<?xf32>, vector<8xf32>
// CHECK-NEXT: %[[YV:.+]] = vector.transfer_read %[[Y]][%[[I]]]{{.*}} : tensor<?xf32>, vector<8xf32>
// CHECK-NEXT: %[[ZV:.+]] = vector.transfer_read %[[Z]][%[[I]]]{{.*}} : tensor<?xf32>, vector<8xf32>
// CHECK-NEXT: %[[R:.+]] = math.fma %[[XV]], %[[YV]], %[[ZV]] : vector<8xf32>
// CHECK-NEXT: vector.transfer_write %[[R]], %[[ACC]][%[[I]]] {in_bounds = [true]} : vector<8xf32>, tensor<?xf32>
// CHECK: scf.for %{{.+}} = %[[MAIN_END]] to %[[N]] step %[[C8]] iter_args(%{{.+}} = %[[MAIN]]) -> (tensor<?xf32>)
// CHECK: %[[MASK:.+]] = vector.create_mask %{{.+}} : vector<8xi1>
// CHECK: vector.transfer_read %{{.+}}, %[[MASK]] {in_bounds = [true]} : tensor<?xf32>, vector<8xf32>
// CHECK: math.fma %{{.+}} : vector<8xf32>
// CHECK: vector.transfer_write %{{.+}}, %[[MASK]] {in_bounds = [true]} : vector<8xf32>, tensor<?xf32>
// SSE-LABEL: func.func @fma_dynamic(
// SSE: math.fma %{{.+}} : vector<4xf32>
// SSE: vector.create_mask %{{.+}} : vector<4xi1>
#id = affine_map<(d0) -> (d0)>
func.func @fma_dynamic(%x: tensor<?xf32>, %y: tensor<?xf32>, %z: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %init = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %y, %z : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %out: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A multiply and a dependent add may fuse (contract); a static size that is a multiple
// of the vector size needs no remainder; lanes follow the element type.
// CHECK-LABEL: func.func @mul_add_f16(
// CHECK: scf.for
// CHECK: %[[P:.+]] = arith.mulf %{{.+}}, %{{.+}} fastmath<contract> : vector<16xf16>
// CHECK-NEXT: arith.addf %[[P]], %{{.+}} fastmath<contract> : vector<16xf16>
// CHECK-NOT: vector.create_mask
// CHECK: return
// SSE-LABEL: func.func @mul_add_f16(
// SSE: %[[P:.+]] = arith.mulf %{{.+}}, %{{.+}} : vector<8xf16>
// SSE-NEXT: arith.addf %[[P]], %{{.+}} : vector<8xf16>
#id = affine_map<(d0) -> (d0)>
func.func @mul_add_f16(%x: tensor<64xf16>, %y: tensor<64xf16>) -> tensor<64xf16> {
  %init = tensor.empty() : tensor<64xf16>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %y : tensor<64xf16>, tensor<64xf16>) outs(%init : tensor<64xf16>) {
  ^bb0(%a: f16, %b: f16, %out: f16):
    %p = arith.mulf %a, %b : f16
    %s = arith.addf %p, %b : f16
    linalg.yield %s : f16
  } -> tensor<64xf16>
  return %r : tensor<64xf16>
}

// -----

// Broadcast operands (a row vector, a scalar) along the vector loop; rows tiled by 1.
// CHECK-LABEL: func.func @broadcast_rows(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?xf32>, %[[Y:[^:]+]]: tensor<?xf32>, %[[Z:[^:]+]]: tensor<f32>
// CHECK: scf.for %[[ROW:[^ ]+]] =
// CHECK: scf.for %[[COL:[^ ]+]] =
// CHECK: %[[XV:.+]] = vector.transfer_read %[[X]][%[[ROW]], %[[COL]]]{{.*}} : tensor<?x?xf32>, vector<8xf32>
// CHECK-NEXT: %[[YV:.+]] = vector.transfer_read %[[Y]][%[[COL]]]{{.*}} : tensor<?xf32>, vector<8xf32>
// CHECK-NEXT: %[[ZV:.+]] = vector.transfer_read %[[Z]][]{{.*}} : tensor<f32>, vector<8xf32>
// CHECK: math.fma %[[XV]], %[[YV]], %[[ZV]] : vector<8xf32>
#xmap = affine_map<(d0, d1) -> (d0, d1)>
#ymap = affine_map<(d0, d1) -> (d1)>
#zmap = affine_map<(d0, d1) -> ()>
func.func @broadcast_rows(%x: tensor<?x?xf32>, %y: tensor<?xf32>, %z: tensor<f32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%m, %n) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#xmap, #ymap, #zmap, #xmap], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y, %z : tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) outs(%init : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %out: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// A static row of 16 at 256 bits: two vector accumulators and no remainder loop.
// CHECK-LABEL: func.func @row_sum(
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %{{.+}}) -> (tensor<4xf32>)
// CHECK-NOT: scf.for
// CHECK: vector.transfer_read {{.+}} : tensor<4x16xf32>, vector<16xf32>
// CHECK-NOT: vector.create_mask
// CHECK: vector.reduction <add>, %{{.+}}, %{{.+}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK-NOT: fxn.vector_tile
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @row_sum(%x: tensor<4x16xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x16xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Scalars live in registers: a 0-d generic becomes its body, a 0-d tensor carried by a loop a scalar.
// CHECK-LABEL: func.func @scalar_chain(
// CHECK-SAME: %[[X:[^:]+]]: tensor<f32>, %[[Z:[^:]+]]: tensor<f32>
// CHECK: %[[Z0:.+]] = tensor.extract %[[Z]][] : tensor<f32>
// CHECK: %[[R:.+]] = scf.for %{{.+}} iter_args(%[[ACC:.+]] = %[[Z0]]) -> (f32)
// CHECK: %[[P:.+]] = arith.mulf %[[ACC]], %{{.+}} fastmath<contract> : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[P]], %{{.+}} fastmath<contract> : f32
// CHECK-NEXT: scf.yield %[[S]] : f32
// CHECK: %[[T:.+]] = tensor.from_elements %[[R]] : tensor<f32>
// CHECK-NEXT: return %[[T]]
#scalar = affine_map<() -> ()>
func.func @scalar_chain(%x: tensor<f32>, %z: tensor<f32>, %n: index) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z) -> (tensor<f32>) {
    %init = tensor.empty() : tensor<f32>
    %next = linalg.generic {indexing_maps = [#scalar, #scalar, #scalar, #scalar], iterator_types = []}
        ins(%acc, %x, %z : tensor<f32>, tensor<f32>, tensor<f32>) outs(%init : tensor<f32>) {
    ^bb0(%a: f32, %b: f32, %c: f32, %out: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %p, %c : f32
      linalg.yield %s : f32
    } -> tensor<f32>
    scf.yield %next : tensor<f32>
  }
  return %r : tensor<f32>
}

// -----

// A tile the vectorizer refuses (a call in the body) stays a scalar loop nest, untagged.
// CHECK-LABEL: func.func @not_vectorizable(
// CHECK: scf.for
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<8xf32>)
// CHECK: func.call @opaque
// CHECK: scf.for
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<?xf32>)
// CHECK-NOT: fxn.vector_tile
func.func private @opaque(f32) -> f32
func.func @not_vectorizable(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %init = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %out: f32):
    %f = func.call @opaque(%a) : (f32) -> f32
    linalg.yield %f : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A reduction along the contiguous dim: each row is split into 4 vector accumulators that a
// loop carries in registers (no store per element), a masked remainder, then one tree reduction.
// CHECK-LABEL: func.func @row_sums(
// CHECK: scf.for %[[ROW:[^ ]+]] = {{.+}} iter_args({{.+}}) -> (tensor<?xf32>)
// CHECK: %[[PARTIAL:.+]] = scf.for {{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (vector<32xf32>)
// CHECK-NEXT: %[[V:.+]] = vector.transfer_read %{{.+}}[%[[ROW]], %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<?x?xf32>, vector<32xf32>
// CHECK-NEXT: %[[SUM:.+]] = arith.addf %[[V]], %[[ACC]]{{.*}} : vector<32xf32>
// CHECK-NEXT: scf.yield %[[SUM]] : vector<32xf32>
// CHECK: vector.create_mask %{{.+}} : vector<32xi1>
// CHECK: vector.reduction <add>, %{{.+}}, %{{.+}} fastmath<reassoc> : vector<32xf32> into f32
// SSE-LABEL: func.func @row_sums(
// SSE: iter_args(%{{.+}} = %{{.+}}) -> (vector<16xf32>)
// SSE: vector.reduction <add>, %{{.+}} fastmath<reassoc> : vector<16xf32> into f32
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @row_sums(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %rows = tensor.dim %x, %c0 : tensor<?x?xf32>
  %init = tensor.empty(%rows) : tensor<?xf32>
  %filled = linalg.fill ins(%zero : f32) outs(%init : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x?xf32>) outs(%filled : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A reduction too short for two vectors stays a scalar loop.
// CHECK-LABEL: func.func @short_max(
// CHECK-NOT: vector<
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK: arith.maximumf %{{.+}}, %{{.+}} : f32
#in = affine_map<(d0) -> (d0)>
#out = affine_map<(d0) -> ()>
func.func @short_max(%x: tensor<5xf32>) -> tensor<f32> {
  %lowest = arith.constant 0xFF800000 : f32
  %init = tensor.empty() : tensor<f32>
  %filled = linalg.fill ins(%lowest : f32) outs(%init : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction"]}
      ins(%x : tensor<5xf32>) outs(%filled : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %a, %acc : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
