// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-parallelize{chunks=2 vector-bits=256})' | FileCheck %s
// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-parallelize{chunks=3 vector-bits=256})' | FileCheck %s --check-prefix=THREE
// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-parallelize{chunks=1})' | FileCheck %s --check-prefix=SERIAL

// A large elementwise op: its outer loop in 2 chunks of 540 rows, the op on each chunk's slices.
// CHECK-LABEL: func.func @rows(
// CHECK: scf.forall (%[[I:.+]]) in (2) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<1080x1920xf32>)
// CHECK: tensor.extract_slice %{{.+}}[%[[ROW:.+]], 0] [540, 1920] [1, 1] : tensor<1080x1920xf32> to tensor<540x1920xf32>
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<540x1920xf32>) outs(%{{.+}} : tensor<540x1920xf32>)
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%[[ROW]], 0] [540, 1920] [1, 1]
// CHECK-NOT: fxn.parallelize
// 1080 rows split in 3 chunks of 360.
// THREE-LABEL: func.func @rows(
// THREE: scf.forall (%{{.+}}) in (3)
// THREE: linalg.generic {{.+}} outs(%{{.+}} : tensor<360x1920xf32>)
// SERIAL-LABEL: func.func @rows(
// SERIAL-NOT: scf.forall
func.func @rows(%x: tensor<1080x1920xf32>) -> tensor<1080x1920xf32> {
  %e = tensor.empty() : tensor<1080x1920xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1080x1920xf32>) outs(%e : tensor<1080x1920xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<1080x1920xf32>
  return %r : tensor<1080x1920xf32>
}

// -----

// Too little work (64 iterations), a dynamic extent, an op inside a loop of the user's code: all stay whole.
// CHECK-LABEL: func.func @whole(
// CHECK-NOT: scf.forall
// CHECK: return
func.func @whole(%x: tensor<8x8xf32>, %y: tensor<?x4096xf32>, %n: index, %start: tensor<256x1024xf32>) -> (tensor<8x8xf32>, tensor<?x4096xf32>, tensor<256x1024xf32>) {
  %e = tensor.empty() : tensor<8x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<8x8xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d = tensor.dim %y, %c0 : tensor<?x4096xf32>
  %ed = tensor.empty(%d) : tensor<?x4096xf32>
  %rd = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<?x4096xf32>) outs(%ed : tensor<?x4096xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<?x4096xf32>
  %looped = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %start) -> (tensor<256x1024xf32>) {
    %next = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%acc : tensor<256x1024xf32>) {
    ^bb0(%b: f32):
      %m = arith.addf %b, %b : f32
      linalg.yield %m : f32
    } -> tensor<256x1024xf32>
    scf.yield %next : tensor<256x1024xf32>
  }
  return %r, %rd, %looped : tensor<8x8xf32>, tensor<?x4096xf32>, tensor<256x1024xf32>
}

// -----

// A sum along rows: the rows split (a parallel loop), never the reduction along them.
// CHECK-LABEL: func.func @row_sums(
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<500x1000xf32>) outs(%{{.+}} : tensor<500xf32>)
// A sum of everything has no parallel loop: it stays whole.
// CHECK-LABEL: func.func @total(
// CHECK-NOT: scf.forall
func.func @row_sums(%x: tensor<1000x1000xf32>, %o: tensor<1000xf32>) -> tensor<1000xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<1000x1000xf32>) outs(%o : tensor<1000xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.addf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1000xf32>
  return %r : tensor<1000xf32>
}
func.func @total(%x: tensor<1000000xf32>, %o: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%x : tensor<1000000xf32>) outs(%o : tensor<f32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.addf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// A convolution of batch 1: its output channels split, in multiples of 16 (64 in 2 chunks of 32); the
// input is read whole by each chunk. On 3 threads 4 chunks of 16 filters keep them busy 2/3 of the time,
// 8 chunks of 7 rows 8/9: the rows split. The fill of zeros it
// accumulates into, used by it alone, is computed by each chunk on its own slice, in the same region.
// (The whole fill is left unused, for canonicalization to erase.)
// CHECK-LABEL: func.func @conv(
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<1x64x56x56xf32>
// CHECK: scf.forall (%{{.+}}) in (2) shared_outs(%{{.+}} = %[[EMPTY]])
// CHECK: linalg.fill {{.+}} -> tensor<1x32x56x56xf32>
// CHECK: linalg.conv_2d_nchw_fchw ins(%{{.+}}, %{{.+}} : tensor<1x64x58x58xf32>, tensor<32x64x3x3xf32>) outs(%{{.+}} : tensor<1x32x56x56xf32>)
// THREE-LABEL: func.func @conv(
// THREE: scf.forall (%{{.+}}) in (8)
// THREE: linalg.conv_2d_nchw_fchw ins({{.+}}) outs(%{{.+}} : tensor<1x64x7x56xf32>)
// A batch of 2 splits along the batch, the outermost parallel loop.
// CHECK-LABEL: func.func @conv_batch(
// CHECK: linalg.conv_2d_nchw_fchw ins(%{{.+}}, %{{.+}} : tensor<1x8x34x34xf32>, tensor<24x8x3x3xf32>) outs(%{{.+}} : tensor<1x24x32x32xf32>)
// Output channels that are no multiple of 16 split as they divide: 6 in 2 chunks of 3.
// CHECK-LABEL: func.func @conv_odd(
// CHECK: linalg.conv_2d_nchw_fchw ins({{.+}}) outs(%{{.+}} : tensor<1x3x64x128xf32>)
func.func @conv(%x: tensor<1x64x58x58xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x56x56xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %r = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x64x58x58xf32>, tensor<64x64x3x3xf32>) outs(%f : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  return %r : tensor<1x64x56x56xf32>
}
func.func @conv_batch(%x: tensor<2x8x34x34xf32>, %w: tensor<24x8x3x3xf32>) -> tensor<2x24x32x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x24x32x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x24x32x32xf32>) -> tensor<2x24x32x32xf32>
  %r = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<2x8x34x34xf32>, tensor<24x8x3x3xf32>) outs(%f : tensor<2x24x32x32xf32>) -> tensor<2x24x32x32xf32>
  return %r : tensor<2x24x32x32xf32>
}
func.func @conv_odd(%x: tensor<1x3x66x130xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x64x128xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x64x128xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x6x64x128xf32>) -> tensor<1x6x64x128xf32>
  %r = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x3x66x130xf32>, tensor<6x3x3x3xf32>) outs(%f : tensor<1x6x64x128xf32>) -> tensor<1x6x64x128xf32>
  return %r : tensor<1x6x64x128xf32>
}

