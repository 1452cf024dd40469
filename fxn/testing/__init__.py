"""fxn's backend conformance suite, shipped with fxn so that a vendor runs it against its backend.

Every op of the fxn dialect on random inputs (every dtype it takes that the
target supports; 0-d, size-1 and empty dims; static and dynamic dims; the
special values its semantics single out) runs through a target and is
compared with the reference interpreter, with the bounds fxn's own tests
use. See ``docs/backends.md``.

- :mod:`fxn.testing.conformance`: the suite, its command line
  (``python -m fxn.testing.conformance --target NAME``) and the pytest
  helpers :func:`conformance_cases` and :func:`check_case`;
- :mod:`fxn.testing.cases`: the table op -> its cases, made by
  :mod:`~fxn.testing.elementwise_cases`, :mod:`~fxn.testing.tensor_cases`,
  :mod:`~fxn.testing.reduction_cases`, :mod:`~fxn.testing.nn_cases`,
  :mod:`~fxn.testing.image_cases` and :mod:`~fxn.testing.string_cases`;
- :mod:`fxn.testing.case`: one case and its inputs, built into functions;
- :mod:`fxn.testing.compare`: bit for bit, within a tolerance, within ulps.
"""

#: Public names and their modules, imported on first use (``python -m fxn.testing.conformance`` runs it fresh).
_LAZY = {"conformance_cases": "fxn.testing.conformance", "check_case": "fxn.testing.conformance",
         "ConformanceCase": "fxn.testing.conformance", "Suite": "fxn.testing.conformance",
         "Case": "fxn.testing.case"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fxn.testing' has no attribute {name!r}")


__all__ = list(_LAZY)
