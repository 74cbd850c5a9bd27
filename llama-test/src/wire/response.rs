//! Non-streaming response bodies -> [`Completion`], parsed leniently: every
//! field of both endpoints' answers is optional in Meta's own types, content
//! comes as a string, a `{type, text}` object or an array of parts, and usage
//! comes as the native `metrics` list or the compat `usage` object.

use serde_json::Value;

use crate::completion::{Completion, StopReason, ToolCall, Usage};
use crate::error::{Error, Result};
use crate::request::Endpoint;

/// Parses a chat completion body of either endpoint. The shape decides, not
/// `endpoint` (which is only recorded on the result), so a proxy answering in
/// the other format still works.
pub fn parse_completion(model: &str, endpoint: Endpoint, body: &Value) -> Result<Completion> {
    if let Some(error) = body.get("error").filter(|e| !e.is_null())
        && body.get("choices").is_none()
        && body.get("completion_message").is_none()
    {
        return Err(error_in_success(error));
    }
    let mut completion = Completion::empty(model, endpoint);
    completion.id = body.get("id").and_then(Value::as_str).map(str::to_owned);
    completion.usage = usage_from(body);
    if let Some(message) = body.get("completion_message").filter(|m| m.is_object()) {
        read_message(message, &mut completion);
        completion.stop_reason = stop_reason(message.get("stop_reason"));
    } else if let Some(choice) = body
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
    {
        if let Some(message) = choice.get("message") {
            read_message(message, &mut completion);
        }
        completion.stop_reason = stop_reason(choice.get("finish_reason"));
    } else {
        return Err(Error::Decode {
            message: format!(
                "expected `completion_message` (native) or `choices` (compat) in the body, got: {}",
                snippet(&body.to_string())
            ),
        });
    }
    Ok(finalize(completion))
}

fn read_message(message: &Value, completion: &mut Completion) {
    completion.text = content_text(message.get("content").unwrap_or(&Value::Null));
    completion.reasoning = reasoning_text(message).filter(|r| !r.is_empty());
    completion.tool_calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(|calls| calls.iter().map(tool_call).collect())
        .unwrap_or_default();
}

/// `reasoning_content` (llama.cpp, DeepSeek style) or `reasoning` (vLLM,
/// OpenRouter) of a message or a stream delta.
pub(crate) fn reasoning_text(message: &Value) -> Option<String> {
    ["reasoning_content", "reasoning"]
        .iter()
        .find_map(|k| message.get(*k).and_then(Value::as_str))
        .map(str::to_owned)
}

/// Applies the rules shared by every parser: a non-empty `tool_calls` means
/// the stop reason is `ToolCalls`, whatever the server reported (the native
/// API says `stop` on tool-call answers).
pub(crate) fn finalize(mut completion: Completion) -> Completion {
    if !completion.tool_calls.is_empty() {
        completion.stop_reason = Some(StopReason::ToolCalls);
    }
    completion
}

/// The text of a `content` value: a string, a `{type, text}` object, or an
/// array of either (text parts concatenated, other parts skipped).
pub(crate) fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        Value::Array(parts) => parts.iter().map(content_text).collect(),
        _ => String::new(),
    }
}

/// One `{id, function: {name, arguments}}` entry. `arguments` is normally a
/// JSON string; an object is accepted and re-serialized.
pub(crate) fn tool_call(value: &Value) -> ToolCall {
    let function = value.get("function").unwrap_or(value);
    ToolCall::from_wire(
        str_field(value, "id"),
        str_field(function, "name"),
        arguments_text(function.get("arguments")),
    )
}

pub(crate) fn arguments_text(arguments: Option<&Value>) -> String {
    match arguments {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

pub(crate) fn str_field(value: &Value, name: &str) -> String {
    value
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn stop_reason(value: Option<&Value>) -> Option<StopReason> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(StopReason::parse)
}

/// An error object inside a 2xx answer (OpenRouter reports failures that
/// happen after it accepted the request this way), typed by its `code`.
fn error_in_success(error: &Value) -> Error {
    let message = super::errors::message_from_value(&serde_json::json!({ "error": error }))
        .unwrap_or_else(|| error.to_string());
    let code = error.get("code").and_then(|c| {
        c.as_u64()
            .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
    });
    let message = format!("the server answered HTTP 200 with an error: {message}");
    match code.and_then(|c| u16::try_from(c).ok()) {
        Some(status @ (401 | 403)) => Error::Auth {
            status,
            message: format!(
                "{message}. Check that the provider's key variable is set to a valid key"
            ),
        },
        Some(429) => Error::RateLimited {
            message,
            attempts: 1,
            retry_after: None,
        },
        Some(status @ 400..=499) => Error::BadRequest { status, message },
        Some(status) => Error::Server {
            status,
            message,
            attempts: 1,
        },
        None => Error::Server {
            status: 200,
            message,
            attempts: 1,
        },
    }
}

/// Usage from a body or stream event: the native `metrics` list, else the
/// compat `usage` object.
pub(crate) fn usage_from(value: &Value) -> Option<Usage> {
    value
        .get("metrics")
        .and_then(usage_from_metrics)
        .or_else(|| value.get("usage").and_then(usage_from_compat))
        // Groq puts stream usage in `x_groq.usage` of the last chunk.
        .or_else(|| {
            value
                .get("x_groq")?
                .get("usage")
                .and_then(usage_from_compat)
        })
}

/// `[{metric, value, unit}]` with `num_prompt_tokens`, `num_completion_tokens`
/// and `num_total_tokens`; values may be integers or floats.
pub(crate) fn usage_from_metrics(metrics: &Value) -> Option<Usage> {
    let metrics = metrics.as_array()?;
    let find = |name: &str| {
        metrics
            .iter()
            .find(|m| m.get("metric").and_then(Value::as_str) == Some(name))
            .and_then(|m| m.get("value"))
            .and_then(token_count)
    };
    usage_from_counts(
        find("num_prompt_tokens"),
        find("num_completion_tokens"),
        find("num_total_tokens"),
    )
}

fn usage_from_compat(usage: &Value) -> Option<Usage> {
    let get = |name: &str| usage.get(name).and_then(token_count);
    usage_from_counts(
        get("prompt_tokens"),
        get("completion_tokens"),
        get("total_tokens"),
    )
}

fn usage_from_counts(
    prompt: Option<u64>,
    completion: Option<u64>,
    total: Option<u64>,
) -> Option<Usage> {
    if prompt.is_none() && completion.is_none() && total.is_none() {
        return None;
    }
    let (prompt, completion) = (prompt.unwrap_or(0), completion.unwrap_or(0));
    Some(Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: total.unwrap_or(prompt + completion),
    })
}

fn token_count(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f.round() as u64)
    })
}

/// The start of a body, for error messages.
pub(crate) fn snippet(text: &str) -> String {
    crate::excerpt::trim_chars(text, 300)
}

#[cfg(test)]
mod tests;
