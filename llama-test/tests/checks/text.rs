//! Text checks: pass, fail, `not_` form and edge cases, through both the
//! plain functions and declarative assertions.

use crate::support::run;
use llama_test::checks::{Assertion, Bounds, Verdict, text};
use serde_json::{Value, json};

#[test]
fn contains_pass_fail_and_not() {
    let out = "Quantum computers use qubits.";
    assert!(text::contains(out, "qubits").passed());
    let miss = text::contains(out, "quantum");
    assert_eq!(miss.verdict, Verdict::Fail);
    assert_eq!(
        miss.reason,
        "expected output to contain \"quantum\", but it was not found"
    );

    let not = run("not_contains", json!("qubits"), out);
    assert_eq!(not.verdict, Verdict::Fail);
    assert_eq!(not.name, "not_contains");
    assert!(
        not.reason
            .starts_with("expected output to not contain \"qubits\", but it was found")
    );
    assert!(run("not_contains", json!("classical"), out).passed());
}

#[test]
fn contains_accepts_numbers_and_works_on_unicode_and_empty_output() {
    assert!(run("contains", json!(42), "the answer is 42").passed());
    assert!(text::contains("naïve café ☕", "café ☕").passed());
    assert!(!text::contains("", "x").passed());
    assert!(run("not_contains", json!("x"), "").passed());
}

#[test]
fn icontains_ignores_unicode_case() {
    assert!(text::icontains("ÉCOLE Normale", "école").passed());
    assert!(!text::icontains("school", "école").passed());
    assert!(!run("not_icontains", json!("QUANTUM"), "quantum leap").passed());
}

#[test]
fn contains_any_and_all_report_what_is_missing() {
    let out = "Paris is the capital of France";
    assert!(text::contains_any(out, &["Berlin", "Paris"]).passed());
    assert!(!text::contains_any(out, &["Berlin", "Rome"]).passed());
    let all = text::contains_all(out, &["Paris", "France", "Europe", "capital"]);
    assert!(!all.passed());
    assert!(
        all.reason.contains("1 of 4 are missing: [\"Europe\"]"),
        "{}",
        all.reason
    );
    assert!(text::icontains_all(out, &["paris", "FRANCE"]).passed());
    assert!(!text::icontains_any(out, &["ROME"]).passed());
    // promptfoo's comma-separated form with quoting.
    assert!(run("contains_all", json!("Paris, \"capital of\""), out).passed());
    assert!(run("not_contains_any", json!(["Rome", "Berlin"]), out).passed());
    assert!(!run("not_icontains_all", json!(["PARIS", "france"]), out).passed());
}

#[test]
fn starts_with_is_exact() {
    assert!(text::starts_with("Hello there", "Hello").passed());
    let r = text::starts_with("  Hello", "Hello");
    assert!(!r.passed());
    assert!(
        r.reason.contains("it starts with \"  Hello\""),
        "{}",
        r.reason
    );
    assert!(run("not_starts_with", json!("Bye"), "Hello").passed());
}

#[test]
fn equals_text_shows_whitespace_differences() {
    assert!(text::equals("Paris", "Paris").passed());
    let r = text::equals("Paris\n", "Paris");
    assert!(!r.passed());
    assert!(
        r.reason.contains("only in leading/trailing whitespace"),
        "{}",
        r.reason
    );
    assert!(run("equals", json!(42), "42").passed());
    assert!(run("not_equals", json!("London"), "Paris").passed());
}

#[test]
fn equals_json_is_deep_and_numeric() {
    assert!(
        run(
            "equals",
            json!({"a": [1, 2], "b": null}),
            r#"{"b": null, "a": [1.0, 2]}"#
        )
        .passed()
    );
    let r = run("equals", json!({"a": [1, 2]}), r#"{"a": [1, 3]}"#);
    assert!(!r.passed());
    assert!(
        r.reason.contains("at /a/1: expected 2, got 3"),
        "{}",
        r.reason
    );
    let not_json = run("equals", json!([1]), "one");
    assert!(!not_json.passed() && not_json.reason.contains("not JSON"));
    // Non-JSON output passes the `not_` form, as in promptfoo.
    assert!(run("not_equals", json!([1]), "one").passed());
}

#[test]
fn regex_matches_and_invalid_patterns_are_errors() {
    assert!(run("regex", json!(r"\d{3}-\d{4}"), "call 555-1234").passed());
    assert!(run("regex", json!("(?i)^hello"), "HELLO").passed());
    let miss = run("regex", json!("^\\d+$"), "abc");
    assert!(!miss.passed() && miss.reason.contains("match regex /^\\d+$/"));
    assert!(run("not_regex", json!("secret"), "nothing here").passed());
    assert_eq!(text::regex("x", "(").verdict, Verdict::Error);
    let err = Assertion::parse("regex", json!("("), 1.0, None).unwrap_err();
    assert!(err.to_string().contains("invalid regex"), "{err}");
}

#[test]
fn word_count_exact_and_range() {
    assert!(text::word_count("one two  three\n", Bounds::exactly(3)).passed());
    let r = text::word_count("one two", Bounds::between(3, 5));
    assert!(!r.passed());
    assert_eq!(
        r.reason,
        "expected output to have between 3 and 5 words, but it has 2 words"
    );
    assert!(run("word_count", json!({"min": 2}), "a b c").passed());
    assert!(!run("word_count", json!({"max": 2}), "a b c").passed());
    assert!(run("word_count", json!(0), "").passed());
    assert!(run("not_word_count", json!(5), "a b").passed());
    assert!(Assertion::parse("word_count", json!({"min": 5, "max": 2}), 1.0, None).is_err());
    assert!(Assertion::parse("word_count", json!({"minimum": 5}), 1.0, None).is_err());
}

#[test]
fn is_refusal_detects_common_refusals() {
    assert!(text::is_refusal("I'm sorry, but I can't help with that.").passed());
    assert!(text::is_refusal("I\u{2019}m unable to assist with this request").passed());
    assert!(text::is_refusal("As an AI, I do not have opinions.").passed());
    assert!(text::is_refusal("   ").passed());
    assert!(!text::is_refusal("Sure! Here is a poem about the sea.").passed());
    assert!(run("not_is_refusal", Value::Null, "Sure, here you go.").passed());
    assert!(!run("not_is_refusal", json!(true), "Sorry, no.").passed());
}

#[test]
fn assert_method_panics_with_the_reason() {
    let r = std::panic::catch_unwind(|| text::contains("abc", "z").assert());
    let msg = r.unwrap_err().downcast::<String>().unwrap();
    assert!(
        msg.contains("FAIL contains: expected output to contain \"z\""),
        "{msg}"
    );
    text::contains("abc", "b").assert();
}
