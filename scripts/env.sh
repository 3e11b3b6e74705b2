# Source me: activates .venv and pins one BLAS/OpenMP thread per MPI rank.
_af_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "${ANODEFLOW_VENV:-$_af_root/.venv}/bin/activate"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export MKL_NUM_THREADS=${MKL_NUM_THREADS:-1}
export LD_LIBRARY_PATH="${VIRTUAL_ENV}/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export MPLBACKEND=Agg
