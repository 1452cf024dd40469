// RUN: not fxn-opt %s --split-input-file | FileCheck %s
// RUN: not fxn-opt %s --split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=ERR

// Each chunk is parsed alone; outputs are joined by the split marker.

// CHECK-LABEL: func.func @one
// CHECK: // -----
// CHECK-LABEL: func.func @two
func.func @one() {
  return
}

// -----

func.func @two() {
  return
}

// -----

// A bad chunk does not stop the others; its error keeps the file's line numbers.
// ERR: split-input-file.mlir:[[# @LINE + 2]]:8: error: 'fxn.add' op expected 2 operands; got 1
func.func @three(%a: tensor<f32>) {
  %0 = "fxn.add"(%a) : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// CHECK: // -----
// CHECK-LABEL: func.func @four
func.func @four() {
  return
}
