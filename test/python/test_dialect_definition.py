"""The fxn dialect's IRDL definition: the module fxn writes as text is the one dialects.ext builds op by op."""

from fxn.dialects import ops  # noqa: F401  (registers every op class)
from fxn.dialects.base import FxnDialect
from fxn.mlir import ext, ir


def test_the_irdl_module_is_the_one_ext_emits():
    with ir.Context(), ir.Location.unknown():
        ours = FxnDialect._emit_module()
        upstream = ext.Dialect._emit_module.__func__(FxnDialect)
        assert str(ours) == str(upstream)
        assert len(list(ours.body.operations[0].regions[0].blocks[0].operations)) == len(FxnDialect.operations)
