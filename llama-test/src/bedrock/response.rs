//! Converse response bodies -> [`Completion`].

use std::time::Duration;

use serde_json::Value;

use crate::completion::{Completion, StopReason, ToolCall, Usage};
use crate::error::{Error, Result};
use crate::request::Endpoint;

/// Parses a Converse body:
///
/// ```json
/// {"output": {"message": {"role": "assistant", "content": [{"text": "..."},
///   {"toolUse": {"toolUseId": "...", "name": "...", "input": {...}}}]}},
///  "stopReason": "end_turn",
///  "usage": {"inputTokens": 12, "outputTokens": 3, "totalTokens": 15},
///  "metrics": {"latencyMs": 412}}
/// ```
///
/// Text blocks are concatenated; other blocks (reasoning, citations...) are
/// skipped. A `toolUse` becomes a [`ToolCall`] whose `raw_arguments` is the
/// `input` object serialized as compact JSON. `metrics.latencyMs` (Bedrock's
/// own processing time) fills [`Completion::latency`]; the client replaces
/// it with wall time as for every provider. Converse sends no response id
/// in the body (`x-amzn-requestid` is a header), so `id` stays `None`.
/// `endpoint` on the result is the default and carries no meaning here.
pub fn parse_converse(body: &Value, model: &str) -> Result<Completion> {
    let Some(message) = body
        .get("output")
        .and_then(|o| o.get("message"))
        .filter(|m| m.is_object())
    else {
        return Err(Error::Decode {
            message: format!(
                "bedrock: expected `output.message` in the Converse body, got: {}",
                crate::excerpt::trim_chars(&body.to_string(), 300)
            ),
        });
    };
    let mut completion = Completion::empty(model, Endpoint::default());
    for block in message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(text) = block.get("text").and_then(Value::as_str) {
            completion.text.push_str(text);
        } else if let Some(tool_use) = block.get("toolUse") {
            completion.tool_calls.push(tool_call(tool_use));
        }
    }
    completion.stop_reason = body
        .get("stopReason")
        .and_then(Value::as_str)
        .map(stop_reason);
    completion.usage = body.get("usage").and_then(usage);
    if let Some(latency) = body.get("metrics").and_then(latency) {
        completion.latency = latency;
    }
    Ok(finalize(completion))
}

fn tool_call(tool_use: &Value) -> ToolCall {
    let text = |name: &str| {
        tool_use
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let raw = match tool_use.get("input") {
        None | Some(Value::Null) => "{}".to_owned(),
        // Not documented, but tolerated: input already as text.
        Some(Value::String(s)) => s.clone(),
        Some(input) => input.to_string(),
    };
    ToolCall::from_wire(text("toolUseId"), text("name"), raw)
}

/// Maps a Converse `stopReason`. `end_turn` and `stop_sequence` are a normal
/// finish ([`StopReason::Stop`], as OpenAI's `stop` covers both),
/// `tool_use` is [`StopReason::ToolCalls`], `max_tokens` is
/// [`StopReason::Length`]; everything else (`guardrail_intervened`,
/// `content_filtered`, `malformed_model_output`, `malformed_tool_use`,
/// `model_context_window_exceeded`...) is kept verbatim as
/// [`StopReason::Other`].
pub fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "end_turn" | "stop_sequence" => StopReason::Stop,
        "tool_use" => StopReason::ToolCalls,
        "max_tokens" => StopReason::Length,
        other => StopReason::Other(other.to_owned()),
    }
}

/// `{inputTokens, outputTokens, totalTokens}`; a missing total is the sum.
pub(super) fn usage(value: &Value) -> Option<Usage> {
    let count = |name: &str| value.get(name).and_then(Value::as_u64);
    let (input, output, total) = (
        count("inputTokens"),
        count("outputTokens"),
        count("totalTokens"),
    );
    if input.is_none() && output.is_none() && total.is_none() {
        return None;
    }
    let (input, output) = (input.unwrap_or(0), output.unwrap_or(0));
    Some(Usage {
        prompt_tokens: input,
        completion_tokens: output,
        total_tokens: total.unwrap_or(input.saturating_add(output)),
    })
}

/// `{latencyMs}`.
pub(super) fn latency(metrics: &Value) -> Option<Duration> {
    metrics
        .get("latencyMs")
        .and_then(Value::as_u64)
        .map(Duration::from_millis)
}

/// Tool calls mean [`StopReason::ToolCalls`], as on every other provider.
pub(super) fn finalize(mut completion: Completion) -> Completion {
    if !completion.tool_calls.is_empty() {
        completion.stop_reason = Some(StopReason::ToolCalls);
    }
    completion
}

/// The message of a Bedrock error body (`{"message": "..."}`; some services
/// spell it `Message`), not yet redacted. The error's type is in the
/// `x-amzn-errortype` response header (e.g.
/// `ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/`,
/// the part before `:` is the name).
pub fn error_message(body: &Value) -> Option<String> {
    ["message", "Message"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_str))
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
}
