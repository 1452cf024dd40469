// An fma predictor, r = x * y + z, written with redundancy that fxn's passes
// remove: a multiplication by one, a double transpose and a constant
// subexpression (the bias 2 * 0.25) that folds away.
func.func @predict(%x: tensor<4xf32>, %y: tensor<4xf32>, %z: tensor<f32>) -> tensor<4xf32> {
  %one = "fxn.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %two = "fxn.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %quarter = "fxn.constant"() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %xy = "fxn.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %xy1 = "fxn.mul"(%xy, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %t = "fxn.transpose"(%xy1) {permutation = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  %sum = "fxn.add"(%t, %z) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %bias = "fxn.mul"(%two, %quarter) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %r = "fxn.add"(%sum, %bias) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
