"""Session-wide settings of the Python tests."""

import os

# The tests check what compiling does; the on-disk cache would let one test's code stand in for another's
# (and fill the user's cache folder). The cache's own tests turn it on, in a folder of their own.
os.environ["FXN_CACHE"] = "0"
