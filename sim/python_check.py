"""Refuse a Python older than the project needs, saying which one to use instead.

Imported first by `sim/__init__.py`, before Mesa (which needs 3.12) can fail with an
ImportError that does not say why. Kept to syntax that old interpreters can read (no
f-strings), so it is the module that gets to speak.
"""
# ruff: noqa: UP032

import os
import sys

MINIMUM = (3, 12)


def too_old_message(version=None, executable=None):
    """What to do when `version` (default: this interpreter's) is below MINIMUM, or None."""
    version = tuple(version or sys.version_info[:3])
    if version[:2] >= MINIMUM:
        return None
    executable = executable or sys.executable or "python"
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    venv_python = os.path.join(repo, ".venv", "bin", "python")
    if os.path.isfile(venv_python):
        instead = ("use the project's environment, e.g. {} -m sim (or `make run`)"
                   ).format(venv_python)
    else:
        instead = ("run `make run` in {}: it finds a Python 3.12+ (scripts/find-python.sh) "
                   "and sets up .venv/ with everything installed").format(repo)
    return ("partnership-sim needs Python {}.{} or newer (Mesa 3.5 requires it); this is "
            "Python {} ({}). To fix: {}.").format(
                MINIMUM[0], MINIMUM[1], ".".join(str(v) for v in version), executable, instead)


def require_supported_python():
    """Stop with the message above on an old Python: a clean exit when run as
    `python -m sim...`, an ImportError when imported as a library."""
    message = too_old_message()
    if message is None:
        return
    if sys.argv and sys.argv[0] == "-m":  # `python -m sim`: the package is being located
        sys.stderr.write("error: " + message + "\n")
        raise SystemExit(1)
    raise ImportError(message)
