//! Hand-made exchanges and fixtures for the fixture tests (the real client
//! is not needed to exercise the recorder and the replay server).
#![allow(dead_code)]

#[path = "../http_support/mod.rs"]
mod http_support;

use std::collections::BTreeMap;

use llama_test::exchange::{Exchange, RecordedBody, RecordedRequest, RecordedResponse};
use llama_test::fixtures::{Fixture, Interaction, TestMeta, key::request_key};
use serde_json::{Value, json};

#[allow(unused_imports)] // Only some fixture tests talk HTTP.
pub use http_support::http;

pub const CHAT_PATH: &str = "/v1/chat/completions";

/// A native chat body with a tool whose schema has a `city` parameter.
pub fn chat_body(prompt: &str, temperature: f64) -> Value {
    json!({
        "model": "Llama-3.3-70B-Instruct",
        "messages": [{"role": "user", "content": prompt}],
        "temperature": temperature,
        "tools": [{"type": "function", "function": {"name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
    })
}

/// A native completion answering `text`.
pub fn completion_json(text: &str) -> Value {
    json!({
        "id": "abc",
        "completion_message": {"role": "assistant", "stop_reason": "stop",
            "content": {"type": "text", "text": text}},
        "metrics": [{"metric": "num_total_tokens", "value": 12, "unit": "tokens"}]
    })
}

pub fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn json_exchange(body: Value, answer: &str) -> Exchange {
    Exchange {
        request: RecordedRequest {
            method: "POST".into(),
            path: CHAT_PATH.into(),
            body,
        },
        response: RecordedResponse {
            status: 200,
            headers: headers(&[
                ("content-type", "application/json"),
                ("x-ratelimit-remaining-requests", "99"),
            ]),
            body: RecordedBody::Json(completion_json(answer)),
            latency_ms: None,
        },
    }
}

pub fn sse_exchange(body: Value, events: &[Value]) -> Exchange {
    Exchange {
        request: RecordedRequest {
            method: "POST".into(),
            path: CHAT_PATH.into(),
            body,
        },
        response: RecordedResponse {
            status: 200,
            headers: headers(&[("content-type", "text/event-stream")]),
            body: RecordedBody::Sse(events.iter().map(Value::to_string).collect()),
            latency_ms: None,
        },
    }
}

pub fn fixture(test: &str, exchanges: Vec<Exchange>) -> Fixture {
    let mut f = Fixture::new(test);
    f.interactions = exchanges
        .into_iter()
        .map(|e| Interaction {
            key: request_key(&e.request.method, &e.request.path, &e.request.body),
            model: "Llama-3.3-70B-Instruct".into(),
            recorded_on: "2026-11-26".into(),
            request: e.request,
            response: e.response,
        })
        .collect();
    f
}

pub fn meta(name: &str) -> TestMeta {
    TestMeta {
        name: name.into(),
        package: "llama-test-examples".into(),
        target: Some("examples".into()),
        test_path: name.replace("__", "::"),
        ignored: false,
    }
}
