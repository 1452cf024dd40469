// RUN: fxn-opt %s --fxn-lower-to-linalg | FileCheck %s

// The generic lowering of the string ops: a string becomes a tensor<?xi8> of
// its UTF-8 bytes; made strings are fresh tensors filled by generics, and
// inspections are scalar loops.

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[TO0D:.+]] = affine_map<(d0) -> ()>

// A constant is its bytes, cast to a dynamic length.
// CHECK-LABEL: func.func @constant() -> tensor<?xi8>
// CHECK: %[[C:.+]] = arith.constant dense<[90, 111, -61, -85]> : tensor<4xi8>
// CHECK: %[[D:.+]] = tensor.cast %[[C]] : tensor<4xi8> to tensor<?xi8>
// CHECK: return %[[D]]
func.func @constant() -> tensor<?xui8> {
  %0 = "fxn.str_constant"() {value = "Zoë"} : () -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

// Each input is inserted at its offset into one result buffer.
// CHECK-LABEL: func.func @concat(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?xi8>, %[[B:[^:]+]]: tensor<?xi8>
// CHECK: %[[LA:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<?xi8>
// CHECK: %[[LB:.+]] = tensor.dim %[[B]], %{{.+}} : tensor<?xi8>
// CHECK: %[[TOTAL:.+]] = arith.addi %[[LA]], %[[LB]] : index
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[TOTAL]]) : tensor<?xi8>
// CHECK: %[[R0:.+]] = tensor.insert_slice %[[A]] into %[[EMPTY]][%[[O0:.+]]] [%[[LA]]] [1]
// CHECK: %[[O1:.+]] = arith.addi %[[O0]], %[[LA]] : index
// CHECK: %[[R1:.+]] = tensor.insert_slice %[[B]] into %[[R0]][%[[O1]]] [%[[LB]]] [1]
// CHECK: return %[[R1]]
func.func @concat(%a: tensor<?xui8>, %b: tensor<?xui8>) -> tensor<?xui8> {
  %0 = "fxn.str_concat"(%a, %b) : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

// len counts the bytes that start a code point (b & 0xC0 != 0x80) in a reduction.
// CHECK-LABEL: func.func @len(
// CHECK-SAME: %[[S:[^:]+]]: tensor<?xi8>
// CHECK: %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : i64) outs(%{{.+}} : tensor<i64>)
// CHECK: %[[N:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[TO0D]]], iterator_types = ["reduction"]} ins(%[[S]] : tensor<?xi8>) outs(%[[ZERO]] : tensor<i64>)
// CHECK: ^bb0(%[[BYTE:.+]]: i8, %[[TOTAL:.+]]: i64):
// CHECK: %[[MASKED:.+]] = arith.andi %[[BYTE]], %c-64_i8 : i8
// CHECK: %[[LEAD:.+]] = arith.cmpi ne, %[[MASKED]], %c-128_i8 : i8
// CHECK: %[[ONE:.+]] = arith.extui %[[LEAD]] : i1 to i64
// CHECK: arith.addi %[[TOTAL]], %[[ONE]] : i64
// CHECK: return %[[N]]
func.func @len(%a: tensor<?xui8>) -> tensor<i64> {
  %0 = "fxn.str_len"(%a) : (tensor<?xui8>) -> tensor<i64>
  return %0 : tensor<i64>
}

// compare: a loop to the first differing byte below the shorter length, then the
// unsigned predicate on those bytes, or on the lengths.
// CHECK-LABEL: func.func @compare(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?xi8>, %[[B:[^:]+]]: tensor<?xi8>
// CHECK: %[[LA:.+]] = tensor.dim %[[A]]
// CHECK: %[[LB:.+]] = tensor.dim %[[B]]
// CHECK: %[[SHORTER:.+]] = arith.minui %[[LA]], %[[LB]] : index
// CHECK: %[[FIRST:.+]] = scf.while (%[[I:.+]] = %{{.+}}) : (index) -> index {
// CHECK:   %[[INSIDE:.+]] = arith.cmpi ult, %[[I]], %[[SHORTER]] : index
// CHECK:   scf.if %[[INSIDE]] -> (i1) {
// CHECK:     arith.cmpi eq, %{{.+}}, %{{.+}} : i8
// CHECK:   scf.condition(%{{.+}}) %[[I]] : index
// CHECK: %[[DIFFER:.+]] = arith.cmpi ult, %[[FIRST]], %[[SHORTER]] : index
// CHECK: %[[R:.+]] = scf.if %[[DIFFER]] -> (i1) {
// CHECK:   %[[X:.+]] = tensor.extract %[[A]][%[[FIRST]]]
// CHECK:   %[[Y:.+]] = tensor.extract %[[B]][%[[FIRST]]]
// CHECK:   arith.cmpi ult, %[[X]], %[[Y]] : i8
// CHECK: } else {
// CHECK:   arith.cmpi ult, %[[LA]], %[[LB]] : index
// CHECK: tensor.from_elements %[[R]] : tensor<i1>
func.func @compare(%a: tensor<?xui8>, %b: tensor<?xui8>) -> tensor<i1> {
  %0 = "fxn.str_compare"(%a, %b) {predicate = "lt"} : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
  return %0 : tensor<i1>
}

// contains: each start while the needle fits and nothing matched, each compared byte by byte.
// CHECK-LABEL: func.func @contains(
// CHECK-SAME: %[[H:[^:]+]]: tensor<?xi8>, %[[N:[^:]+]]: tensor<?xi8>
// CHECK: %[[LH:.+]] = tensor.dim %[[H]]
// CHECK: %[[LN:.+]] = tensor.dim %[[N]]
// CHECK: %[[LOOP:.+]]:2 = scf.while (%[[START:.+]] = %{{.+}}, %[[FOUND:.+]] = %false) : (index, i1) -> (index, i1) {
// CHECK:   %[[END:.+]] = arith.addi %[[START]], %[[LN]] : index
// CHECK:   arith.cmpi ule, %[[END]], %[[LH]] : index
// CHECK: } do {
// CHECK:   %[[MATCHED:.+]] = scf.while
// CHECK:   arith.cmpi eq, %[[MATCHED]], %{{.+}} : index
// CHECK: tensor.from_elements %[[LOOP]]#1 : tensor<i1>
func.func @contains(%a: tensor<?xui8>, %b: tensor<?xui8>) -> tensor<i1> {
  %0 = "fxn.str_contains"(%a, %b) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
  return %0 : tensor<i1>
}

// A bool without a spec reads "True" or "False" out of one table.
// CHECK-LABEL: func.func @format_bool(
// CHECK: %[[B:.+]] = tensor.extract %{{.+}}[] : tensor<i1>
// CHECK: %[[WORDS:.+]] = arith.constant dense<[84, 114, 117, 101, 70, 97, 108, 115, 101]> : tensor<9xi8>
// CHECK: %[[START:.+]] = arith.select %[[B]], %c0, %c4 : index
// CHECK: %[[SIZE:.+]] = arith.select %[[B]], %c4{{.*}}, %c5 : index
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[SIZE]]) : tensor<?xi8>
// CHECK: linalg.generic {{.+}} outs(%[[EMPTY]] : tensor<?xi8>)
// CHECK: tensor.extract %[[WORDS]][
func.func @format_bool(%x: tensor<i1>) -> tensor<?xui8> {
  %0 = "fxn.format"(%x) {spec = ""} : (tensor<i1>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

// Decimal: the magnitude (unsigned, so -2**31 has one), its digit count from a loop
// dividing by 10, then a sign segment and the digits read through a table of powers of 10.
// CHECK-LABEL: func.func @format_decimal(
// CHECK: %[[X:.+]] = arith.extsi %{{.+}} : i32 to i64
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[X]], %c0_i64 : i64
// CHECK: %[[MINUS:.+]] = arith.subi %c0_i64, %[[X]] : i64
// CHECK: %[[MAG:.+]] = arith.select %[[NEG]], %[[MINUS]], %[[X]] : i64
// CHECK: %[[COUNT:.+]]:2 = scf.while (%{{.+}} = %c1, %{{.+}} = %[[MAG]]) : (index, i64) -> (index, i64)
// CHECK: arith.cmpi uge, %{{.+}}, %c10_i64 : i64
// CHECK: arith.divui %{{.+}}, %c10_i64 : i64
// CHECK: %[[DIGITS:.+]] = arith.constant dense<[48, 49, 50, 51, 52, 53, 54, 55, 56, 57]> : tensor<10xi8>
// CHECK: %[[POWERS:.+]] = arith.constant dense<[1, 10, 100, {{.+}}]> : tensor<20xi64>
// CHECK: linalg.generic
// CHECK: scf.if
// CHECK: } else {
// CHECK: %[[POWER:.+]] = tensor.extract %[[POWERS]][
// CHECK: %[[DIVISOR:.+]] = arith.maxui %[[POWER]], %c1_i64 : i64
// CHECK: %[[SCALED:.+]] = arith.divui %[[MAG]], %[[DIVISOR]] : i64
// CHECK: %[[DIGIT:.+]] = arith.remui %[[SCALED]], %c10_i64{{.*}} : i64
// CHECK: %[[AT:.+]] = arith.index_cast %[[DIGIT]] : i64 to index
// CHECK: tensor.extract %[[DIGITS]][%[[AT]]] : tensor<10xi8>
func.func @format_decimal(%x: tensor<i32>) -> tensor<?xui8> {
  %0 = "fxn.format"(%x) {spec = "d"} : (tensor<i32>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

// Hex digits are shifts and masks; "*^#10x": a centered fill, a prefix from a table.
// CHECK-LABEL: func.func @format_hex_centered(
// CHECK: arith.divui %{{.+}}, %c16_i64 : i64
// CHECK: %[[PREFIX:.+]] = arith.constant dense<[48, 120]> : tensor<2xi8>
// CHECK: %[[GAP:.+]] = arith.subi %c10, %{{.+}} : index
// CHECK: %[[PAD:.+]] = arith.select %{{.+}}, %[[GAP]], %c0{{.*}} : index
// CHECK: %[[LEFT:.+]] = arith.divui %[[PAD]], %c2{{.*}} : index
// CHECK: linalg.generic
// CHECK: %c42_i8 = arith.constant 42 : i8
// CHECK: tensor.extract %[[PREFIX]][
// CHECK: arith.shrui
// CHECK: arith.andi %{{.+}}, %c15_i64 : i64
func.func @format_hex_centered(%x: tensor<i64>) -> tensor<?xui8> {
  %0 = "fxn.format"(%x) {spec = "*^#10x"} : (tensor<i64>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

// A string cut to 3 code points: a loop to the byte where code point 3 starts,
// counting lead bytes; then centered in 8 code points of fill.
// CHECK-LABEL: func.func @format_string(
// CHECK-SAME: %[[S:[^:]+]]: tensor<?xi8>
// CHECK: %[[N:.+]] = tensor.dim %[[S]]
// CHECK: %[[CUT:.+]]:2 = scf.while (%[[I:.+]] = %{{.+}}, %[[SEEN:.+]] = %{{.+}}) : (index, index) -> (index, index) {
// CHECK:   arith.cmpi ult, %[[I]], %[[N]] : index
// CHECK:   %[[LEAD:.+]] = arith.cmpi ne, %{{.+}}, %c-128_i8 : i8
// CHECK:   %[[CONTINUES:.+]] = arith.xori %[[LEAD]], %true : i1
// CHECK:   %[[MORE:.+]] = arith.cmpi ult, %[[SEEN]], %c3 : index
// CHECK:   arith.ori %[[CONTINUES]], %[[MORE]] : i1
// CHECK: %[[SHORT:.+]] = arith.cmpi ult, %[[CUT]]#1, %c8 : index
// CHECK: %[[GAP:.+]] = arith.subi %c8, %[[CUT]]#1 : index
// CHECK: %[[PAD:.+]] = arith.select %[[SHORT]], %[[GAP]], %{{.+}} : index
// CHECK: %[[LEFT:.+]] = arith.divui %[[PAD]], %c2 : index
// CHECK: linalg.generic
// CHECK: %c42_i8 = arith.constant 42 : i8
// CHECK: tensor.extract %[[S]][
func.func @format_string(%s: tensor<?xui8>) -> tensor<?xui8> {
  %0 = "fxn.format"(%s) {spec = "*^8.3"} : (tensor<?xui8>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

// A slice: the bounds clamped as slice.indices does (from the end where negative),
// their byte offsets from two scans (the second from the first's end), the bytes copied.
// CHECK-LABEL: func.func @slice(
// CHECK-SAME: %[[S:[^:]+]]: tensor<?xi8>, %[[A:[^:]+]]: tensor<i64>, %[[B:[^:]+]]: tensor<i64>
// CHECK: %[[COUNT:.+]] = linalg.generic {{.+}} iterator_types = ["reduction"]} ins(%[[S]] : tensor<?xi8>)
// CHECK: %[[N:.+]] = tensor.extract %[[COUNT]][] : tensor<i64>
// CHECK: %[[START:.+]] = tensor.extract %[[A]][] : tensor<i64>
// CHECK: %[[NEGATIVE:.+]] = arith.cmpi slt, %[[START]], %[[ZERO:c0_i64.*]] : i64
// CHECK: %[[SHIFTED:.+]] = arith.addi %[[START]], %[[N]] : i64
// CHECK: %[[FROM_END:.+]] = arith.maxsi %[[SHIFTED]], %[[ZERO]] : i64
// CHECK: %[[CAPPED:.+]] = arith.minsi %[[START]], %[[N]] : i64
// CHECK: %[[FIRST:.+]] = arith.select %[[NEGATIVE]], %[[FROM_END]], %[[CAPPED]] : i64
// CHECK: %[[BEGIN:.+]]:2 = scf.while
// CHECK: %[[END:.+]]:2 = scf.while (%{{.+}} = %[[BEGIN]]#0, %{{.+}} = %[[BEGIN]]#1)
// CHECK: %[[SIZE:.+]] = arith.subi %[[END]]#0, %[[BEGIN]]#0 : index
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[SIZE]]) : tensor<?xi8>
// CHECK: linalg.generic {{.+}} outs(%[[EMPTY]] : tensor<?xi8>)
// CHECK: %[[AT:.+]] = arith.addi %{{.+}}, %[[BEGIN]]#0 : index
// CHECK: tensor.extract %[[S]][%[[AT]]] : tensor<?xi8>
func.func @slice(%s: tensor<?xui8>, %a: tensor<i64>, %b: tensor<i64>) -> tensor<?xui8> {
  %0 = "fxn.str_slice"(%s, %a, %b) : (tensor<?xui8>, tensor<i64>, tensor<i64>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

// An index is checked (an IndexError through the status) before its code point is copied; its axis is
// STRING_INDEX (-1), which the runtime words as CPython's "string index out of range".
// CHECK-LABEL: func.func @at(
// CHECK-SAME: %{{[^:]+}}: tensor<?xi8>, %[[I:[^:]+]]: tensor<i64>
// CHECK: %[[GIVEN:.+]] = tensor.extract %[[I]][] : tensor<i64>
// CHECK: %[[WRAPPED:.+]] = arith.select %{{.+}}, %{{.+}}, %[[GIVEN]] : i64
// CHECK: %[[INSIDE:.+]] = arith.cmpi ult, %[[WRAPPED]], %[[N:.+]] : i64
// CHECK: %[[OUTSIDE:.+]] = arith.xori %[[INSIDE]], %true : i1
// CHECK: scf.if %[[OUTSIDE]] {
// CHECK:   func.call @fxn.index_out_of_bounds(%[[GIVEN]], %[[N]], %c-1_i64{{.*}}) : (i64, i64, i64) -> ()
func.func @at(%s: tensor<?xui8>, %i: tensor<i64>) -> tensor<?xui8> {
  %0 = "fxn.str_at"(%s, %i) : (tensor<?xui8>, tensor<i64>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

// startswith compares the prefix's bytes where it fits; endswith from the end.
// CHECK-LABEL: func.func @affixes(
// CHECK-SAME: %[[S:[^:]+]]: tensor<?xi8>, %[[P:[^:]+]]: tensor<?xi8>
// CHECK: %[[LP:.+]] = tensor.dim %[[P]]
// CHECK: %[[LS:.+]] = tensor.dim %[[S]]
// CHECK: %[[FITS:.+]] = arith.cmpi ule, %[[LP]], %[[LS]] : index
// CHECK: scf.if %[[FITS]] -> (i1) {
// CHECK:   scf.while
// CHECK: %[[FROM:.+]] = arith.subi %{{.+}}, %{{.+}} : index
// CHECK: arith.addi %[[FROM]], %{{.+}} : index
func.func @affixes(%s: tensor<?xui8>, %p: tensor<?xui8>) -> (tensor<i1>, tensor<i1>) {
  %0 = "fxn.str_starts_with"(%s, %p) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
  %1 = "fxn.str_ends_with"(%s, %p) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>
  return %0, %1 : tensor<i1>, tensor<i1>
}

// int(): whitespace skipped from both ends, a sign, one loop over the digits
// (a byte that is neither a digit nor an underscore after one stops it), then
// two literal checks (no integer; beyond the result's range) through the status.
// CHECK-LABEL: func.func @to_int(
// CHECK-SAME: %[[S:[^:]+]]: tensor<?xi8>
// CHECK: %[[START:.+]] = scf.while
// CHECK: %[[END:.+]] = scf.while
// CHECK: %[[DIGITS:.+]]:4 = scf.while (%{{.+}} = %{{.+}}, %{{.+}} = %c0_i64{{.*}}, %{{.+}} = %false{{.*}}, %{{.+}} = %false{{.*}}) : (index, i64, i1, i1)
// CHECK:   arith.muli %{{.+}}, %c10_i64 : i64
// CHECK: %[[POSITION:.+]] = arith.index_cast %[[DIGITS]]#0 : index to i64
// CHECK: func.call @fxn.invalid_literal(%[[POSITION]], %{{.+}}, %c0_i64{{.*}}) : (i64, i64, i64) -> ()
// CHECK: arith.cmpi ule, %[[DIGITS]]#1, %{{.+}} : i64
// CHECK: func.call @fxn.invalid_literal(%[[POSITION]], %{{.+}}, %c32_i64) : (i64, i64, i64) -> ()
// CHECK: arith.trunci %{{.+}} : i64 to i32
func.func @to_int(%s: tensor<?xui8>) -> tensor<i32> {
  %0 = "fxn.str_to_int"(%s) {dtype = "i32"} : (tensor<?xui8>) -> tensor<i32>
  return %0 : tensor<i32>
}
