#!/usr/bin/env bash
# Issue 13's acceptance, end to end on the example evals (replay, offline):
# `cargo test` then `llama-test report` in all formats (the JUnit file
# validated with xmllint), a `cargo nextest run` whose records are complete,
# and `report --compare` against a run in which one fixture was re-recorded
# with another answer (a copy of the fixtures; the repository is untouched).
# Needs xmllint (libxml2-utils) and cargo-nextest.
set -euo pipefail
cd "$(dirname "$0")/.."

export CI=true
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export CARGO_TARGET_DIR="$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build -q -p llama-test-cli
cli="$target/debug/llama-test"

# 1. cargo test (replay) -> all three formats.
cargo test -q -p llama-test-examples >/dev/null
run_a=$("$cli" runs | tail -1 | cut -d' ' -f1)
"$cli" report "$run_a" --html "$work/report.html" --junit "$work/junit.xml" --json "$work/report.json" --markdown "$work/report.md"
xmllint --noout --schema llama-test-cli/tests/data/junit.xsd "$work/junit.xml"
evals=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["samples"])' "$work/report.json")
echo "cargo test: run $run_a, $evals samples, HTML/JUnit/JSON/Markdown written, JUnit valid"

# 2. nextest: one process per test, one run, every record whole.
cargo nextest run -p llama-test-examples --no-fail-fast >/dev/null 2>&1
run_n=$("$cli" runs | tail -1 | cut -d' ' -f1)
case "$run_n" in *nextest*) ;; *) echo "the nextest run has no run of its own: $run_n" >&2; exit 1 ;; esac
"$cli" report "$run_n" --json "$work/nextest.json" 2>"$work/nextest.err"
if grep -q "skipped" "$work/nextest.err"; then cat "$work/nextest.err" >&2; exit 1; fi
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["samples"])' "$work/nextest.json")
[ "$n" = "$evals" ] || { echo "nextest run $run_n has $n records, cargo test had $evals" >&2; exit 1; }
echo "nextest: run $run_n, $n records from $(ls "$target/llama-test/runs/$run_n" | wc -l) processes"

# 3. One fixture re-recorded with another answer -> compare names it.
cp -r fixtures "$work/fixtures"
python3 - "$work/fixtures/evals__text_generation__explains_quantum_computing.json" <<'PY'
import json, sys
path = sys.argv[1]
fixture = json.load(open(path))
message = fixture["interactions"][0]["response"]["body"]["json"]["completion_message"]
message["content"]["text"] = "Qubits can hold many states at once, which lets some problems be solved faster."
json.dump(fixture, open(path, "w"), indent=2)
PY
LLAMA_TEST_FIXTURES="$work/fixtures" cargo test -q -p llama-test-examples >/dev/null 2>&1 && { echo "the changed fixture should fail its eval" >&2; exit 1; }
run_b=$("$cli" runs | tail -1 | cut -d' ' -f1)
"$cli" report --compare "$run_a" "$run_b" > "$work/compare.md"
grep -q "1 newly failing" "$work/compare.md"
grep -q "after:  \"Qubits can hold" "$work/compare.md"
echo "compare $run_a -> $run_b:"
sed -n '3,8p' "$work/compare.md"
