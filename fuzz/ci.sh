#!/usr/bin/env bash
# Build every fuzz target and run each for a short, fixed time on the committed corpus plus the
# new inputs it finds (kept in a temporary directory, not committed). A crash, a timeout or an
# out-of-memory fails the run and prints the input that caused it, as hex and as the command
# that replays it. Called by .ci/run; FUZZ_SECONDS sets the time per target (default 45).
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-45}"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz: the nightly toolchain is missing (cargo-fuzz needs it)" >&2
    exit 1
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --version 0.13.2

cargo +nightly fuzz build 2>&1 | grep -v '^ *Compiling ' || true
test -x target/x86_64-unknown-linux-gnu/release/classify

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=""
for t in $(cargo +nightly fuzz list); do
    mkdir -p "$work/$t/new" "$work/$t/art"
    log="$work/$t/log"
    if target/x86_64-unknown-linux-gnu/release/"$t" "$work/$t/new" "corpus/$t" \
        -dict="dict/$t.dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/$t/art/" -print_final_stats=1 >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
        echo "fuzz $t: ${runs:-?} runs in ${seconds} s, $cov, $(ls "$work/$t/new" | wc -l) new inputs, no crash"
    else
        failed="$failed $t"
        echo "fuzz $t: FAILED" >&2
        grep -E -A30 'panicked|ERROR: libFuzzer|ERROR: AddressSanitizer' "$log" | head -60 >&2
        for a in "$work/$t/art/"*; do
            [ -e "$a" ] || continue
            echo "input ($(basename "$a"), $(stat -c %s "$a") bytes):" >&2
            od -A x -t x1z -v "$a" | head -64 >&2
            echo "as base64 (replay: base64 -d > crash; cd fuzz && cargo +nightly fuzz run $t crash):" >&2
            base64 -w 76 "$a" | head -40 >&2
        done
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: crashes in:$failed" >&2
    exit 1
fi
