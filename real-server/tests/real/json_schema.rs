//! JSON schema: llama.cpp turns `response_format` into a grammar. With
//! bounded schemas (integers with `minimum`/`maximum`, strings with
//! `maxLength`) even the random model's answer is schema-valid and the
//! `is_json`/`json_schema` checks pass; an unbounded string never closes,
//! the answer is cut at `max_tokens`, and that is a FAIL with
//! `stop_reason = length`, never a harness panic or an ERROR.

use llama_test::prelude::*;

use crate::support::expected::same_output;
use crate::support::failing_probe;

#[llama_eval(
    model = "llamacpp:tiny",
    prompt = "Review this product: wireless headphones with great sound.",
    json_schema = "tests/data/bounded_review.json",
    temperature = 0,
    max_tokens = 64,
    assert(is_json, stop_reason = "stop")
)]
fn bounded_schema_is_valid(out: Output) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../data/bounded_review.json")).unwrap();
    out.assert_json_schema(&schema);
    let review = out.assert_is_json();
    let rating = review["rating"].as_i64().expect("an integer rating");
    assert!((1..=5).contains(&rating), "{rating}");
    assert!(review["summary"].as_str().unwrap().chars().count() <= 20);
    same_output(&out, "");
}

#[test]
fn unbounded_schema_cut_at_max_tokens_is_a_fail() {
    let Some(failure) = failing_probe(
        "json_schema::unbounded_schema_cut_at_max_tokens_is_a_fail",
        "probes::unbounded_schema_cut",
    ) else {
        return;
    };
    assert!(failure.contains("llama-test FAIL"), "{failure}");
    assert!(!failure.contains("llama-test ERROR"), "{failure}");
    assert!(failure.contains("is_json"), "{failure}");
    assert!(
        failure.contains("length"),
        "names the stop reason: {failure}"
    );
}
