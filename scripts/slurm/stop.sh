#!/usr/bin/env bash
# Stop the single-node SLURM cluster started by scripts/slurm/start.sh (slurmd, slurmctld; munged is left
# running, other software may use it). Idempotent; uses the pid files in $STATE only.
set -uo pipefail
STATE=${ANODEFLOW_SLURM_STATE:-/var/tmp/anodeflow-slurm}
for d in slurmd slurmctld; do
  pf="$STATE/$d.pid"
  if [ -f "$pf" ] && kill -0 "$(cat "$pf")" 2>/dev/null; then
    kill "$(cat "$pf")" && echo "[slurm] stopped $d ($(cat "$pf"))" >&2
  fi
done
exit 0
