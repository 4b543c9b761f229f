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
                  "goals.py")


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