// -----

// Float matrix products are left to fxn-pack-matmul; an integer one splits here.
// CHECK-LABEL: func.func @products(
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<1024x1024xf32>, tensor<1024x1024xf32>)
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<256x512xi32>, tensor<512x512xi32>) outs(%{{.+}} : tensor<256x512xi32>)
func.func @products(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>, %c: tensor<1024x1024xf32>,
                    %i: tensor<512x512xi32>, %j: tensor<512x512xi32>, %k: tensor<512x512xi32>) -> (tensor<1024x1024xf32>, tensor<512x512xi32>) {
  %r = linalg.matmul ins(%a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32>) outs(%c : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %s = linalg.matmul ins(%i, %j : tensor<512x512xi32>, tensor<512x512xi32>) outs(%k : tensor<512x512xi32>) -> tensor<512x512xi32>
  return %r, %s : tensor<1024x1024xf32>, tensor<512x512xi32>
}

// -----

// The fill a float product accumulates into stays whole too: fxn-pack-matmul's pack of it folds into a
// fill of the packed tiles, which its chunks compute.
// CHECK-LABEL: func.func @product_fill(
// CHECK-NOT: scf.forall
// CHECK: linalg.fill {{.+}} -> tensor<1024x1024xf32>
// CHECK-NOT: scf.forall
// CHECK: return
func.func @product_fill(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %r = linalg.matmul ins(%a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32>) outs(%c : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %r : tensor<1024x1024xf32>
}

// -----

// A 1x1 convolution over joined rows (one output row of 12544 columns) with 16 filters: the filters do
// not split in multiples of 16, so the columns split, in whole vectors (2 x 6272 = 2 x 392 x 16).
// CHECK-LABEL: func.func @joined_rows(
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK: linalg.conv_2d_nchw_fchw ins(%{{.+}}, %{{.+}} : tensor<1x32x1x6272xf32>, tensor<16x32x1x1xf32>) outs(%{{.+}} : tensor<1x16x1x6272xf32>)
func.func @joined_rows(%x: tensor<1x32x1x12544xf32>, %w: tensor<16x32x1x1xf32>) -> tensor<1x16x1x12544xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x1x12544xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x16x1x12544xf32>) -> tensor<1x16x1x12544xf32>
  %r = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x32x1x12544xf32>, tensor<16x32x1x1xf32>) outs(%f : tensor<1x16x1x12544xf32>) -> tensor<1x16x1x12544xf32>
  return %r : tensor<1x16x1x12544xf32>
}
// 144 filters split in multiples of 16 only as 3 x 48 (2 threads busy 3/4 of the time); the 3136 columns
// split evenly (2 x 1568 = 2 x 196 x 8), so they split instead. With 3 threads, 3 x 48 filters balance.
// CHECK-LABEL: func.func @unbalanced_filters(
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK: linalg.conv_2d_nchw_fchw ins(%{{.+}}, %{{.+}} : tensor<1x24x1x1568xf32>, tensor<144x24x1x1xf32>) outs(%{{.+}} : tensor<1x144x1x1568xf32>)
// THREE-LABEL: func.func @unbalanced_filters(
// THREE: scf.forall (%{{.+}}) in (3)
// THREE: linalg.conv_2d_nchw_fchw ins({{.+}}) outs(%{{.+}} : tensor<1x48x1x3136xf32>)
func.func @unbalanced_filters(%x: tensor<1x24x1x3136xf32>, %w: tensor<144x24x1x1xf32>) -> tensor<1x144x1x3136xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x144x1x3136xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x144x1x3136xf32>) -> tensor<1x144x1x3136xf32>
  %r = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x24x1x3136xf32>, tensor<144x24x1x1xf32>) outs(%f : tensor<1x144x1x3136xf32>) -> tensor<1x144x1x3136xf32>
  return %r : tensor<1x144x1x3136xf32>
}

