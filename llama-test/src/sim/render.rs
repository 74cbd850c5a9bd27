//! Turns an answer into the exact non-streaming JSON of each endpoint:
//! native `completion_message` + `metrics`, compat OpenAI `choices` + `usage`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::answer::count_images;
use super::prompt::estimate_tokens;
use super::reply::{ChatCall, message_text};
use crate::request::Endpoint;

/// The fixed `created` timestamp (2025-01-01), so bodies are reproducible.
pub(crate) const CREATED: u64 = 1_735_689_600;

/// Tokens an image costs: one 336x336 tile.
const IMAGE_TOKENS: u64 = 145;

/// A function call as sent on the wire.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WireToolCall {
    pub id: String,
    pub name: String,
    /// JSON text (whatever a scripted reply put there).
    pub arguments: String,
}

/// A finished answer, ready to be written in either format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Completed {
    pub endpoint: Endpoint,
    pub id: String,
    pub model: String,
    pub text: String,
    pub tool_calls: Vec<WireToolCall>,
    pub stop_reason: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

impl Completed {
    /// Builds the answer to `call`; `seed` (method, path and body bytes)
    /// makes the response and tool-call ids deterministic.
    pub(crate) fn new(
        call: &ChatCall,
        seed: &[u8],
        text: String,
        calls: Vec<(String, String)>,
        stop_reason: Option<String>,
    ) -> Self {
        let digest = hex(&Sha256::digest(seed));
        let id = match call.endpoint {
            Endpoint::Native => digest[..24].to_owned(),
            Endpoint::Compat => format!("chatcmpl-{}", &digest[..24]),
        };
        let tool_calls: Vec<WireToolCall> = calls
            .into_iter()
            .enumerate()
            .map(|(i, (name, arguments))| WireToolCall {
                id: tool_call_id(seed, i),
                name,
                arguments,
            })
            .collect();
        let stop_reason = stop_reason.unwrap_or_else(|| {
            // The native API says "stop" even when it calls tools (a quirk of
            // the real service); OpenAI clients expect "tool_calls".
            let tool_stop = call.endpoint == Endpoint::Compat && !tool_calls.is_empty();
            if tool_stop { "tool_calls" } else { "stop" }.to_owned()
        });
        let completion_tokens = estimate_tokens(&text)
            + tool_calls
                .iter()
                .map(|c| estimate_tokens(&c.name) + estimate_tokens(&c.arguments))
                .sum::<u64>();
        Completed {
            endpoint: call.endpoint,
            id,
            model: call.model.clone(),
            text,
            tool_calls,
            stop_reason,
            prompt_tokens: prompt_tokens(call),
            completion_tokens: completion_tokens.max(1),
        }
    }

    pub(crate) fn total_tokens(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }

    /// Native `metrics`, in the order the real API sends them.
    pub(crate) fn metrics(&self) -> Value {
        json!([
            {"metric": "num_completion_tokens", "value": self.completion_tokens, "unit": "tokens"},
            {"metric": "num_prompt_tokens", "value": self.prompt_tokens, "unit": "tokens"},
            {"metric": "num_total_tokens", "value": self.total_tokens(), "unit": "tokens"},
        ])
    }

    /// Compat `usage`.
    pub(crate) fn usage(&self) -> Value {
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens(),
        })
    }

    /// The body of a non-streaming response.
    pub(crate) fn body(&self) -> Value {
        match self.endpoint {
            Endpoint::Native => self.native_body(),
            Endpoint::Compat => self.compat_body(),
        }
    }

    fn native_body(&self) -> Value {
        let tool_calls: Vec<Value> = self
            .tool_calls
            .iter()
            .map(|c| json!({"id": c.id, "function": {"name": c.name, "arguments": c.arguments}}))
            .collect();
        json!({
            "id": self.id,
            "completion_message": {
                "role": "assistant",
                "content": {"type": "text", "text": self.text},
                "stop_reason": self.stop_reason,
                "tool_calls": tool_calls,
            },
            "metrics": self.metrics(),
        })
    }

    fn compat_body(&self) -> Value {
        let mut message = json!({"role": "assistant", "content": self.text});
        if !self.tool_calls.is_empty() {
            // OpenAI sends `content: null` next to tool calls.
            message["content"] = Value::Null;
            message["tool_calls"] = self
                .tool_calls
                .iter()
                .map(|c| {
                    json!({"id": c.id, "type": "function",
                           "function": {"name": c.name, "arguments": c.arguments}})
                })
                .collect();
        }
        json!({
            "id": self.id,
            "object": "chat.completion",
            "created": CREATED,
            "model": self.model,
            "choices": [{
                "index": 0,
                "message": message,
                "finish_reason": self.stop_reason,
                "logprobs": Value::Null,
            }],
            "usage": self.usage(),
        })
    }
}

/// Prompt tokens: the text of every message, a few tokens of framing per
/// message, one tile per image, and the tool definitions.
fn prompt_tokens(call: &ChatCall) -> u64 {
    let messages: u64 = call
        .messages()
        .iter()
        .map(|m| estimate_tokens(&message_text(m)) + 4 + IMAGE_TOKENS * count_images(m) as u64)
        .sum();
    let tools = call
        .body
        .get("tools")
        .map_or(0, |t| estimate_tokens(&t.to_string()));
    (messages + tools).max(1)
}

/// A UUID-shaped id (like the real API's) derived from the request.
fn tool_call_id(seed: &[u8], index: usize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(seed);
    hasher.update(b"tool-call");
    hasher.update(index.to_le_bytes());
    let h = hex(&hasher.finalize());
    // Version 4 and RFC 4122 variant nibbles, so UUID parsers accept it.
    let variant = ["8", "9", "a", "b"][usize::from(h.as_bytes()[16] % 4)];
    format!(
        "{}-{}-4{}-{variant}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
