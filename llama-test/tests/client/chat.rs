//! Chat completions and the models list against a loopback mock: headers,
//! bodies, parsing, streaming, exchanges, typed errors.

use std::time::Duration;

use crate::support::*;
use llama_test::exchange::RecordedBody;
use llama_test::{Client, ClientConfig, Endpoint, Error, StopReason};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn native_chat_sends_the_documented_request_and_parses_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CHAT))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(native_answer("Paris."))
                .insert_header("x-ratelimit-limit-requests", "3000")
                .insert_header("x-ratelimit-remaining-requests", "2999")
                .insert_header("x-ratelimit-limit-tokens", "1000000")
                .insert_header("x-ratelimit-remaining-tokens", "999981")
                .insert_header("set-cookie", "session=abc"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let mut request = ask("Capital of France?");
    request.sampling.max_tokens = Some(64);
    request.sampling.top_k = Some(40);
    let (completion, exchange) = client.chat_exchange(&request).await.unwrap();

    assert_eq!(completion.text, "Paris.");
    assert_eq!(completion.id.as_deref(), Some("resp-1"));
    assert_eq!(completion.stop_reason, Some(StopReason::Stop));
    assert_eq!(completion.usage.unwrap().total_tokens, 19);
    assert_eq!(completion.rate_limit.remaining_requests, Some(2999));
    assert_eq!(completion.rate_limit.limit_tokens, Some(1_000_000));
    assert!(completion.latency > Duration::ZERO);
    assert_eq!(completion.model, MODEL);

    let sent: Value = server.received_requests().await.unwrap()[0]
        .body_json()
        .unwrap();
    assert_eq!(sent["max_completion_tokens"], 64);
    assert!(sent.get("max_tokens").is_none(), "{sent}");
    assert_eq!(sent["top_k"], 40);
    assert_eq!(exchange.request.body, sent);
    assert_eq!(exchange.request.method, "POST");
    assert_eq!(exchange.request.path, CHAT);
    assert_eq!(exchange.response.status, 200);
    assert_eq!(
        exchange.response.body,
        RecordedBody::Json(native_answer("Paris."))
    );
    assert!(!exchange.response.headers.contains_key("set-cookie"));
    assert_eq!(
        exchange.response.headers["x-ratelimit-remaining-requests"],
        "2999"
    );
}

#[tokio::test]
async fn no_key_means_no_authorization_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(native_answer("ok")))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.api_key = None;
    Client::new(config).unwrap().chat(&ask("hi")).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(!requests[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn compat_chat_uses_the_compat_path_and_openai_shapes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COMPAT_CHAT))
        .and(body_partial_json(json!({"max_tokens": 32, "frequency_penalty": 0.5})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "chatcmpl-9",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Bonjour"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let mut request = ask("Say hello in French");
    request.endpoint = Endpoint::Compat;
    request.sampling.max_tokens = Some(32);
    request.sampling.frequency_penalty = Some(0.5);
    let completion = Client::new(config(&server))
        .unwrap()
        .chat(&request)
        .await
        .unwrap();
    assert_eq!(completion.text, "Bonjour");
    assert_eq!(completion.endpoint, Endpoint::Compat);
    assert_eq!(completion.usage.unwrap().total_tokens, 4);
}

#[tokio::test]
async fn native_stream_is_assembled_and_recorded_event_by_event() {
    let server = MockServer::start().await;
    let events = native_stream(&["Hel", "lo"]);
    let refs: Vec<&str> = events.iter().map(String::as_str).collect();
    Mock::given(method("POST"))
        .and(path(CHAT))
        .and(header("accept", "text/event-stream"))
        .and(body_partial_json(json!({"stream": true})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(sse(&refs), "text/event-stream"))
        .expect(1)
        .mount(&server)
        .await;
    let mut request = ask("hi");
    request.stream = true;
    let (completion, exchange) = Client::new(config(&server))
        .unwrap()
        .chat_exchange(&request)
        .await
        .unwrap();
    assert_eq!(completion.text, "Hello");
    assert!(completion.streamed);
    assert_eq!(completion.usage.unwrap().total_tokens, 6);
    let ttft = completion.time_to_first_token.unwrap();
    assert!(ttft <= completion.latency);
    assert_eq!(exchange.response.body, RecordedBody::Sse(events));
    assert_eq!(
        exchange.response.headers["content-type"],
        "text/event-stream"
    );
}

#[tokio::test]
async fn compat_stream_ends_with_done_and_keeps_it_in_the_recording() {
    let server = MockServer::start().await;
    let payloads = [
        r#"{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"4"},"finish_reason":null}]}"#,
        r#"{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        "[DONE]",
    ];
    Mock::given(method("POST"))
        .and(path(COMPAT_CHAT))
        .respond_with(ResponseTemplate::new(200).set_body_raw(sse(&payloads), "text/event-stream"))
        .mount(&server)
        .await;
    let mut request = ask("2+2?");
    request.endpoint = Endpoint::Compat;
    request.stream = true;
    let (completion, exchange) = Client::new(config(&server))
        .unwrap()
        .chat_exchange(&request)
        .await
        .unwrap();
    assert_eq!(completion.text, "4");
    assert_eq!(
        exchange.response.body,
        RecordedBody::Sse(payloads.iter().map(|p| p.to_string()).collect())
    );
}

#[tokio::test]
async fn truncated_stream_and_mid_stream_error_are_errors() {
    let server = MockServer::start().await;
    let events = native_stream(&["Hel", "lo"]);
    let cut: Vec<&str> = events[..2].iter().map(String::as_str).collect();
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"messages": [{"content": "cut"}]})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(sse(&cut), "text/event-stream"))
        .mount(&server)
        .await;
    let with_error = format!(
        "data: {}\n\n{{\"error\":{{\"message\":\"model overloaded\"}}}}\n",
        events[1]
    );
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"messages": [{"content": "error"}]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(with_error, "text/event-stream"))
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    for (prompt, expected) in [("cut", "`complete` event"), ("error", "model overloaded")] {
        let mut request = ask(prompt);
        request.stream = true;
        let err = client.chat(&request).await.unwrap_err();
        assert!(matches!(err, Error::Stream { .. }), "{err:?}");
        assert!(err.to_string().contains(expected), "{err}");
    }
    // Stream failures after the headers are not retried.
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn list_models_unwraps_data() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"id": "Llama-3.3-70B-Instruct", "created": 1734000000, "object": "model", "owned_by": "Meta"},
            {"id": "Llama-4-Scout-17B-16E-Instruct-FP8", "object": "model"}
        ]})))
        .mount(&server)
        .await;
    let models = Client::new(config(&server))
        .unwrap()
        .list_models()
        .await
        .unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0].id, "Llama-3.3-70B-Instruct");
    assert_eq!(models[0].created, Some(1734000000));
    assert_eq!(models[1].owned_by, None);
}

