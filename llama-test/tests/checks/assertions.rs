//! Parsing assertion keys, metadata checks, and promptfoo-style aggregation.

use std::time::Duration;

use crate::support::answer;
use llama_test::checks::{ASSERTION_KINDS, Assertion, CheckInput, Verdict, evaluate_all};
use llama_test::{StopReason, ToolCall, Usage};
use serde_json::{Value, json};

fn parse(kind: &str, value: Value) -> Assertion {
    Assertion::parse(kind, value, 1.0, None).unwrap()
}

fn parse_err(kind: &str, value: Value, weight: f64, threshold: Option<f64>) -> String {
    Assertion::parse(kind, value, weight, threshold)
        .unwrap_err()
        .to_string()
}

#[test]
fn every_listed_kind_parses_with_a_typical_value() {
    for kind in ASSERTION_KINDS {
        let base = kind.strip_prefix("not_").unwrap_or(kind);
        let value = match base {
            "contains_any" | "contains_all" | "icontains_any" | "icontains_all"
            | "tool_call_order" | "tool_sequence" | "tool_call_f1" => json!(["a"]),
            "word_count" | "max_latency_ms" | "max_tokens_used" | "max_cost"
            | "tool_call_count" | "max_steps" => {
                json!(3)
            }
            "is_refusal" | "is_json" | "contains_json" | "no_tool_call" | "no_repeated_call" => {
                Value::Null
            }
            "tool_args_match" => json!({"name": "a", "arguments": {"b": 1}}),
            _ => json!("x"),
        };
        assert!(Assertion::parse(kind, value, 1.0, None).is_ok(), "{kind}");
    }
}

#[test]
fn unknown_key_suggests_the_closest_and_lists_all() {
    let e = parse_err("function-call", json!("f"), 1.0, None);
    assert!(e.contains("unknown assertion `function-call`"), "{e}");
    assert!(e.contains("did you mean `function_call`?"), "{e}");
    assert!(e.contains("expected one of: contains, icontains"), "{e}");
    let e = parse_err("contians", json!("x"), 1.0, None);
    assert!(e.contains("did you mean `contains`?"), "{e}");
    let e = parse_err("not_max_latency_ms", json!(5), 1.0, None);
    assert!(e.contains("has no `not_` form"), "{e}");
}

/// One did-you-mean everywhere: the runtime suggests what the attribute's
/// compile error suggests (it used Jaro-Winkler of its own, which offered
/// `tool_call_order` for `tool_call`).
#[test]
fn unknown_keys_get_the_suggestion_of_the_compile_error() {
    for key in [
        "contians",
        "function-call",
        "Contains",
        "not_contians",
        "tool_call",
        "bananas",
    ] {
        let e = parse_err(key, json!("x"), 1.0, None);
        match llama_test_core::checks::suggest(key) {
            Some(s) => assert!(e.contains(&format!("(did you mean `{s}`?)")), "{key}: {e}"),
            None => assert!(!e.contains("did you mean"), "{key}: {e}"),
        }
        let compile_error = llama_test_core::checks::lookup(key).unwrap_err();
        assert_eq!(
            compile_error.contains("did you mean"),
            e.contains("did you mean"),
            "{key}: {compile_error} / {e}"
        );
    }
    assert_eq!(
        llama_test_core::checks::suggest("tool_call"),
        Some("no_tool_call")
    );
}

#[test]
fn values_are_checked_not_ignored() {
    assert!(parse_err("contains", json!(""), 1.0, None).contains("empty string"));
    assert!(
        parse_err("contains", json!(["a"]), 1.0, None)
            .contains("expected a string or number, got an array")
    );
    assert!(parse_err("contains_all", json!([]), 1.0, None).contains("the list is empty"));
    assert!(
        parse_err("contains", json!("x"), 1.0, Some(0.5))
            .contains("`threshold` has no meaning here")
    );
    assert!(parse_err("contains", json!("x"), -1.0, None).contains("`weight` must be"));
    assert!(parse_err("is_json", json!(false), 1.0, None).contains("use `not_is_json`"));
    assert!(
        parse_err("function_call", json!({"nme": "f"}), 1.0, None).contains("unknown field `nme`")
    );
    assert!(
        parse_err(
            "llm_rubric",
            json!({"value": "r", "treshold": 0.5}),
            1.0,
            None
        )
        .contains("unknown field")
    );
    assert!(parse_err("max_latency_ms", json!(-5), 1.0, None).contains("non-negative integer"));
    let e = Assertion::parse_json_text("contains", "\"unterminated", 1.0, None, &[]).unwrap_err();
    assert!(e.to_string().contains("not valid JSON"), "{e}");
}

#[test]
fn macro_form_parses_json_text_with_vars() {
    let a = Assertion::parse_json_text(
        "contains",
        "\"{{city}}\"",
        1.0,
        None,
        &[("city", "New York")],
    )
    .unwrap();
    let out = answer("Weather in New York: sunny");
    assert!(a.evaluate(&CheckInput::new(&out)).passed());
}

#[test]
fn stop_reason_normalizes_synonyms() {
    let mut c = answer("...");
    c.stop_reason = Some(StopReason::Length);
    let input = CheckInput::new(&c);
    assert!(
        parse("stop_reason", json!("max_tokens"))
            .evaluate(&input)
            .passed()
    );
    let r = parse("stop_reason", json!("stop")).evaluate(&input);
    assert!(
        !r.passed() && r.reason.contains("it stopped with \"length\""),
        "{}",
        r.reason
    );
    assert!(
        parse("not_stop_reason", json!("stop"))
            .evaluate(&input)
            .passed()
    );
    let none = answer("");
    assert!(
        !parse("stop_reason", json!("stop"))
            .evaluate(&CheckInput::new(&none))
            .passed()
    );
}

