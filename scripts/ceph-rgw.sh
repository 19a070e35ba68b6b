#!/usr/bin/env bash
# scripts/ceph-rgw.sh — the archive service's own bring-up of a throw-away single-host Ceph cluster
# (1 mon, 1 OSD, 1 radosgw) serving the S3 API on 127.0.0.1: the real S3 server with Object Lock
# (COMPLIANCE, GOVERNANCE, legal hold) that the storage contract tests, CI (.ci/run), the integration
# test global setup and the benchmarks run against. Self-contained: needs nothing outside this repo.
# Why Ceph RGW: no MinIO server is installable here (not in Debian, not on npm) and no Docker; the
# npm fake S3 servers accept lock-enabled buckets but enforce nothing, so they cannot test WORM.
# No systemd, no mgr, no cephx (auth none), no network other than loopback.
# Debian 12 (bookworm) packages: ceph-mon ceph-osd radosgw (16.2.x "pacific").
#
# Usage: scripts/ceph-rgw.sh <command> DIR        (e.g. DIR=.data/ceph, git-ignored)
#   start    install packages if missing (root), create the cluster in DIR on first use,
#            start any daemon that is not running, wait until an authenticated S3 PUT/GET
#            round trip works, and create the S3 user. Safe to run again (idempotent).
#   stop     stop radosgw, OSD, mon (SIGTERM by PID from DIR/run/*.pid, SIGKILL after 30 s).
#   restart  stop + start.
#   status   show daemons, PIDs, RSS and whether S3 answers; exit 0 only if all are up.
#   wait     wait (up to WAIT_TIMEOUT s) until the running cluster passes the health check.
#   env      print shell exports for clients (S3_ENDPOINT, S3_ACCESS_KEY, ...).
#   purge    stop, then delete DIR (only if DIR was made by this script).
#
# Environment (all optional):
#   RGW_PORT=7480                S3 endpoint port (bound to 127.0.0.1 only)
#   MON_V2_PORT=3300 MON_V1_PORT=6789   monitor ports (127.0.0.1 only); change both to run
#                                a second cluster beside the first (OSD ports are auto 6800-7300)
#   OSD_STORE=bluestore          bluestore | memstore | filestore  (fixed when DIR is created).
#                                bluestore: sparse file DIR/osd/0/block, crash-safe, ~200 MiB RSS.
#                                memstore: all data in OSD RAM (RSS grows with data), written to
#                                DIR only on a clean stop; lost on SIGKILL. filestore: deprecated.
#   BLUESTORE_BYTES              size of the sparse block file; default min(20 GiB, half the free
#                                space of DIR's filesystem). Writes beyond the real free space crash the OSD.
#   MEMSTORE_BYTES=8589934592    memstore capacity
#   OSD_MEMORY_TARGET=1610612736 bluestore cache+heap target
#   S3_UID=archive S3_ACCESS_KEY=devaccesskey S3_SECRET_KEY=devsecretkey123456
#   RGW_DEBUG=1/5                radosgw log level (1 logs one line per request to DIR/log)
#   WAIT_TIMEOUT=120             seconds to wait for health in start/wait
#   CEPH_AUTO_INSTALL=1          apt-get install the packages in `start` if they are missing
#
# Typical use:
#   bash scripts/ceph-rgw.sh start .data/ceph
#   eval "$(bash scripts/ceph-rgw.sh env .data/ceph)"
#   npx jest --selectProjects integration libs/storage
# Notes: apt installs on these machines never start daemons, so this script starts everything
# itself. Ceph reclaims deleted data only after ~2 h: purge between benchmark runs.
set -euo pipefail

CMD=${1:-}
DIR=${2:-}
if [[ -z "$CMD" || -z "$DIR" ]]; then
  awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"
  exit 2
