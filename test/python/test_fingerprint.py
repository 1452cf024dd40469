"""fxn/fingerprint.py: a function's code and what it reads, digested the same in every process."""

import math
import os
import subprocess
import sys
import textwrap

import numpy as np

from fxn.fingerprint import fingerprint, values_digest

MODULE = textwrap.dedent("""
    import math
    import numpy as np

    LIMITS = {"low": 1.0, "high": 2.0}
    WEIGHTS = np.arange(4, dtype=np.float32)

    def helper(x):
        return x * LIMITS["low"]

    def f(x, name="a"):
        if name in {"a", "b", "c", "d"}:  # a frozenset constant: its order depends on the string hash seed
            return helper(x) + math.pi + WEIGHTS.sum()
        return np.sin(x)
""")


def fingerprint_in_a_new_process(folder, seed: str) -> str:
    code = "import sys; sys.path.insert(0, sys.argv[1]); import predictor, fxn.fingerprint as f; " \
           "print(f.fingerprint(predictor.f))"
    result = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONHASHSEED": seed})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_digest_is_the_same_in_every_process(tmp_path):
    (tmp_path / "predictor.py").write_text(MODULE)
    digests = {fingerprint_in_a_new_process(tmp_path, seed) for seed in ("1", "2", "3")}
    assert len(digests) == 1 and None not in digests and len(digests.pop()) == 64


def test_what_the_code_reads_changes_the_digest(tmp_path):
    namespace = {"np": np, "math": math}
    exec(compile(MODULE.replace("import math\nimport numpy as np\n", ""), str(tmp_path / "p.py"), "exec"), namespace)
    f = namespace["f"]
    before = fingerprint(f)
    assert before == fingerprint(f)
    changes = [
        lambda: namespace["LIMITS"].__setitem__("low", 1.5),  # a global dict's value
        lambda: namespace.__setitem__("WEIGHTS", np.arange(4, dtype=np.float64)),  # an array's dtype
        lambda: namespace["WEIGHTS"].__setitem__(0, 7.0),  # an array's contents
        lambda: setattr(f, "__defaults__", ("b",)),  # a default value
        lambda: setattr(namespace["helper"], "__code__", (lambda x: x * 2).__code__),  # a helper's code
    ]
    seen = {before}
    for change in changes:
        change()
        digest = fingerprint(f)
        assert digest is not None and digest not in seen
        seen.add(digest)


def test_closures_and_static_values_are_digested_by_value():
    def make(scale):
        def scaled(x):
            return x * scale
        return scaled

    assert fingerprint(make(2.0)) == fingerprint(make(2.0)) != fingerprint(make(3.0))
    assert values_digest({"mode": "fast", "n": 3}) == values_digest({"n": 3, "mode": "fast"})
    assert values_digest({"mode": "fast"}) != values_digest({"mode": "slow"})
    assert values_digest({"x": 0.0}) != values_digest({"x": -0.0})


def test_objects_whose_state_the_code_may_read_cannot_be_digested():
    class Model:
        weight = 2.0

    model = Model()

    def predict(x):
        return x * model.weight

    assert fingerprint(predict) is None
    assert values_digest({"model": model}) is None


def test_a_user_module_is_digested_by_its_source(tmp_path, monkeypatch):
    (tmp_path / "helpers_for_fingerprint.py").write_text("def scale(x):\n    return x * 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import helpers_for_fingerprint

    def f(x):
        return helpers_for_fingerprint.scale(x)

    before = fingerprint(f)
    (tmp_path / "helpers_for_fingerprint.py").write_text("def scale(x):\n    return x * 3\n")
    assert fingerprint(f) not in (None, before)
