"""Moved to ``keyproject.engine.reporting``: this old name is an alias of that module, so old
imports (and patches of its names) keep working."""

import sys

from keyproject.engine import reporting as _module

sys.modules[__name__] = _module
