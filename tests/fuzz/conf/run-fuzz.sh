#!/bin/sh
# Runs a libFuzzer target for a bounded time on a scratch copy of its seed
# corpus, so the checked-in corpus is never rewritten by a test run.
# usage: run-fuzz.sh FUZZER CORPUS SECONDS
set -eu
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d /tmp/vtepgw-fuzz-conf.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$corpus"/* "$work"/
"$fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
	-artifact_prefix="$work/" "$work" 2>"$work/log" || {
	tail -n 40 "$work/log"
	for crash in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -e "$crash" ] && { echo "== $crash"; od -c "$crash" | head -20; }
	done
	exit 1
}
tail -n 3 "$work/log"