// -----

// 3 channels would split in 3 pieces, keeping 2 threads busy 3/4 of the time: the rows split instead.
// CHECK-LABEL: func.func @balanced(
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<3x112x224xf32>)
// THREE-LABEL: func.func @balanced(
// THREE: scf.forall (%{{.+}}) in (3)
// THREE: linalg.generic {{.+}} outs(%{{.+}} : tensor<1x224x224xf32>)
func.func @balanced(%x: tensor<3x224x224xf32>) -> tensor<3x224x224xf32> {
  %e = tensor.empty() : tensor<3x224x224xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<3x224x224xf32>) outs(%e : tensor<3x224x224xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<3x224x224xf32>
  return %r : tensor<3x224x224xf32>
}

// -----

// A large fill used by no op that is split is split on its own.
// CHECK-LABEL: func.func @fill(
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK: linalg.fill {{.+}} -> tensor<128x1024xf32>
func.func @fill() -> tensor<256x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x1024xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<256x1024xf32>) -> tensor<256x1024xf32>
  return %f : tensor<256x1024xf32>
}

// -----

// A loop of independent iterations (a row-at-a-time lowering: each writes its own row) with enough work
// becomes the scf.forall of the same iterations, each inserting its row in parallel; with little work or a
// run-time trip count, or on one thread, it stays a loop.
// CHECK-LABEL: func.func @independent_rows(
// CHECK-SAME: %[[X:[^:]+]]: tensor<256x768xf32>
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<256x768xf32>
// CHECK: %[[R:.+]] = scf.forall (%[[I:.+]]) in (256) shared_outs(%[[OUT:.+]] = %[[INIT]]) -> (tensor<256x768xf32>)
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[X]][%[[I]], 0] [1, 768] [1, 1]
// CHECK: %[[NEG:.+]] = linalg.generic {{.+}} ins(%[[ROW]] : tensor<768xf32>)
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[NEG]] into %[[OUT]][%[[I]], 0] [1, 768] [1, 1]
// CHECK-NOT: scf.for
// CHECK: return %[[R]]
// CHECK-LABEL: func.func @few_rows(
// CHECK-NOT: scf.forall
// CHECK: } {fxn.independent_iterations}
// CHECK-LABEL: func.func @run_time_rows(
// CHECK-NOT: scf.forall
// CHECK: } {fxn.independent_iterations}
// THREE-LABEL: func.func @independent_rows(
// THREE: scf.forall (%{{.+}}) in (256)
// SERIAL-LABEL: func.func @independent_rows(
// SERIAL-NOT: scf.forall
// SERIAL: } {fxn.independent_iterations}
func.func @independent_rows(%x: tensor<256x768xf32>) -> tensor<256x768xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %e = tensor.empty() : tensor<256x768xf32>
  %r = scf.for %i = %c0 to %c256 step %c1 iter_args(%done = %e) -> (tensor<256x768xf32>) {
    %row = tensor.extract_slice %x[%i, 0] [1, 768] [1, 1] : tensor<256x768xf32> to tensor<768xf32>
    %re = tensor.empty() : tensor<768xf32>
    %neg = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%row : tensor<768xf32>) outs(%re : tensor<768xf32>) {
    ^bb0(%a: f32, %b: f32):
      %n = arith.negf %a : f32
      linalg.yield %n : f32
    } -> tensor<768xf32>
    %next = tensor.insert_slice %neg into %done[%i, 0] [1, 768] [1, 1] : tensor<768xf32> into tensor<256x768xf32>
    scf.yield %next : tensor<256x768xf32>
  } {fxn.independent_iterations}
  return %r : tensor<256x768xf32>
}

func.func @few_rows(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<4x8xf32>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%done = %e) -> (tensor<4x8xf32>) {
    %row = tensor.extract_slice %x[%i, 0] [1, 8] [1, 1] : tensor<4x8xf32> to tensor<8xf32>
    %next = tensor.insert_slice %row into %done[%i, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<4x8xf32>
    scf.yield %next : tensor<4x8xf32>
  } {fxn.independent_iterations}
  return %r : tensor<4x8xf32>
}

func.func @run_time_rows(%x: tensor<?x768xf32>) -> tensor<?x768xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x768xf32>
  %e = tensor.empty(%n) : tensor<?x768xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%done = %e) -> (tensor<?x768xf32>) {
    %row = tensor.extract_slice %x[%i, 0] [1, 768] [1, 1] : tensor<?x768xf32> to tensor<768xf32>
    %next = tensor.insert_slice %row into %done[%i, 0] [1, 768] [1, 1] : tensor<768xf32> into tensor<?x768xf32>
    scf.yield %next : tensor<?x768xf32>
  } {fxn.independent_iterations}
  return %r : tensor<?x768xf32>
}
