//! Every OpenAI-compatible provider id against the simulator's dialect for
//! it: the request the host saw (path, auth header, body fields), the
//! parsed answer, and each host's errors and rate-limit headers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use llama_test::providers::{ConfigFile, PRESETS, ProviderKind, Providers};
use llama_test::request::Message;
use llama_test::sim::{Fault, Reply, SimLlamaApi};
use llama_test::{ChatRequest, Client, ClientConfig, Error, StopReason};
use serde_json::{Value, json};

const KEY: &str = "sim-test-key";

/// A client whose providers all live under `<sim>/<provider>`, each with the
/// simulator's key (set directly: tests must not touch the process env).
fn client_for(sim: &SimLlamaApi, extra: &str) -> Client {
    let mut toml = String::new();
    for p in PRESETS.iter().filter(|p| p.kind == ProviderKind::OpenAi) {
        toml.push_str(&format!(
            "[providers.{}]\nbase_url = \"{}/{}\"\n",
            p.name,
            sim.uri(),
            p.name
        ));
    }
    toml.push_str(extra);
    let file = ConfigFile::parse(&toml, "llama-test.toml").unwrap();
    let mut providers = Providers::from_file(file);
    for p in PRESETS {
        providers = providers.with_key(p.name, KEY);
    }
    let mut config = ClientConfig::new(sim.uri());
    config.providers = Arc::new(providers);
    config.max_retries = 1;
    Client::new(config).unwrap()
}

fn ask(model: &str) -> ChatRequest {
    let mut request = ChatRequest::new(model);
    request
        .messages
        .push(Message::user("What is the capital of France?"));
    request.sampling.max_tokens = Some(32);
    request.sampling.temperature = Some(0.0);
    request
}

