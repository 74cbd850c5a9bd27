//! 10,000 mixed deterministic checks, timed against same-run baselines.
//!
//! Run: `cargo bench -p llama-test --bench checks`. Target: ≤ 50 ms for the
//! 10,000 checks on a 2-core machine. Validators are compiled once, when the
//! assertions are parsed, as in a real test binary.
//!
//! Also timed (no target): a promptfoo `javascript` check, which runs in a
//! fresh QuickJS runtime of its own (the sandbox), against a native
//! `contains` check of the same answers.

use std::hint::black_box;
use std::time::{Duration, Instant};

use llama_test::checks::schema::Schema;
use llama_test::checks::{Assertion, CheckInput};
use llama_test::{Completion, Endpoint, Tool, ToolCall};
use serde_json::{Value, json};

const CHECKS: usize = 10_000;
const ROUNDS: usize = 7;
const TARGET: Duration = Duration::from_millis(50);
/// Fewer `javascript` checks are timed: each starts a QuickJS runtime.
#[cfg(feature = "javascript")]
const JS_CHECKS: usize = 1_000;

fn review_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "rating": {"type": "number", "minimum": 1, "maximum": 5},
            "summary": {"type": "string", "minLength": 1},
            "pros": {"type": "array", "items": {"type": "string"}},
            "cons": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["rating", "summary"]
    })
}

fn weather_tool() -> Tool {
    Tool::function(
        "get_weather",
        json!({
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
            },
            "required": ["location"],
            "additionalProperties": false
        }),
    )
}

fn completion(text: &str, calls: &[(&str, &str)]) -> Completion {
    let mut c = Completion::empty("Llama-3.3-70B-Instruct", Endpoint::Native);
    c.text = text.to_owned();
    c.tool_calls = calls
        .iter()
        .map(|(n, a)| ToolCall::from_wire("call_1", *n, *a))
        .collect();
    c
}

