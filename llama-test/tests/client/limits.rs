//! The process-wide limits: per-family rate limiter, shared 429 pauses,
//! the in-flight cap, and the bypass for replay traffic. The limiter state is
//! global, so these tests run one at a time.

use std::time::{Duration, Instant};

use crate::support::*;
use llama_test::catalogue::ModelFamily;
use llama_test::client::limits;
use llama_test::{ChatRequest, Client, Error, Message};
use tokio::sync::Mutex;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

static SERIAL: Mutex<()> = Mutex::const_new(());

async fn ok_server(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(native_answer("ok"))
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    server
}

fn limited(server: &MockServer) -> llama_test::ClientConfig {
    let mut config = config(server);
    config.rate_limited = true;
    config
}

#[tokio::test]
async fn requests_per_minute_are_enforced_per_family() {
    let _serial = SERIAL.lock().await;
    let server = ok_server(Duration::ZERO).await;
    // 3 RPM: three requests leave at once, a fourth not within the minute.
    limits::set_family_limits(ModelFamily::Cerebras, 3, 10_000_000).unwrap();
    let mut config = limited(&server);
    config.rate_limit_wait = Duration::from_secs(2);
    let client = Client::new(config).unwrap();
    let request =
        ChatRequest::new("Cerebras-Llama-4-Maverick-17B-128E-Instruct").message(Message::user("x"));
    let started = Instant::now();
    for _ in 0..3 {
        client.chat(&request).await.unwrap();
    }
    let err = client.chat(&request).await.unwrap_err();
    // The fourth slot is a minute away, past the 2 s budget: it fails at
    // once, saying why and what to raise, and nothing more was sent.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, Error::RateLimitWait { .. }), "{err:?}");
    let text = err.to_string();
    for part in [
        "provider `llamaapi`",
        "3 requests/min in force",
        "the next try would be in 1m",
        "LLAMA_TEST_RATE_LIMIT_WAIT",
        "no request was refused by the server",
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(
        limits::family_limits(ModelFamily::Cerebras).requests_per_minute,
        3
    );
    limits::set_family_limits(ModelFamily::Cerebras, 600, 10_000_000).unwrap();
}

#[tokio::test]
async fn a_429_with_retry_after_pauses_every_client_of_the_family() {
    let _serial = SERIAL.lock().await;
    let throttled = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .mount(&throttled)
        .await;
    let mut first = limited(&throttled);
    // A budget shorter than `retry-after`: it fails at once.
    first.rate_limit_wait = Duration::from_millis(500);
    let groq =
        ChatRequest::new("Groq-Llama-4-Maverick-17B-128E-Instruct").message(Message::user("x"));
    let started = Instant::now();
    Client::new(first).unwrap().chat(&groq).await.unwrap_err();

    // Another client, another server, same family: it waits out the pause.
    let healthy = ok_server(Duration::ZERO).await;
    Client::new(limited(&healthy))
        .unwrap()
        .chat(&groq)
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );

    // Replay traffic bypasses the limiter.
    limits::pause_family(ModelFamily::Groq, Duration::from_secs(30));
    let bypass_started = Instant::now();
    Client::new(config(&healthy))
        .unwrap()
        .chat(&groq)
        .await
        .unwrap();
    assert!(bypass_started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn an_exhausted_request_budget_slows_the_family_down() {
    let _serial = SERIAL.lock().await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(native_answer("ok"))
                .insert_header("x-ratelimit-remaining-requests", "0"),
        )
        .mount(&server)
        .await;
    let client = Client::new(limited(&server)).unwrap();
    let request = ask("x");
    client.chat(&request).await.unwrap();
    let started = Instant::now();
    client.chat(&request).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn requests_in_flight_are_capped() {
    let _serial = SERIAL.lock().await;
    let server = ok_server(Duration::from_millis(300)).await;
    let mut config = config(&server);
    config.max_in_flight = 2;
    let client = Client::new(config).unwrap();
    let started = Instant::now();
    let request = ask("x");
    let calls = (0..4).map(|_| client.chat(&request));
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    // Four 300 ms requests, two at a time.
    assert!(
        started.elapsed() >= Duration::from_millis(580),
        "{:?}",
        started.elapsed()
    );
}
