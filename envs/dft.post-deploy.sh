#!/usr/bin/env bash
# Run by Snakemake (--software-deployment-method conda) once, inside the new anodeflow-dft env:
# rebuild the pinned GPAW against pip's mpich (as scripts/setup.sh does for the venv), then check MPI.
set -euo pipefail
GPAW_PIN=$(python -m pip freeze | grep -E '^gpaw==')
export MPICH_CXX=${CXX:-g++}
CC=mpicxx CFLAGS="-I$CONDA_PREFIX/include" LDFLAGS="-L$CONDA_PREFIX/lib -Wl,-rpath,$CONDA_PREFIX/lib" \
  python -m pip install --no-cache-dir --force-reinstall --no-deps "$GPAW_PIN"
gpaw info | grep -q "MPI enabled *yes"
