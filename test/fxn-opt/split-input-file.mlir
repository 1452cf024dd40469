// RUN: not fxn-opt %s --split-input-file | FileCheck %s
// RUN: not fxn-opt %s --split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=ERR
// RUN: fxn-opt %S/Inputs/custom-split-marker.mlir --split-input-file='// @@@' --output-split-marker='// ===' \
// RUN:   | FileCheck %s --check-prefix=MARKER
// RUN: fxn-opt %S/Inputs/custom-split-marker.mlir --split-input-file | FileCheck %s --check-prefix=ONE-CHUNK

// Each chunk is parsed alone; outputs are joined by the split marker.

// Another marker splits the input; the outputs follow each other as mlir-opt writes them: each followed by an
// empty line, the output marker between them.
// MARKER:      {{^}}module {
// MARKER-NEXT: {{^}}  func.func private @a()
// MARKER-NEXT: {{^}}}
// MARKER-EMPTY:
// MARKER-NEXT: {{^}}// ==={{$}}
// MARKER-NEXT: {{^}}module {
// MARKER-NEXT: {{^}}  func.func private @b()
// MARKER-NEXT: {{^}}}
// MARKER-EMPTY:
// ONE-CHUNK:      module {
// ONE-CHUNK-NEXT:   func.func private @a()
// ONE-CHUNK-NEXT:   func.func private @b()
// ONE-CHUNK-NEXT: }

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
