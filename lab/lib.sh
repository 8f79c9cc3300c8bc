# lab/lib.sh - paths, knobs and process functions used by both lab/up and lab/down.
# Sourced, never run. Everything the lab owns lives under ONE directory, $IMAGEYARD_LAB.
# shellcheck shell=bash

IMAGEYARD_LAB=${IMAGEYARD_LAB:-/tmp/imageyard-lab}
# strip a trailing slash so the cmdline checks below compare like with like
IMAGEYARD_LAB=${IMAGEYARD_LAB%/}
case "$IMAGEYARD_LAB" in
    /tmp/?*) ;;
    *) echo "refusing: IMAGEYARD_LAB must be a directory under /tmp (got '$IMAGEYARD_LAB')" >&2; exit 2;;
esac
case "$IMAGEYARD_LAB" in
    *..*|*[[:space:]]*) echo "refusing: IMAGEYARD_LAB must not contain '..' or spaces" >&2; exit 2;;
esac

LAB=$IMAGEYARD_LAB
CEPH_DIR=$LAB/ceph
GLANCE_DIR=$LAB/glance
ETC=$LAB/etc
CEPH_CONF_FILE=$CEPH_DIR/ceph.conf
CEPH_PIDS=$CEPH_DIR/pids
GLANCE_PIDS=$GLANCE_DIR/pids
VENV=$GLANCE_DIR/venv
PGDATA=$GLANCE_DIR/pg/data
# the real Keystone and the second Glance API behind it (keystonemiddleware auth_token)
KEYSTONE_DIR=$LAB/keystone
GLANCE_KS_ETC=$GLANCE_DIR/etc-keystone

# ---- knobs (environment); default ports match a stock single-node deployment
MON_V2_PORT=${IMAGEYARD_LAB_MON_V2_PORT:-3300}
MON_V1_PORT=${IMAGEYARD_LAB_MON_V1_PORT:-6789}
RGW_PORT=${IMAGEYARD_LAB_RGW_PORT:-7480}
GLANCE_PORT=${IMAGEYARD_LAB_GLANCE_PORT:-9292}
PG_PORT=${IMAGEYARD_LAB_PG_PORT:-5433}
KS_PORT=${IMAGEYARD_LAB_KS_PORT:-5050}
KEYSTONE_PORT=${IMAGEYARD_LAB_KEYSTONE_PORT:-5000}
GLANCE_KS_PORT=${IMAGEYARD_LAB_GLANCE_KS_PORT:-9293}
OBJECTSTORE=${IMAGEYARD_LAB_OBJECTSTORE:-bluestore}
OSD_BYTES=${IMAGEYARD_LAB_OSD_BYTES:-8589934592}
S3_ACCESS=${IMAGEYARD_LAB_S3_ACCESS:-LABACCESSKEY00000001}
S3_SECRET=${IMAGEYARD_LAB_S3_SECRET:-labsecretkey0000000000000000000000000001}
SWIFT_KEY=${IMAGEYARD_LAB_SWIFT_KEY:-labswiftkey0000000000000000000000000001}
# Keystone users (admin = keystone-manage bootstrap; the others are made by lab/up)
ADMIN_PASSWORD=${IMAGEYARD_LAB_ADMIN_PASSWORD:-labadminpassword0000000000000001}
MEMBER_PASSWORD=${IMAGEYARD_LAB_MEMBER_PASSWORD:-labmemberpassword000000000000001}
READER_PASSWORD=${IMAGEYARD_LAB_READER_PASSWORD:-labreaderpassword000000000000001}
GLANCE_SERVICE_PASSWORD=${IMAGEYARD_LAB_GLANCE_PASSWORD:-labglancepassword000000000000001}
GLANCE_FLAVOR=${IMAGEYARD_LAB_FLAVOR:-labauth}
GLANCE_THREADS=${IMAGEYARD_LAB_THREADS:-4}
GLANCE_URL=http://127.0.0.1:$GLANCE_PORT
GLANCE_KS_URL=http://127.0.0.1:$GLANCE_KS_PORT
KEYSTONE_URL=http://127.0.0.1:$KEYSTONE_PORT
RGW_URL=http://127.0.0.1:$RGW_PORT
RGW_UID=lab
SWIFT_USER=$RGW_UID:swift
# the Debian interpreter: python3-rados/python3-rbd are built for it (cpython-311)
SYS_PY=/usr/bin/python3

now() { date +%s.%N; }
LAB_T0=${LAB_T0:-$(now)}
elapsed() { awk -v a="$LAB_T0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
log() { echo "[lab +$(elapsed)s] $*"; }
die() { echo "lab: ERROR: $*" >&2; exit 1; }

# Which command-line fragment proves that a recorded PID is still the lab's process and not
# an unrelated process that inherited the number: every daemon is started with a path that
# only this lab uses.
pid_pattern() { # name -> fragment
    case "$1" in
        postgres) echo "$PGDATA";;
        fake-keystone) echo "$GLANCE_DIR/pylib/imageyard_lab_keystone.py";;
        glance-api) echo "$ETC/uwsgi.ini";;
        keystone) echo "$KEYSTONE_DIR/etc/uwsgi.ini";;
        glance-api-keystone) echo "$GLANCE_KS_ETC/uwsgi.ini";;
        *) echo "$CEPH_CONF_FILE";;   # mon.a, mgr.x, osd.N, rgw.lab
    esac
}
is_ours() { # name pid
    [ -r "/proc/$2/cmdline" ] && tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | grep -qF -- "$(pid_pattern "$1")"
}

# stop_pidfile FILE GRACE: stop the processes listed in FILE ("name pid" lines) in reverse
# start order. Only PIDs whose cmdline still names this lab's files are signalled. TERM
# (postgres: INT = fast shutdown), then KILL after GRACE seconds.
stop_pidfile() {
    local file=$1 grace=$2 line name pid sig
    [ -f "$file" ] || return 0
    local -a lines
    mapfile -t lines < <(tac "$file")
    for line in "${lines[@]}"; do
        read -r name pid <<<"$line"
        [ -n "${pid:-}" ] || continue
        if is_ours "$name" "$pid"; then
            echo "stopping $name (pid $pid)"
            sig=TERM; [ "$name" = postgres ] && sig=INT
            kill -"$sig" "$pid" 2>/dev/null || true
            for _ in $(seq 1 $((grace * 5))); do is_ours "$name" "$pid" || break; sleep 0.2; done
            if is_ours "$name" "$pid"; then
                echo "  $name did not exit in ${grace}s, sending SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
                sleep 0.5
            fi
        fi
    done
    mv -f "$file" "$file.stopped"
}

stop_lab() { # glance first (it is a ceph client), then ceph
    stop_pidfile "$GLANCE_PIDS" "${IMAGEYARD_LAB_STOP_GRACE:-20}"
    stop_pidfile "$CEPH_PIDS" "${IMAGEYARD_LAB_STOP_GRACE:-15}"
}

port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

wait_for() { # seconds description cmd...
    local secs=$1 what=$2; shift 2
    local end=$(( $(date +%s) + secs ))
    until "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$end" ]; then
            echo "timed out after ${secs}s waiting for: $what" >&2
            return 1
        fi
        sleep 0.3
    done
}
