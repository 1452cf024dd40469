module attributes {fxn.kept} {
  func.func private @c()
}
