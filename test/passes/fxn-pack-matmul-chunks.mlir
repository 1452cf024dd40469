// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-pack-matmul{vector-bits=256 chunks=2})' | FileCheck %s
// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-pack-matmul{vector-bits=256 chunks=2 min-work=1000000000000})' | FileCheck %s --check-prefix=SMALL

// With chunks, the loop over the column panels of B (16 columns each at 256 bits: 64 panels) is an
// scf.forall of 2 chunks of 32 panels (512 columns); in each, C's tiles are filled with zeros (the fill,
// folded into its pack, fused into the chunks), then the k and m cache loops run the register tiles. The
// packs of A (128 panels of 8 rows) and B, and the unpack of C, are foralls of 2 chunks too.
// CHECK-LABEL: func.func @static(
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%{{.+}}) in (2) shared_outs(%{{.+}}) -> (tensor<128x1024x8xf32>)
// CHECK: tensor.parallel_insert_slice %{{.+}} [64, 1024, 8] [1, 1, 1] : tensor<64x1024x8xf32> into tensor<128x1024x8xf32>
// CHECK: scf.forall (%{{.+}}) in (2) shared_outs(%{{.+}}) -> (tensor<64x1024x16xf32>)
// CHECK: tensor.parallel_insert_slice %{{.+}} [32, 1024, 16] [1, 1, 1] : tensor<32x1024x16xf32> into tensor<64x1024x16xf32>
// CHECK: scf.forall (%{{.+}}) in (2) shared_outs(%{{.+}}) -> (tensor<128x64x8x16xf32>)
// CHECK: tensor.extract_slice %{{.+}} [32, 1024, 16] [1, 1, 1] : tensor<64x1024x16xf32> to tensor<32x1024x16xf32>
// CHECK: vector.transfer_write %[[ZEROS:.+]], %{{.+}} : vector<8x16xf32>, tensor<1x1x8x16xf32>
// CHECK: scf.for %{{.+}} step %{{.+}} iter_args(%{{.+}}) -> (tensor<128x32x8x16xf32>)
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
// CHECK: scf.forall (%{{.+}}) in (2) shared_outs(%{{.+}}) -> (tensor<1024x1024xf32>)
// CHECK: tensor.parallel_insert_slice %{{.+}} [512, 1024] [1, 1] : tensor<512x1024xf32> into tensor<1024x1024xf32>
// CHECK-NOT: linalg.fill
// Below min-work, the loops stay serial.
// SMALL-LABEL: func.func @static(
// SMALL-NOT: scf.forall
func.func @static(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<1024x1024xf32>
  %filled = linalg.fill ins(%zero : f32) outs(%init : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32>) outs(%filled : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// -----

// Dynamic sizes, or a single panel of B, keep the loops serial.
// CHECK-LABEL: func.func @serial(
// CHECK-NOT: scf.forall
// CHECK: return
func.func @serial(%a: tensor<?x512xf32>, %b: tensor<512x512xf32>, %c: tensor<?x512xf32>,
                  %d: tensor<2048x512xf32>, %e: tensor<512x16xf32>, %f: tensor<2048x16xf32>) -> (tensor<?x512xf32>, tensor<2048x16xf32>) {
  %r = linalg.matmul ins(%a, %b : tensor<?x512xf32>, tensor<512x512xf32>) outs(%c : tensor<?x512xf32>) -> tensor<?x512xf32>
  %s = linalg.matmul ins(%d, %e : tensor<2048x512xf32>, tensor<512x16xf32>) outs(%f : tensor<2048x16xf32>) -> tensor<2048x16xf32>
  return %r, %s : tensor<?x512xf32>, tensor<2048x16xf32>
}