#[tokio::test]
async fn http_errors_become_typed_errors_with_the_server_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"model": "Llama-3.3-70B"})))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"title": "Not Found", "detail": "Model 'Llama-3.3-70B' not found", "status": 404}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"model": MODEL})))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"message": "Invalid image format"}})),
        )
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.allow_unlisted_models = true;
    let client = Client::new(config).unwrap();

    let err = client
        .chat(
            &llama_test::ChatRequest::new("Llama-3.3-70B").message(llama_test::Message::user("x")),
        )
        .await
        .unwrap_err();
    match &err {
        Error::NotFound {
            message,
            suggestion,
        } => {
            assert!(message.contains("not found"), "{message}");
            assert_eq!(suggestion.as_deref(), Some("Llama-3.3-70B-Instruct"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let err = client.chat(&ask("x")).await.unwrap_err();
    assert!(
        matches!(&err, Error::BadRequest { status: 400, message } if message == "Invalid image format"),
        "{err:?}"
    );
}

#[tokio::test]
async fn requests_that_cannot_be_sent_never_reach_the_server() {
    let server = MockServer::start().await;
    let client = Client::new(config(&server)).unwrap();
    let unknown =
        llama_test::ChatRequest::new("Llama-3.3-70B").message(llama_test::Message::user("x"));
    let err = client.chat(&unknown).await.unwrap_err().to_string();
    assert!(
        err.contains("did you mean `Llama-3.3-70B-Instruct`?"),
        "{err}"
    );
    let mut penalties = ask("x");
    penalties.sampling.presence_penalty = Some(0.3);
    let err = client.chat(&penalties).await.unwrap_err().to_string();
    assert!(err.contains("endpoint = \"compat\""), "{err}");
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn replay_miss_is_a_fixture_error_and_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header(llama_test::exchange::REPLAY_MISS_HEADER, "1")
                .set_body_string("no recording for POST /v1/chat/completions; nearest differs at messages[0].content"),
        )
        .mount(&server)
        .await;
    let err = Client::new(config(&server))
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    match err {
        Error::Fixture(text) => assert!(text.contains("messages[0].content"), "{text}"),
        other => panic!("expected Fixture, got {other:?}"),
    }
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn client_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = Client::new(ClientConfig::new("http://127.0.0.1:9")).unwrap();
    let request = ask("x");
    let chat = client.chat(&request);
    assert_send(&chat);
    let models = client.list_models();
    assert_send(&models);
}

#[tokio::test]
async fn a_connection_cut_mid_stream_is_a_stream_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut buf).await.unwrap();
        let event = format!(
            "{}\n\n",
            sse(&[native_stream(&["Hel"])[1].as_str()]).trim_end()
        );
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        let chunk = format!("{:x}\r\n{event}\r\n", event.len());
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(chunk.as_bytes()).await.unwrap();
        socket.flush().await.unwrap();
        // Dropping the socket without the final 0-length chunk cuts the stream.
    });
    let mut config = ClientConfig::new(base);
    config.rate_limited = false;
    let mut request = ask("hi");
    request.stream = true;
    let err = Client::new(config)
        .unwrap()
        .chat(&request)
        .await
        .unwrap_err();
    server.await.unwrap();
    assert!(matches!(err, Error::Stream { .. }), "{err:?}");
    assert!(err.to_string().contains("mid-stream"), "{err}");
}
