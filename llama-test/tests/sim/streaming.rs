//! `stream: true`: native events, compat chunks, tool-call deltas, and the
//! `Accept` rule (400 for `*/*` alone; `text/event-stream` and the SDKs'
//! `application/json` stream).

use llama_test::sim::SimLlamaApi;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn native_stream_is_start_progress_complete_metrics_without_done() {
    let sim = SimLlamaApi::start().await;
    let response = post_stream(&sim, NATIVE, &ask("Write a short story about time travel")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let body = response.text().await.unwrap();
    assert!(!body.contains("[DONE]"));
    let events = native_events(&body);
    let types = event_types(&events);
    assert_eq!(types.first().unwrap(), "start");
    assert_eq!(&types[types.len() - 2..], ["complete", "metrics"]);
    assert!(types[1..types.len() - 2].iter().all(|t| t == "progress"));
    let text: String = events
        .iter()
        .map(|e| e["delta"]["text"].as_str().unwrap_or_default())
        .collect();
    assert!(text.contains("time travel"), "{text}");
    assert_eq!(events[events.len() - 2]["stop_reason"], "stop");
    let metrics = &events[events.len() - 1]["metrics"];
    assert!(metric(metrics, "num_completion_tokens") > 0);
    // Every event carries the same response id.
    let ids: Vec<Value> = data_lines(&body)
        .iter()
        .map(|d| serde_json::from_str::<Value>(d).unwrap()["id"].clone())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0] && id.is_string()));
}

#[tokio::test]
async fn native_stream_tool_call_arguments_arrive_in_fragments() {
    let sim = SimLlamaApi::start().await;
    let mut body = ask("Is it raining in Bellevue?");
    body["tools"] = weather_tools();
    let text = post_stream(&sim, NATIVE, &body).await.text().await.unwrap();
    let deltas: Vec<Value> = native_events(&text)
        .into_iter()
        .map(|e| e["delta"].clone())
        .filter(|d| d["type"] == "tool_call")
        .collect();
    assert!(deltas.len() >= 2, "{text}");
    assert_eq!(deltas[0]["function"]["name"], "get_weather");
    assert!(deltas[0]["id"].is_string());
    assert!(deltas[1..].iter().all(|d| d.get("id").is_none()));
    let arguments: String = deltas
        .iter()
        .map(|d| d["function"]["arguments"].as_str().unwrap_or_default())
        .collect();
    let arguments: Value = serde_json::from_str(&arguments).unwrap();
    assert_eq!(arguments, json!({"location": "Bellevue"}));
}

#[tokio::test]
async fn compat_stream_is_openai_chunks_ending_in_done() {
    let sim = SimLlamaApi::start().await;
    let mut body = ask("Write a short story about time travel");
    body["stream_options"] = json!({"include_usage": true});
    let text = post_stream(&sim, COMPAT, &body).await.text().await.unwrap();
    let lines = data_lines(&text);
    assert_eq!(lines.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> = lines[..lines.len() - 1]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk")
    );
    let content: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert!(content.contains("time travel"), "{content}");
    let finish: Vec<&Value> = chunks
        .iter()
        .map(|c| &c["choices"][0]["finish_reason"])
        .filter(|f| !f.is_null())
        .collect();
    assert_eq!(finish, [&json!("stop")]);
    assert!(
        chunks.last().unwrap()["usage"]["total_tokens"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn compat_stream_tool_calls_use_indexed_deltas() {
    let sim = SimLlamaApi::start().await;
    let mut body = ask("What's the weather like in New York, NY?");
    body["tools"] = weather_tools();
    let text = post_stream(&sim, COMPAT, &body).await.text().await.unwrap();
    let lines = data_lines(&text);
    let chunks: Vec<Value> = lines[..lines.len() - 1]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let calls: Vec<&Value> = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["tool_calls"].get(0))
        .collect();
    assert_eq!(calls[0]["function"]["name"], "get_weather");
    assert!(calls.iter().all(|c| c["index"] == 0));
    let arguments: String = calls
        .iter()
        .map(|c| c["function"]["arguments"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&arguments).unwrap(),
        json!({"location": "New York, NY"})
    );
    assert!(
        chunks
            .iter()
            .any(|c| c["choices"][0]["finish_reason"] == "tool_calls")
    );
}

/// A streaming request with this `Accept` value (reqwest's own default is
/// `*/*`).
async fn post_stream_accepting(sim: &SimLlamaApi, path: &str, accept: &str) -> reqwest::Response {
    let mut body = ask("hi");
    body["stream"] = json!(true);
    http()
        .post(format!("{}{path}", sim.uri()))
        .bearer_auth(sim.api_key())
        .header("accept", accept)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn streaming_with_a_wildcard_accept_is_a_400_on_both_endpoints() {
    // The one case observed live: python-requests' default `*/*`.
    let sim = SimLlamaApi::start().await;
    for path in [NATIVE, COMPAT] {
        for accept in ["*/*", "*/*;q=0.8", "*/*, */*"] {
            let response = post_stream_accepting(&sim, path, accept).await;
            assert_eq!(response.status(), 400, "{path} with {accept:?}");
            let problem: Value = response.json().await.unwrap();
            assert!(
                problem.to_string().contains("text/event-stream"),
                "{problem}"
            );
        }
    }
}

#[tokio::test]
async fn streaming_with_the_sdks_accept_application_json_streams_on_both_endpoints() {
    // Meta's SDKs (and OpenAI's, on compat) send `Accept: application/json`
    // on every request, and they stream against the live service.
    let sim = SimLlamaApi::start().await;
    for path in [NATIVE, COMPAT] {
        for accept in [
            "application/json",
            "text/event-stream",
            "application/json, text/event-stream;q=0.9",
            "*/*, text/event-stream",
        ] {
            let response = post_stream_accepting(&sim, path, accept).await;
            assert_eq!(response.status(), 200, "{path} with {accept:?}");
            let content_type = response.headers()["content-type"].to_str().unwrap();
            assert!(
                content_type.starts_with("text/event-stream"),
                "{path} with {accept:?}: {content_type}"
            );
            let body = response.text().await.unwrap();
            assert!(!data_lines(&body).is_empty(), "{body}");
        }
    }
}

#[tokio::test]
async fn streaming_without_any_accept_header_is_a_400_like_a_wildcard() {
    // No `Accept` means `*/*` in HTTP. reqwest always sends one, so this
    // request is written by hand.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sim = SimLlamaApi::start().await;
    let mut body = ask("hi");
    body["stream"] = json!(true);
    let body = body.to_string();
    let address = sim.uri().trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST {NATIVE} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        sim.api_key(),
        body.len()
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(response.contains("text/event-stream"), "{response}");
    let logged = sim.received_requests();
    assert!(
        logged
            .last()
            .unwrap()
            .headers
            .iter()
            .all(|(name, _)| name != "accept"),
        "{logged:?}"
    );
}

#[tokio::test]
async fn non_streaming_request_with_accept_event_stream_gets_json() {
    let sim = SimLlamaApi::start().await;
    let response = http()
        .post(format!("{}{NATIVE}", sim.uri()))
        .bearer_auth(sim.api_key())
        .header("accept", "text/event-stream")
        .json(&ask("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body["completion_message"].is_object());
}
