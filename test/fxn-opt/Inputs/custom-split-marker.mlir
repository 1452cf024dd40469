// Two chunks split by a marker of our own (test/fxn-opt/split-input-file.mlir).
func.func private @a()
// @@@ the rest of a marker line is dropped
func.func private @b()
