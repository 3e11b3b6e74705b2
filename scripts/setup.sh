#!/usr/bin/env bash
# One-time, idempotent set-up of everything anodeflow needs on a Debian machine:
# apt libraries, a virtual environment in .venv with the pinned pip packages,
# GPAW built with MPI against pip's mpich, and the anodeflow package itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${ANODEFLOW_VENV:-$ROOT/.venv}
STAMP=$VENV/.anodeflow-installed
# what the install depends on: the pins, this script, and pyproject.toml up to its pytest settings
# (editing test markers must not reinstall the environment)
want=$({ cat requirements.txt requirements-nodeps.txt scripts/setup.sh; sed -n '/^\[tool.pytest/q;p' pyproject.toml; } \
       | sha256sum | cut -c1-16)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then exit 0; fi

APT_PKGS="libxc-dev libopenblas-dev g++ make"
missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "[setup] apt-get install$missing"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

PY=${PYTHON:-python3}
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP="$VENV/bin/python -m pip -q --disable-pip-version-check"
$PIP install --upgrade pip setuptools wheel
pin() { grep -E "^$1==" requirements.txt; }
# MPI first: GPAW is compiled against it (mpicxx: GPAW 26 compiles its C sources as C++),
# with an rpath so that no LD_LIBRARY_PATH is needed to load libmpi at run time.
$PIP install "$(pin mpich)"
if ! "$VENV/bin/gpaw" info 2>/dev/null | grep -q "MPI enabled *yes"; then
  echo "[setup] building $(pin gpaw) with MPI (about a minute)"
  PATH="$VENV/bin:$PATH" CC=mpicxx LDFLAGS="-Wl,-rpath,$VENV/lib" \
    $PIP install --no-cache-dir --force-reinstall --no-deps "$(pin gpaw)"
fi
$PIP install -r requirements.txt
$PIP install --no-deps -r requirements-nodeps.txt  # see the comment in that file
$PIP install --no-deps -e .
# capture first: `gpaw info | grep -q` under pipefail fails when grep exits early (gpaw: BrokenPipeError)
gpaw_info=$("$VENV/bin/gpaw" info 2>&1) || true
grep -q "MPI enabled *yes" <<<"$gpaw_info" || { echo "[setup] GPAW built without MPI" >&2; echo "$gpaw_info" >&2; exit 1; }
echo "$want" > "$STAMP"
echo "[setup] done: $VENV"
