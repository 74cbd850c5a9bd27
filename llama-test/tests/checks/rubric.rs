//! `llm_rubric`: the grading request, and a grader that fails closed.

use std::sync::{Arc, Mutex};

use crate::support::answer;
use llama_test::checks::rubric::{DEFAULT_GRADER_MODEL, GRADING_SYSTEM_PROMPT};
use llama_test::checks::{Assertion, CheckInput, CheckResult, Grading, Verdict};
use llama_test::{ChatRequest, Completion, Error};
use serde_json::{Value, json};

type Requests = Arc<Mutex<Vec<ChatRequest>>>;
type Reply = std::future::Ready<llama_test::Result<Completion>>;

/// A grader that replies `reply` and remembers the requests it got.
fn grader(reply: &str) -> (impl Fn(ChatRequest) -> Reply, Requests) {
    let seen = Requests::default();
    let log = Arc::clone(&seen);
    let reply = reply.to_owned();
    let f = move |req: ChatRequest| {
        log.lock().unwrap().push(req.clone());
        let mut c = answer(&reply);
        c.model = req.model;
        std::future::ready(Ok(c))
    };
    (f, seen)
}

async fn grade(kind: &str, value: Value, threshold: Option<f64>, reply: &str) -> CheckResult {
    let (g, _) = grader(reply);
    let assertion = Assertion::parse(kind, value, 1.0, threshold).unwrap();
    let output = answer("Bonjour! Comment puis-je vous aider?");
    assertion
        .evaluate_graded(&CheckInput::new(&output), Some(&Grading::new(&g)))
        .await
}

#[tokio::test]
async fn sends_a_json_schema_request_at_temperature_zero() {
    let (g, seen) = grader(r#"{"pass": true, "score": 1, "reason": "polite"}"#);
    let assertion = Assertion::parse("llm_rubric", json!("Is polite"), 1.0, None).unwrap();
    assert!(assertion.needs_grader());
    let output = answer("Hello, happy to help!");
    let r = assertion
        .evaluate_graded(&CheckInput::new(&output), Some(&Grading::new(&g)))
        .await;
    assert!(r.passed(), "{}", r.reason);
    let requests = seen.lock().unwrap();
    let req = &requests[0];
    assert_eq!(req.model, DEFAULT_GRADER_MODEL);
    assert_eq!(req.sampling.temperature, Some(0.0));
    assert_eq!(req.messages[0].text_content(), GRADING_SYSTEM_PROMPT);
    assert_eq!(
        req.messages[1].text_content(),
        "<Output>\nHello, happy to help!\n</Output>\n<Rubric>\nIs polite\n</Rubric>"
    );
    let format = req.response_format.as_ref().unwrap();
    assert_eq!(
        format.schema["required"],
        json!(["pass", "score", "reason"])
    );
}

#[tokio::test]
async fn grader_model_is_configurable() {
    let (g, seen) = grader(r#"{"pass": true, "score": 1, "reason": "ok"}"#);
    let output = answer("x");
    let input = CheckInput::new(&output);
    let grading = Grading::new(&g).default_model("Llama-4-Maverick-17B-128E-Instruct-FP8");
    let plain = Assertion::parse("llm_rubric", json!("r"), 1.0, None).unwrap();
    plain.evaluate_graded(&input, Some(&grading)).await;
    let own = json!({"value": "r", "grader": "llamaapi:Llama-3.3-8B-Instruct"});
    Assertion::parse("llm_rubric", own, 1.0, None)
        .unwrap()
        .evaluate_graded(&input, Some(&grading))
        .await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].model, "Llama-4-Maverick-17B-128E-Instruct-FP8");
    assert_eq!(seen[1].model, "Llama-3.3-8B-Instruct");
}

#[tokio::test]
async fn failure_message_carries_the_graders_reason() {
    let r = grade(
        "llm_rubric",
        json!("Answers in English"),
        None,
        r#"{"pass": false, "score": 0.1, "reason": "The reply is in French"}"#,
    )
    .await;
    assert_eq!(r.verdict, Verdict::Fail);
    assert!((r.score - 0.1).abs() < 1e-12);
    assert!(r.reason.contains("The reply is in French"), "{}", r.reason);
    assert!(
        r.reason
            .contains("satisfy the rubric \"Answers in English\""),
        "{}",
        r.reason
    );
}

