#!/usr/bin/env bash
# Print the path of a working Python interpreter >= 3.12 and exit 0,
# or explain on stderr what is needed and exit 1.
#
# Preference: 3.12, then 3.13, then any newer version.
# Search order: $PYTHON (if set, it is the only candidate considered);
# python3.12 / python3.13 / python3 on PATH; pyenv versions (via `pyenv root`
# and ~/.pyenv); `uv python find`; /usr/bin and /usr/local/bin ($FIND_PYTHON_SYSTEM_DIRS).
#
# Every candidate is verified by actually running it: pyenv shims such as
# `python3.12` may be on PATH yet fail unless PYENV_VERSION selects a 3.12.
set -euo pipefail

MIN_MINOR=12
found=()        # human-readable "path (version)" of every interpreter that ran

# Print "MAJOR MINOR EXECUTABLE" for a runnable interpreter, or fail.
# EXECUTABLE is sys.executable, so a working pyenv shim resolves to the real binary.
py_version() {
    local out
    out="$("$1" -c 'import sys; print(sys.version_info[0], sys.version_info[1], sys.executable or "")' 2>/dev/null)" || return 1
    [[ "$out" =~ ^[0-9]+\ [0-9]+ ]] || return 1
    printf '%s\n' "$out"
}

fail() {
    local list="none"
    if ((${#found[@]} > 0)); then
        list="$(printf '%s, ' "${found[@]}")"
        list="${list%, }"
    fi
    {
        [[ $# -gt 0 ]] && printf '%s\n' "$1"
        printf 'This project needs Python 3.12 or newer (Mesa 3.5 requires it). Found: %s\n' "$list"
        printf 'Install one, e.g. `pyenv install 3.12` or your OS package `python3.12`, or set PYTHON=/path/to/python3.12\n'
        printf 'then run the same make command again (it creates .venv/ with that Python).\n'
    } >&2
    exit 1
}

# --- 1. Explicit $PYTHON: use it or fail, never silently fall back. ---------
if [[ -n "${PYTHON:-}" ]]; then
    if ! v="$(py_version "$PYTHON")"; then
        fail "PYTHON=$PYTHON is not a runnable Python interpreter (a pyenv shim needs PYENV_VERSION set; or give the full path)."
    fi
    read -r major minor exe <<<"$v"
    found+=("$PYTHON ($major.$minor)")
    if ((major < 3 || (major == 3 && minor < MIN_MINOR))); then
        fail "PYTHON=$PYTHON is Python $major.$minor, which is too old."
    fi
    if [[ -n "$exe" ]]; then printf '%s\n' "$exe"; else command -v "$PYTHON" 2>/dev/null || printf '%s\n' "$PYTHON"; fi
    exit 0
fi

# --- 2. Collect candidates in search order. ----------------------------------
candidates=()
for name in python3.12 python3.13 python3; do
    if p="$(command -v "$name" 2>/dev/null)"; then
        candidates+=("$p")
    fi
done

pyenv_roots=()
if command -v pyenv >/dev/null 2>&1; then
    if r="$(pyenv root 2>/dev/null)" && [[ -n "$r" ]]; then
        pyenv_roots+=("$r")
    fi
fi
[[ -n "${PYENV_ROOT:-}" ]] && pyenv_roots+=("$PYENV_ROOT")
[[ -n "${HOME:-}" ]] && pyenv_roots+=("$HOME/.pyenv")
for r in ${pyenv_roots[@]+"${pyenv_roots[@]}"}; do
    for p in "$r"/versions/3.1[2-9]*/bin/python3; do
        [[ -x "$p" ]] && candidates+=("$p")
    done
done

if command -v uv >/dev/null 2>&1; then
    if p="$(uv python find '>=3.12' 2>/dev/null)" && [[ -n "$p" ]]; then
        candidates+=("$p")
    fi
fi

# System folders (FIND_PYTHON_SYSTEM_DIRS replaces the list; the tests set it empty).
for d in ${FIND_PYTHON_SYSTEM_DIRS-/usr/bin /usr/local/bin}; do
    for p in "$d"/python3.1[2-9]; do
        [[ -x "$p" ]] && candidates+=("$p")
    done
done

# --- 3. Verify each candidate; pick the preferred minor version. ------------
best=""
best_rank=999
seen=$'\n'     # newline-separated list (no associative arrays: works with bash 3.2)
for c in ${candidates[@]+"${candidates[@]}"}; do
    case "$seen" in *$'\n'"$c"$'\n'*) continue ;; esac
    seen+="$c"$'\n'
    v="$(py_version "$c")" || continue
    read -r major minor exe <<<"$v"
    found+=("$c ($major.$minor)")
    ((major == 3 && minor >= MIN_MINOR)) || continue
    # rank: 3.12 -> 0, 3.13 -> 1, newer -> its distance from 3.12 (earliest wins ties)
    rank=$((minor - MIN_MINOR))
    if ((rank < best_rank)); then
        best="${exe:-$c}"
        best_rank=$rank
    fi
done

if [[ -n "$best" ]]; then
    printf '%s\n' "$best"
    exit 0
fi
fail
