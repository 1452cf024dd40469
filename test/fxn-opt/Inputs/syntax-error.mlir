func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  // The result type is missing its colon.
  %0 = "fxn.add"(%a, %a) ()  tensor<2xf32>
  return %0 : tensor<2xf32>
}
