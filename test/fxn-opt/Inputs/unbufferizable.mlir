// An op one-shot-bufferize cannot bufferize: the pass fails (test/fxn-opt/ir-printing.mlir).
func.func @f() -> tensor<4xf32> {
  %0 = "t.make"() : () -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