fi
[[ "$DIR" == *" "* ]] && { echo "DIR must not contain spaces" >&2; exit 2; }
if [[ ! -d $DIR ]]; then
  case $CMD in
    start) mkdir -p "$DIR" ;;
    stop|purge) echo "[ceph-rgw] $DIR does not exist, nothing to do" >&2; exit 0 ;;
    *) echo "[ceph-rgw] $DIR does not exist" >&2; exit 1 ;;
  esac
fi
DIR=$(cd "$DIR" && pwd)

# settings saved when DIR was created win over the defaults (not over the environment), so that
# stop/status/env/start on an existing DIR need no repeated variables
SAVED=$DIR/settings.env
if [[ -s $SAVED ]]; then
  while IFS='=' read -r k v; do
    [[ $k =~ ^[A-Z0-9_]+$ ]] && [[ -z ${!k+x} ]] && printf -v "$k" '%s' "$v"
  done <"$SAVED"
fi
RGW_PORT=${RGW_PORT:-7480}
MON_V2_PORT=${MON_V2_PORT:-3300}
MON_V1_PORT=${MON_V1_PORT:-6789}
OSD_STORE=${OSD_STORE:-bluestore}
MEMSTORE_BYTES=${MEMSTORE_BYTES:-8589934592}
if [[ -z ${BLUESTORE_BYTES:-} ]]; then
  BLUESTORE_BYTES=$(df -B1 --output=avail "$DIR" | tail -1)
  BLUESTORE_BYTES=$(( BLUESTORE_BYTES / 2 > 21474836480 ? 21474836480 : BLUESTORE_BYTES / 2 ))
fi
OSD_MEMORY_TARGET=${OSD_MEMORY_TARGET:-1610612736}
S3_UID=${S3_UID:-archive}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-devaccesskey}
S3_SECRET_KEY=${S3_SECRET_KEY:-devsecretkey123456}
RGW_DEBUG=${RGW_DEBUG:-1/5}
WAIT_TIMEOUT=${WAIT_TIMEOUT:-120}
CEPH_AUTO_INSTALL=${CEPH_AUTO_INSTALL:-1}

CONF=$DIR/ceph.conf
MARKER=$DIR/.ceph-rgw-single-node   # same marker as the upstream recipe: DIRs made by either are compatible
RUN=$DIR/run
LOG=$DIR/log
export CEPH_CONF=$CONF

