// RUN: fxn-opt %s --fxn-lower-to-linalg | FileCheck %s

// Broadcasting: an operand is read without its size-1 dims that broadcast (collapsed away, so that every
// map is a projected permutation, as fusion through reshapes needs); missing leading dims are not indexed.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @add_broadcast(
// CHECK-SAME: %[[A:.+]]: tensor<2x1x7xf32>, %[[B:.+]]: tensor<3x1xf32>
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<2x3x7xf32>
// CHECK: %[[A2:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0], [1, 2]] : tensor<2x1x7xf32> into tensor<2x7xf32>
// CHECK: %[[B1:.+]] = tensor.collapse_shape %[[B]] {{\[}}[0, 1]] : tensor<3x1xf32> into tensor<3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[A2]], %[[B1]] : tensor<2x7xf32>, tensor<3xf32>) outs(%[[INIT]] : tensor<2x3x7xf32>)
// CHECK-NEXT: ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[SUM:.+]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
func.func @add_broadcast(%a: tensor<2x1x7xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x7xf32> {
  %0 = "fxn.add"(%a, %b) : (tensor<2x1x7xf32>, tensor<3x1xf32>) -> tensor<2x3x7xf32>
  return %0 : tensor<2x3x7xf32>
}

// A dynamic result dim takes its size from the operand that has it.
// CHECK-LABEL: func.func @neg_i32(
// CHECK-SAME: %[[A:.+]]: tensor<?xi32>
// CHECK: %[[N:.+]] = tensor.dim %[[A]], %c0 : tensor<?xi32>
// CHECK: tensor.empty(%[[N]]) : tensor<?xi32>
// CHECK: ^bb0(%[[X:.+]]: i32, %{{.+}}: i32):
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK-NEXT: arith.subi %[[ZERO]], %[[X]] : i32
func.func @neg_i32(%a: tensor<?xi32>) -> tensor<?xi32> {
  %0 = "fxn.neg"(%a) : (tensor<?xi32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// IEEE maximum (NaN propagates, -0.0 < +0.0); signed integer maximum.
// CHECK-LABEL: func.func @max_f64(
// CHECK: arith.maximumf %{{.+}}, %{{.+}} : f64
// CHECK-LABEL: func.func @relu_i8(
// CHECK: arith.maxsi %{{.+}}, %{{.+}} : i8
func.func @max_f64(%a: tensor<7xf64>, %b: tensor<f64>) -> tensor<7xf64> {
  %0 = "fxn.max"(%a, %b) : (tensor<7xf64>, tensor<f64>) -> tensor<7xf64>
  return %0 : tensor<7xf64>
}
func.func @relu_i8(%a: tensor<7xi8>) -> tensor<7xi8> {
  %0 = "fxn.relu"(%a) : (tensor<7xi8>) -> tensor<7xi8>
  return %0 : tensor<7xi8>
}

// Integer clamp bounds: an infinite bound saturates to the type's limit.
// CHECK-LABEL: func.func @clamp_i8(
// CHECK-DAG: %[[LOW:.+]] = arith.constant 0 : i8
// CHECK-DAG: %[[HIGH:.+]] = arith.constant 127 : i8
// CHECK: %[[UP:.+]] = arith.maxsi %{{.+}}, %[[LOW]] : i8
// CHECK-NEXT: arith.minsi %[[UP]], %[[HIGH]] : i8
func.func @clamp_i8(%a: tensor<4xi8>) -> tensor<4xi8> {
  %0 = "fxn.clamp"(%a) {max = 0x7FF0000000000000 : f64, min = 0.0 : f64} : (tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// Comparisons: ordered predicates except ne (unordered); i1 compares unsigned (false < true).
// CHECK-LABEL: func.func @compare_ne(
// CHECK: ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %{{.+}}: i1):
// CHECK-NEXT: arith.cmpf une, %[[X]], %[[Y]] : f32
// CHECK-LABEL: func.func @compare_le(
// CHECK: arith.cmpf ole
// CHECK-LABEL: func.func @compare_lt_i1(
// CHECK: arith.cmpi ult, %{{.+}}, %{{.+}} : i1
func.func @compare_ne(%a: tensor<3xf32>, %b: tensor<f32>) -> tensor<3xi1> {
  %0 = "fxn.compare"(%a, %b) {predicate = "ne"} : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}
func.func @compare_le(%a: tensor<3xf32>, %b: tensor<f32>) -> tensor<3xi1> {
  %0 = "fxn.compare"(%a, %b) {predicate = "le"} : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}
func.func @compare_lt_i1(%a: tensor<3xi1>, %b: tensor<3xi1>) -> tensor<3xi1> {
  %0 = "fxn.compare"(%a, %b) {predicate = "lt"} : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// select broadcasts its three operands.
// CHECK-LABEL: func.func @select(
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}]
// CHECK-NEXT: ^bb0(%[[C:.+]]: i1, %[[T:.+]]: f16, %[[F:.+]]: f16, %{{.+}}: f16):
// CHECK-NEXT: arith.select %[[C]], %[[T]], %[[F]] : f16
func.func @select(%c: tensor<2x3xi1>, %a: tensor<3xf16>, %b: tensor<f16>) -> tensor<2x3xf16> {
  %0 = "fxn.select"(%c, %a, %b) : (tensor<2x3xi1>, tensor<3xf16>, tensor<f16>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// Casts: float -> int truncates; -> i1 is x != 0 (NaN true); i1 -> float is 0 or 1;
// f64 -> f16 rounds once (to odd in f32, then to f16).
// CHECK-LABEL: func.func @cast_f32_to_i8(
// CHECK: arith.fptosi %{{.+}} : f32 to i8
// CHECK-LABEL: func.func @cast_f16_to_i1(
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f16
// CHECK-NEXT: arith.cmpf une, %{{.+}}, %[[ZERO]] : f16
// CHECK-LABEL: func.func @cast_i1_to_f32(
// CHECK: arith.uitofp %{{.+}} : i1 to f32
// CHECK-LABEL: func.func @cast_f64_to_f16(
// CHECK: ^bb0(%[[X:.+]]: f64, %{{.+}}: f16):
// CHECK-NEXT: %[[NARROW:.+]] = arith.truncf %[[X]] : f64 to f32
// CHECK-NEXT: %[[WIDE:.+]] = arith.extf %[[NARROW]] : f32 to f64
// CHECK-NEXT: %[[INEXACT:.+]] = arith.cmpf one, %[[WIDE]], %[[X]] : f64
// CHECK: %[[STEP:.+]] = arith.select %{{.+}}, %{{.+}}, %{{.+}} : i32
// CHECK: %[[NEXT:.+]] = arith.addi %{{.+}}, %[[STEP]] : i32
// CHECK-NEXT: %[[ODD:.+]] = arith.select %{{.+}}, %[[NEXT]], %{{.+}} : i32
// CHECK-NEXT: %[[BITS:.+]] = arith.bitcast %[[ODD]] : i32 to f32
// CHECK-NEXT: arith.truncf %[[BITS]] : f32 to f16
func.func @cast_f32_to_i8(%a: tensor<2x?xf32>) -> tensor<2x?xi8> {
  %0 = "fxn.cast"(%a) : (tensor<2x?xf32>) -> tensor<2x?xi8>
  return %0 : tensor<2x?xi8>
}
func.func @cast_f16_to_i1(%a: tensor<3xf16>) -> tensor<3xi1> {
  %0 = "fxn.cast"(%a) : (tensor<3xf16>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}
func.func @cast_i1_to_f32(%a: tensor<3xi1>) -> tensor<3xf32> {
  %0 = "fxn.cast"(%a) : (tensor<3xi1>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @cast_f64_to_f16(%a: tensor<3xf64>) -> tensor<3xf16> {
  %0 = "fxn.cast"(%a) : (tensor<3xf64>) -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// fma rounds once: math.fma for f32/f64; f16 in f64 (exact product) and narrowed once.
// CHECK-LABEL: func.func @fma_f32(
// CHECK: math.fma %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK-LABEL: func.func @fma_f16(
// CHECK: %[[X:.+]] = arith.extf %{{.+}} : f16 to f64
// CHECK: %[[P:.+]] = arith.mulf
// CHECK-NEXT: arith.addf %[[P]]
// CHECK-NEXT: arith.truncf %{{.+}} : f64 to f32
func.func @fma_f32(%x: tensor<3xf32>, %y: tensor<3xf32>, %z: tensor<f32>) -> tensor<3xf32> {
  %0 = "fxn.fma"(%x, %y, %z) : (tensor<3xf32>, tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @fma_f16(%x: tensor<3xf16>, %y: tensor<3xf16>, %z: tensor<3xf16>) -> tensor<3xf16> {
  %0 = "fxn.fma"(%x, %y, %z) : (tensor<3xf16>, tensor<3xf16>, tensor<3xf16>) -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// Transcendentals are arith expansions, never math.exp & co. (libm); f16 computes in f32.
// CHECK-LABEL: func.func @exp_f16(
// CHECK: ^bb0(%[[X:.+]]: f16, %{{.+}}: f16):
// CHECK-NEXT: %[[WIDE:.+]] = arith.extf %[[X]] : f16 to f32
// CHECK-NOT: math.exp
// CHECK: math.roundeven
// CHECK-NOT: math.exp
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK-NEXT: linalg.yield
// CHECK-LABEL: func.func @pow_f32(
// CHECK: arith.extf %{{.+}} : f32 to f64
// CHECK-NOT: math.powf
// CHECK: arith.truncf %{{.+}} : f64 to f32
// CHECK-NEXT: linalg.yield
// CHECK-LABEL: func.func @rsqrt_f64(
// CHECK: %[[ROOT:.+]] = math.sqrt %{{.+}} : f64
// CHECK-NEXT: arith.divf %{{.+}}, %[[ROOT]] : f64
func.func @exp_f16(%a: tensor<4xf16>) -> tensor<4xf16> {
  %0 = "fxn.exp"(%a) : (tensor<4xf16>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}
func.func @pow_f32(%a: tensor<4xf32>, %b: tensor<f32>) -> tensor<4xf32> {
  %0 = "fxn.pow"(%a, %b) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @rsqrt_f64(%a: tensor<4xf64>) -> tensor<4xf64> {
  %0 = "fxn.rsqrt"(%a) : (tensor<4xf64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// Integer division never divides by 0 or -1 (LLVM: undefined, x86 traps): those lanes divide by 1 and
// take their defined results (0, and -a for floor_div by -1) by selects; truncated becomes floored.
// CHECK-LABEL: func.func @floor_div_i32(
// CHECK: ^bb0(%[[A:.+]]: i32, %[[B:.+]]: i32, %{{.+}}: i32):
// CHECK-DAG: %[[BY_ZERO:.+]] = arith.cmpi eq, %[[B]], %[[ZERO:[^ ]+]] : i32
// CHECK-DAG: %[[BY_MINUS_ONE:.+]] = arith.cmpi eq, %[[B]], %{{.+}} : i32
// CHECK: %[[SPECIAL:.+]] = arith.ori %[[BY_ZERO]], %[[BY_MINUS_ONE]] : i1
// CHECK: %[[D:.+]] = arith.select %[[SPECIAL]], %{{.+}}, %[[B]] : i32
// CHECK: %[[Q:.+]] = arith.divsi %[[A]], %[[D]] : i32
// CHECK: %[[R:.+]] = arith.remsi %[[A]], %[[D]] : i32
// CHECK: %[[FLOORED:.+]] = arith.select %{{.+}}, %{{.+}}, %[[Q]] : i32
// CHECK: %[[NEGATED:.+]] = arith.subi %[[ZERO]], %[[A]] : i32
// CHECK: %[[DEFINED:.+]] = arith.select %[[BY_ZERO]], %[[ZERO]], %[[NEGATED]] : i32
// CHECK: %[[RESULT:.+]] = arith.select %[[SPECIAL]], %[[DEFINED]], %[[FLOORED]] : i32
// CHECK-NEXT: linalg.yield %[[RESULT]] : i32
func.func @floor_div_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "fxn.floor_div"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// Float fmod is exact and calls no libm (frem would): f32 divides in f64 in 10 unrolled steps (vectorizable),
// f64 in an scf.while, at most 84 steps.
// CHECK-LABEL: func.func @fmod_f32(
// CHECK: arith.extf %{{.+}} : f32 to f64
// CHECK-NOT: arith.remf
// CHECK-NOT: scf.while
// CHECK-COUNT-10: math.floor %{{.+}} : f64
// CHECK-NOT: math.floor
// CHECK: arith.truncf %{{.+}} : f64 to f32
// CHECK: math.copysign
// CHECK-LABEL: func.func @fmod_f64(
// CHECK-NOT: arith.remf
// CHECK: scf.while
// CHECK: scf.condition
// CHECK: math.floor %{{.+}} : f64
// CHECK: scf.yield
func.func @fmod_f32(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "fxn.fmod"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @fmod_f64(%a: tensor<4xf64>, %b: tensor<f64>) -> tensor<4xf64> {
  %0 = "fxn.fmod"(%a, %b) : (tensor<4xf64>, tensor<f64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// Rounding ops are math ops (instructions on SIMD hardware); round is to even; trunc is floor(|x|) with x's sign.
// CHECK-LABEL: func.func @rounding_f32(
// CHECK: math.floor %{{.+}} : f32
// CHECK: math.ceil %{{.+}} : f32
// CHECK: math.roundeven %{{.+}} : f32
// CHECK: %[[MAGNITUDE:.+]] = math.absf %{{.+}} : f32
// CHECK-NEXT: %[[FLOOR:.+]] = math.floor %[[MAGNITUDE]] : f32
// CHECK-NEXT: math.copysign %[[FLOOR]], %{{.+}} : f32
func.func @rounding_f32(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "fxn.floor"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = "fxn.ceil"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "fxn.round"(%1) : (tensor<4xf32>) -> tensor<4xf32>
  %3 = "fxn.trunc"(%2) : (tensor<4xf32>) -> tensor<4xf32>
  return %3 : tensor<4xf32>
}

// Shift counts outside [0, bits) would be poison: a left shift gives 0 there, an arithmetic right shift
// shifts by bits - 1 (the sign fill).
// CHECK-LABEL: func.func @shift_left_i8(
// CHECK: ^bb0(%[[A:.+]]: i8, %[[B:.+]]: i8, %{{.+}}: i8):
// CHECK: %[[IN_RANGE:.+]] = arith.cmpi ult, %[[B]], %{{.+}} : i8
// CHECK-NEXT: %[[COUNT:.+]] = arith.select %[[IN_RANGE]], %[[B]], %{{.+}} : i8
// CHECK-NEXT: %[[SHIFTED:.+]] = arith.shli %[[A]], %[[COUNT]] : i8
// CHECK-NEXT: arith.select %[[IN_RANGE]], %[[SHIFTED]], %{{.+}} : i8
// CHECK-LABEL: func.func @shift_right_i8(
// CHECK-DAG: %[[LAST:.+]] = arith.constant 7 : i8
// CHECK: ^bb0(%[[A:.+]]: i8, %[[B:.+]]: i8, %{{.+}}: i8):
// CHECK: %[[IN_RANGE:.+]] = arith.cmpi ult, %[[B]], %{{.+}} : i8
// CHECK-NEXT: %[[COUNT:.+]] = arith.select %[[IN_RANGE]], %[[B]], %[[LAST]] : i8
// CHECK-NEXT: %[[SHIFTED:.+]] = arith.shrsi %[[A]], %[[COUNT]] : i8
// CHECK-NEXT: linalg.yield %[[SHIFTED]] : i8
// CHECK-LABEL: func.func @shift_right_ui8(
// CHECK: arith.shrui
func.func @shift_left_i8(%a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi8> {
  %0 = "fxn.shift_left"(%a, %b) : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
func.func @shift_right_i8(%a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi8> {
  %0 = "fxn.shift_right"(%a, %b) : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
func.func @shift_right_ui8(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = "fxn.shift_right"(%a, %b) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// sin of f32 computes in f64 (fdlibm's reduction by pi/2 and kernels) and rounds once: arith and
// single-instruction math ops only, no call.
// CHECK-LABEL: func.func @sin_f32(
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[W:.+]] = arith.extf %[[X]] : f32 to f64
// CHECK: math.roundeven
// CHECK-NOT: call
// CHECK: %[[R:.+]] = arith.truncf %{{.+}} : f64 to f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @sin_f32(%a: tensor<?xf32>) -> tensor<?xf32> {
  %0 = "fxn.sin"(%a) : (tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// atan2 of f64 stays in f64; C's special cases are selects.
// CHECK-LABEL: func.func @atan2_f64(
// CHECK: ^bb0(%[[Y:.+]]: f64, %[[X:.+]]: f64, %{{.+}}: f64):
// CHECK-DAG: math.absf %[[Y]] : f64
// CHECK-DAG: math.absf %[[X]] : f64
// CHECK-NOT: call
// CHECK: math.copysign
// CHECK: linalg.yield
func.func @atan2_f64(%y: tensor<3xf64>, %x: tensor<3xf64>) -> tensor<3xf64> {
  %0 = "fxn.atan2"(%y, %x) : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  return %0 : tensor<3xf64>
}

// Integer powers: square and multiply while the exponent has bits left; a negative exponent picks 1, ±1 or 0.
// CHECK-LABEL: func.func @pow_i32(
// CHECK: ^bb0(%[[BASE:.+]]: i32, %[[EXP:.+]]: i32, %{{.+}}: i32):
// CHECK: %[[NEGATIVE:.+]] = arith.cmpi slt, %[[EXP]], %{{.+}} : i32
// CHECK: %[[RESULT:.+]]:3 = scf.while
// CHECK: scf.condition
// CHECK: arith.muli
// CHECK: arith.muli
// CHECK: arith.shrui
// CHECK: scf.yield
// CHECK: %[[POWER:.+]] = arith.select %[[NEGATIVE]], %{{.+}}, %[[RESULT]]#0 : i32
// CHECK-NEXT: linalg.yield %[[POWER]] : i32
// CHECK-LABEL: func.func @pow_ui8(
// CHECK: scf.while
// CHECK-NOT: arith.cmpi slt
// CHECK: linalg.yield
func.func @pow_i32(%a: tensor<4xi32>, %b: tensor<i32>) -> tensor<4xi32> {
  %0 = "fxn.pow"(%a, %b) : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
func.func @pow_ui8(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = "fxn.pow"(%a, %b) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}
