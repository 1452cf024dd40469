// mlir-opt's printing and output options, each doing what mlir-opt does.

// RUN: fxn-opt %s --mlir-print-local-scope | FileCheck %s --check-prefix=LOCAL
// LOCAL-NOT: #map =
// LOCAL: attributes {m = affine_map<(d0) -> (d0)>}

// RUN: fxn-opt %s --mlir-elide-elementsattrs-if-larger=4 | FileCheck %s --check-prefix=ELIDE
// ELIDE: arith.constant dense_resource<__elided__> : tensor<8xf32>
// ELIDE: arith.constant dense<[1, 2]> : tensor<2xi32>

// RUN: fxn-opt %s --mlir-print-debuginfo --mlir-pretty-debuginfo | FileCheck %s --check-prefix=PRETTY
// PRETTY: func.func @f(%arg0: tensor<8xf32> {{.*}}printing-options.mlir:61:14)

// RUN: fxn-opt %s --mlir-print-assume-verified --mlir-print-op-generic | FileCheck %s --check-prefix=ASSUMED
// ASSUMED: "func.func"()

// RUN: fxn-opt %s --mlir-use-nameloc-as-prefix | FileCheck %s --check-prefix=NAMELOC
// NAMELOC: %sum = arith.addf

// RUN: fxn-opt %s --mlir-print-skip-regions --no-implicit-module | FileCheck %s --check-prefix=SKIP
// SKIP: func.func @f(%arg0: tensor<8xf32>) -> tensor<8xf32> attributes {m = #map} {...}

// RUN: fxn-opt %s --pass-pipeline='builtin.module(func.func(cse),canonicalize)' --dump-pass-pipeline 2>&1 >/dev/null | FileCheck %s --check-prefix=DUMP
// DUMP: Pass Manager with 2 passes:
// DUMP-NEXT: builtin.module(func.func(cse),canonicalize{

// RUN: fxn-opt %S/Inputs/resource.mlir --mlir-elide-resource-strings-if-larger=2 | FileCheck %s --check-prefix=RESOURCE
// RUN: fxn-opt %S/Inputs/resource.mlir | FileCheck %s --check-prefix=RESOURCE-KEPT
// RESOURCE: arith.constant dense_resource<blob1> : tensor<4xi8>
// RESOURCE-NOT: 0x0100000001020304
// RESOURCE-KEPT: blob1: "0x0100000001020304"

// Threads and verification change nothing in the output of correct passes.
// RUN: fxn-opt %s --cse --canonicalize --mlir-disable-threading | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: fxn-opt %s --cse --canonicalize --verify-each=false | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: fxn-opt %s --cse --canonicalize --verify-each | FileCheck %s --check-prefix=ROUNDTRIP

// RUN: fxn-opt %s --verify-roundtrip | FileCheck %s --check-prefix=ROUNDTRIP
// ROUNDTRIP: func.func @f

// RUN: fxn-opt %s --emit-bytecode -o %t.mlirbc
// RUN: %python -c "import sys; assert open(sys.argv[1], 'rb').read(4) == b'ML\xefR'" %t.mlirbc
// RUN: fxn-opt %t.mlirbc --mlir-print-local-scope | FileCheck %s --check-prefix=LOCAL
// RUN: fxn-opt %s --emit-bytecode --emit-bytecode-version=1 | fxn-opt - | FileCheck %s --check-prefix=ROUNDTRIP

// RUN: fxn-opt %s --cse --canonicalize --mlir-print-ir-after-all --mlir-print-ir-after-change 2>&1 >/dev/null | FileCheck %s --check-prefix=CHANGE
// CHANGE: IR Dump After CSEPass
// CHANGE-NOT: IR Dump After

// RUN: fxn-opt %s --cse --mlir-print-ir-after-all --mlir-print-ir-module-scope 2>&1 >/dev/null | FileCheck %s --check-prefix=SCOPE
// SCOPE: IR Dump After CSEPass
// SCOPE-NEXT: #map = affine_map

// RUN: not fxn-opt %s --profile-actions-to=%t.log 2>&1 | FileCheck %s --check-prefix=REFUSED
// REFUSED: fxn-opt: error: option '--profile-actions-to' is not supported by fxn-opt: MLIR's actions are not reachable from the MLIR Python bindings

// RUN: not fxn-opt %s --mlir-elide-elementsattrs-if-larger=many 2>&1 | FileCheck %s --check-prefix=NOT-A-NUMBER
// NOT-A-NUMBER: fxn-opt: error: option '--mlir-elide-elementsattrs-if-larger' takes a non-negative integer; got 'many'

#map = affine_map<(d0) -> (d0)>
func.func @f(%x: tensor<8xf32>) -> tensor<8xf32> attributes {m = #map} {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %small = arith.constant dense<[1, 2]> : tensor<2xi32>
  %y = arith.addf %x, %c : tensor<8xf32> loc("sum")
  %z = arith.addf %x, %c : tensor<8xf32>
  return %y : tensor<8xf32>
}