/// The last request the simulator saw: path, headers (secret values are
/// redacted by the simulator's log) and body; asserts it was authorized.
fn last_body(sim: &SimLlamaApi) -> (String, Vec<(String, String)>, Value) {
    let last = sim.received_requests().pop().unwrap();
    assert!(last.authorized, "{} carried the simulator's key", last.path);
    let body = serde_json::from_slice(&last.body).unwrap_or(Value::Null);
    (last.path, last.headers, body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn every_openai_provider_gets_its_documented_request() {
    let sim = SimLlamaApi::start().await;
    let client = client_for(&sim, "");
    let cases = [
        (
            "openrouter:meta-llama/llama-3.3-70b-instruct",
            "/openrouter/v1/chat/completions",
        ),
        (
            "togetherai:meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "/togetherai/v1/chat/completions",
        ),
        ("groq:llama-3.3-70b-versatile", "/groq/v1/chat/completions"),
        (
            "fireworks:accounts/fireworks/models/llama-v3p3-70b-instruct",
            "/fireworks/v1/chat/completions",
        ),
        ("cerebras:llama-3.3-70b", "/cerebras/v1/chat/completions"),
        (
            "azure:chat:llama-3-3-70b",
            "/azure/openai/v1/chat/completions",
        ),
        ("ollama:chat:llama3.3", "/ollama/v1/chat/completions"),
        (
            "vllm:meta-llama/Llama-3.1-8B-Instruct",
            "/vllm/v1/chat/completions",
        ),
        ("llamacpp:tiny", "/llamacpp/v1/chat/completions"),
        (
            "lmstudio:llama-3.2-3b-instruct",
            "/lmstudio/v1/chat/completions",
        ),
        (
            "ogx:meta-llama/Llama-3.3-70B-Instruct",
            "/ogx/v1/chat/completions",
        ),
        ("openai:chat:gpt-oss-120b", "/openai/v1/chat/completions"),
    ];
    for (id, path) in cases {
        let (completion, exchange) = client.chat_exchange(&ask(id)).await.unwrap();
        assert!(!completion.text.is_empty(), "{id}");
        let (seen_path, headers, body) = last_body(&sim);
        assert_eq!(seen_path, path, "{id}");
        let model = id.rsplit_once(':').map_or(id, |(_, m)| m);
        assert_eq!(
            body["model"], model,
            "{id}: the provider prefix is not sent"
        );
        // The key travels as Azure's `api-key` header, else as a bearer token.
        let azure = id.starts_with("azure:");
        assert_eq!(header(&headers, "api-key").is_some(), azure, "{id}");
        assert_eq!(header(&headers, "authorization").is_some(), !azure, "{id}");
        // Cerebras names the budget `max_completion_tokens`; the others `max_tokens`.
        let budget = if id.starts_with("cerebras:") {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        assert_eq!(body[budget], 32, "{id}: {body}");
        // Fixtures name the provider, never the host.
        let provider = id.split(':').next().unwrap();
        assert!(
            exchange.request.path.starts_with(&format!("/{provider}/")),
            "{id}"
        );
        assert!(!exchange.request.path.contains("127.0.0.1"));
    }
}

#[tokio::test]
async fn llamacpp_takes_top_k_and_names_the_penalty_its_own_way() {
    let sim = SimLlamaApi::start().await;
    let client = client_for(&sim, "");
    let mut request = ask("llamacpp:tiny");
    request.sampling.top_k = Some(1);
    request.sampling.repetition_penalty = Some(1.1);
    request.extra_body = Some(
        json!({"logit_bias": [[5018, 20]]})
            .as_object()
            .unwrap()
            .clone(),
    );
    client.chat(&request).await.unwrap();
    let (_, _, body) = last_body(&sim);
    assert_eq!(body["top_k"], 1);
    assert_eq!(body["repeat_penalty"], 1.1);
    assert!(body.get("repetition_penalty").is_none());
    assert_eq!(body["logit_bias"], json!([[5018, 20]]));

    let mut groq = ask("groq:llama-3.3-70b-versatile");
    groq.sampling.top_k = Some(1);
    let err = client.chat(&groq).await.unwrap_err().to_string();
    assert!(
        err.contains("`top_k` is not accepted by provider `groq`"),
        "{err}"
    );
    assert!(err.contains("extra_body"), "{err}");
}

#[tokio::test]
async fn provider_extra_body_and_headers_come_from_the_config_file() {
    let sim = SimLlamaApi::start().await;
    let client = client_for(
        &sim,
        "[providers.lab]\nkind = \"openai\"\nbase_url = \"URL/vllm\"\nheaders = { \"X-Team\" = \"evals\" }\nextra_body = { provider = { require_parameters = true } }\n"
            .replace("URL", &sim.uri())
            .as_str(),
    );
    let mut request = ask("lab:meta-llama/Llama-3.1-8B-Instruct");
    request.extra_body = Some(json!({"seed": 7}).as_object().unwrap().clone());
    client.chat(&request).await.unwrap();
    let (path, headers, body) = last_body(&sim);
    assert_eq!(path, "/vllm/v1/chat/completions");
    assert_eq!(header(&headers, "x-team"), Some("evals"));
    assert_eq!(body["provider"]["require_parameters"], true);
    assert_eq!(body["seed"], 7);
}

#[tokio::test]
async fn streams_ask_for_usage_and_assemble_it_in_every_dialect() {
    let sim = SimLlamaApi::start().await;
    let client = client_for(&sim, "");
    for id in [
        "openrouter:meta-llama/llama-3.3-70b-instruct",
        "groq:llama-3.3-70b-versatile",
        "llamacpp:tiny",
    ] {
        let plain = client.chat(&ask(id)).await.unwrap();
        let mut streamed = ask(id);
        streamed.stream = true;
        let streamed = client.chat(&streamed).await.unwrap();
        let (_, _, body) = last_body(&sim);
        let asks_usage = body.pointer("/stream_options/include_usage") == Some(&json!(true));
        // Groq reports stream usage on its own (in `x_groq`).
        assert_eq!(asks_usage, !id.starts_with("groq:"), "{id}");
        assert_eq!(streamed.text, plain.text, "{id}");
        assert_eq!(
            streamed.usage, plain.usage,
            "{id}: usage from the trailing chunk"
        );
    }
}

#[tokio::test]
async fn llamacpp_tool_calls_parse_with_empty_content() {
    let sim = SimLlamaApi::start().await;
    sim.reply_next(Reply::tool_call(
        "get_weather",
        &json!({"location": "Paris"}),
    ));
    let client = client_for(&sim, "");
    let (completion, exchange) = client.chat_exchange(&ask("llamacpp:tiny")).await.unwrap();
    assert_eq!(completion.tool_calls[0].name, "get_weather");
    assert_eq!(completion.tool_calls[0].arguments["location"], "Paris");
    assert_eq!(completion.tool_calls[0].id.len(), 32);
    assert_eq!(completion.stop_reason, Some(StopReason::ToolCalls));
    let llama_test::exchange::RecordedBody::Json(body) = &exchange.response.body else {
        panic!("not JSON")
    };
    assert_eq!(body["choices"][0]["message"]["content"], "");
}

#[tokio::test]
async fn a_missing_key_names_its_variable() {
    let sim = SimLlamaApi::start().await;
    let file = ConfigFile::parse(
        &format!("[providers.openrouter]\nbase_url = \"{}/openrouter\"\napi_key_env = \"LLAMA_TEST_UNSET_KEY_VAR\"\n", sim.uri()),
        "llama-test.toml",
    )
    .unwrap();
    let mut config = ClientConfig::new(sim.uri());
    config.providers = Arc::new(Providers::from_file(file));
    let client = Client::new(config).unwrap();
    let err = client
        .chat(&ask("openrouter:meta-llama/llama-3.3-70b-instruct"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(text.contains("set LLAMA_TEST_UNSET_KEY_VAR"), "{text}");
    assert_eq!(sim.request_count(), 0, "nothing is sent without the key");
    // A local server needs no key; when it is down the error names its URL
    // and the variable that moves it.
    let err = client.chat(&ask("ollama:chat:llama3.3")).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        text.contains("http://localhost:11434/v1/chat/completions"),
        "{text}"
    );
}

#[tokio::test]
async fn an_unknown_model_lists_what_the_provider_serves() {
    let sim = SimLlamaApi::start().await;
    let client = client_for(&sim, "");
    for (id, served) in [
        (
            "openrouter:meta-llama/llama-3.3-70b-instruc",
            "meta-llama/llama-3.3-70b-instruct",
        ),
        ("groq:llama-3.3-70b-versatle", "llama-3.3-70b-versatile"),
        (
            "fireworks:accounts/fireworks/models/llama-v3p1-8b-instruct",
            "accounts/fireworks/models/llama-v3p3-70b-instruct",
        ),
    ] {
        let err = client.chat(&ask(id)).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        let provider = id.split(':').next().unwrap();
        assert!(
            text.contains(&format!("provider `{provider}` does not serve model")),
            "{text}"
        );
        assert!(text.contains(&format!("`{served}`")), "{text}");
    }
    let err = client
        .chat(&ask("groq:llama-3.3-70b-versatle"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("did you mean `groq:llama-3.3-70b-versatile`?"),
        "{err}"
    );
}

#[tokio::test]
async fn openrouter_errors_inside_a_200_and_inside_a_stream_are_errors() {
    let sim = SimLlamaApi::start().await;
    let client = client_for(&sim, "");
    sim.fail_next_with(
        1,
        Fault::status(200).with_body(json!({"error": {"code": 502, "message": "Upstream provider returned an error", "metadata": {}}})),
    );
    let err = client
        .chat(&ask("openrouter:meta-llama/llama-3.3-70b-instruct"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("HTTP 200 with an error"), "{text}");
    assert!(
        text.contains("Upstream provider returned an error"),
        "{text}"
    );

    sim.error_mid_stream_after(2);
    let mut streamed = ask("openrouter:meta-llama/llama-3.3-70b-instruct");
    streamed.stream = true;
    let err = client.chat(&streamed).await.unwrap_err();
    assert!(matches!(err, Error::Stream { .. }), "{err:?}");
}

#[tokio::test]
async fn a_malformed_tool_call_is_the_models_failure_not_an_error() {
    let sim = SimLlamaApi::start().await;
    let client = client_for(&sim, "");
    sim.fail_next_with(
        1,
        Fault::status(400).with_body(json!({"error": {
            "message": "Failed to call a function. Please adjust your prompt.",
            "type": "invalid_request_error", "code": "tool_use_failed",
            "failed_generation": "<function=get_weather{\"location\": \"Paris\"}>"}})),
    );
    let (completion, exchange) = client
        .chat_exchange(&ask("groq:llama-3.3-70b-versatile"))
        .await
        .unwrap();
    assert!(completion.tool_calls.is_empty());
    assert_eq!(
        completion.text,
        "<function=get_weather{\"location\": \"Paris\"}>"
    );
    assert!(
        completion
            .generation_error
            .as_deref()
            .unwrap()
            .contains("Failed to call a function")
    );
    assert_eq!(
        exchange.response.status, 400,
        "recorded as answered, so replay fails the same way"
    );
    assert_eq!(sim.request_count(), 1, "never retried");

    sim.fail_next_with(
        1,
        Fault::status(500).with_body(json!({"error": {"code": 500,
            "message": "The model produced output that does not match the expected peg-native format",
            "type": "server_error"}})),
    );
    let completion = client.chat(&ask("llamacpp:tiny")).await.unwrap();
    assert!(completion.generation_error.is_some());
    assert_eq!(sim.request_count(), 2, "never retried");
    // An ordinary server error is still an error, and is never recorded.
    sim.fail_next_with(2, Fault::status(500));
    let err = client.chat(&ask("llamacpp:tiny")).await.unwrap_err();
    assert!(matches!(err, Error::Server { .. }), "{err:?}");
}

#[tokio::test]
async fn a_429_with_dialect_headers_pauses_that_provider() {
    let sim = SimLlamaApi::start().await;
    let client = client_for(&sim, "");
    sim.fail_next_with(1, Fault::rate_limited(Duration::from_secs(1)));
    let started = Instant::now();
    client
        .chat(&ask("togetherai:meta-llama/Llama-3.3-70B-Instruct-Turbo"))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited out retry-after"
    );
    assert_eq!(sim.request_count(), 2);
    // Groq's spent budget with a `6m0s`-style reset is read and capped.
    let completion = client
        .chat(&ask("groq:llama-3.3-70b-versatile"))
        .await
        .unwrap();
    assert_eq!(completion.rate_limit.reset, Some(Duration::from_secs(360)));
    assert!(completion.rate_limit.remaining_requests.is_some());
}

#[tokio::test]
async fn a_wrong_key_is_an_auth_error_in_each_dialect() {
    let sim = SimLlamaApi::start().await;
    let file = ConfigFile::parse(
        &format!(
            "[providers.llamacpp]\nbase_url = \"{0}/llamacpp\"\n[providers.groq]\nbase_url = \"{0}/groq\"\n",
            sim.uri()
        ),
        "llama-test.toml",
    )
    .unwrap();
    let providers = Providers::from_file(file)
        .with_key("llamacpp", "wrong-key-123")
        .with_key("groq", "wrong-key-123");
    let mut config = ClientConfig::new(sim.uri());
    config.providers = Arc::new(providers);
    let client = Client::new(config).unwrap();
    for id in ["llamacpp:tiny", "groq:llama-3.3-70b-versatile"] {
        let err = client.chat(&ask(id)).await.unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, Error::Auth { status: 401, .. }),
            "{id}: {err:?}"
        );
        assert!(text.contains("Invalid API Key"), "{text}");
        let var = if id.starts_with("groq") {
            "GROQ_API_KEY"
        } else {
            "LLAMACPP_API_KEY"
        };
        assert!(text.contains(&format!("Check that {var} is set")), "{text}");
        assert!(
            !text.contains("wrong-key-123"),
            "the key never appears: {text}"
        );
    }
}

/// Every provider id records against its dialect and replays offline: the
/// replay client has no key and no provider URL, only the loopback tape.
#[tokio::test]
async fn every_provider_records_and_replays_with_no_key() {
    use llama_test::Mode;
    use llama_test::fixtures::{FixtureSession, TestMeta};
    let sim = SimLlamaApi::start().await;
    let client = client_for(&sim, "");
    let dir = tempfile::tempdir().unwrap();
    let ids = [
        "openrouter:meta-llama/llama-3.3-70b-instruct",
        "togetherai:meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "groq:llama-3.3-70b-versatile",
        "fireworks:accounts/fireworks/models/llama-v3p3-70b-instruct",
        "cerebras:llama-3.3-70b",
        "azure:chat:llama-3-3-70b",
        "ollama:chat:llama3.3",
        "vllm:meta-llama/Llama-3.1-8B-Instruct",
        "llamacpp:tiny",
        "lmstudio:llama-3.2-3b-instruct",
        "ogx:meta-llama/Llama-3.3-70B-Instruct",
        "openai:chat:gpt-oss-120b",
    ];
    for (i, id) in ids.iter().enumerate() {
        let meta = || TestMeta {
            name: format!("provider_{i}"),
            package: "llama-test".into(),
            target: None,
            test_path: format!("provider_{i}"),
            ignored: false,
        };
        let path = dir.path().join(format!("provider_{i}.json"));
        let recording = FixtureSession::open(Mode::Record, &path, meta(), true).unwrap();
        let live = recording.send(&client, &ask(id)).await.unwrap();
        recording.finish(true, Some(KEY)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(KEY) && !text.contains(&sim.uri()),
            "{id}: no key, no host"
        );

        let before = sim.request_count();
        let offline = Client::new(ClientConfig::new("http://127.0.0.1:9")).unwrap();
        let replay = FixtureSession::open(Mode::Replay, &path, meta(), false).unwrap();
        let replayed = replay.send(&offline, &ask(id)).await.unwrap();
        assert_eq!(
            (replayed.text, replayed.usage),
            (live.text, live.usage),
            "{id}"
        );
        assert_eq!(
            sim.request_count(),
            before,
            "{id}: replay never reaches the host"
        );
        // The same model id on another provider is another request.
        let other = if id.starts_with("ollama:") {
            "vllm:llama3.3"
        } else {
            "ollama:chat:llama3.3"
        };
        let replay = FixtureSession::open(Mode::Replay, &path, meta(), false).unwrap();
        assert!(
            replay.send(&offline, &ask(other)).await.is_err(),
            "{id} vs {other}"
        );
    }
}
