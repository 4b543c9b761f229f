"""The one decorator for compiled code, with a numba cache that notices any change to `sim/`.

numba keys a cached function on its own source file only, so a kernel that calls rules
from another module (or reads constants from one) would load stale machine code after
those change. The locators below stamp every cached function in this package with a
digest of all of the package's sources instead. Caches go to `NUMBA_CACHE_DIR` when it
is set, else to `__pycache__` beside the sources, as numba does by default.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from numba import njit
from numba.core.caching import CacheImpl, InTreeCacheLocator, UserProvidedCacheLocator

PACKAGE_DIR = Path(__file__).resolve().parent


@functools.cache
def sources_digest() -> str:
    """SHA-256 over every Python source of the package (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
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
