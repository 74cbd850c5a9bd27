//! Tool-call checks: names, argument JSON, schema validation against the
//! request's tools, subsets, absence, count and order.

use crate::support::{answer_with_calls, check};
use llama_test::checks::tools::{CallExpectation, find_call, function_call};
use llama_test::checks::{Assertion, CheckInput, CheckResult, Verdict, text};
use llama_test::{Completion, Tool};
use serde_json::{Value, json};

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

fn tools() -> Vec<Tool> {
    vec![
        weather_tool(),
        Tool::function("get_time", json!({"type": "object"})),
    ]
}

/// Checks `completion` against the assertion `kind: value`, with [`tools`]
/// declared.
fn run(kind: &str, value: Value, completion: &Completion) -> CheckResult {
    check(
        kind,
        value,
        None,
        &CheckInput::new(completion).with_tools(&tools()),
    )
}

#[test]
fn function_call_passes_with_valid_arguments() {
    let c = answer_with_calls("", &[("get_weather", r#"{"location": "New York, NY"}"#)]);
    let r = run("function_call", json!("get_weather"), &c);
    assert!(r.passed(), "{}", r.reason);
    assert!(
        r.reason
            .contains(r#"get_weather({"location": "New York, NY"})"#),
        "{}",
        r.reason
    );
}

#[test]
fn function_call_fails_on_hallucinated_parameter() {
    let c = answer_with_calls(
        "",
        &[("get_weather", r#"{"location": "Paris", "country": "FR"}"#)],
    );
    let r = run("function_call", json!("get_weather"), &c);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        r.reason.contains("break the tool's parameters schema"),
        "{}",
        r.reason
    );
    assert!(r.reason.contains("country"), "{}", r.reason);
}

#[test]
fn function_call_fails_on_invalid_argument_json_and_shows_raw_text() {
    let c = answer_with_calls("", &[("get_weather", r#"{"location": "Paris""#)]);
    let r = run("function_call", json!("get_weather"), &c);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(r.reason.contains("are not valid JSON"), "{}", r.reason);
    assert!(
        r.reason.contains(r#"get_weather({"location": "Paris")"#),
        "{}",
        r.reason
    );
    // Missing required parameter and wrong enum value fail too.
    let c = answer_with_calls("", &[("get_weather", r#"{"unit": "kelvin"}"#)]);
    let r = run("function_call", json!("get_weather"), &c);
    assert!(
        r.reason.contains("\"location\" is a required property"),
        "{}",
        r.reason
    );
    assert!(r.reason.contains("at /unit"), "{}", r.reason);
}

#[test]
fn function_call_failure_shows_actual_calls_and_text() {
    let c = answer_with_calls("Let me check the time.", &[("get_time", "{}")]);
    let r = run("function_call", json!("get_weather"), &c);
    assert!(!r.passed());
    assert!(
        r.reason.contains("the calls were get_time({})"),
        "{}",
        r.reason
    );
    assert!(
        r.reason.contains("text: \"Let me check the time.\""),
        "{}",
        r.reason
    );
    let plain = answer_with_calls("It is sunny.", &[]);
    let r = run("function_call", json!("get_weather"), &plain);
    assert!(
        r.reason
            .contains("it made no tool call; text: \"It is sunny.\""),
        "{}",
        r.reason
    );
}

#[test]
fn function_call_with_argument_subset() {
    let c = answer_with_calls(
        "",
        &[(
            "get_weather",
            r#"{"location": "New York, NY", "unit": "celsius"}"#,
        )],
    );
    let ok = json!({"name": "get_weather", "arguments": {"location": "New York, NY"}});
    assert!(run("function_call", ok, &c).passed());
    let bad = json!({"name": "get_weather", "arguments": {"unit": "fahrenheit"}});
    let r = run("function_call", bad, &c);
    assert!(!r.passed());
    assert!(
        r.reason
            .contains("at /unit: expected \"fahrenheit\", got \"celsius\""),
        "{}",
        r.reason
    );
}

#[test]
fn any_matching_call_among_several_passes() {
    let c = answer_with_calls(
        "",
        &[
            ("get_weather", r#"{"location": "Paris", "bogus": 1}"#),
            ("get_weather", r#"{"location": "Rome"}"#),
        ],
    );
    let r = run(
        "function_call",
        json!({"name": "get_weather", "arguments": {"location": "Rome"}}),
        &c,
    );
    assert!(r.passed(), "{}", r.reason);
}

#[test]
fn undeclared_tool_or_bad_parameters_schema_is_an_error() {
    let c = answer_with_calls("", &[("lookup", "{}")]);
    let r = run("function_call", json!("lookup"), &c);
    assert_eq!(r.verdict, Verdict::Error);
    assert!(
        r.reason.contains("declares no tool of that name"),
        "{}",
        r.reason
    );
    let broken = vec![Tool::function("f", json!({"type": 12}))];
    let c = answer_with_calls("", &[("f", "{}")]);
    let r = function_call(&c, &broken, &CallExpectation::named("f"));
    assert_eq!(r.verdict, Verdict::Error);
    assert!(r.reason.contains("invalid JSON Schema"), "{}", r.reason);
}

#[test]
fn without_declared_tools_only_json_is_checked() {
    let c = answer_with_calls("", &[("anything", r#"{"x": 1}"#)]);
    let r = function_call(&c, &[], &CallExpectation::named("anything"));
    assert!(r.passed());
    assert!(r.reason.contains("no schema was checked"), "{}", r.reason);
}

#[test]
fn not_function_call_and_no_tool_call() {
    let c = answer_with_calls("", &[("get_time", "{}")]);
    assert!(run("not_function_call", json!("get_weather"), &c).passed());
    let r = run("not_function_call", json!("get_time"), &c);
    assert!(!r.passed());
    assert_eq!(r.name, "not_function_call");
    assert!(
        r.reason.contains("not call `get_time`") && r.reason.contains("it called get_time({})"),
        "{}",
        r.reason
    );
    // With a subset, only matching calls count.
    let args = json!({"name": "get_time", "arguments": {"zone": "UTC"}});
    assert!(run("not_function_call", args, &c).passed());

    assert!(run("no_tool_call", Value::Null, &answer_with_calls("Hi", &[])).passed());
    let r = run("no_tool_call", json!(true), &c);
    assert!(!r.passed() && r.reason.contains("get_time({})"));
    assert!(Assertion::parse("not_no_tool_call", Value::Null, 1.0, None).is_err());
}

#[test]
fn tool_call_count_and_order() {
    let c = answer_with_calls(
        "",
        &[
            ("get_time", "{}"),
            ("get_weather", r#"{"location": "A"}"#),
            ("get_weather", r#"{"location": "B"}"#),
        ],
    );
    assert!(run("tool_call_count", json!(3), &c).passed());
    assert!(
        run(
            "tool_call_count",
            json!({"name": "get_weather", "min": 2}),
            &c
        )
        .passed()
    );
    let r = run("tool_call_count", json!({"name": "get_time", "max": 0}), &c);
    assert!(
        !r.passed() && r.reason.contains("make at most 0 calls to `get_time`"),
        "{}",
        r.reason
    );

    assert!(run("tool_call_order", json!(["get_time", "get_weather"]), &c).passed());
    assert!(!run("tool_call_order", json!(["get_weather", "get_time"]), &c).passed());
    let exact = json!({"value": ["get_time", "get_weather"], "exact": true});
    let r = run("tool_call_order", exact, &c);
    assert!(!r.passed());
    assert!(
        r.reason
            .contains("[\"get_time\", \"get_weather\", \"get_weather\"]"),
        "{}",
        r.reason
    );
}

#[test]
fn seed_location_check_reads_as_plain_rust() {
    let c = answer_with_calls("", &[("get_weather", r#"{"location": "New York, NY"}"#)]);
    let call = find_call(&c, "get_weather").expect("get_weather was not called");
    let location = call.arguments["location"].as_str().unwrap_or_default();
    text::contains(location, "New York").assert();
}
