func.func @wrong_text(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{shapes [2] and [4]}}
  %0 = "fxn.add"(%a, %b) : (tensor<2xf32>, tensor<3xf32>) -> tensor<2xf32>
  return
}

// -----

  // expected-error @+1 {{never emitted}}
func.func @nothing_wrong() {
  return
}