log() { printf '[ceph-rgw %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

ceph_q() { timeout 20 ceph --connect-timeout 10 "$@"; }

alive() { # pid -> running. A killed daemon stays a zombie until PID 1 reaps it, which counts as
  # dead; but a daemon whose main thread has exited while other threads still shut down also shows
  # Z in /proc/PID/stat, so look at every thread.
  kill -0 "$1" 2>/dev/null || return 1
  local t st
  for t in /proc/"$1"/task/*/stat; do
    st=$(sed -E 's/^.*\) //; s/ .*//' "$t" 2>/dev/null) || continue
    [[ -n $st && $st != [ZX] ]] && return 0
  done
  return 1
}
pid_of() { # daemon name, process name -> pid if that daemon is running
  local f=$RUN/$1.pid p
  [[ -s $f ]] || return 1
  p=$(cat "$f")
  [[ -n $p ]] && alive "$p" && [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$2" ]] || return 1
  echo "$p"
}
mon_pid() { pid_of mon.a ceph-mon; }
osd_pid() { pid_of osd.0 ceph-osd; }
rgw_pid() { pid_of client.rgw.a radosgw; }

port_busy() { ss -Hltn "sport = :$1" | grep -q .; }
port_owner() { # port -> " (held by the cluster in DIR)" when one of our daemons of another DIR holds it
  local pid conf
  pid=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [[ -n $pid ]] || return 0
  conf=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^CEPH_CONF=//p' | head -1)
  [[ -n $conf ]] && printf ' (held by the cluster in %s: use that DIR, or stop it with: %s stop %s)' "${conf%/ceph.conf}" "$0" "${conf%/ceph.conf}"
  return 0
}

ensure_installed() {
  if command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null && command -v radosgw >/dev/null; then return; fi
  [[ $CEPH_AUTO_INSTALL == 1 && $(id -u) == 0 ]] || die "ceph-mon/ceph-osd/radosgw missing: apt-get install --no-install-recommends ceph-mon ceph-osd radosgw"
  local t=$(now) apt_log
  # the log lives beside DIR, not in it: a first start must find DIR empty to create the cluster
  apt_log="$(dirname "$DIR")/ceph-rgw-apt-install.log"
  log "installing ceph-mon ceph-osd radosgw from apt ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw >"$apt_log" 2>&1 || {
    apt-get update >>"$apt_log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw >>"$apt_log" 2>&1
  } || die "apt-get install failed, see $apt_log"
  log "installed in $(elapsed "$t") s"
}

write_conf() {
  local fsid store
  fsid=$(cat "$DIR/fsid")
  store=$OSD_STORE
  [[ -s $DIR/osd/0/type ]] && store=$(cat "$DIR/osd/0/type")   # the store chosen at mkfs wins
  cat >"$CONF.tmp" <<EOF
# generated by scripts/ceph-rgw.sh — rewritten on every start
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
mon initial members = a
public network = 127.0.0.0/8
public addr = 127.0.0.1
cluster addr = 127.0.0.1
# no cephx: loopback-only throw-away cluster. radosgw defaults to ms_mon_client_mode=secure,
# which needs cephx, so the connection modes must be forced to crc as well.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms cluster mode = crc
ms service mode = crc
client mount timeout = 30
run dir = $RUN
log file = $LOG/\$cluster-\$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
# every pool/osdmap change waits one paxos round (default 1 s); radosgw makes ~20 of them on first start
paxos propose interval = 0.05
paxos min wait = 0.01

[mon.a]
mon data = $DIR/mon/a
pid file = $RUN/\$name.pid

[osd.0]
osd data = $DIR/osd/0
pid file = $RUN/\$name.pid
osd objectstore = $store
memstore device bytes = $MEMSTORE_BYTES
bluestore block create = true
bluestore block size = $BLUESTORE_BYTES
bluestore block db create = false
bluestore block wal create = false
bluestore fsck on mkfs = false
# each open/close of the block file waits for the aio thread's poll timeout (default 250 ms)
bdev aio poll ms = 10
osd memory target = $OSD_MEMORY_TARGET
# memstore only writes its data to DIR/osd/0 on a clean unmount; the default fast shutdown skips it
osd fast shutdown = false
osd journal = $DIR/osd/0/journal
osd journal size = 512
# filestore on ext4: object names must fit ext4's xattr limits
osd max object name len = 256
osd max object namespace len = 64

[client.rgw.a]
rgw data = $DIR/rgw/a
pid file = $RUN/\$name.pid
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw init timeout = 60
debug rgw = $RGW_DEBUG
EOF
  mv "$CONF.tmp" "$CONF"
}

create_cluster() { # first use of DIR: mon mkfs + osd mkfs
  [[ -e $MARKER ]] && return
  [[ -z "$(ls -A "$DIR")" ]] || die "$DIR is not empty and was not made by this script"
  log "creating new cluster in $DIR (objectstore=$OSD_STORE)"
  touch "$MARKER"
  printf '%s\n' "RGW_PORT=$RGW_PORT" "MON_V2_PORT=$MON_V2_PORT" "MON_V1_PORT=$MON_V1_PORT" \
    "S3_UID=$S3_UID" "S3_ACCESS_KEY=$S3_ACCESS_KEY" "S3_SECRET_KEY=$S3_SECRET_KEY" >"$SAVED"
  mkdir -p "$RUN" "$LOG" "$DIR/mon/a" "$DIR/osd/0" "$DIR/rgw/a"
  uuidgen >"$DIR/fsid"
  write_conf
  monmaptool --create --fsid "$(cat "$DIR/fsid")" --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon --mkfs -i a --monmap "$DIR/monmap" >"$LOG/mkfs-mon.log" 2>&1 || die "mon mkfs failed: $LOG/mkfs-mon.log"
}

start_mon() {
  mon_pid >/dev/null && return
  port_busy "$MON_V2_PORT" && die "port $MON_V2_PORT busy$(port_owner "$MON_V2_PORT") — another cluster? set MON_V2_PORT/MON_V1_PORT/RGW_PORT"
  ceph-mon -i a || die "ceph-mon failed, see $LOG/ceph-mon.a.log"
  local t0=$SECONDS
  until ceph_q mon stat >/dev/null 2>&1; do
    (( SECONDS - t0 > 60 )) && die "mon not answering, see $LOG/ceph-mon.a.log"; sleep 0.3
  done
}

start_osd() {
  if [[ ! -e $DIR/osd/0/ready ]]; then
    [[ -s $DIR/osd-uuid ]] || uuidgen >"$DIR/osd-uuid"   # reused, so a retried mkfs gets id 0 again
    local u; u=$(cat "$DIR/osd-uuid")
    local id; id=$(ceph_q osd new "$u") || die "ceph osd new failed"
    [[ $id == 0 ]] || die "expected osd id 0, got $id"
    ceph-osd -i 0 --mkfs --osd-uuid "$u" >"$LOG/mkfs-osd.log" 2>&1 || die "osd mkfs failed: $LOG/mkfs-osd.log"
  fi
  osd_pid >/dev/null && return
  ceph-osd -i 0 2>>"$LOG/osd-stderr.log" || die "ceph-osd failed, see $LOG/ceph-osd.0.log"
}

wait_osd_up() {
  local t0=$SECONDS
  until ceph_q osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1'; do
    (( SECONDS - t0 > WAIT_TIMEOUT )) && die "osd.0 not up, see $LOG/ceph-osd.0.log"; sleep 0.3
  done
}

start_rgw() {
  rgw_pid >/dev/null && return
  port_busy "$RGW_PORT" && die "port $RGW_PORT busy$(port_owner "$RGW_PORT")"
  radosgw -n client.rgw.a 2>>"$LOG/rgw-stderr.log" || die "radosgw failed, see $LOG/ceph-client.rgw.a.log"
}

wait_http() {
  local t0=$SECONDS
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$RGW_PORT/") == 200 ]]; do
    rgw_pid >/dev/null || die "radosgw exited, see $LOG/ceph-client.rgw.a.log"
    (( SECONDS - t0 > WAIT_TIMEOUT )) && die "radosgw not answering on 127.0.0.1:$RGW_PORT"; sleep 0.3
  done
}

ensure_user() {
  if ! radosgw-admin user info --uid="$S3_UID" >/dev/null 2>&1; then
    radosgw-admin user create --uid="$S3_UID" --display-name="$S3_UID" \
      --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null || die "user create failed"
    log "created S3 user $S3_UID"
  elif ! radosgw-admin user info --uid="$S3_UID" | grep -q "\"access_key\": \"$S3_ACCESS_KEY\""; then
    radosgw-admin key create --uid="$S3_UID" --key-type=s3 --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null
  fi
}

s3_roundtrip() { # authenticated SigV4 PUT bucket + PUT object + GET object, with curl only
  local base="http://127.0.0.1:$RGW_PORT" auth=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY")
  local body="ok-$(date +%s%N)" code empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
  # curl 7.88's --aws-sigv4 does not add x-amz-content-sha256, which radosgw requires (403 otherwise)
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "${auth[@]}" -H "x-amz-content-sha256: $empty" -X PUT "$base/healthcheck") || return 1
  [[ $code == 200 || $code == 409 ]] || { log "create bucket: HTTP $code"; return 1; }
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "${auth[@]}" -X PUT --data-binary "$body" \
    -H "x-amz-content-sha256: $(printf %s "$body" | sha256sum | cut -d' ' -f1)" "$base/healthcheck/probe") || return 1
  [[ $code == 200 ]] || { log "put object: HTTP $code"; return 1; }
  [[ $(curl -s --max-time 30 "${auth[@]}" -H "x-amz-content-sha256: $empty" "$base/healthcheck/probe") == "$body" ]] || { log "get object mismatch"; return 1; }
}

