// A dense resource (test/fxn-opt/printing-options.mlir).
func.func @r() -> tensor<4xi8> {
  %0 = arith.constant dense_resource<blob1> : tensor<4xi8>
  return %0 : tensor<4xi8>
}
{-#
  dialect_resources: {
    builtin: {
      blob1: "0x0100000001020304"
    }
  }
#-}
