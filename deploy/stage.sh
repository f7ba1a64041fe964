#!/usr/bin/env bash
# The background stages of `make up`: one pid file (var/run/NAME.pid) and one log (var/logs/NAME.out) each.
#   deploy/stage.sh start NAME "what it is" COMMAND...   start unless already running, say what and where
#   deploy/stage.sh stop NAME                            SIGTERM it (the stage shuts down cleanly)
set -euo pipefail
# What the stages write (their logs here, the mailbox's .eml files, alert text, officers' addresses, search
# terms) is for the owner and the group only: files 0640, folders 0750.
umask 027
RUN=${STAGE_RUN:-var/run} LOGS=${STAGE_LOGS:-var/logs}
action=$1 name=$2
pid="$RUN/$name.pid"
mkdir -p "$RUN" "$LOGS"
running() { [ -f "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null; }
case "$action" in
start)
    what=$3; shift 3
    if running; then echo "$name: already running (pid $(cat "$pid"))"; exit 0; fi
    touch "$LOGS/$name.out" && chmod 640 "$LOGS/$name.out"  # an older log, made before the umask
    nohup "$@" >>"$LOGS/$name.out" 2>&1 &
    echo $! >"$pid"
    echo "$name: $what (log $LOGS/$name.out)"
    ;;
stop)
    if [ -f "$pid" ]; then
        if running; then kill "$(cat "$pid")" && echo "$name: stopped"; else echo "$name: was not running"; fi
        rm -f "$pid"
    fi
    ;;
*) echo "usage: $0 start NAME WHAT COMMAND... | stop NAME" >&2; exit 2 ;;
esac