health_wait() {
  local t0=$SECONDS
  wait_osd_up
  wait_http
  ensure_user
  until s3_roundtrip; do
    (( SECONDS - t0 > WAIT_TIMEOUT )) && die "S3 round trip failing, see $LOG/ceph-client.rgw.a.log"; sleep 1
  done
}

stop_daemons() { # "name:comm" ... — SIGTERM, wait up to 30 s, then SIGKILL
  local nc p pids=() names=()
  for nc in "$@"; do
    p=$(pid_of "${nc%%:*}" "${nc##*:}") || continue
    kill -TERM "$p" 2>/dev/null && { pids+=("$p"); names+=("${nc%%:*}"); }
  done
  local i n_alive
  (( ${#pids[@]} )) || return 0
  for _ in $(seq 1 300); do
    n_alive=0; for p in "${pids[@]}"; do alive "$p" && n_alive=1; done
    (( n_alive )) || break; sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if alive "${pids[$i]}"; then
      log "${names[$i]} (pid ${pids[$i]}) did not exit after SIGTERM, sending SIGKILL"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
    rm -f "$RUN/${names[$i]}.pid"
  done
}

cmd_start() {
  local t=$(now)
  ensure_installed
  create_cluster
  write_conf
  start_mon;  log "mon up ($(elapsed "$t") s)"
  start_osd
  start_rgw
  wait_osd_up; log "osd.0 up ($(elapsed "$t") s)"
  wait_http;   log "radosgw answering ($(elapsed "$t") s)"
  health_wait
  log "S3 ready on http://127.0.0.1:$RGW_PORT (access key $S3_ACCESS_KEY) after $(elapsed "$t") s"
}

cmd_stop() {
  [[ -e $MARKER ]] || { log "$DIR is not a cluster dir, nothing to stop"; return 0; }
  # one at a time: radosgw hangs in shutdown if the OSD is already gone, and the OSD tells the mon
  stop_daemons client.rgw.a:radosgw
  stop_daemons osd.0:ceph-osd
  stop_daemons mon.a:ceph-mon
  log "stopped"
}

cmd_status() {
  local rc=0 n p c
  for n in mon.a:ceph-mon osd.0:ceph-osd client.rgw.a:radosgw; do
    if p=$(pid_of "${n%%:*}" "${n##*:}"); then
      printf '%-14s pid %-8s rss %s MiB\n' "${n%%:*}" "$p" "$(awk '/VmRSS/{printf "%d", $2/1024}' "/proc/$p/status" 2>/dev/null)"
    else printf '%-14s not running\n' "${n%%:*}"; rc=1; fi
  done
  c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$RGW_PORT/" || true)
  echo "S3 http://127.0.0.1:$RGW_PORT -> HTTP $c"; [[ $c == 200 ]] || rc=1
  return $rc
}

cmd_env() {
  cat <<EOF
export S3_ENDPOINT=127.0.0.1 S3_PORT=$RGW_PORT S3_USE_SSL=false S3_REGION=us-east-1
export S3_ACCESS_KEY=$S3_ACCESS_KEY S3_SECRET_KEY=$S3_SECRET_KEY
EOF
}

case $CMD in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  wait) health_wait; log "healthy" ;;
  env) cmd_env ;;
  purge)
    cmd_stop
    if [[ -e $MARKER ]]; then rm -rf "$DIR"; log "removed $DIR"; else log "$DIR not made by this script, left alone"; fi ;;
  *) echo "unknown command: $CMD" >&2; exit 2 ;;
esac
