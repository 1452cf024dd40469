// RUN: fxn-opt %s | fxn-opt | FileCheck %s
// RUN: fxn-opt %s -o %t.1 && fxn-opt %t.1 -o %t.2 && diff %t.1 %t.2
// RUN: fxn-opt %s --mlir-print-op-generic | fxn-opt | FileCheck %s

// Round trip of every tensor op with static and dynamic dims: the verifier
// accepts these types and the printer reproduces them (generic form,
// attributes sorted by name). The dense_resource constant comes last because
// its blob prints at the end of the module. The module is explicit: the
// resource section must follow it.

module {
  // CHECK-LABEL: func.func @constant_dense(
  // CHECK: %[[C:.+]] = "fxn.constant"() {value = dense<{{\[}}[1, -2, 3]]> : tensor<1x3xi8>} : () -> tensor<1x3xi8>
  // CHECK: %[[S:.+]] = "fxn.constant"() {value = dense<true> : tensor<2xi1>} : () -> tensor<2xi1>
  // CHECK: return %[[C]], %[[S]]
  func.func @constant_dense() -> (tensor<1x3xi8>, tensor<2xi1>) {
    %0 = "fxn.constant"() {value = dense<[[1, -2, 3]]> : tensor<1x3xi8>} : () -> tensor<1x3xi8>
    %1 = "fxn.constant"() {value = dense<true> : tensor<2xi1>} : () -> tensor<2xi1>
    return %0, %1 : tensor<1x3xi8>, tensor<2xi1>
  }

  // CHECK-LABEL: func.func @broadcast_to(
  // CHECK-SAME: %[[X:[^:]+]]: tensor<3x1xf32>, %[[D:[^:]+]]: tensor<?xi1>
  // CHECK: %[[R:.+]] = "fxn.broadcast_to"(%[[X]]) {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK: %[[RD:.+]] = "fxn.broadcast_to"(%[[D]]) {shape = array<i64: 5, 0>} : (tensor<?xi1>) -> tensor<5x0xi1>
  // CHECK: return %[[R]], %[[RD]]
  func.func @broadcast_to(%x: tensor<3x1xf32>, %d: tensor<?xi1>) -> (tensor<2x3x4xf32>, tensor<5x0xi1>) {
    %0 = "fxn.broadcast_to"(%x) {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
    %1 = "fxn.broadcast_to"(%d) {shape = array<i64: 5, 0>} : (tensor<?xi1>) -> tensor<5x0xi1>
    return %0, %1 : tensor<2x3x4xf32>, tensor<5x0xi1>
  }

  // A -1 takes the remaining size; of a dynamic input it gives a dynamic dim.
  // CHECK-LABEL: func.func @reshape(
  // CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x4xf16>, %[[D:[^:]+]]: tensor<?x4xi64>
  // CHECK: %[[R:.+]] = "fxn.reshape"(%[[X]]) {shape = array<i64: 4, -1>} : (tensor<2x3x4xf16>) -> tensor<4x6xf16>
  // CHECK: %[[RD:.+]] = "fxn.reshape"(%[[D]]) {shape = array<i64: -1, 2>} : (tensor<?x4xi64>) -> tensor<?x2xi64>
  // CHECK: %[[RS:.+]] = "fxn.reshape"(%[[D]]) {shape = array<i64: 8>} : (tensor<?x4xi64>) -> tensor<8xi64>
  // CHECK: return %[[R]], %[[RD]], %[[RS]]
  func.func @reshape(%x: tensor<2x3x4xf16>, %d: tensor<?x4xi64>) -> (tensor<4x6xf16>, tensor<?x2xi64>, tensor<8xi64>) {
    %0 = "fxn.reshape"(%x) {shape = array<i64: 4, -1>} : (tensor<2x3x4xf16>) -> tensor<4x6xf16>
    %1 = "fxn.reshape"(%d) {shape = array<i64: -1, 2>} : (tensor<?x4xi64>) -> tensor<?x2xi64>
    %2 = "fxn.reshape"(%d) {shape = array<i64: 8>} : (tensor<?x4xi64>) -> tensor<8xi64>
    return %0, %1, %2 : tensor<4x6xf16>, tensor<?x2xi64>, tensor<8xi64>
  }

  // CHECK-LABEL: func.func @reshape_scalar(
  // CHECK: "fxn.reshape"(%{{.+}}) {shape = array<i64>} : (tensor<1x1xf64>) -> tensor<f64>
  func.func @reshape_scalar(%x: tensor<1x1xf64>) -> tensor<f64> {
    %0 = "fxn.reshape"(%x) {shape = array<i64>} : (tensor<1x1xf64>) -> tensor<f64>
    return %0 : tensor<f64>
  }

  // CHECK-LABEL: func.func @transpose(
  // CHECK-SAME: %[[X:[^:]+]]: tensor<2x?x4xi32>
  // CHECK: %[[R:.+]] = "fxn.transpose"(%[[X]]) {permutation = array<i64: 2, 0, 1>} : (tensor<2x?x4xi32>) -> tensor<4x2x?xi32>
  // CHECK: %[[RN:.+]] = "fxn.transpose"(%[[X]]) {permutation = array<i64: -1, -2, 0>} : (tensor<2x?x4xi32>) -> tensor<4x?x2xi32>
  // CHECK: return %[[R]], %[[RN]]
  func.func @transpose(%x: tensor<2x?x4xi32>) -> (tensor<4x2x?xi32>, tensor<4x?x2xi32>) {
    %0 = "fxn.transpose"(%x) {permutation = array<i64: 2, 0, 1>} : (tensor<2x?x4xi32>) -> tensor<4x2x?xi32>
    %1 = "fxn.transpose"(%x) {permutation = array<i64: -1, -2, 0>} : (tensor<2x?x4xi32>) -> tensor<4x?x2xi32>
    return %0, %1 : tensor<4x2x?xi32>, tensor<4x?x2xi32>
  }

  // The result size ceil((limit - start) / stride) is static also for a dynamic dim.
  // CHECK-LABEL: func.func @slice(
  // CHECK-SAME: %[[X:[^:]+]]: tensor<7x?xf32>
  // CHECK: %[[R:.+]] = "fxn.slice"(%[[X]]) {limits = array<i64: 7, 5>, starts = array<i64: 1, 0>, strides = array<i64: 3, 2>} : (tensor<7x?xf32>) -> tensor<2x3xf32>
  // CHECK: return %[[R]]
  func.func @slice(%x: tensor<7x?xf32>) -> tensor<2x3xf32> {
    %0 = "fxn.slice"(%x) {starts = array<i64: 1, 0>, limits = array<i64: 7, 5>, strides = array<i64: 3, 2>} : (tensor<7x?xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }

  // CHECK-LABEL: func.func @pad(
  // CHECK-SAME: %[[X:[^:]+]]: tensor<3x?xi8>
  // CHECK: %[[C:.+]] = "fxn.pad"(%[[X]]) {high = array<i64: 2, 0>, low = array<i64: 1, 1>, mode = "constant", value = -1.000000e+00 : f64} : (tensor<3x?xi8>) -> tensor<6x?xi8>
  // CHECK: %[[F:.+]] = "fxn.pad"(%[[X]]) {high = array<i64: 2, 1>, low = array<i64: 0, 1>, mode = "reflect", value = 0.000000e+00 : f64} : (tensor<3x?xi8>) -> tensor<5x?xi8>
  // CHECK: %[[P:.+]] = "fxn.pad"(%[[X]]) {high = array<i64: 4, 0>, low = array<i64: 3, 0>, mode = "replicate", value = 0.000000e+00 : f64} : (tensor<3x?xi8>) -> tensor<10x?xi8>
  // CHECK: return %[[C]], %[[F]], %[[P]]
  func.func @pad(%x: tensor<3x?xi8>) -> (tensor<6x?xi8>, tensor<5x?xi8>, tensor<10x?xi8>) {
    %0 = "fxn.pad"(%x) {low = array<i64: 1, 1>, high = array<i64: 2, 0>, mode = "constant", value = -1.0 : f64} : (tensor<3x?xi8>) -> tensor<6x?xi8>
    %1 = "fxn.pad"(%x) {low = array<i64: 0, 1>, high = array<i64: 2, 1>, mode = "reflect", value = 0.0 : f64} : (tensor<3x?xi8>) -> tensor<5x?xi8>
    %2 = "fxn.pad"(%x) {low = array<i64: 3, 0>, high = array<i64: 4, 0>, mode = "replicate", value = 0.0 : f64} : (tensor<3x?xi8>) -> tensor<10x?xi8>
    return %0, %1, %2 : tensor<6x?xi8>, tensor<5x?xi8>, tensor<10x?xi8>
  }

  // The first two inputs may differ; later ones share one type (IRDL variadic operands).
  // CHECK-LABEL: func.func @concat(
  // CHECK-SAME: %[[A:[^:]+]]: tensor<2x3xf32>, %[[D:[^:]+]]: tensor<?x3xf32>
  // CHECK: %[[R:.+]] = "fxn.concat"(%[[A]], %[[A]], %[[A]]) {dim = -1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x9xf32>
  // CHECK: %[[RD:.+]] = "fxn.concat"(%[[D]], %[[D]]) {dim = 0 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK: %[[R1:.+]] = "fxn.concat"(%[[A]], %[[D]], %[[D]], %[[D]]) {dim = 0 : i64} : (tensor<2x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK: return %[[R]], %[[RD]], %[[R1]]
  func.func @concat(%a: tensor<2x3xf32>, %d: tensor<?x3xf32>) -> (tensor<2x9xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
    %0 = "fxn.concat"(%a, %a, %a) {dim = -1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x9xf32>
    %1 = "fxn.concat"(%d, %d) {dim = 0 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
    %2 = "fxn.concat"(%a, %d, %d, %d) {dim = 0 : i64} : (tensor<2x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
    return %0, %1, %2 : tensor<2x9xf32>, tensor<?x3xf32>, tensor<?x3xf32>
  }

  // CHECK-LABEL: func.func @constant_resource(
  // CHECK: %[[C:.+]] = "fxn.constant"() {value = dense_resource<weights> : tensor<2xf32>} : () -> tensor<2xf32>
  // CHECK: return %[[C]]
  // CHECK: dialect_resources: {
  // CHECK-NEXT: builtin: {
  // CHECK-NEXT: weights: "0x040000000000803F00000040"
  func.func @constant_resource() -> tensor<2xf32> {
    %0 = "fxn.constant"() {value = dense_resource<weights> : tensor<2xf32>} : () -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F00000040"
    }
  }
#-}
