#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine (for tests and CI; not for production clusters).
#
# Idempotent: when the node already answers `sinfo` as idle/mixed/allocated under the configuration
# this script writes, it does nothing. Needs root (slurmctld/slurmd run as root, SlurmUser=root).
#
#   bash scripts/slurm/start.sh            # install (if missing), configure, start; exit 0 when ready
#   bash scripts/slurm/stop.sh             # stop the daemons started here
#
# What it does (see docs/cluster.md):
#   1. apt-get install slurm-wlm munge, only if missing;
#   2. a munge key (/etc/munge/munge.key, owner munge, mode 400) if missing, then munged;
#   3. /etc/slurm/slurm.conf: one node ($(hostname), all CPUs, most of the memory), one default
#      partition, no accounting (job states come from `squeue`), state/spool/logs under $STATE;
#      it must live at /etc/slurm/slurm.conf because `srun` inside a job does not see SLURM_CONF;
#   4. slurmctld then slurmd, then waits until `sinfo` reports the node usable.
# Exit codes: 0 ready; 2 cannot start here (not root, no apt, daemons refuse) with the reason on stderr.
set -uo pipefail

STATE=${ANODEFLOW_SLURM_STATE:-/var/tmp/anodeflow-slurm}
CONF=/etc/slurm/slurm.conf
PARTITION=${ANODEFLOW_SLURM_PARTITION:-anodeflow}
MARK="# anodeflow single-node test cluster"

fail() { echo "[slurm] cannot start: $*" >&2; exit 2; }
log() { echo "[slurm] $*" >&2; }

[ "$(id -u)" = 0 ] || fail "needs root (slurmctld/slurmd run as root); uid=$(id -u)"

# 1. packages
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || fail "slurm-wlm/munge missing and no apt-get"
  log "apt-get install slurm-wlm munge"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 \
    || fail "apt-get install slurm-wlm munge failed"
fi

# 2. munge
install -d -o munge -g munge -m 0700 /etc/munge /var/log/munge
install -d -o munge -g munge -m 0711 /var/lib/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  log "creating /etc/munge/munge.key"
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged 2>/dev/null || /usr/sbin/munged --force \
    || fail "munged did not start"
  for _ in $(seq 1 20); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.25; done
  munge -n | unmunge >/dev/null 2>&1 || fail "munge credential round trip failed"
fi

# 3. slurm.conf (rewritten only when its content changes)
HOST=$(hostname -s)
CPUS=$(nproc --all)
MEM_MB=$(awk '/MemTotal/ {printf "%d", $2/1024*0.85}' /proc/meminfo)
mkdir -p "$STATE"/{ctld,spool,log}
want=$(cat <<EOF
$MARK (scripts/slurm/start.sh; state in $STATE)
ClusterName=anodeflow
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmi2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=3600
KillWait=5
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
)
if [ -f "$CONF" ] && ! grep -q "^$MARK" "$CONF"; then
  fail "$CONF exists and was not written by this script; not overwriting a real site configuration"
fi
changed=0
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$want" ]; then
  mkdir -p /etc/slurm
  printf '%s\n' "$want" > "$CONF.tmp" && mv "$CONF.tmp" "$CONF"
  changed=1
  log "wrote $CONF (node $HOST, $CPUS CPUs, $MEM_MB MB, partition $PARTITION)"
fi

node_ready() {
  local s
  s=$(sinfo -h -n "$HOST" -o %t 2>/dev/null | head -1)
  case "$s" in idle|mix|mixed|alloc|allocated) return 0 ;; *) return 1 ;; esac
}

running() { pgrep -x "$1" >/dev/null; }

if [ $changed = 0 ] && running slurmctld && running slurmd && node_ready; then
  log "already running: $(sinfo -h -o '%P %t %D %c')"
  exit 0
fi

# 4. daemons
if [ $changed = 1 ]; then
  # a configuration change needs fresh daemons; the cluster is test-only, jobs in flight are lost
  pkill_pidfile() { [ -f "$1" ] && kill "$(cat "$1")" 2>/dev/null; }
  pkill_pidfile "$STATE/slurmd.pid"; pkill_pidfile "$STATE/slurmctld.pid"
  for _ in $(seq 1 20); do running slurmctld || running slurmd || break; sleep 0.25; done
fi
if ! running slurmctld; then
  log "starting slurmctld"
  /usr/sbin/slurmctld -c 2>>"$STATE/log/start.err" || fail "slurmctld refused to start (see $STATE/log/)"
fi
for _ in $(seq 1 40); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.25; done
scontrol ping 2>/dev/null | grep -q UP || fail "slurmctld does not answer (see $STATE/log/slurmctld.log)"
if ! running slurmd; then
  log "starting slurmd"
  /usr/sbin/slurmd 2>>"$STATE/log/start.err" || fail "slurmd refused to start (see $STATE/log/slurmd.log)"
fi
for _ in $(seq 1 60); do node_ready && break; sleep 0.5; done
if ! node_ready; then
  # a node left DOWN/DRAIN by an earlier run comes back with an explicit resume
  scontrol update NodeName="$HOST" State=RESUME 2>/dev/null
  for _ in $(seq 1 20); do node_ready && break; sleep 0.5; done
fi
node_ready || fail "node $HOST not usable: $(sinfo -h -N -o '%N %t %E' 2>&1)"
log "ready: $(sinfo -h -o '%P %t %D %c %m')"
exit 0
