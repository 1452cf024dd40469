"""Strings in and out: the product's greeting, compiled to native code (no Python at call time).

    fxn run examples/greet.py --predictor predict --arg name=World
    fxn compile examples/greet.py -o build/     # libgreet.so, greet.h (a str is a fxn_memref_1d_ui8 of UTF-8 bytes)
    python examples/greet.py                    # against CPython, byte for byte
"""

import fxn


@fxn.compile(tag="@fxn/greet", description="A greeting for a name.")
def predict(name: str) -> str:
    return f"Hello {name}! How are you doing today?"


@fxn.compile(tag="@fxn/describe", description="A name's length and a number, formatted.")
def describe(name: str, count: int) -> str:
    return f"{name} has {len(name)} letters; {count:+05d} = {count:#x}"


if __name__ == "__main__":
    for name in ["World", "Zoë", "日本"]:
        compiled = predict(name)
        assert compiled.encode() == f"Hello {name}! How are you doing today?".encode()
        print(compiled)
        print(describe(name, 42))
