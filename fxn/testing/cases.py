"""Every fxn op's conformance cases: one table, op name -> the function making its cases.

The cases of each op are made by the module of its group
(:mod:`~fxn.testing.elementwise_cases`, :mod:`~fxn.testing.tensor_cases`,
:mod:`~fxn.testing.reduction_cases`, :mod:`~fxn.testing.nn_cases`,
:mod:`~fxn.testing.image_cases`, :mod:`~fxn.testing.string_cases`,
:mod:`~fxn.testing.function_cases`), from a
random generator seeded by the run's seed and the op's name, so that an op's cases are the same whichever other
ops run. A new op in :data:`fxn.dialects.OPS` needs an entry here:
``test/python/test_conformance.py`` fails for an op without cases, and for a
dtype an op takes that none of its cases has.
"""

from __future__ import annotations

import functools
import zlib

import numpy as np

from fxn.dialects.types import ALL_DTYPES

from .case import Case


def all_ops() -> list[str]:
    """Every op of the fxn dialect by name (:data:`fxn.dialects.OPS`, with every op module imported).

    In the order of :func:`builders` (the order of the dialect's modules
    and of their ops), whichever module was imported first; ops without
    cases last.
    """
    from fxn.dialects import OPS, ops  # noqa: F401 - importing the op modules registers the ops

    order = {op: i for i, op in enumerate(builders())}
    return sorted(OPS, key=lambda op: (order.get(op, len(order)), op))


@functools.cache
def builders() -> dict:
    """Per op name, the function ``(rng, supported dtypes) -> {case name: Case}`` making its cases."""
    from . import (elementwise_cases, function_cases, image_cases, nn_cases, reduction_cases, string_cases,
                   tensor_cases)

    table = {}
    for group in (elementwise_cases, tensor_cases, reduction_cases, nn_cases, image_cases, string_cases,
                  function_cases):
        table.update(group.builders())
    return table


def op_cases(op: str, seed: int = 0, supported=ALL_DTYPES) -> dict[str, Case]:
    """The cases of op ``op`` (``"fxn.add"``) for ``seed``, by name (each a valid function name); {} if it has none.

    Only cases of the ``supported`` dtypes are made (those of shapes and
    modes that the dtypes take turns on among them), but a case may still
    have another dtype among its operands or result (select's i1 condition,
    argmax's i64 result): see :func:`fxn.testing.conformance.supported_cases`.
    """
    build = builders().get(op)
    return build(np.random.default_rng([seed, zlib.crc32(op.encode())]), tuple(supported)) if build else {}


def quick_cases(cases: dict[str, Case]) -> dict[str, Case]:
    """The cases (of one op) that bring a dtype or a variant not seen before: each of both, at least once."""
    seen, kept = set(), {}
    for name, case in cases.items():
        features = {("dtype", case.dtype), *(("variant", v) for v in case.variant)}
        if features - seen:
            kept[name] = case
            seen |= features
    return kept
