// fxn's Python passes and upstream MLIR passes mix in one pipeline, nested anchors included.

// RUN: fxn-opt %s --pass-pipeline='builtin.module(canonicalize,func.func(fxn-canonicalize),fxn-constant-fold{max-elements=1024},cse)' | FileCheck %s
// RUN: fxn-opt %s -p 'builtin.module(canonicalize,func.func(fxn-canonicalize),fxn-constant-fold{max-elements=1024},cse)' | FileCheck %s
// RUN: fxn-opt %s --canonicalize --fxn-canonicalize --fxn-constant-fold=max-elements=1024 --cse | FileCheck %s

// Pass flags nest as mlir-opt nests them: a pass restricted to func.func runs on each function, with the
// func.func passes next to it.
// RUN: fxn-opt %s --canonicalize --affine-parallelize --affine-loop-invariant-code-motion --cse --dump-pass-pipeline \
// RUN:   2>&1 >/dev/null | FileCheck %s --check-prefix=NESTED
// NESTED: builtin.module(canonicalize{{.*}},func.func(affine-parallelize{{.*}},affine-loop-invariant-code-motion),cse)

// CHECK-LABEL: func.func @predict(
// CHECK-SAME: %[[X:.+]]: tensor<4xf32>, %[[Y:.+]]: tensor<4xf32>
// CHECK-NEXT: %[[XY:.+]] = "fxn.mul"(%[[X]], %[[Y]])
// CHECK-NEXT: %[[BIAS:.+]] = "fxn.constant"() {value = dense<5.000000e-01> : tensor<f32>}
// CHECK-NEXT: %[[R:.+]] = "fxn.add"(%[[XY]], %[[BIAS]])
// CHECK-NEXT: return %[[R]], %[[R]]
func.func @predict(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = "fxn.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %two = "fxn.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %quarter = "fxn.constant"() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %xy = "fxn.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %xy1 = "fxn.mul"(%xy, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %bias = "fxn.mul"(%two, %quarter) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %r1 = "fxn.add"(%xy1, %bias) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %r2 = "fxn.add"(%xy, %bias) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %r1, %r2 : tensor<4xf32>, tensor<4xf32>
}

// The nested pass runs on every function of the module.
// CHECK-LABEL: func.func private @helper(
// CHECK-SAME: %[[H:.+]]: tensor<4xf32>
// CHECK-NEXT: return %[[H]]
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = "fxn.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %0 = "fxn.mul"(%one, %x) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
