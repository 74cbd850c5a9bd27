//! Shared helpers for the client integration tests (loopback only: a
//! wiremock server or the simulated Llama API).

use llama_test::sim::SimLlamaApi;
use llama_test::{ChatRequest, Client, ClientConfig, Message};
use serde_json::{Value, json};
use wiremock::MockServer;

/// A key shaped like Meta's (they contain `|`).
pub const KEY: &str = "LLM|607358788850350|nx9SeCrEtKeYLJY";
pub const MODEL: &str = "Llama-3.3-70B-Instruct";
pub const CHAT: &str = "/v1/chat/completions";
pub const COMPAT_CHAT: &str = "/compat/v1/chat/completions";

/// A config for `server` with the test key, outside the shared rate limiter.
pub fn config(server: &MockServer) -> ClientConfig {
    let mut config = ClientConfig::new(server.uri());
    config.api_key = Some(KEY.into());
    config.rate_limited = false;
    config
}

/// A client for the simulator `sim` with its key, outside the shared rate
/// limiter (so these tests do not depend on each other).
pub fn sim_client(sim: &SimLlamaApi) -> Client {
    let mut config = sim.client_config();
    config.rate_limited = false;
    Client::new(config).unwrap()
}

/// A one-message request.
pub fn ask(text: &str) -> ChatRequest {
    ChatRequest::new(MODEL).message(Message::user(text))
}

/// A native answer with usage metrics.
pub fn native_answer(text: &str) -> Value {
    json!({
        "id": "resp-1",
        "completion_message": {"role": "assistant", "stop_reason": "stop",
            "content": {"type": "text", "text": text}, "tool_calls": []},
        "metrics": [
            {"metric": "num_completion_tokens", "value": 7, "unit": "tokens"},
            {"metric": "num_prompt_tokens", "value": 12, "unit": "tokens"},
            {"metric": "num_total_tokens", "value": 19, "unit": "tokens"}
        ]
    })
}

/// An SSE body from `data:` payloads.
pub fn sse(payloads: &[&str]) -> String {
    payloads.iter().map(|p| format!("data: {p}\n\n")).collect()
}

/// A native text stream saying `parts` in order.
pub fn native_stream(parts: &[&str]) -> Vec<String> {
    let mut events = vec![
        r#"{"id":"s1","event":{"event_type":"start","delta":{"type":"text","text":""}}}"#
            .to_owned(),
    ];
    for part in parts {
        events.push(
            json!({"id":"s1","event":{"event_type":"progress","delta":{"type":"text","text":part}}})
                .to_string(),
        );
    }
    events.push(r#"{"id":"s1","event":{"event_type":"complete","delta":{"type":"text","text":""},"stop_reason":"stop"}}"#.to_owned());
    events.push(r#"{"id":"s1","event":{"event_type":"metrics","delta":{"type":"text","text":""},"metrics":[{"metric":"num_prompt_tokens","value":4,"unit":"tokens"},{"metric":"num_completion_tokens","value":2,"unit":"tokens"}]}}"#.to_owned());
    events
}

/// How many requests the server received.
pub async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}
