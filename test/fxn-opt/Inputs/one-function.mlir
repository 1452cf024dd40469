func.func private @alone()
