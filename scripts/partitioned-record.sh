#!/usr/bin/env bash
# Partitioned CI, end to end on one machine, against the simulated API:
#
# 1. starts `llama-test-sim` on loopback (no key, no network);
# 2. records the example evals in N nextest hash partitions
#    (`cargo nextest run --partition hash:K/N`), each into its own fixture
#    directory, as N CI machines would;
# 3. merges the N directories by plain file copy (one file per test, stable
#    names, no shared index: a name that two partitions both wrote is an
#    error here);
# 4. replays the merged set with CI=true (replay mode, no key, no
#    network) and requires every test to pass: 0 misses.
#
# Usage: scripts/partitioned-record.sh [N] (default 3). Needs cargo-nextest
# (`cargo install --locked cargo-nextest`). Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

partitions="${1:-3}"
target="${CARGO_TARGET_DIR:-target}"
work="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Nothing from the caller's environment may steer the runs.
unset CI LLAMA_TEST_MODE LLAMA_API_KEY LLAMA_API_BASE_URL LLAMA_TEST_FIXTURES

cargo build -q -p llama-test --features sim --bin llama-test-sim
"$target/debug/llama-test-sim" >"$work/sim.env" &
sim_pid=$!
for _ in $(seq 100); do
  grep -q '^# simulated Llama API running' "$work/sim.env" 2>/dev/null && break
  sleep 0.1
done
grep -q '^# simulated Llama API running' "$work/sim.env" || {
  echo "llama-test-sim did not start" >&2
  exit 1
}
sim_exports="$(grep '^export ' "$work/sim.env")"

started=$(date +%s)
for k in $(seq "$partitions"); do
  echo "== recording partition hash:$k/$partitions into $work/part$k"
  (
    eval "$sim_exports"
    LLAMA_TEST_MODE=record LLAMA_TEST_FIXTURES="$work/part$k" INSTA_UPDATE=no \
      cargo nextest run -p llama-test-examples --partition "hash:$k/$partitions" \
      --no-fail-fast --status-level fail
  )
done

echo "== merging by plain copy"
mkdir "$work/merged"
total=0
for k in $(seq "$partitions"); do
  count=$(find "$work/part$k" -maxdepth 1 -name '*.json' | wc -l)
  echo "partition $k: $count fixture(s)"
  total=$((total + count))
  for file in "$work/part$k"/*.json; do
    [ -e "$file" ] || continue
    if [ -e "$work/merged/$(basename "$file")" ]; then
      echo "conflict: $(basename "$file") was written by two partitions" >&2
      exit 1
    fi
    cp "$file" "$work/merged/"
  done
done
echo "merged: $total fixture(s)"
# The same names as the committed recordings: every eval was recorded once.
if ! diff <(ls fixtures | grep '\.json$') <(ls "$work/merged"); then
  echo "the merged set differs from the committed fixtures/ (names above)" >&2
  exit 1
fi
cargo run -q -p llama-test --bin llama-test-fixtures -- check --root "$work/merged" | tail -1

echo "== replaying the merged set with CI=true (no key, no simulator variables)"
kill "$sim_pid"
sim_pid=""
CI=true LLAMA_TEST_FIXTURES="$work/merged" cargo nextest run -p llama-test-examples --no-fail-fast
echo "partitioned record + merge + replay: OK in $(($(date +%s) - started)) s"
