"""Imports every op module so that each op class registers with the dialect."""

from . import elementwise, function, image, nn, reduction, string, tensor  # noqa: F401
