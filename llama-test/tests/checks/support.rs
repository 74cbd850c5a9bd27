//! Answers and one-assertion runs shared by the check tests.

use llama_test::checks::{Assertion, CheckInput, CheckResult};
use llama_test::{Completion, Endpoint, ToolCall};
use serde_json::Value;

/// A native answer from `Llama-3.3-70B-Instruct` saying `text`.
pub fn answer(text: &str) -> Completion {
    let mut c = Completion::empty("Llama-3.3-70B-Instruct", Endpoint::Native);
    c.text = text.to_owned();
    c
}

/// [`answer`] that also made `calls`, `(name, raw arguments)` each, with
/// ids `call_0`, `call_1`, ...
pub fn answer_with_calls(text: &str, calls: &[(&str, &str)]) -> Completion {
    let mut c = answer(text);
    c.tool_calls = calls
        .iter()
        .enumerate()
        .map(|(i, (name, args))| ToolCall::from_wire(format!("call_{i}"), *name, *args))
        .collect();
    c
}

/// Parses the assertion `kind: value` (weight 1, no threshold) and checks
/// an answer saying `output`.
pub fn run(kind: &str, value: Value, output: &str) -> CheckResult {
    check(kind, value, None, &CheckInput::new(&answer(output)))
}

/// Parses the assertion `kind: value` (weight 1) with `threshold` and
/// checks `input`.
pub fn check(kind: &str, value: Value, threshold: Option<f64>, input: &CheckInput) -> CheckResult {
    Assertion::parse(kind, value, 1.0, threshold)
        .unwrap()
        .evaluate(input)
}

/// [`run`] with a `threshold`.
pub fn run_with_threshold(
    kind: &str,
    value: Value,
    threshold: Option<f64>,
    output: &str,
) -> CheckResult {
    check(kind, value, threshold, &CheckInput::new(&answer(output)))
}
