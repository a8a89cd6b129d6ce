#!/bin/sh
# The README's test command: the whole suite at today's date and, at the same time, the whole suite again
# with every process's real clock moved to another instant (tests/travel), so that a test or a piece of
# code that passes only because of today's date fails here before it can land.
# Most of the suite waits on sockets, servers and databases, so two runs side by side take far less
# than twice as long on two cores. Each run gets its own PostgreSQL database and temporary folders.
#
#   tests/run_today_and_shifted.sh PYTHON INSTANT
set -u
python="$1"
instant="$2"
mkdir -p var
shifted_log=var/test-shifted.log

"$python" -m pytest -p no:cacheprovider --travel-to "$instant" >"$shifted_log" 2>&1 &
shifted_pid=$!

"$python" -m pytest
today_status=$?

wait "$shifted_pid"
shifted_status=$?

echo
echo "== the same suite with the clock moved to $instant (Europe/London), ticking on =="
if [ "$shifted_status" -eq 0 ]; then
    tail -n 1 "$shifted_log"
else
    # The failures and the summary (the dots are in $shifted_log); a run that died early shows its end.
    if grep -q '= FAILURES =\|= ERRORS =' "$shifted_log"; then
        sed -n '/= FAILURES =\|= ERRORS =/,$p' "$shifted_log"
    else
        tail -n 40 "$shifted_log"
    fi
fi

[ "$today_status" -eq 0 ] && [ "$shifted_status" -eq 0 ]
