import pytest

from fxn.dialects import new_context
from fxn.pipeline import Anchor, PassElement, PipelineError, build_pipeline, parse_pipeline


def test_parse_nested_pipeline_with_options():
    anchor = parse_pipeline("builtin.module(canonicalize, func.func(fxn-canonicalize),fxn-constant-fold{max-elements=8},cse)")
    assert anchor.op_name == "builtin.module"
    names = [e.op_name if isinstance(e, Anchor) else e.name for e in anchor.elements]
    assert names == ["canonicalize", "func.func", "fxn-constant-fold", "cse"]
    assert anchor.elements[1].elements == [PassElement("fxn-canonicalize", None, 40)]
    assert anchor.elements[2].options == "max-elements=8"


@pytest.mark.parametrize(
    "text, column, message",
    [
        ("builtin.module(cse", 19, "expected ')'"),
        ("builtin.module(cse{a=1)", 19, "unbalanced '{'"),
        ("builtin.module(,cse)", 16, "expected a pass or operation name"),
        ("cse,canonicalize", 1, "must be anchored"),
    ],
)
def test_parse_errors_are_located(text, column, message):
    with pytest.raises(PipelineError) as info:
        parse_pipeline(text)
    assert info.value.column == column
    assert message in str(info.value)


def test_fxn_pass_options_are_typed():
    _, passes = build_pipeline("builtin.module(fxn-constant-fold{max-elements=7})", new_context())
    assert passes[0].max_elements == 7
    with pytest.raises(PipelineError, match="expects int; got 'x'"):
        build_pipeline("builtin.module(fxn-constant-fold{max-elements=x})", new_context())
    with pytest.raises(PipelineError, match="has no option 'size'"):
        build_pipeline("builtin.module(fxn-constant-fold{size=1})", new_context())
