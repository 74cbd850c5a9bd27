//! `javascript` checks (promptfoo suites) and the other suite-only kinds:
//! `length`, `tool_call_f1`, `valid_tool_calls`, and `function_call`'s
//! `if_undeclared = "fail"`.

use std::time::Instant;

use crate::support::{answer, answer_with_calls, check, run, run_with_threshold};
use llama_test::checks::{Assertion, CheckInput, Verdict};
use llama_test::request::Tool;
use serde_json::json;

fn js(code: &str, output: &str) -> llama_test::checks::CheckResult {
    run("javascript", json!(code), output)
}

#[test]
fn a_boolean_decides() {
    assert!(js("output.includes('quantum')", "quantum bits").passed());
    let r = js("output.includes('quantum')", "classical bits");
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
    assert!(r.reason.contains("output.includes('quantum')"), "{r}");
    assert!(r.reason.contains("returned false"), "{r}");
}

#[test]
fn a_number_is_a_score_against_the_threshold() {
    let ten = "x".repeat(10);
    let pass = run_with_threshold("javascript", json!("output.length / 20"), Some(0.5), &ten);
    assert!(pass.passed(), "{pass}");
    assert_eq!(pass.score, 0.5);
    let fail = run_with_threshold("javascript", json!("output.length / 20"), Some(0.6), &ten);
    assert_eq!(fail.verdict, Verdict::Fail, "{fail}");
    // Without a threshold, any score > 0 passes.
    assert!(js("output.length / 100", &ten).passed());
    assert_eq!(js("0", &ten).verdict, Verdict::Fail);
}

#[test]
fn a_grading_result_is_honoured() {
    let r = js("({pass: false, score: 0.25, reason: 'too terse'})", "hi");
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(r.score, 0.25);
    assert!(r.reason.contains("too terse"), "{r}");
    let ok = js("({pass: output === 'hi', score: 0.9})", "hi");
    assert!(ok.passed() && ok.score == 0.9, "{ok}");
    let not = run("not_javascript", json!("({pass: true})"), "hi");
    assert_eq!(not.verdict, Verdict::Fail, "{not}");
}

#[test]
fn a_multi_line_body_and_declarations() {
    let body = "const words = output.split(' ');\nreturn words.length === 2;";
    assert!(js(body, "two words").passed());
    assert!(js("const n = output.length; n === 3", "abc").passed());
}