#[test]
fn latency_and_token_budgets() {
    let mut c = answer("hi");
    c.latency = Duration::from_millis(812);
    let input = CheckInput::new(&c);
    let r = parse("max_latency_ms", json!(500)).evaluate(&input);
    assert_eq!(
        r.reason,
        "expected output to arrive within 500 ms, but it took 812 ms"
    );
    assert!(
        parse("max_latency_ms", json!(1000))
            .evaluate(&input)
            .passed()
    );
    // No usage reported: an error, never a silent pass.
    assert_eq!(
        parse("max_tokens_used", json!(100))
            .evaluate(&input)
            .verdict,
        Verdict::Error
    );
    c.usage = Some(Usage {
        prompt_tokens: 100,
        completion_tokens: 50,
        total_tokens: 150,
    });
    let input = CheckInput::new(&c);
    let r = parse("max_tokens_used", json!(120)).evaluate(&input);
    assert!(
        r.reason
            .contains("it used 150 (prompt 100 + completion 50)"),
        "{}",
        r.reason
    );
    assert!(
        parse("max_tokens_used", json!(150))
            .evaluate(&input)
            .passed()
    );
}

#[tokio::test]
async fn every_assertion_is_evaluated_and_weighted() {
    // promptfoo's observed example: equals w2 (fail) + contains w1 (pass) = 0.333.
    let out = answer("Paris is lovely");
    let assertions = vec![
        Assertion::parse("equals", json!("Paris"), 2.0, None).unwrap(),
        Assertion::parse("contains", json!("Paris"), 1.0, None).unwrap(),
    ];
    let input = CheckInput::new(&out);
    let report = evaluate_all(&assertions, &input, None, None).await;
    assert_eq!(report.results.len(), 2);
    assert!((report.score - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(report.verdict, Verdict::Fail);
    assert!(
        evaluate_all(&assertions, &input, None, Some(0.3))
            .await
            .passed()
    );
    let gated = evaluate_all(&assertions, &input, None, Some(0.5)).await;
    assert_eq!(gated.verdict, Verdict::Fail);
    assert!(
        gated
            .summary()
            .contains("weighted score 0.33 < threshold 0.5"),
        "{}",
        gated.summary()
    );
}

#[tokio::test]
async fn errors_win_over_scores_and_weight_zero_is_informational() {
    let out = answer("hello");
    let input = CheckInput::new(&out);
    let info = vec![
        Assertion::parse("contains", json!("hello"), 1.0, None).unwrap(),
        Assertion::parse("contains", json!("bye"), 0.0, None).unwrap(),
    ];
    let report = evaluate_all(&info, &input, None, None).await;
    assert!(report.passed());
    assert!(
        report
            .to_string()
            .contains("FAIL  contains (weight 0, informational)"),
        "{report}"
    );

    let with_error = vec![
        Assertion::parse("contains", json!("hello"), 1.0, None).unwrap(),
        Assertion::parse("max_tokens_used", json!(10), 1.0, None).unwrap(),
        Assertion::invalid("regex", 1.0, "invalid regex \"(\""),
    ];
    let report = evaluate_all(&with_error, &input, None, Some(0.1)).await;
    assert_eq!(report.verdict, Verdict::Error);
    assert_eq!(report.errors().count(), 2);
    assert!(
        report.to_string().contains("ERROR regex: invalid regex"),
        "{report}"
    );

    let empty = evaluate_all(&[], &input, None, None).await;
    assert!(empty.passed() && empty.score == 1.0);
}

#[tokio::test]
async fn report_lists_failures_with_expected_actual_and_trimmed_output() {
    let mut out = answer(&"Quantum bits, or qubits, hold superpositions. ".repeat(20));
    out.tool_calls
        .push(ToolCall::from_wire("c1", "lookup", r#"{"q": "qubit"}"#));
    let assertions = vec![
        parse("contains", json!("entanglement")),
        parse("icontains", json!("QUBITS")),
        parse("word_count", json!({"max": 10})),
    ];
    let report = evaluate_all(&assertions, &CheckInput::new(&out), None, None).await;
    let text = report.to_string();
    assert!(
        text.starts_with("FAIL: 3 checks, 1 passed, 2 failed, 0 errored; weighted score 0.33"),
        "{text}"
    );
    assert!(text.contains(
        "FAIL  contains: expected output to contain \"entanglement\", but it was not found"
    ));
    assert!(text.contains(
        "FAIL  word_count: expected output to have at most 10 words, but it has 120 words"
    ));
    assert!(
        !text.contains("icontains"),
        "passing checks are not listed: {text}"
    );
    assert!(
        text.contains("output (920 characters, first 500 shown):"),
        "{text}"
    );
    assert!(
        text.contains("tool calls:\n    lookup({\"q\": \"qubit\"})"),
        "{text}"
    );
    assert!(text.len() < 1500, "the output is trimmed: {}", text.len());
}

#[test]
fn assertions_and_reports_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Assertion>();
    shareable::<llama_test::checks::Report>();
    shareable::<llama_test::checks::schema::Schema>();
}
