//! promptfoo's `transform` on an assertion: the check sees the result of
//! JavaScript over `output` instead of the answer.

use crate::support::{answer, answer_with_calls};
use llama_test::checks::{Assertion, CheckInput, CheckResult, Verdict};
use llama_test::{Completion, Result};
use serde_json::{Value, json};

fn transformed(kind: &str, value: Value, transform: Value) -> Result<Assertion> {
    Assertion::parse(kind, value, 1.0, None)?.with_transform(&transform)
}

fn run(kind: &str, value: Value, transform: &str, completion: &Completion) -> CheckResult {
    transformed(kind, value, json!(transform))
        .unwrap()
        .evaluate(&CheckInput::new(completion))
}

#[test]
fn a_string_result_replaces_the_text() {
    let c = answer(r#"{"category": "Billing", "urgent": true}"#);
    let code = "JSON.parse(output).category.toLowerCase()";
    let pass = run("equals", json!("billing"), code, &c);
    assert!(pass.passed(), "{pass}");
    assert!(pass.reason.contains("after the transform"), "{pass}");
    let fail = run("equals", json!("shipping"), code, &c);
    assert_eq!(fail.verdict, Verdict::Fail, "{fail}");
    assert!(fail.reason.contains("\"billing\""), "{fail}");
    assert!(fail.reason.contains(code), "{fail}");
    // Without the transform the same check sees the whole answer.
    let plain = Assertion::parse("equals", json!("billing"), 1.0, None).unwrap();
    assert_eq!(plain.evaluate(&CheckInput::new(&c)).verdict, Verdict::Fail);
}

#[test]
fn another_result_is_its_json_text() {
    let c = answer("one two three");
    let code = "({words: output.split(' ').length})";
    assert!(run("equals", json!({"words": 3}), code, &c).passed());
    assert!(run("is_json", json!(null), code, &c).passed());
    let r = run("equals", json!({"words": 4}), code, &c);
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
    assert!(run("not_is_json", json!(null), "output", &c).passed());
}

#[test]
fn a_javascript_check_gets_the_result_itself() {
    let c = answer("a,b,c");
    let r = run(
        "javascript",
        json!("Array.isArray(output) && output.length === 3"),
        "output.split(',')",
        &c,
    );
    assert!(r.passed(), "{r}");
    let r = run(
        "javascript",
        json!("output.length === 5"),
        "output.split(',')",
        &c,
    );
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
}

#[test]
fn a_tool_call_answer_is_transformed_from_its_object() {
    let c = answer_with_calls("", &[("get_weather", r#"{"location": "New York, NY"}"#)]);
    let code = "output.arguments.location";
    assert!(run("icontains", json!("new york"), code, &c).passed());
    assert_eq!(
        run("icontains", json!("paris"), code, &c).verdict,
        Verdict::Fail
    );
    // The transformed output holds no calls.
    let r = run("function_call", json!("get_weather"), code, &c);
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
}

#[test]
fn a_throw_or_no_value_fails_the_check_under_its_key() {
    let c = answer("plain text");
    let r = run("contains", json!("x"), "JSON.parse(output).x", &c);
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
    assert_eq!(r.name, "contains");
    assert!(r.reason.contains("transform threw SyntaxError"), "{r}");
    let r = run("not_contains", json!("x"), "JSON.parse(output).x", &c);
    assert_eq!(r.verdict, Verdict::Fail, "a throw is not inverted: {r}");
    let r = run("contains", json!("x"), "({}).missing", &c);
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
    assert!(r.reason.contains("returned undefined"), "{r}");
}

#[test]
fn an_endless_transform_is_an_error() {
    let r = run(
        "contains",
        json!("x"),
        "(() => { for (;;) {} })()",
        &answer("x"),
    );
    assert_eq!(r.verdict, Verdict::Error, "{r}");
    assert!(r.reason.contains("time limit"), "{r}");
}

#[test]
fn a_syntax_error_is_a_config_error_naming_the_transform() {
    let e = transformed("contains", json!("x"), json!("output.trim(")).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("`transform`"), "{text}");
    assert!(text.contains("SyntaxError"), "{text}");
}

#[test]
fn a_file_transform_exports_a_function() {
    let file = json!({"file": "t.js", "function": "first", "source": "module.exports.first = (o, c) => o.split(' ')[0] + c.vars.suffix;"});
    let a = transformed("equals", json!("hello!"), file).unwrap();
    let c = answer("hello world");
    let vars = [("suffix", "!")];
    let input = CheckInput::new(&c).with_context(None, &vars);
    assert!(a.evaluate(&input).passed());
    assert_eq!(a.evaluate(&CheckInput::new(&c)).verdict, Verdict::Fail);
}
