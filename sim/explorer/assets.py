"""Put the browser assets Solara loads from a CDN into its local cache, so the app works offline.

Solara's page loads a few npm packages (its Vuetify app bundle, RequireJS, Font Awesome)
through its own server, which fetches each from a CDN on first use and keeps a copy in
`<venv>/share/solara/cdn/`. Without network at run time the page stays blank. This module
fills that cache once, at install time, with `npm pack` from the npm registry:

    python -m sim.explorer.assets          # fetch what is missing; exit 1 if it cannot
    python -m sim.explorer.assets --check  # only report; exit 1 if something is missing
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import solara

# A CDN address in Solara's page template (`{{cdn}}/...`) or its Vue code (`getCdn()}/...`).
PACKAGE_RE = re.compile(r"(?:\{\{cdn\}\}|getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/")
SOURCE_SUFFIXES = (".j2", ".vue", ".js", ".py")


def required_assets() -> list[tuple[str, str]]:
    """(npm package, version) pairs that Solara's page and components load from its CDN."""
    found = set()
    for path in Path(solara.__file__).parent.rglob("*"):
        if path.suffix in SOURCE_SUFFIXES and path.is_file():
            found.update(PACKAGE_RE.findall(path.read_text(encoding="utf-8", errors="ignore")))
    from solara.server.settings import assets

    fontawesome = re.match(r"/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/", assets.fontawesome_path)
    if assets.fontawesome_enabled and fontawesome:
        found.add((fontawesome.group(1), fontawesome.group(2)))
    return sorted(found)


def cache_dir() -> Path:
    """Solara's CDN proxy cache (`SOLARA_ASSETS_PROXY_CACHE_DIR`, else `<prefix>/share/...`)."""
    from solara.server.settings import assets

    return Path(assets.proxy_cache_dir)


def missing_assets(cache: Path | None = None) -> list[tuple[str, str]]:
    """Required assets not yet in the cache (each needs its package.json there)."""
    cache = cache_dir() if cache is None else cache
    return [(name, version) for name, version in required_assets()
            if not (cache / f"{name}@{version}" / "package.json").is_file()]


def fetch(assets: list[tuple[str, str]], cache: Path | None = None) -> None:
    """Download each asset with `npm pack` and unpack it into the cache (atomically)."""
    cache = cache_dir() if cache is None else cache
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js/npm, or give the server network "
                           "access so Solara fetches its assets itself")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as work:
        for name, version in assets:
            packed = subprocess.run([npm, "pack", f"{name}@{version}", "--silent",
                                     "--fetch-retries=1", "--fetch-timeout=60000"],
                                    cwd=work, capture_output=True, text=True, timeout=180)
            if packed.returncode != 0:
                raise RuntimeError(f"npm pack {name}@{version} failed: "
                                   f"{packed.stderr.strip().splitlines()[-1:]}")
            tarball = Path(work) / packed.stdout.strip().splitlines()[-1]
            unpacked = Path(work) / f"unpacked-{tarball.stem}"
            with tarfile.open(tarball) as archive:
                archive.extractall(unpacked, filter="data")
            target = cache / f"{name}@{version}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            (unpacked / "package").rename(target)


def main(argv: list[str] | None = None) -> int:
    """Report or fetch the missing assets; 0 when all are in the cache."""
    parser = argparse.ArgumentParser(prog="python -m sim.explorer.assets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report what is missing")
    args = parser.parse_args(argv)
    missing = missing_assets()
    if not missing:
        print(f"Solara assets ready in {cache_dir()}")
        return 0
    names = ", ".join(f"{n}@{v}" for n, v in missing)
    if args.check:
        print(f"Solara assets missing from {cache_dir()}: {names}")
        return 1
    try:
        fetch(missing)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        print(f"error: could not fetch Solara assets ({names}): {error}", file=sys.stderr)
        return 1
    print(f"Solara assets fetched into {cache_dir()}: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
