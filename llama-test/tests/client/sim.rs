//! The client against the simulated Llama API (issue 2's acceptance list):
//! both endpoints, streaming, tool calls, structured output, models, typed
//! errors, retries and stream breakage. Image limits are in
//! `images.rs`, key redaction in `secrets.rs`.

use std::time::{Duration, Instant};

use crate::support::{CHAT, MODEL, ask, sim_client};
use llama_test::sim::{Reply, SimLlamaApi};
use llama_test::{
    ChatRequest, Client, Endpoint, Error, JsonSchemaFormat, Message, StopReason, Tool,
};
use serde_json::{Value, json};

fn last_body(sim: &SimLlamaApi) -> Value {
    serde_json::from_slice(&sim.received_requests().last().unwrap().body).unwrap()
}

fn weather_tool() -> Tool {
    Tool::function(
        "get_weather",
        json!({"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}),
    )
    .description("Get current weather for a given location.")
}

#[tokio::test]
async fn seed_provider_options_go_out_as_max_completion_tokens() {
    let sim = SimLlamaApi::start().await;
    let mut request = ChatRequest::new("llamaapi:Llama-3.3-70B-Instruct")
        .message(Message::user("Explain quantum computing"));
    request.sampling.temperature = Some(0.7);
    request.sampling.max_tokens = Some(1000);
    request.sampling.top_p = Some(0.9);
    // The simulator answers 400 to a native `max_tokens`, as the spec says.
    let completion = sim_client(&sim).chat(&request).await.unwrap();
    assert!(completion.text.contains("quantum"), "{}", completion.text);
    let body = last_body(&sim);
    assert_eq!(body["max_completion_tokens"], 1000);
    assert!(body.get("max_tokens").is_none(), "{body}");
    assert_eq!(body["model"], MODEL);
    assert!(completion.usage.is_some());
    assert!(completion.rate_limit.limit_requests.is_some());
}

#[tokio::test]
async fn streamed_and_plain_answers_agree_on_both_endpoints() {
    let sim = SimLlamaApi::start().await;
    let client = sim_client(&sim);
    for endpoint in [Endpoint::Native, Endpoint::Compat] {
        let mut request = ask("Name three colours of the rainbow");
        request.endpoint = endpoint;
        let plain = client.chat(&request).await.unwrap();
        request.stream = true;
        let streamed = client.chat(&request).await.unwrap();
        assert_eq!(streamed.text, plain.text, "{endpoint:?}");
        assert!(!plain.text.is_empty());
        assert!(streamed.streamed && !plain.streamed);
        assert_eq!(streamed.stop_reason, Some(StopReason::Stop));
        assert!(streamed.time_to_first_token.is_some(), "{endpoint:?}");
        assert_eq!(streamed.endpoint, endpoint);
    }
}

#[tokio::test]
async fn tool_calls_are_detected_on_both_endpoints_streamed_or_not() {
    let sim = SimLlamaApi::start().await;
    sim.reply_with(Reply::tool_call(
        "get_weather",
        &json!({"location": "Bellevue"}),
    ));
    let client = sim_client(&sim);
    for endpoint in [Endpoint::Native, Endpoint::Compat] {
        for stream in [false, true] {
            let mut request = ask("Is it raining in Bellevue?");
            request.tools = vec![weather_tool()];
            request.endpoint = endpoint;
            request.stream = stream;
            let c = client.chat(&request).await.unwrap();
            let case = format!("{endpoint:?} stream={stream}");
            assert_eq!(c.stop_reason, Some(StopReason::ToolCalls), "{case}");
            assert_eq!(c.tool_calls.len(), 1, "{case}");
            assert_eq!(c.tool_calls[0].name, "get_weather", "{case}");
            assert_eq!(
                c.tool_calls[0].arguments,
                json!({"location": "Bellevue"}),
                "{case}"
            );
            assert!(!c.tool_calls[0].id.is_empty(), "{case}");
        }
    }
    sim.reply_with(Reply::tool_call_raw("get_weather", "{\"location\": "));
    let c = client.chat(&ask("weather?")).await.unwrap();
    assert_eq!(c.tool_calls[0].arguments, Value::Null);
    assert_eq!(c.tool_calls[0].raw_arguments, "{\"location\": ");
    assert!(c.tool_calls[0].arguments_error().is_some());
}

#[tokio::test]
async fn tool_results_round_trip_as_history() {
    let sim = SimLlamaApi::start().await;
    sim.reply_next(Reply::tool_call(
        "get_weather",
        &json!({"location": "Paris"}),
    ));
    let client = sim_client(&sim);
    let mut request = ask("Weather in Paris?");
    request.tools = vec![weather_tool()];
    let first = client.chat(&request).await.unwrap();
    let call = first.tool_calls[0].clone();
    let request = request
        .message(Message::assistant_tool_calls("", vec![call.clone()]))
        .message(Message::tool(call.id.clone(), "Sunny, 22 C"));
    client.chat(&request).await.unwrap();
    let body = last_body(&sim);
    assert_eq!(body["messages"][1]["tool_calls"][0]["id"], call.id.as_str());
    assert_eq!(
        body["messages"][1]["content"],
        json!({"type": "text", "text": ""})
    );
    assert_eq!(body["messages"][2]["tool_call_id"], call.id.as_str());
}

#[tokio::test]
async fn json_schema_answers_parse_as_the_schema_asks() {
    let sim = SimLlamaApi::start().await;
    let mut request = ask("123 Main St, Anytown, USA");
    request.response_format = Some(JsonSchemaFormat {
        name: "Address".into(),
        schema: json!({"type": "object", "properties": {"street": {"type": "string"}, "zip": {"type": "integer"}},
                       "required": ["street", "zip"]}),
    });
    let completion = sim_client(&sim).chat(&request).await.unwrap();
    let parsed: Value = serde_json::from_str(&completion.text).unwrap();
    assert!(parsed["street"].is_string(), "{parsed}");
    assert!(parsed["zip"].is_i64(), "{parsed}");
    assert_eq!(last_body(&sim)["response_format"]["type"], "json_schema");
}

#[tokio::test]
async fn models_list_has_the_catalogue() {
    let sim = SimLlamaApi::start().await;
    let models = sim_client(&sim).list_models().await.unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    for known in llama_test::catalogue::MODELS {
        assert!(ids.contains(&known.id), "{ids:?}");
    }
}

#[tokio::test]
async fn wrong_key_is_an_auth_error_and_is_not_retried() {
    let sim = SimLlamaApi::start().await;
    let mut config = sim.client_config();
    config.api_key = Some("not-the-key".into());
    config.rate_limited = false;
    let err = Client::new(config)
        .unwrap()
        .chat(&ask("hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { status: 401, .. }), "{err:?}");
    assert_eq!(sim.request_count(), 1);
}

#[tokio::test]
async fn unknown_model_is_not_found_with_a_suggestion() {
    let sim = SimLlamaApi::start().await;
    let mut config = sim.client_config();
    config.allow_unlisted_models = true;
    config.rate_limited = false;
    let request = ChatRequest::new("llama-3.3-70b-instruct").message(Message::user("hi"));
    let err = Client::new(config)
        .unwrap()
        .chat(&request)
        .await
        .unwrap_err();
    match err {
        Error::NotFound { suggestion, .. } => {
            assert_eq!(suggestion.as_deref(), Some("Llama-3.3-70B-Instruct"))
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn two_503s_then_success() {
    let sim = SimLlamaApi::start().await;
    sim.fail_next(2, 503);
    let completion = sim_client(&sim).chat(&ask("hello")).await.unwrap();
    assert!(completion.text.contains("hello"), "{}", completion.text);
    assert_eq!(sim.request_count_for(CHAT), 3);
}

#[tokio::test]
async fn a_429_with_retry_after_one_second_is_waited_out() {
    let sim = SimLlamaApi::start().await;
    sim.rate_limit_next(1, Duration::from_secs(1));
    let started = Instant::now();
    sim_client(&sim).chat(&ask("hello")).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sim.request_count_for(CHAT), 2);
}

#[tokio::test]
async fn five_hundreds_past_the_retry_budget_are_server_errors() {
    let sim = SimLlamaApi::start().await;
    sim.fail_next(5, 500);
    let mut config = sim.client_config();
    config.rate_limited = false;
    config.max_retries = 1;
    let err = Client::new(config)
        .unwrap()
        .chat(&ask("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Server {
                status: 500,
                attempts: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn broken_streams_are_errors_not_short_answers() {
    let sim = SimLlamaApi::start().await;
    let client = sim_client(&sim);
    for endpoint in [Endpoint::Native, Endpoint::Compat] {
        let mut request = ask("Tell me a long story about a lighthouse keeper");
        request.endpoint = endpoint;
        request.stream = true;
        sim.reset();
        sim.cut_streams_after(3);
        let err = client.chat(&request).await.unwrap_err();
        assert!(matches!(err, Error::Stream { .. }), "{endpoint:?}: {err:?}");
        sim.reset();
        sim.error_mid_stream_after(2);
        let err = client.chat(&request).await.unwrap_err();
        assert!(
            err.to_string().contains("Simulated mid-stream failure"),
            "{endpoint:?}: {err}"
        );
    }
}
