//! Levenshtein, ROUGE-1 and BLEU with promptfoo's definitions and defaults.

use crate::support::run_with_threshold as run;
use llama_test::checks::{Assertion, similarity};
use serde_json::json;

#[test]
fn levenshtein_uses_character_distance_and_default_threshold_five() {
    assert!(similarity::levenshtein("kitten", "sitting", 3).passed());
    let r = similarity::levenshtein("kitten", "sitting", 2);
    assert!(!r.passed());
    assert!(r.reason.ends_with("but the distance is 3"), "{}", r.reason);
    // Distance counts characters, not bytes.
    assert!(similarity::levenshtein("café", "cafe", 1).passed());
    assert!(run("levenshtein", json!("hello world"), None, "hallo wurld!").passed());
    assert!(!run("levenshtein", json!("hello"), None, "goodbye, friend").passed());
    assert!(
        !run(
            "levenshtein",
            json!({"value": "abc", "threshold": 0}),
            None,
            "abd"
        )
        .passed()
    );
    assert!(run("not_levenshtein", json!("abc"), Some(0.0), "abd").passed());
}

#[test]
fn levenshtein_threshold_must_be_whole() {
    let e = Assertion::parse("levenshtein", json!("a"), 1.0, Some(1.5)).unwrap_err();
    assert!(e.to_string().contains("whole number"), "{e}");
    let twice = Assertion::parse(
        "levenshtein",
        json!({"value": "a", "threshold": 1}),
        1.0,
        Some(1.0),
    );
    assert!(twice.unwrap_err().to_string().contains("given twice"));
}

#[test]
fn rouge_scores_f_measure_with_default_threshold() {
    let reference = "The quick brown fox jumps over the lazy dog";
    let same = run(
        "rouge_n",
        json!(reference),
        None,
        "the quick brown fox jumps over the lazy dog",
    );
    assert!(same.passed());
    assert!((same.score - 1.0).abs() < 1e-12);
    // 4 of 9 reference tokens, 4 of 4 candidate tokens: F = 2·1·(4/9)/(1+4/9) ≈ 0.615 < 0.75.
    let partial = run("rouge_n", json!(reference), None, "The quick brown fox");
    assert!(!partial.passed());
    assert!(
        (partial.score - 8.0 / 13.0).abs() < 1e-9,
        "{}",
        partial.score
    );
    assert!(
        partial.reason.contains("it scored 0.62"),
        "{}",
        partial.reason
    );
    assert!(
        run(
            "rouge_n",
            json!({"value": reference, "threshold": 0.6}),
            None,
            "The quick brown fox"
        )
        .passed()
    );
    // not_ inverts pass and score.
    let not = run("not_rouge_n", json!(reference), None, "The quick brown fox");
    assert!(not.passed());
    assert!((not.score - 5.0 / 13.0).abs() < 1e-9);
    assert_eq!(similarity::rouge_1("", reference), 0.0);
}

#[test]
fn bleu_matches_definition_and_accepts_several_references() {
    let r = run(
        "bleu",
        json!("the cat is on the mat"),
        None,
        "the cat is on the mat",
    );
    assert!(r.passed() && (r.score - 1.0).abs() < 1e-12);
    let refs = json!([
        "a completely different sentence here",
        "the cat is on the mat"
    ]);
    assert!(run("bleu", refs, None, "The cat is on the mat").passed());
    let low = run("bleu", json!("the cat is on the mat"), None, "a dog sat");
    assert!(!low.passed() && low.score < 0.01, "{}", low.score);
    assert!(
        run(
            "not_bleu",
            json!("the cat is on the mat"),
            None,
            "a dog sat"
        )
        .passed()
    );
    assert!(
        run(
            "bleu",
            json!({"value": "the cat sat down", "threshold": 0.3}),
            None,
            "the cat"
        )
        .passed()
    );
    assert_eq!(similarity::bleu_score("", &["x"]), 0.0);
}
