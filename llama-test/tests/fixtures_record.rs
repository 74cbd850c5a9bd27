//! Recording: all-or-nothing writes, atomic under parallel writers, never
//! an error response, never a secret.

mod fixtures_support;

use std::sync::Arc;

use fixtures_support::*;
use llama_test::exchange::RecordedBody;
use llama_test::fixtures::{Fixture, RecordOutcome, Recorder};
use serde_json::json;

const KEY: &str = "LLM|1234567890|s3cr3t-key-value";

#[test]
fn writes_all_interactions_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/t.json");
    let rec = Recorder::new("t", &path);
    rec.record(json_exchange(chat_body("subject", 0.2), "first"))
        .unwrap();
    rec.record(json_exchange(chat_body("grader", 0.0), "second"))
        .unwrap();
    assert_eq!(
        rec.finish(true, Some(KEY)).unwrap(),
        RecordOutcome::Written { interactions: 2 }
    );

    let f = Fixture::load(&path).unwrap();
    assert_eq!(f.test, "t");
    assert_eq!(f.interactions.len(), 2);
    assert_eq!(
        f.interactions[0].request.body["messages"][0]["content"],
        "subject"
    );
    assert_eq!(
        f.interactions[1].request.body["messages"][0]["content"],
        "grader"
    );
    assert_eq!(f.interactions[0].model, "Llama-3.3-70B-Instruct");
    assert_eq!(f.interactions[0].recorded_on.len(), 10);
    assert!(f.interactions[0].key.starts_with("sha256:"));
}

#[test]
fn failed_rerecord_leaves_the_old_fixture_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let old = Recorder::new("t", &path);
    old.record(json_exchange(chat_body("q", 0.2), "old answer"))
        .unwrap();
    old.finish(true, None).unwrap();
    let before = std::fs::read(&path).unwrap();

    // The re-record gets one good answer, then a 5xx outlasts the retries.
    let rec = Recorder::new("t", &path);
    rec.record(json_exchange(chat_body("q", 0.2), "new answer"))
        .unwrap();
    rec.record_failure("the Llama API failed (HTTP 503) after 3 attempt(s)");
    let outcome = rec.finish(true, None).unwrap();
    assert!(
        matches!(&outcome, RecordOutcome::Kept { reason } if reason.contains("503")),
        "{outcome:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // Same when the runtime reports a failure the recorder did not see.
    let rec = Recorder::new("t", &path);
    rec.record(json_exchange(chat_body("q", 0.2), "new answer"))
        .unwrap();
    assert!(matches!(
        rec.finish(false, None).unwrap(),
        RecordOutcome::Kept { .. }
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn error_responses_are_never_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let rec = Recorder::new("t", &path);

    let mut server_error = json_exchange(chat_body("q", 0.2), "x");
    server_error.response.status = 500;
    assert!(
        rec.record(server_error)
            .unwrap_err()
            .to_string()
            .contains("status was 500")
    );

    let mut error_body = json_exchange(chat_body("q", 0.2), "x");
    error_body.response.body = RecordedBody::Json(json!({"error": "rate limited"}));
    assert!(rec.record(error_body).is_err());

    let broken_stream = sse_exchange(
        chat_body("q", 0.2),
        &[
            json!({"event": {"event_type": "start"}}),
            json!({"error": {"message": "overloaded"}}),
        ],
    );
    assert!(
        rec.record(broken_stream)
            .unwrap_err()
            .to_string()
            .contains("error")
    );
    assert!(rec.record(sse_exchange(chat_body("q", 0.2), &[])).is_err());

    assert!(rec.is_empty());
    assert!(matches!(
        rec.finish(true, None).unwrap(),
        RecordOutcome::Kept { .. }
    ));
    assert!(!path.exists());

    // A compat stream ending in `[DONE]` is a complete stream and is kept.
    let mut compat = sse_exchange(chat_body("q", 0.2), &[json!({"choices": []})]);
    if let RecordedBody::Sse(events) = &mut compat.response.body {
        events.push("[DONE]".into());
    }
    let rec = Recorder::new("t", &path);
    rec.record(compat).unwrap();
    assert!(matches!(
        rec.finish(true, None).unwrap(),
        RecordOutcome::Written { interactions: 1 }
    ));
}

#[test]
fn only_allow_listed_headers_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let rec = Recorder::new("t", &path);
    let mut ex = json_exchange(chat_body("q", 0.2), "a");
    ex.response
        .headers
        .insert("set-cookie".into(), "session=1".into());
    ex.response
        .headers
        .insert("x-request-id".into(), "r-1".into());
    rec.record(ex).unwrap();
    rec.finish(true, None).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("set-cookie") && !text.contains("x-request-id"),
        "{text}"
    );
    assert!(text.contains("x-ratelimit-remaining-requests"));
}

#[test]
fn secret_scan_refuses_key_and_bearer_without_printing_them() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (format!("my key is {KEY}"), "LLAMA_API_KEY"),
        (
            "echo: Authorization: Bearer abc123def456ghi789".to_owned(),
            "Bearer",
        ),
    ];
    for (i, (leaky_answer, named)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("leak{i}.json"));
        let rec = Recorder::new("leak", &path);
        rec.record(json_exchange(chat_body("q", 0.2), leaky_answer))
            .unwrap();
        let err = rec.finish(true, Some(KEY)).unwrap_err().to_string();
        assert!(err.contains("refusing to write"), "{err}");
        assert!(err.contains(named), "{err}");
        assert!(
            !err.contains(KEY) && !err.contains("abc123def456ghi789"),
            "secret printed: {err}"
        );
        assert!(!path.exists(), "nothing may be written");
    }
}

#[test]
fn sixty_four_parallel_recorders_write_sixty_four_valid_fixtures() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let threads: Vec<_> = (0..64)
        .map(|i| {
            let dir = Arc::clone(&dir);
            std::thread::spawn(move || {
                let rec = Recorder::new(format!("t{i}"), dir.path().join(format!("t{i}.json")));
                for r in 0..3 {
                    rec.record(json_exchange(chat_body(&format!("q{i}-{r}"), 0.2), "a"))
                        .unwrap();
                }
                rec.finish(true, Some(KEY)).unwrap()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(
            t.join().unwrap(),
            RecordOutcome::Written { interactions: 3 }
        );
    }
    for i in 0..64 {
        let f = Fixture::load(&dir.path().join(format!("t{i}.json"))).unwrap();
        assert_eq!(
            f.interactions[2].request.body["messages"][0]["content"],
            format!("q{i}-2")
        );
    }
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 64, "no temp files left behind");
}

#[test]
fn parallel_writers_of_one_file_never_tear_it() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let path = dir.path().join("same.json");
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                for round in 0..5 {
                    let rec = Recorder::new("same", &path);
                    let answer = "x".repeat(1000 * (i + 1) + round);
                    rec.record(json_exchange(chat_body("q", 0.2), &answer))
                        .unwrap();
                    rec.finish(true, None).unwrap();
                    // Whatever writer won, the file is always complete.
                    Fixture::load(&path).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(Fixture::load(&path).unwrap().interactions.len(), 1);
}
