//! `is_json` / `contains_json` with and without schemas, and the JSON finder.

use crate::support::run;
use llama_test::checks::json::{JsonSource, contains_json, extract_json, find_json, is_json};
use llama_test::checks::schema::Schema;
use llama_test::checks::{Assertion, Verdict};
use serde_json::{Value, json};

fn review_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "rating": {"type": "number", "minimum": 1, "maximum": 5},
            "summary": {"type": "string"},
            "pros": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["rating", "summary"]
    })
}

#[test]
fn is_json_is_strict_and_accepts_arrays_and_scalars() {
    assert!(is_json(r#"{"a": 1}"#, None).passed());
    assert!(is_json(" [1, 2]\n", None).passed());
    assert!(is_json("42", None).passed());
    assert!(is_json("\"text\"", None).passed());
    assert!(!is_json("", None).passed());
    assert!(!is_json("Here: {\"a\": 1}", None).passed());
    let fenced = is_json("```json\n{\"a\": 1}\n```", None);
    assert!(!fenced.passed());
    assert!(
        fenced.reason.contains("use `contains_json`"),
        "{}",
        fenced.reason
    );
    assert!(run("not_is_json", Value::Null, "plain words").passed());
    assert!(!run("not_is_json", json!(true), "{}").passed());
}

#[test]
fn is_json_with_schema_lists_every_violation_with_its_path() {
    let r = run(
        "is_json",
        review_schema(),
        r#"{"rating": 7, "pros": ["light", 3]}"#,
    );
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        r.reason
            .contains("at /rating: 7 is greater than the maximum of 5"),
        "{}",
        r.reason
    );
    assert!(r.reason.contains("at /pros/1:"), "{}", r.reason);
    assert!(
        r.reason
            .contains("at (root): \"summary\" is a required property"),
        "{}",
        r.reason
    );
    assert!(
        run(
            "is_json",
            review_schema(),
            r#"{"rating": 4, "summary": "good"}"#
        )
        .passed()
    );
    // not_: passes when the JSON breaks the schema, and when it is not JSON at all.
    assert!(run("not_is_json", review_schema(), r#"{"rating": 9}"#).passed());
    assert!(
        !run(
            "not_is_json",
            review_schema(),
            r#"{"rating": 4, "summary": "ok"}"#
        )
        .passed()
    );
}

#[test]
fn invalid_schema_is_an_error_not_a_fail() {
    let e = Assertion::parse("is_json", json!({"type": "banana"}), 1.0, None).unwrap_err();
    assert!(e.to_string().contains("invalid JSON Schema"), "{e}");
    let e = Assertion::parse(
        "contains_json",
        json!({"$schema": "https://example.com/unknown"}),
        1.0,
        None,
    );
    assert!(e.is_err());
    assert!(Schema::compile(&json!({"minimum": "five"})).is_err());
    assert!(Schema::compile(&json!("not a schema")).is_err());
    // A remote `$ref` is never fetched from a test: it is an error.
    let remote = Schema::compile(&json!({"$ref": "https://example.com/schemas/review.json"}));
    assert!(
        remote
            .unwrap_err()
            .to_string()
            .contains("invalid JSON Schema")
    );
}

#[test]
fn draft_follows_dollar_schema() {
    // `dependentRequired` exists in 2020-12 (the default) but not in draft-07.
    let body = json!({"dependentRequired": {"a": ["b"]}});
    let default = Schema::compile(&body).unwrap();
    assert!(!default.is_valid(&json!({"a": 1})));
    let mut draft7 = body.clone();
    draft7["$schema"] = json!("http://json-schema.org/draft-07/schema#");
    assert!(Schema::compile(&draft7).unwrap().is_valid(&json!({"a": 1})));
    // Formats are validated.
    let email = Schema::compile(&json!({"type": "string", "format": "email"})).unwrap();
    assert!(!email.is_valid(&json!("not-an-email")));
}

#[test]
fn contains_json_finds_objects_and_arrays_in_prose_and_fences() {
    assert!(contains_json("Sure! {\"a\": 1} Hope that helps", None).passed());
    assert!(contains_json("Here:\n```json\n[{\"a\": 1}, {\"a\": 2}]\n```\n", None).passed());
    assert!(contains_json("[1, 2, 3]", None).passed());
    assert!(contains_json("The list: [\"x\", \"y\"].", None).passed());
    // Citations are not JSON; nor are unbalanced braces or a bare number.
    assert!(!contains_json("As shown in [1] and [2, 3].", None).passed());
    assert!(!contains_json("Use {braces} like {this", None).passed());
    assert!(!contains_json("42", None).passed());
    assert!(!contains_json("", None).passed());
    assert!(run("not_contains_json", Value::Null, "no json here").passed());
}

#[test]
fn contains_json_with_schema_takes_the_first_valid_candidate() {
    let schema = Schema::compile(&review_schema()).unwrap();
    let text = "Draft: {\"rating\": 9, \"summary\": \"x\"}\nFinal:\n```json\n{\"rating\": 4, \"summary\": \"good\"}\n```";
    let ok = contains_json(text, Some(&schema));
    assert!(ok.passed(), "{}", ok.reason);
    let bad = contains_json("{\"rating\": 9} and {\"summary\": 1}", Some(&schema));
    assert!(!bad.passed());
    assert!(
        bad.reason
            .contains("none of the 2 JSON value(s) found validates"),
        "{}",
        bad.reason
    );
    assert!(
        bad.reason.contains("at /rating") && bad.reason.contains("at /summary"),
        "{}",
        bad.reason
    );
}

#[test]
fn finder_handles_braces_in_strings_fences_and_unicode() {
    let text = "Réponse: {\"note\": \"a } in a string {\", \"emoji\": \"🎉\"} — fin";
    let found = find_json(text);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].value["emoji"], "🎉");
    assert_eq!(found[0].source, JsonSource::Prose);

    let fenced = find_json("```\n{\"a\": 1}\n```\nand ```python\nx = {\"b\": 2}\n```");
    assert_eq!(fenced.len(), 2);
    assert_eq!(fenced[0].source, JsonSource::Fence);
    assert_eq!(fenced[1].value, json!({"b": 2}));

    assert_eq!(
        find_json(" {\"whole\": true} ")[0].source,
        JsonSource::Whole
    );
    assert_eq!(extract_json("no json"), None);
}

#[test]
fn seed_rating_check_reads_as_plain_rust() {
    let answer = "```json\n{\"rating\": 4.5, \"summary\": \"Great sound, short battery\"}\n```";
    let review = extract_json(answer).expect("the answer holds no JSON");
    let rating = review["rating"].as_f64().expect("`rating` is not a number");
    assert!(
        (1.0..=5.0).contains(&rating),
        "rating {rating} is outside 1..=5"
    );
}
