//! Fault knobs: bursts of errors, 429 with retry-after, RPM enforcement,
//! latency, streams cut short or broken by an error line.

use std::time::{Duration, Instant};

use llama_test::sim::{Fault, SimLlamaApi};
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn fail_next_sends_a_burst_then_recovers() {
    let sim = SimLlamaApi::start().await;
    sim.fail_next(2, 503);
    for _ in 0..2 {
        let response = post(&sim, NATIVE, &ask("hi")).await;
        assert_eq!(response.status(), 503);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 503);
        assert_eq!(problem["title"], "Service Unavailable");
    }
    assert_eq!(post(&sim, NATIVE, &ask("hi")).await.status(), 200);
    assert_eq!(sim.request_count_for(NATIVE), 3);
}

#[tokio::test]
async fn rate_limit_next_sends_429_with_retry_after() {
    let sim = SimLlamaApi::builder()
        .rate_limit_next(1, Duration::from_secs(1))
        .start()
        .await;
    let limited = post(&sim, COMPAT, &ask("hi")).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    assert_eq!(post(&sim, COMPAT, &ask("hi")).await.status(), 200);
}

#[tokio::test]
async fn faults_carry_the_retry_headers_they_are_given() {
    let sim = SimLlamaApi::start().await;
    sim.fail_next_with(
        1,
        Fault::status(500)
            .with_retry_after_ms(Duration::from_millis(250))
            .with_should_retry(false)
            .with_body(json!({"error": "overloaded"})),
    );
    let response = post(&sim, NATIVE, &ask("hi")).await;
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["retry-after-ms"], "250");
    assert_eq!(response.headers()["x-should-retry"], "false");
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "overloaded"})
    );
}

#[tokio::test]
async fn enforce_rpm_refuses_beyond_the_window_with_a_useful_retry_after() {
    let sim = SimLlamaApi::builder().enforce_rpm(2).start().await;
    for _ in 0..2 {
        let ok = post(&sim, NATIVE, &ask("hi")).await;
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers()["x-ratelimit-limit-requests"], "2");
    }
    let refused = post(&sim, NATIVE, &ask("hi")).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["x-ratelimit-remaining-requests"], "0");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((59..=60).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn latency_delays_every_response() {
    let sim = SimLlamaApi::builder()
        .with_latency(Duration::from_millis(300))
        .start()
        .await;
    let started = Instant::now();
    assert_eq!(post(&sim, NATIVE, &ask("hi")).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    sim.with_latency(Duration::ZERO);
    let started = Instant::now();
    post(&sim, NATIVE, &ask("hi")).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn cut_streams_end_before_completing() {
    let sim = SimLlamaApi::builder().cut_streams_after(3).start().await;
    let prompt = ask("Write a short story about time travel in many words");
    let native = post_stream(&sim, NATIVE, &prompt)
        .await
        .text()
        .await
        .unwrap();
    let types = event_types(&native_events(&native));
    assert_eq!(types, ["start", "progress", "progress"]);

    let compat = post_stream(&sim, COMPAT, &prompt)
        .await
        .text()
        .await
        .unwrap();
    let lines = data_lines(&compat);
    assert_eq!(lines.len(), 3);
    assert!(!compat.contains("[DONE]"));
    assert!(!compat.contains("\"finish_reason\":\"stop\""));

    // Asking to cut after more events than there are still drops the end.
    sim.cut_streams_after(1_000);
    let native = post_stream(&sim, NATIVE, &ask("hi"))
        .await
        .text()
        .await
        .unwrap();
    let types = event_types(&native_events(&native));
    assert!(!types.contains(&"complete".to_owned()), "{types:?}");
}

#[tokio::test]
async fn a_bare_json_error_line_can_break_a_stream() {
    let sim = SimLlamaApi::start().await;
    sim.error_mid_stream_after(2);
    let body = post_stream(&sim, NATIVE, &ask("Write a short story about time travel"))
        .await
        .text()
        .await
        .unwrap();
    let events: Vec<&str> = body.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert_eq!(events.len(), 3, "{body}");
    assert!(events[..2].iter().all(|e| e.starts_with("data: ")));
    let error: Value = serde_json::from_str(events[2]).unwrap();
    assert!(error["error"]["message"].is_string());
}

#[tokio::test]
async fn faults_hit_authorized_requests_only() {
    let sim = SimLlamaApi::start().await;
    sim.fail_next(1, 500);
    let unauthorized = http()
        .post(format!("{}{NATIVE}", sim.uri()))
        .bearer_auth("nope")
        .json(&ask("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    assert_eq!(post(&sim, NATIVE, &ask("hi")).await.status(), 500);
}
