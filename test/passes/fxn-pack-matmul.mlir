// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-pack-matmul{vector-bits=256})' | FileCheck %s
// RUN: fxn-opt %s --split-input-file -p 'builtin.module(fxn-pack-matmul{vector-bits=128})' | FileCheck %s --check-prefix=SSE

// A dynamic f32 matmul: A packed in panels of 8 rows, B in panels of 2 vectors of columns (16 at 256
// bits), cache loops (512 columns, 256 deep, 128 rows), and an 8x16 tile of C carried in registers
// along k by a vector.contract; C unpacked at the end.
// CHECK-LABEL: func.func @matmul(
// CHECK-NOT: linalg.matmul
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: vector.transfer_write {{.+}} : vector<1x16x8xf32>, tensor<1x?x8xf32>
// CHECK: vector.transfer_write {{.+}} : vector<1x16x16xf32>, tensor<1x?x16xf32>
// CHECK: scf.for %{{.+}} step %[[C32]] iter_args(%{{.+}}) -> (tensor<?x?x8x16xf32>)
// CHECK: scf.for %{{.+}} step %[[C256]] iter_args(%{{.+}}) -> (tensor<?x?x8x16xf32>)
// CHECK: scf.for {{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (vector<8x16xf32>)
// CHECK: %[[NEXT:.+]] = vector.contract {{.+}} %{{.+}}, %{{.+}}, %[[ACC]] : vector<1x8xf32>, vector<1x16xf32> into vector<8x16xf32>
// CHECK: scf.yield %[[NEXT]] : vector<8x16xf32>
// CHECK: vector.transfer_read {{.+}} : tensor<1x1x8x16xf32>, vector<8x16xf32>
// CHECK-NOT: linalg.unpack
// CHECK-NOT: fxn.pack_matmul
// SSE-LABEL: func.func @matmul(
// SSE: vector.contract {{.+}} : vector<1x8xf32>, vector<1x8xf32> into vector<8x8xf32>
func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%m, %n) : tensor<?x?xf32>
  %filled = linalg.fill ins(%zero : f32) outs(%init : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%filled : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// f64 halves the columns of a register tile; a batch_matmul keeps its batch loop.
// CHECK-LABEL: func.func @batch_f64(
// CHECK-NOT: linalg.batch_matmul
// CHECK: vector.contract {{.+}} : vector<1x8xf64>, vector<1x8xf64> into vector<8x8xf64>
// SSE-LABEL: func.func @batch_f64(
// SSE: vector.contract {{.+}} : vector<1x8xf64>, vector<1x4xf64> into vector<8x4xf64>
func.func @batch_f64(%a: tensor<3x20x30xf64>, %b: tensor<3x30x40xf64>) -> tensor<3x20x40xf64> {
  %zero = arith.constant 0.0 : f64
  %init = tensor.empty() : tensor<3x20x40xf64>
  %filled = linalg.fill ins(%zero : f64) outs(%init : tensor<3x20x40xf64>) -> tensor<3x20x40xf64>
  %r = linalg.batch_matmul ins(%a, %b : tensor<3x20x30xf64>, tensor<3x30x40xf64>) outs(%filled : tensor<3x20x40xf64>) -> tensor<3x20x40xf64>
  return %r : tensor<3x20x40xf64>
}

// -----

// Integer products and mixed element types are left alone.
// CHECK-LABEL: func.func @integers(
// CHECK: linalg.matmul
// CHECK-NOT: vector.contract
// CHECK-NOT: fxn.pack_matmul
func.func @integers(%a: tensor<4x5xi32>, %b: tensor<5x6xi32>, %init: tensor<4x6xi32>) -> tensor<4x6xi32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x5xi32>, tensor<5x6xi32>) outs(%init : tensor<4x6xi32>) -> tensor<4x6xi32>
  return %r : tensor<4x6xi32>
}
