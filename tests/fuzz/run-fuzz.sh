#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run a libFuzzer target for a bounded time on a scratch copy of its seed
# corpus, so the checked-in corpus is never rewritten by a test run.
# Usage: run-fuzz.sh FUZZER CORPUS SECONDS
#
# Two thirds of the time explore without LeakSanitizer (a leak check after
# each input that leaves memory behind slows libFuzzer ~30x, and Debian's
# libconfig 1.5 leaks on some syntax errors, see conf/lsan-libconfig.supp);
# the last third replays everything found so far, and keeps fuzzing, with
# leak checks on. Crashes are kept in ${TMPDIR:-/tmp}/vtepgw-fuzz-crashes/.
set -eu
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/vtepgw-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus"
cp "$corpus"/* "$work/corpus/"

run() {
	"$fuzzer" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/" "$@" \
		"$work/corpus" >"$work/log" 2>&1 || {
		tail -n 40 "$work/log"
		mkdir -p "${TMPDIR:-/tmp}/vtepgw-fuzz-crashes"
		for found in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
			[ -e "$found" ] || continue
			echo "== $found"
			od -c "$found" | head -20
			cp "$found" "${TMPDIR:-/tmp}/vtepgw-fuzz-crashes/"
		done
		exit 1
	}
	grep -E '^Done' "$work/log" || true
}
run -max_total_time=$((seconds * 2 / 3)) -detect_leaks=0
run -max_total_time=$((seconds - seconds * 2 / 3)) -detect_leaks=1
