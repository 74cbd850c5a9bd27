//! Retries: which failures are retried, how long the client waits, and that
//! the final error says how many attempts were made.

use std::time::{Duration, Instant};

use crate::support::*;
use llama_test::{Client, Error};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn failing_then_ok(server: &MockServer, failure: ResponseTemplate, failures: u64) {
    Mock::given(method("POST"))
        .respond_with(failure)
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(native_answer("finally")))
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn two_503s_then_200_succeeds_on_the_third_attempt() {
    let server = MockServer::start().await;
    failing_then_ok(&server, ResponseTemplate::new(503), 2).await;
    let started = Instant::now();
    let completion = Client::new(config(&server))
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap();
    assert_eq!(completion.text, "finally");
    assert_eq!(request_count(&server).await, 3);
    // Backoff: ~0.375-0.5 s, then ~0.75-1 s.
    assert!(
        started.elapsed() >= Duration::from_millis(1100),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_one_second_is_honoured() {
    let server = MockServer::start().await;
    failing_then_ok(
        &server,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(serde_json::json!({"error": "Too Many Requests"})),
        1,
    )
    .await;
    let started = Instant::now();
    Client::new(config(&server))
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn retry_after_ms_wins_over_retry_after() {
    let server = MockServer::start().await;
    failing_then_ok(
        &server,
        ResponseTemplate::new(503)
            .insert_header("retry-after-ms", "50")
            .insert_header("retry-after", "30"),
        1,
    )
    .await;
    let started = Instant::now();
    Client::new(config(&server))
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(50) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn auth_and_bad_requests_are_not_retried() {
    for status in [401, 403, 400, 404, 422] {
        let server = MockServer::start().await;
        failing_then_ok(&server, ResponseTemplate::new(status), 5).await;
        let err = Client::new(config(&server))
            .unwrap()
            .chat(&ask("x"))
            .await
            .unwrap_err();
        assert_eq!(request_count(&server).await, 1, "status {status}: {err}");
        if status == 401 {
            assert!(matches!(err, Error::Auth { status: 401, .. }), "{err:?}");
            assert!(err.to_string().contains("LLAMA_API_KEY"), "{err}");
        }
    }
}

#[tokio::test]
async fn a_429_is_waited_out_beyond_max_retries_until_the_budget_is_spent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after-ms", "10")
                .insert_header("x-ratelimit-remaining-requests", "0")
                .set_body_json(serde_json::json!({"message": "slow down"})),
        )
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.max_retries = 1;
    config.rate_limit_wait = Duration::from_millis(400);
    let started = Instant::now();
    let err = Client::new(config)
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(380), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    let sent = request_count(&server).await;
    let text = err.to_string();
    match err {
        Error::RateLimitWait {
            provider,
            attempts,
            message,
            ..
        } => {
            assert_eq!(provider, "llamaapi");
            assert!(attempts > 2, "more than max_retries + 1: {attempts}");
            assert_eq!(attempts as usize, sent);
            assert!(message.contains("slow down"), "{message}");
            assert!(message.contains("retry-after-ms: 10"), "{message}");
            assert!(
                message.contains("x-ratelimit-remaining-requests: 0"),
                "{message}"
            );
            assert!(message.contains("LLAMA_TEST_RATE_LIMIT_WAIT"), "{message}");
        }
        other => panic!("expected RateLimitWait, got {other:?}"),
    }
    assert!(
        text.starts_with("rate limited: provider `llamaapi`"),
        "{text}"
    );
}

#[tokio::test]
async fn a_wait_longer_than_the_budget_fails_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("x-ratelimit-reset-requests", "6m0s"),
        )
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.rate_limit_wait = Duration::from_secs(30);
    let started = Instant::now();
    let err = Client::new(config)
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    let text = err.to_string();
    assert!(text.contains("the next try would be in 6m"), "{text}");
    assert!(text.contains("x-ratelimit-reset-requests: 6m0s"), "{text}");
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn x_should_retry_false_on_a_429_fails_without_waiting() {
    let server = MockServer::start().await;
    failing_then_ok(
        &server,
        ResponseTemplate::new(429)
            .insert_header("x-should-retry", "false")
            .insert_header("retry-after", "1"),
        5,
    )
    .await;
    let err = Client::new(config(&server))
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { attempts: 1, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn x_should_retry_overrides_the_status_rule() {
    let server = MockServer::start().await;
    failing_then_ok(
        &server,
        ResponseTemplate::new(503).insert_header("x-should-retry", "false"),
        5,
    )
    .await;
    let err = Client::new(config(&server))
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Server {
                status: 503,
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(request_count(&server).await, 1);

    let server = MockServer::start().await;
    failing_then_ok(
        &server,
        ResponseTemplate::new(400)
            .insert_header("x-should-retry", "true")
            .insert_header("retry-after-ms", "10"),
        1,
    )
    .await;
    Client::new(config(&server))
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap();
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(native_answer("late"))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.timeout = Duration::from_millis(200);
    config.max_retries = 1;
    let err = Client::new(config)
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { attempts: 2, after } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn connection_errors_are_transport_errors_after_retries() {
    // Bind then drop a listener: the port is (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = llama_test::ClientConfig::new(format!("http://127.0.0.1:{port}"));
    config.rate_limited = false;
    config.max_retries = 1;
    let started = Instant::now();
    let err = Client::new(config)
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains(&port.to_string()), "{err}");
    // One backoff happened between the two attempts.
    assert!(
        started.elapsed() >= Duration::from_millis(375),
        "{:?}",
        started.elapsed()
    );
}
