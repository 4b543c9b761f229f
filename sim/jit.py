"""The one decorator for compiled code, with a numba cache that notices changes to kernels.

numba keys a cached function on its own source file only, so a kernel that calls rules
from another module (or reads constants from one) would load stale machine code after
those change. The locators below stamp every cached function in this package with a
digest of all the sources compiled code depends on (`KERNEL_SOURCES`) instead. Caches go
to `NUMBA_CACHE_DIR` when it is set, else to `__pycache__` beside the sources, as numba
does by default.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from numba import njit
from numba.core.caching import CacheImpl, InTreeCacheLocator, UserProvidedCacheLocator

PACKAGE_DIR = Path(__file__).resolve().parent


# Modules whose code or constants compiled functions use (tests/test_jit_cache.py checks
# that every module using `jit`, and every sim module it imports, is listed).
KERNEL_SOURCES = ("jit.py", "rules.py", "engines.py", "metrics.py", "state.py", "params.py",
                  "goals.py", "countries.py", "patterns.py", "platforms.py")


@functools.cache
def sources_digest() -> str:
    """SHA-256 over the sources compiled code depends on (names and contents)."""
    digest = hashlib.sha256()
    for name in KERNEL_SOURCES:
        digest.update(name.encode())
        digest.update((PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()


class _PackageStampMixin:
    """Stamp caches with the whole package's digest; serve only this package's functions."""

    def get_source_stamp(self) -> str:
        return sources_digest()

    @classmethod
    def from_function(cls, py_func, py_file):
        if Path(py_file).resolve().parent != PACKAGE_DIR:
            return None
        return super().from_function(py_func, py_file)


class PackageUserDirLocator(_PackageStampMixin, UserProvidedCacheLocator):
    """Cache in NUMBA_CACHE_DIR, stamped with the package digest."""


class PackageInTreeLocator(_PackageStampMixin, InTreeCacheLocator):
    """Cache in the package's __pycache__, stamped with the package digest."""


for _locator in (PackageInTreeLocator, PackageUserDirLocator):
    if _locator not in CacheImpl._locator_classes:
        CacheImpl._locator_classes.insert(0, _locator)

jit = njit(cache=True)
"""Compile with numba in nopython mode and cache the machine code on disk."""

jit_noalloc = njit(cache=True, _nrt=False)
"""Compile like `jit`, without numba's reference counting (its `_nrt=False` option).

For the engine's phase loops and the step metrics (the rules use `jit_rule` below). With
reference counting, numba increments and decrements the count of every array in the state groups a
function receives, on every call: about 0.4 us per call for these groups, more than most
rules cost. Without it a call costs nanoseconds (`benchmarks/call_overhead.py`). A
function compiled this way cannot create arrays; numba refuses to compile one that tries,
so the rule is: allocate in the state builders, or in the `jit` callers.
"""

jit_rule = njit(cache=True, _nrt=False, inline="always")
"""Compile like `jit_noalloc`, and inline into compiled callers (numba's `inline="always"`).

For the rules and their helpers. A call between compiled functions passes every array of
the state groups it takes (a few kilobytes of descriptors); inlined, it passes nothing.
Called from Python (the Mesa engine), such a function is compiled on its own as usual.
"""
