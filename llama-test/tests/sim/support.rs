//! Raw HTTP helpers shared by the simulator tests.

use llama_test::sim::SimLlamaApi;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A plain reqwest client for talking to a loopback server directly.
/// reqwest is built without a default TLS provider; even plain `http://`
/// needs one installed before a client can be built.
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub const NATIVE: &str = "/v1/chat/completions";
pub const COMPAT: &str = "/compat/v1/chat/completions";
pub const MODEL: &str = "Llama-3.3-70B-Instruct";

/// A one-message chat body.
pub fn ask(prompt: &str) -> Value {
    json!({"model": MODEL, "messages": [{"role": "user", "content": prompt}]})
}

pub async fn post(sim: &SimLlamaApi, path: &str, body: &Value) -> reqwest::Response {
    http()
        .post(format!("{}{path}", sim.uri()))
        .bearer_auth(sim.api_key())
        .json(body)
        .send()
        .await
        .unwrap()
}

pub async fn post_json(sim: &SimLlamaApi, path: &str, body: &Value) -> (StatusCode, Value) {
    let response = post(sim, path, body).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// Posts a streaming request with `Accept: text/event-stream`.
pub async fn post_stream(sim: &SimLlamaApi, path: &str, body: &Value) -> reqwest::Response {
    let mut body = body.clone();
    body["stream"] = json!(true);
    http()
        .post(format!("{}{path}", sim.uri()))
        .bearer_auth(sim.api_key())
        .header("accept", "text/event-stream")
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The `data:` payloads of an SSE body, in order; panics on any other
/// non-empty line (the wire spec allows only `data:` lines).
pub fn data_lines(body: &str) -> Vec<String> {
    body.split("\n\n")
        .filter(|event| !event.trim().is_empty())
        .map(|event| {
            event
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("not a data line: {event:?}"))
                .to_owned()
        })
        .collect()
}

/// The `event` objects of a native SSE body.
pub fn native_events(body: &str) -> Vec<Value> {
    data_lines(body)
        .iter()
        .map(|d| serde_json::from_str::<Value>(d).unwrap()["event"].clone())
        .collect()
}

pub fn event_types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event_type"].as_str().unwrap().to_owned())
        .collect()
}

/// The weather tool from the provider page.
pub fn weather_tools() -> Value {
    json!([{"type": "function", "function": {
        "name": "get_weather",
        "description": "Get current weather for a location",
        "parameters": {"type": "object", "properties": {
            "location": {"type": "string", "description": "City and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
        }, "required": ["location"]}
    }}])
}

/// The metric named `name` of a native body or metrics event.
pub fn metric(metrics: &Value, name: &str) -> u64 {
    metrics
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == name)
        .and_then(|m| m["value"].as_u64())
        .unwrap()
}
