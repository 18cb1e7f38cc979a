#!/bin/bash
# Stop the daemons setup.sh started (by PID) and remove the loopback addresses it added.
HERE=$(cd "$(dirname "$0")" && pwd)
D=${D:?set D to a scratch directory}
if [ -f "$D/pids" ]; then
    while read -r name pid; do
        if kill -0 "$pid" 2>/dev/null; then kill "$pid" && echo "stopped $name ($pid)"; fi
    done < "$D/pids"
    # wait up to 5 s, then SIGKILL what is left
    for _ in $(seq 50); do
        alive=0
        while read -r _ pid; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$D/pids"
        [ $alive = 0 ] && break
        sleep 0.1
    done
    while read -r name pid; do kill -0 "$pid" 2>/dev/null && kill -9 "$pid" && echo "killed $name ($pid)"; done < "$D/pids"
    rm -f "$D/pids"
fi
if [ -f "$D/added" ]; then
    while read -r cidr; do ip addr del "$cidr" dev lo && echo "removed $cidr from lo"; done < "$D/added"
    rm -f "$D/added"
fi
exit 0