#[tokio::test]
async fn threshold_applies_to_the_score() {
    let reply = r#"{"pass": true, "score": 0.75, "reason": "mostly"}"#;
    assert!(
        grade("llm_rubric", json!("r"), Some(0.7), reply)
            .await
            .passed()
    );
    let r = grade(
        "llm_rubric",
        json!({"value": "r", "threshold": 0.9}),
        None,
        reply,
    )
    .await;
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        r.reason.contains("score ≥ 0.9") && r.reason.contains("score=0.75"),
        "{}",
        r.reason
    );
    // A low score does not pass even when `pass` is true... and a high score
    // does not rescue `pass: false`.
    let r = grade(
        "llm_rubric",
        json!("r"),
        Some(0.5),
        r#"{"pass": false, "score": 0.9, "reason": "no"}"#,
    )
    .await;
    assert!(!r.passed());
}

#[tokio::test]
async fn not_llm_rubric_inverts_pass_and_score() {
    let r = grade(
        "not_llm_rubric",
        json!("Speaks like a pirate"),
        None,
        r#"{"pass": true, "score": 0.9, "reason": "arr"}"#,
    )
    .await;
    assert_eq!(r.verdict, Verdict::Fail);
    assert!((r.score - 0.1).abs() < 1e-9);
    assert_eq!(r.name, "not_llm_rubric");
    let r = grade(
        "not_llm_rubric",
        json!("x"),
        None,
        r#"{"pass": false, "score": 0, "reason": "no"}"#,
    )
    .await;
    assert!(r.passed());
}

#[tokio::test]
async fn reply_without_pass_is_an_error_even_when_negated() {
    for kind in ["llm_rubric", "not_llm_rubric"] {
        let r = grade(kind, json!("r"), None, r#"{"score": 0, "reason": "meh"}"#).await;
        assert_eq!(r.verdict, Verdict::Error, "{kind}");
        assert!(
            r.reason.contains("no `pass` field") && r.reason.contains("meh"),
            "{}",
            r.reason
        );
    }
}

#[tokio::test]
async fn malformed_replies_are_errors_that_show_the_reply() {
    let not_json = grade("llm_rubric", json!("r"), None, "Sure! The output passes.").await;
    assert_eq!(not_json.verdict, Verdict::Error);
    assert!(
        not_json.reason.contains("not JSON")
            && not_json.reason.contains("Sure! The output passes.")
    );
    let string_pass = grade(
        "llm_rubric",
        json!("r"),
        None,
        r#"{"pass": "yes", "score": 1, "reason": ""}"#,
    )
    .await;
    assert_eq!(string_pass.verdict, Verdict::Error);
    let big_score = grade(
        "llm_rubric",
        json!("r"),
        None,
        r#"{"pass": true, "score": 8, "reason": "8/10"}"#,
    )
    .await;
    assert_eq!(big_score.verdict, Verdict::Error);
    assert!(
        big_score.reason.contains("outside 0..=1"),
        "{}",
        big_score.reason
    );
    let array = grade("llm_rubric", json!("r"), None, "[true]").await;
    assert_eq!(array.verdict, Verdict::Error);
}

#[tokio::test]
async fn grader_call_failure_and_missing_grader_are_errors() {
    let failing = |_req: ChatRequest| async {
        Err::<Completion, _>(Error::Grader("connection refused".into()))
    };
    let output = answer("x");
    let assertion = Assertion::parse("llm_rubric", json!("r"), 1.0, None).unwrap();
    let r = assertion
        .evaluate_graded(&CheckInput::new(&output), Some(&Grading::new(&failing)))
        .await;
    assert_eq!(r.verdict, Verdict::Error);
    assert!(r.reason.contains("connection refused"), "{}", r.reason);
    let r = assertion
        .evaluate_graded(&CheckInput::new(&output), None)
        .await;
    assert_eq!(r.verdict, Verdict::Error);
    assert!(r.reason.contains("needs a grader"));
}

#[tokio::test]
async fn rubric_uses_case_variables() {
    let (g, seen) = grader(r#"{"pass": true, "score": 1, "reason": "ok"}"#);
    let a = Assertion::parse_with_vars(
        "llm_rubric",
        json!("Mentions {{city}}"),
        1.0,
        None,
        &[("city", "Lyon")],
    )
    .unwrap();
    let output = answer("Lyon is lovely");
    a.evaluate_graded(&CheckInput::new(&output), Some(&Grading::new(&g)))
        .await;
    assert!(
        seen.lock().unwrap()[0].messages[1]
            .text_content()
            .contains("<Rubric>\nMentions Lyon\n</Rubric>")
    );
    let e = Assertion::parse_with_vars(
        "llm_rubric",
        json!("{{town}}"),
        1.0,
        None,
        &[("city", "Lyon")],
    );
    assert!(
        e.unwrap_err()
            .to_string()
            .contains("`{{town}}` is not defined")
    );
}
