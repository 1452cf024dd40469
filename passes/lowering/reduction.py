"""Generic lowering of the reduction fxn ops."""
