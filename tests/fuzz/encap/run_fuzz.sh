#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run a libFuzzer target for a bounded time on a scratch copy of its seed
# corpus, so the repository is never modified.
# Usage: run_fuzz.sh TARGET SEED_DIR SECONDS
set -eu
target=$1
seeds=$2
seconds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/vtepgw-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cp "$seeds"/* "$work"/
# -artifact_prefix keeps crash files out of the build and source trees;
# print where they went when the target fails.
if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$work/" "$work" 2>"$work.log"; then
	tail -n 40 "$work.log"
	mkdir -p "${TMPDIR:-/tmp}/vtepgw-fuzz-crashes"
	cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* \
		"${TMPDIR:-/tmp}/vtepgw-fuzz-crashes/" 2>/dev/null || true
	rm -f "$work.log"
	exit 1
fi
tail -n 3 "$work.log"
rm -f "$work.log"
