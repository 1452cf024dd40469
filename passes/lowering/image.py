"""Generic lowering of the image fxn ops."""