#[test]
fn an_answer_that_is_one_tool_call_is_an_object() {
    let c = answer_with_calls("", &[("get_weather", r#"{"location": "New York, NY"}"#)]);
    let input = CheckInput::new(&c);
    let seed = "output.arguments.location.includes('New York')";
    assert!(check("javascript", json!(seed), None, &input).passed());
    let typed =
        "typeof output === 'object' && output.name === 'get_weather' && output.id === 'call_0'";
    assert!(check("javascript", json!(typed), None, &input).passed());
}

#[test]
fn a_json_answer_is_text_so_json_parse_works() {
    let seed = "JSON.parse(output).rating >= 1 && JSON.parse(output).rating <= 5";
    assert!(js(seed, r#"{"rating": 4, "summary": "good"}"#).passed());
    assert_eq!(js(seed, r#"{"rating": 9}"#).verdict, Verdict::Fail);
}

#[test]
fn a_throw_is_a_fail_showing_the_error_and_the_code() {
    let code = "JSON.parse(output).category.toLowerCase()";
    let r = js(code, r#"{"rating": 4}"#);
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
    assert!(r.reason.contains("TypeError"), "{r}");
    assert!(r.reason.contains(code), "{r}");
    let not_json = js("JSON.parse(output).x", "plain text");
    assert_eq!(not_json.verdict, Verdict::Fail, "{not_json}");
    assert!(not_json.reason.contains("SyntaxError"), "{not_json}");
}

#[test]
fn an_endless_loop_is_an_error_after_the_time_limit() {
    let start = Instant::now();
    let r = js("(() => { while (true) {} })()", "x");
    assert_eq!(r.verdict, Verdict::Error, "{r}");
    assert!(r.reason.contains("time limit"), "{r}");
    let took = start.elapsed().as_secs_f64();
    assert!((0.9..5.0).contains(&took), "stopped after {took} s");
}

#[test]
fn running_out_of_memory_is_an_error() {
    let r = js("let a = []; for (;;) a.push('x'.repeat(4096)); true", "x");
    assert_eq!(r.verdict, Verdict::Error, "{r}");
    assert!(r.reason.contains("memory limit"), "{r}");
}

#[test]
fn a_syntax_error_is_a_config_error_before_any_request() {
    let e = Assertion::parse("javascript", json!("output.length >"), 1.0, None).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("SyntaxError"), "{text}");
    assert!(text.contains("output.length >"), "{text}");
}

#[test]
fn context_has_vars_and_prompt() {
    let c = answer("Paris");
    let vars = [("city", "Paris")];
    let input = CheckInput::new(&c).with_context(Some("Capital of France?"), &vars);
    let code = "output === context.vars.city && context.prompt.includes('France')";
    assert!(check("javascript", json!(code), None, &input).passed());
}

#[test]
fn no_file_or_network_access() {
    for name in ["require", "process", "fetch", "std", "os"] {
        let r = js(&format!("typeof {name} === 'undefined'"), "x");
        assert!(r.passed(), "{name}: {r}");
    }
}

#[test]
fn a_file_script_exports_a_function() {
    let value = json!({"file": "check.js", "source": "module.exports = (output, context) => output.length > 2;"});
    assert!(run("javascript", value.clone(), "abc").passed());
    assert_eq!(run("javascript", value, "a").verdict, Verdict::Fail);
    let named = json!({"file": "c.js", "function": "short", "source": "module.exports.short = (o) => o.length < 3;"});
    assert!(run("javascript", named, "a").passed());
    let esm = json!({"file": "e.js", "source": "export default function (output) { return output === 'x'; }"});
    assert!(run("javascript", esm, "x").passed());
    let none = json!({"file": "n.js", "source": "const x = 1;"});
    let r = run("javascript", none, "x");
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
    assert!(r.reason.contains("exports no function"), "{r}");
}

#[test]
fn length_counts_characters() {
    assert!(run("length", json!({"min": 2, "max": 5}), "héllo").passed());
    assert_eq!(
        run("length", json!({"max": 3}), "hello").verdict,
        Verdict::Fail
    );
    assert!(run("not_length", json!(3), "hello").passed());
}

#[test]
fn tool_call_f1_scores_the_called_names() {
    let c = answer_with_calls("", &[("a", "{}"), ("b", "{}")]);
    let input = CheckInput::new(&c);
    let both = check("tool_call_f1", json!(["a", "b"]), None, &input);
    assert!(both.passed() && both.score == 1.0, "{both}");
    let half = check("tool_call_f1", json!(["a"]), None, &input);
    assert_eq!(half.verdict, Verdict::Fail, "{half}");
    assert!((half.score - 2.0 / 3.0).abs() < 1e-9, "{half}");
    assert!(check("tool_call_f1", json!(["a"]), Some(0.6), &input).passed());
}

fn weather_tool() -> Vec<Tool> {
    vec![Tool::function(
        "get_weather",
        json!({"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}),
    )]
}

#[test]
fn valid_tool_calls_checks_names_and_schemas() {
    let tools = weather_tool();
    let good = answer_with_calls("", &[("get_weather", r#"{"location": "Paris"}"#)]);
    let r = check(
        "valid_tool_calls",
        json!(null),
        None,
        &CheckInput::new(&good).with_tools(&tools),
    );
    assert!(r.passed(), "{r}");
    let bad = answer_with_calls("", &[("get_weather", r#"{"city": "Paris"}"#)]);
    let r = check(
        "valid_tool_calls",
        json!(null),
        None,
        &CheckInput::new(&bad).with_tools(&tools),
    );
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
    let other = answer_with_calls("", &[("search", "{}")]);
    let r = check(
        "valid_tool_calls",
        json!(null),
        None,
        &CheckInput::new(&other).with_tools(&tools),
    );
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
    let text = answer("no call");
    let r = check(
        "valid_tool_calls",
        json!(null),
        None,
        &CheckInput::new(&text).with_tools(&tools),
    );
    assert_eq!(r.verdict, Verdict::Fail, "{r}");
    let r = check(
        "valid_tool_calls",
        json!(null),
        None,
        &CheckInput::new(&good),
    );
    assert_eq!(r.verdict, Verdict::Error, "no tools declared: {r}");
}

#[test]
fn an_undeclared_tool_fails_in_a_suite_and_errors_otherwise() {
    let tools = weather_tool();
    let c = answer_with_calls("", &[("search", "{}")]);
    let input = CheckInput::new(&c).with_tools(&tools);
    let suite = check(
        "function_call",
        json!({"name": "search", "if_undeclared": "fail"}),
        None,
        &input,
    );
    assert_eq!(suite.verdict, Verdict::Fail, "{suite}");
    assert!(
        suite.reason.contains("declares no tool `search`"),
        "{suite}"
    );
    let attribute = check("function_call", json!("search"), None, &input);
    assert_eq!(attribute.verdict, Verdict::Error, "{attribute}");
}
