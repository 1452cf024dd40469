"""fxn.llvm_ops builds the ops the bindings' generated ``llvm`` builders build, attribute for attribute."""

from fxn import llvm_ops
from fxn.mlir import ir, llvm


def _generic(build) -> str:
    """The generic form of the body ``build(block arguments)`` fills: ``(ptr, i64, f32, i8) -> ptr``, three blocks."""
    with ir.Context(), ir.Location.unknown():
        module = ir.Module.create()
        ptr, i64 = ir.Type.parse("!llvm.ptr"), ir.IntegerType.get_signless(64)
        types = [ptr, i64, ir.F32Type.get(), ir.IntegerType.get_signless(8)]
        with ir.InsertionPoint(module.body):
            llvm.GlobalOp(ir.Type.parse("!llvm.array<2 x i64>"), "table", ir.Attribute.parse("#llvm.linkage<internal>"),
                          value=ir.DenseElementsAttr.get_splat(ir.RankedTensorType.get([2], i64),
                                                               ir.IntegerAttr.get(i64, 0)), alignment=8)
            function = llvm.LLVMFuncOp("f", ir.TypeAttr.get(ir.Type.parse("!llvm.func<ptr (ptr, i64, f32, i8)>")))
        region = function.regions[0]
        blocks = [region.blocks.append(*types), region.blocks.append(), region.blocks.append(i64)]
        build(blocks, *blocks[0].arguments)
        return module.operation.get_asm(print_generic_op_form=True)


def _zero_extended_second():
    """Argument attributes of an indirect call of two arguments, the second a zero-extended byte."""
    return ir.ArrayAttr.get([ir.DictAttr.get({}), ir.DictAttr.get({"llvm.zeroext": ir.UnitAttr.get()})])


def _with_generated_builders(blocks, pointer, n, x, byte):
    i64, i1, f64 = ir.IntegerType.get_signless(64), ir.IntegerType.get_signless(1), ir.F64Type.get()
    ptr = pointer.type
    with ir.InsertionPoint(blocks[0]):
        five = llvm.mlir_constant(ir.IntegerAttr.get(i64, 5))
        at = llvm.getelementptr(ptr, pointer, [], [8], byte.type, llvm.GEPNoWrapFlags.none)
        llvm.getelementptr(ptr, pointer, [n], [-(2**31)], byte.type, llvm.GEPNoWrapFlags.none)
        llvm.store(llvm.load(i64, at), at)
        table = llvm.mlir_addressof(ptr, "table")
        test = llvm.icmp(llvm.ICmpPredicate.sge, llvm.ptrtoint(i64, table), five)
        llvm.or_(test, test), llvm.and_(test, test), llvm.mul(n, five, llvm.IntegerOverflowFlags.none)
        llvm.fptrunc(x.type, llvm.fpext(f64, x))
        llvm.trunc(byte.type, n, llvm.IntegerOverflowFlags.none), llvm.zext(i64, byte), llvm.sext(i64, byte)
        llvm.inttoptr(ptr, n), llvm.mlir_poison(i64)
        llvm.call(ptr, [table, pointer], [], []), llvm.call(None, [pointer, n, x, byte], [], [], callee="f")
        llvm.call(x.type, [table, x, byte], [], [], arg_attrs=_zero_extended_second())
        llvm.alloca(ptr, five, ir.Type.parse("!llvm.array<8 x i8>"), alignment=16)
        exchanged = llvm.cmpxchg(pointer, five, n, llvm.AtomicOrdering.acq_rel, llvm.AtomicOrdering.monotonic)
        llvm.extractvalue(i1, exchanged, [1])
        llvm.cond_br(test, [five], [], blocks[2], blocks[1])
    with ir.InsertionPoint(blocks[1]):
        llvm.br([n], blocks[2])
    with ir.InsertionPoint(blocks[2]):
        llvm.return_(arg=llvm.mlir_zero(ptr))


def _with_llvm_ops(blocks, pointer, n, x, byte):
    i64, i1, f64 = ir.IntegerType.get_signless(64), ir.IntegerType.get_signless(1), ir.F64Type.get()
    ptr = llvm_ops.ptr_type()
    with ir.InsertionPoint(blocks[0]):
        five = llvm_ops.constant(ir.IntegerAttr.get(i64, 5))
        at = llvm_ops.getelementptr(pointer, byte.type, [8])
        llvm_ops.getelementptr(pointer, byte.type, [-(2**31)], [n])
        llvm_ops.store(llvm_ops.load(i64, at), at)
        table = llvm_ops.addressof("table")
        test = llvm_ops.icmp("sge", llvm_ops.cast("ptrtoint", i64, table), five)
        llvm_ops.logical("or", test, test), llvm_ops.logical("and", test, test), llvm_ops.mul(n, five)
        llvm_ops.cast("fptrunc", x.type, llvm_ops.cast("fpext", f64, x))
        llvm_ops.cast("trunc", byte.type, n), llvm_ops.cast("zext", i64, byte), llvm_ops.cast("sext", i64, byte)
        llvm_ops.cast("inttoptr", ptr, n), llvm_ops.poison(i64)
        llvm_ops.call(ptr, [table, pointer]), llvm_ops.call(None, [pointer, n, x, byte], "f")
        llvm_ops.call(x.type, [table, x, byte], arg_attrs=_zero_extended_second())
        llvm_ops.alloca(five, ir.Type.parse("!llvm.array<8 x i8>"), alignment=16)
        exchanged = llvm_ops.cmpxchg(pointer, five, n, "acq_rel", "monotonic")
        llvm_ops.extractvalue(i1, exchanged, [1])
        llvm_ops.cond_branch(test, blocks[2], blocks[1], [five])
    with ir.InsertionPoint(blocks[1]):
        llvm_ops.branch([n], blocks[2])
    with ir.InsertionPoint(blocks[2]):
        llvm_ops.return_(llvm_ops.zero(ptr))


def test_the_ops_equal_the_generated_builders_ops_attribute_for_attribute():
    assert _generic(_with_llvm_ops) == _generic(_with_generated_builders)


def test_functions_and_globals_equal_the_generated_builders_ones():
    def build(make_function, make_global) -> str:
        with ir.Context(), ir.Location.unknown():
            module = ir.Module.create()
            i64 = ir.IntegerType.get_signless(64)
            zeros = ir.DenseElementsAttr.get_splat(ir.RankedTensorType.get([3], i64), ir.IntegerAttr.get(i64, 0))
            with ir.InsertionPoint(module.body):
                make_global(ir.Type.parse("!llvm.array<3 x i64>"), "t", zeros)
                function = make_function("g", "void (ptr)")
            function.regions[0].blocks.append(ir.Type.parse("!llvm.ptr"))
            return module.operation.get_asm(print_generic_op_form=True)

    internal = ir.Attribute.parse
    generated = build(lambda name, kind: llvm.LLVMFuncOp(name, ir.TypeAttr.get(ir.Type.parse(f"!llvm.func<{kind}>"))),
                      lambda type_, name, value: llvm.GlobalOp(type_, name, internal("#llvm.linkage<internal>"),
                                                               value=value, alignment=8))
    ours = build(llvm_ops.function, lambda type_, name, value: llvm_ops.internal_global(type_, name, value, 8))
    assert ours == generated
