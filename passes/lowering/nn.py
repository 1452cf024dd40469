"""Generic lowering of the nn fxn ops."""
