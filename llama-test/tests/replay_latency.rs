//! A replayed answer reports the latency of the call that was recorded, so
//! `max_latency_ms` checks the real call in CI, not loopback time.

mod fixtures_support;

use fixtures_support::{chat_body, fixture, json_exchange, meta};
use llama_test::checks::{Assertion, CheckInput};
use llama_test::fixtures::FixtureSession;
use llama_test::{ChatRequest, Client, ClientConfig, Message, Mode, Tool};
use serde_json::json;

#[tokio::test]
async fn replay_reports_the_recorded_latency_and_checks_it() {
    let prompt = "How slow was it?";
    let mut exchange = json_exchange(chat_body(prompt, 0.2), "slowly");
    exchange.response.latency_ms = Some(1_234);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.json");
    let text = fixture("slow", vec![exchange]).to_json_text().unwrap();
    std::fs::write(&path, text).unwrap();

    let session = FixtureSession::open(Mode::Replay, &path, meta("slow"), false).unwrap();
    let client = Client::new(ClientConfig::new("http://127.0.0.1:9")).unwrap();
    let mut request = ChatRequest::new("Llama-3.3-70B-Instruct").message(Message::user(prompt));
    request.sampling.temperature = Some(0.2);
    request.tools = vec![Tool::function(
        "get_weather",
        json!({"type": "object", "properties": {"city": {"type": "string"}}}),
    )];
    let answer = session.send(&client, &request).await.unwrap();

    assert_eq!(answer.latency.as_millis(), 1_234);
    let input = CheckInput::new(&answer);
    let within = Assertion::parse("max_latency_ms", json!(2_000), 1.0, None).unwrap();
    let beyond = Assertion::parse("max_latency_ms", json!(1_000), 1.0, None).unwrap();
    assert!(within.evaluate(&input).passed());
    assert!(!beyond.evaluate(&input).passed());
}