fn answers() -> Vec<Completion> {
    let prose = "Quantum computing uses qubits, which can hold a superposition of 0 and 1. \
        Entanglement links qubits so that measuring one tells you about the other. \
        Together these let some algorithms, like Shor's factoring, outrun classical ones. "
        .repeat(3);
    let json = r#"{"rating": 4, "summary": "Great sound, short battery life", "pros": ["sound", "comfort"], "cons": ["battery"]}"#;
    let fenced = format!(
        "Here is my review of the headphones:\n```json\n{json}\n```\nLet me know if you need more {{detail}}."
    );
    vec![
        completion(&prose, &[]),
        completion(json, &[]),
        completion(&fenced, &[]),
        completion(
            "",
            &[(
                "get_weather",
                r#"{"location": "New York, NY", "unit": "celsius"}"#,
            )],
        ),
        completion(
            "I'll check.",
            &[("get_weather", r#"{"location": "Paris", "country": "FR"}"#)],
        ),
    ]
}

fn assertions() -> Vec<Assertion> {
    let a = |kind: &str, value: Value| {
        Assertion::parse(kind, value, 1.0, None).expect("bench assertion parses")
    };
    vec![
        a("contains", json!("qubits")),
        a("icontains", json!("QUANTUM")),
        a(
            "contains_all",
            json!(["qubits", "entanglement", "classical"]),
        ),
        a("not_contains", json!("As an AI")),
        a("starts_with", json!("Here")),
        a("regex", json!(r"(?i)\bshor'?s\b")),
        a("word_count", json!({"min": 5, "max": 200})),
        a("is_json", review_schema()),
        a("contains_json", review_schema()),
        a(
            "function_call",
            json!({"name": "get_weather", "arguments": {"location": "New York, NY"}}),
        ),
        a("no_tool_call", Value::Null),
        a("equals", json!({"rating": 4})),
    ]
}

/// Runs `f` for several rounds and returns the fastest and the median.
fn time(mut f: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    let mut runs = Vec::with_capacity(ROUNDS);
    let mut sink = 0;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        sink += f();
        runs.push(start.elapsed());
    }
    runs.sort();
    (runs[0], runs[ROUNDS / 2], sink)
}

fn main() {
    let answers = answers();
    let tools = vec![weather_tool()];
    let inputs: Vec<CheckInput<'_>> = answers
        .iter()
        .map(|c| CheckInput::new(c).with_tools(&tools))
        .collect();
    let compile_start = Instant::now();
    let assertions = assertions();
    let compile = compile_start.elapsed();

    let (best, median, passes) = time(|| {
        (0..CHECKS)
            .filter(|i| {
                let assertion = &assertions[i % assertions.len()];
                let input = &inputs[(i / assertions.len()) % inputs.len()];
                black_box(assertion.evaluate(black_box(input))).passed()
            })
            .count()
    });

    // Baseline 1: the cheapest possible check on the same texts.
    let (contains_best, contains_median, _) = time(|| {
        (0..CHECKS)
            .filter(|i| black_box(&answers[i % answers.len()].text).contains(black_box("qubits")))
            .count()
    });
    // Baseline 2: raw schema validation (precompiled) of parsed JSON.
    let schema = Schema::compile(&review_schema()).expect("bench schema compiles");
    let parsed: Value = serde_json::from_str(&answers[1].text).expect("bench JSON parses");
    let (schema_best, schema_median, _) = time(|| {
        (0..CHECKS)
            .filter(|_| schema.is_valid(black_box(&parsed)))
            .count()
    });

    let per = |d: Duration| d.as_secs_f64() * 1e9 / CHECKS as f64;
    println!("llama-test checks benchmark ({CHECKS} checks, best/median of {ROUNDS} rounds)");
    println!(
        "  parse + compile {} assertions (once):  {compile:>10.2?}",
        assertions.len()
    );
    println!(
        "  mixed deterministic checks:            {best:>10.2?} / {median:>10.2?}  ({:.0} ns/check; {} passed per round)",
        per(best),
        passes / ROUNDS
    );
    println!(
        "  baseline str::contains:                {contains_best:>10.2?} / {contains_median:>10.2?}  ({:.0} ns/call)",
        per(contains_best)
    );
    println!(
        "  baseline precompiled schema is_valid:  {schema_best:>10.2?} / {schema_median:>10.2?}  ({:.0} ns/call)",
        per(schema_best)
    );
    let verdict = if median <= TARGET { "met" } else { "NOT met" };
    println!("  target ≤ {TARGET:?} for {CHECKS} checks (median): {verdict}");
    #[cfg(feature = "javascript")]
    javascript(&inputs);
}

/// A `javascript` check against the native check it stands for, per check.
#[cfg(feature = "javascript")]
fn javascript(inputs: &[CheckInput<'_>]) {
    let contains =
        Assertion::parse("contains", json!("qubits"), 1.0, None).expect("bench assertion parses");
    let script = Assertion::parse("javascript", json!("output.includes('qubits')"), 1.0, None)
        .expect("bench javascript parses");
    let timed = |assertion: &Assertion, count: usize| {
        let (_, median, passes) = time(|| {
            (0..count)
                .filter(|i| {
                    let input = &inputs[i % inputs.len()];
                    black_box(assertion.evaluate(black_box(input))).passed()
                })
                .count()
        });
        (median.as_secs_f64() * 1e9 / count as f64, passes / ROUNDS)
    };
    let (native, native_passes) = timed(&contains, JS_CHECKS);
    let (js, js_passes) = timed(&script, JS_CHECKS);
    assert_eq!(
        native_passes, js_passes,
        "both checks agree on every answer"
    );
    println!(
        "  javascript `output.includes(..)` ({JS_CHECKS} checks, median): {:.1} µs/check, \
         {:.0}x the native `contains` check ({native:.0} ns/check)",
        js / 1e3,
        js / native
    );
}
