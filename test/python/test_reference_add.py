import numpy as np
import torch

from fxn.dialects.elementwise import AddOp
from op_harness import assert_close, run_op


def test_add_broadcasts_like_torch():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.standard_normal((3,)).astype(np.float32)
    assert_close(run_op(AddOp, [a, b]), (torch.from_numpy(a) + torch.from_numpy(b)).numpy())
