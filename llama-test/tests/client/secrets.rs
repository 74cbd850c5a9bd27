//! No error's Display or Debug ever contains the API key, even when the
//! server echoes the request's `Authorization` header into its answer.

use crate::support::*;
use llama_test::sim::SimLlamaApi;
use llama_test::{Client, ClientConfig, Error};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Echoes the request's Authorization header (the key) into the response,
/// for the answers the simulated Llama API does not give.
struct EchoAuthorization {
    status: u16,
    stream: bool,
    replay_miss: bool,
}

impl Respond for EchoAuthorization {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let echo = serde_json::json!({
            "error": {"message": format!("rejected request with header Authorization: {auth} (key {})", auth.trim_start_matches("Bearer "))},
        });
        let template = ResponseTemplate::new(self.status);
        let template = if self.replay_miss {
            template.insert_header(llama_test::exchange::REPLAY_MISS_HEADER, "1")
        } else {
            template
        };
        if self.stream {
            let body = format!(
                "data: {}\n\n{}\n",
                r#"{"event":{"event_type":"progress","delta":{"type":"text","text":"x"}}}"#, echo
            );
            template.set_body_raw(body, "text/event-stream")
        } else {
            template.set_body_json(echo)
        }
    }
}

fn assert_no_key(err: &Error) {
    let shown = format!("{err} | {err:?}");
    for secret in [KEY, "nx9SeCrEtKeYLJY", "607358788850350"] {
        assert!(!shown.contains(secret), "the key leaked into: {shown}");
    }
}

/// Every error status, with the simulated API echoing the request's
/// `Authorization` header into the body as a careless server might.
#[tokio::test]
async fn echoed_keys_never_appear_in_api_errors() {
    let sim = SimLlamaApi::builder()
        .api_key(KEY)
        .echo_auth_in_errors()
        .start()
        .await;
    let mut config = sim.client_config();
    config.rate_limited = false;
    config.max_retries = 0;
    // A 429 fails at once instead of being waited out.
    config.rate_limit_wait = std::time::Duration::ZERO;
    let client = Client::new(config.clone()).unwrap();
    for status in [400, 401, 403, 404, 409, 429, 500, 503] {
        sim.fail_next(1, status);
        let err = client.chat(&ask("x")).await.unwrap_err();
        assert_no_key(&err);
        // The simulator did echo it; the client redacted it.
        assert!(err.to_string().contains("[REDACTED]"), "{status}: {err}");
    }
    // A wrong key is echoed back in the 401 too.
    config.api_key = Some("LLM|1|wrongSecretKey".into());
    let err = Client::new(config)
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("wrongSecretKey"), "{shown}");
    assert!(shown.contains("[REDACTED]"), "{shown}");
}

/// The echo where the simulated API cannot put it: an error event inside a
/// 200 stream, and a 404 from a replay server.
#[tokio::test]
async fn echoed_keys_never_appear_in_stream_or_replay_errors() {
    let cases = [(200, true, false), (404, false, true)];
    for (status, stream, replay_miss) in cases {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(EchoAuthorization {
                status,
                stream,
                replay_miss,
            })
            .mount(&server)
            .await;
        let mut config = config(&server);
        config.max_retries = 0;
        let mut request = ask("x");
        request.stream = stream;
        let err = Client::new(config)
            .unwrap()
            .chat(&request)
            .await
            .unwrap_err();
        // The server did see the key and put it in the body.
        assert!(
            server.received_requests().await.unwrap()[0]
                .headers
                .contains_key("authorization")
        );
        assert_no_key(&err);
        assert!(err.to_string().contains("[REDACTED]"), "{err}");
    }
}

#[tokio::test]
async fn transport_and_config_errors_do_not_leak_the_key() {
    // A key inside the base URL (a misconfiguration) is redacted too.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = ClientConfig::new(format!("http://user:{KEY}@127.0.0.1:{port}"));
    config.api_key = Some(KEY.into());
    config.rate_limited = false;
    config.max_retries = 0;
    let client = Client::new(config.clone()).unwrap();
    let err = client.chat(&ask("x")).await.unwrap_err();
    assert_no_key(&err);
    let err = client.list_models().await.unwrap_err();
    assert_no_key(&err);

    // A key that is not a valid header value.
    config.api_key = Some(format!("{KEY}\n"));
    config.base_url = "http://127.0.0.1:9".into();
    let err = Client::new(config)
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    assert_no_key(&err);
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[tokio::test]
async fn config_and_client_debug_hide_the_key() {
    let mut config = ClientConfig::new("http://127.0.0.1:9");
    config.api_key = Some(KEY.into());
    let client = Client::new(config.clone()).unwrap();
    for shown in [format!("{config:?}"), format!("{client:?}")] {
        assert!(!shown.contains("nx9SeCrEtKeYLJY"), "{shown}");
    }
}
