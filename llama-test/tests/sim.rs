//! The simulated Llama API checked against the wire spec
//! (`reference/llama-api-wire.md`) with raw HTTP, so the checks do not
//! depend on this crate's own client.

use std::time::{Duration, Instant};

use llama_test::sim::{Fault, Reply, SimLlamaApi};
use reqwest::StatusCode;
use serde_json::{Value, json};

const NATIVE: &str = "/v1/chat/completions";
const COMPAT: &str = "/compat/v1/chat/completions";
const MODEL: &str = "Llama-3.3-70B-Instruct";

fn http() -> reqwest::Client {
    // reqwest is built without a default TLS provider; plain http:// still
    // needs one installed before a client can be built.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn ask(prompt: &str) -> Value {
    json!({"model": MODEL, "messages": [{"role": "user", "content": prompt}]})
}

async fn post(sim: &SimLlamaApi, path: &str, body: &Value) -> reqwest::Response {
    http()
        .post(format!("{}{path}", sim.uri()))
        .bearer_auth(sim.api_key())
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn post_json(sim: &SimLlamaApi, path: &str, body: &Value) -> (StatusCode, Value) {
    let response = post(sim, path, body).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn native_answer_has_the_native_shape_and_quotes_the_prompt() {
    let sim = SimLlamaApi::start().await;
    let (status, body) = post_json(
        &sim,
        NATIVE,
        &ask("Explain quantum computing in simple terms"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let message = &body["completion_message"];
    assert_eq!(message["role"], "assistant");
    assert_eq!(message["content"]["type"], "text");
    assert!(
        message["content"]["text"]
            .as_str()
            .unwrap()
            .contains("quantum")
    );
    assert_eq!(message["stop_reason"], "stop");
    assert_eq!(message["tool_calls"], json!([]));
    let names: Vec<&str> = body["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "num_completion_tokens",
            "num_prompt_tokens",
            "num_total_tokens"
        ]
    );
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn compat_answer_has_the_openai_shape() {
    let sim = SimLlamaApi::start().await;
    let (status, body) = post_json(&sim, COMPAT, &ask("Explain quantum computing")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], MODEL);
    let choice = &body["choices"][0];
    assert!(
        choice["message"]["content"]
            .as_str()
            .unwrap()
            .contains("quantum")
    );
    assert_eq!(choice["finish_reason"], "stop");
    let usage = &body["usage"];
    assert_eq!(
        usage["total_tokens"].as_u64().unwrap(),
        usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
    );
}
