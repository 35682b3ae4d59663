#!/usr/bin/env bash
# The running dashboard beside htop, in tmux, in the same run.
#
#   benches/footprint.sh [SECONDS] [WIDTHxHEIGHT]      (default: 30 160x48)
#
# Starts, at the same time and each in its own tmux server at the same size:
# the demo (`warroom`, 4 regions), the demo at 50 regions
# (`warroom --regions 50`) and htop. For each it prints:
#   first frame  time from starting the program to its first frame on the
#                pane (all panes polled every 10 ms for text the first frame
#                has: "Health ·" for warroom, "Tasks:" for htop)
#   cpu          user + system ticks from /proc/PID/stat over SECONDS after
#                the first frame, as % of one core
#   bytes/s      bytes the program wrote to the terminal over those SECONDS,
#                counted by `tmux pipe-pane`
#   VmHWM        peak resident memory from /proc/PID/status at the end
# Needs tmux and htop on PATH (Debian/Ubuntu: apt-get install tmux htop) and
# a built binary: WARROOM=path, else target/release/warroom, else
# target/debug/warroom (build it with `cargo build --release` first).
set -euo pipefail

secs=${1:-30}
size=${2:-160x48}
width=${size%x*}
height=${size#*x}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${WARROOM:-}
if [[ -z $bin ]]; then
    for b in "$here/target/release/warroom" "$here/target/debug/warroom"; do
        [[ -x $b ]] && { bin=$b; break; }
    done
fi
for p in tmux htop; do
    command -v "$p" >/dev/null || { echo "footprint: $p is not on PATH (apt-get install $p)" >&2; exit 1; }
done
[[ -x ${bin:-} ]] || { echo "footprint: no warroom binary; run cargo build --release" >&2; exit 1; }

work=$(mktemp -d)
tick=$(getconf CLK_TCK)
names=(warroom-4 warroom-50 htop)
cmds=("$bin --operator footprint" "$bin --operator footprint --regions 50" "htop")
marks=("Health ·" "Health ·" "Tasks:")

sock() { echo "footprint-$$-$1"; }
cleanup() {
    for n in "${names[@]}"; do tmux -L "$(sock "$n")" kill-server 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

now_ns() { date +%s%N; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
bytes() { stat -c %s "$1" 2>/dev/null || echo 0; }

# Each pane waits for its go file, then becomes the program (exec: same pid).
for i in "${!names[@]}"; do
    n=${names[$i]}
    mkdir -p "$work/$n/home" "$work/$n/state"
    tmux -L "$(sock "$n")" new-session -d -s m -x "$width" -y "$height" \
        "env HOME=$work/$n/home XDG_STATE_HOME=$work/$n/state TERM=xterm-256color sh -c 'while [ ! -e $work/$n/go ]; do sleep 0.005; done; exec ${cmds[$i]}'"
    tmux -L "$(sock "$n")" pipe-pane -t m -o "cat >> $work/$n/bytes"
done

declare -A start first pid
for n in "${names[@]}"; do
    start[$n]=$(now_ns)
    touch "$work/$n/go"
done
# All panes are watched in one loop, so that none waits on another.
for _ in $(seq 1 1000); do
    waiting=0
    for i in "${!names[@]}"; do
        n=${names[$i]}
        [[ -n ${first[$n]:-} ]] && continue
        if tmux -L "$(sock "$n")" capture-pane -p -t m | grep -q -F "${marks[$i]}"; then
            first[$n]=$(now_ns)
        else
            waiting=1
        fi
    done
    (( waiting )) || break
    sleep 0.01
done
for n in "${names[@]}"; do
    pid[$n]=$(tmux -L "$(sock "$n")" display -p -t m '#{pane_pid}')
done

declare -A t0 b0
for n in "${names[@]}"; do t0[$n]=$(ticks "${pid[$n]}"); b0[$n]=$(bytes "$work/$n/bytes"); done
sleep "$secs"
declare -A t1 b1 peak
for n in "${names[@]}"; do
    t1[$n]=$(ticks "${pid[$n]}"); b1[$n]=$(bytes "$work/$n/bytes"); peak[$n]=$(hwm "${pid[$n]}")
done

echo "footprint: ${secs} s at ${width}x${height}, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-11s %12s %10s %10s %10s\n' program "first frame" "cpu" "bytes/s" "VmHWM"
for n in "${names[@]}"; do
    ms=$(( (${first[$n]:-0} - ${start[$n]}) / 1000000 ))
    [[ -z ${first[$n]:-} ]] && ms=never
    awk -v n="$n" -v ms="$ms" -v dt=$(( ${t1[$n]} - ${t0[$n]} )) -v hz="$tick" -v s="$secs" \
        -v db=$(( ${b1[$n]} - ${b0[$n]} )) -v kb="${peak[$n]}" \
        'BEGIN { printf "%-11s %9s ms %9.2f%% %10.0f %6.1f MiB\n", n, ms, 100*dt/hz/s, db/s, kb/1024 }'
done
