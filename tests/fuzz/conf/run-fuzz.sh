#!/bin/sh
# Runs a libFuzzer target for a bounded time on a scratch copy of its seed
# corpus, so the checked-in corpus is never rewritten by a test run.
# usage: run-fuzz.sh FUZZER CORPUS SECONDS
#
# Two thirds of the time explore without LeakSanitizer (a leak check after
# each input that leaves memory behind slows libFuzzer ~30x while libconfig
# leaks on syntax errors, see lsan-libconfig.supp); the last third replays
# everything found so far, and keeps fuzzing, with leak checks on.
set -eu
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d /tmp/vtepgw-fuzz-conf.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp "$corpus"/* "$work/corpus/"

run() {
	"$fuzzer" -max_len=8192 -timeout=10 -artifact_prefix="$work/" "$@" \
		"$work/corpus" >"$work/log" 2>&1 || {
		tail -n 40 "$work/log"
		for found in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
			[ -e "$found" ] && { echo "== $found"; od -c "$found" | head -20; }
		done
		exit 1
	}
	grep -E '^Done' "$work/log" || true
}
run -max_total_time=$((seconds * 2 / 3)) -detect_leaks=0
run -max_total_time=$((seconds - seconds * 2 / 3)) -detect_leaks=1
