//! One normalized answer, whichever endpoint or transport produced it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::request::Endpoint;

/// A function call the model made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The call id, echoed back in the tool result message.
    pub id: String,
    /// The function name.
    pub name: String,
    /// The arguments parsed as JSON; `Value::Null` when they were not valid
    /// JSON (see [`ToolCall::arguments_error`]).
    pub arguments: Value,
    /// The arguments exactly as the model sent them (a JSON string on the wire).
    pub raw_arguments: String,
}

impl ToolCall {
    /// Builds a call from the wire form, parsing the argument text leniently:
    /// invalid JSON is kept raw and reported by checks, never a panic.
    pub fn from_wire(
        id: impl Into<String>,
        name: impl Into<String>,
        raw_arguments: impl Into<String>,
    ) -> Self {
        let raw_arguments = raw_arguments.into();
        let arguments = if raw_arguments.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(&raw_arguments).unwrap_or(Value::Null)
        };
        ToolCall {
            id: id.into(),
            name: name.into(),
            arguments,
            raw_arguments,
        }
    }

    /// Why the arguments are not valid JSON, if they are not.
    pub fn arguments_error(&self) -> Option<String> {
        if self.raw_arguments.trim().is_empty() {
            return None;
        }
        serde_json::from_str::<Value>(&self.raw_arguments)
            .err()
            .map(|e| e.to_string())
    }
}

/// Why generation stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The model finished its answer (`stop`; also `end_turn`, `end_of_turn`,
    /// `end_of_message`).
    Stop,
    /// The model stopped to call tools (`tool_calls`; also `tool_use`,
    /// `function_call`).
    ToolCalls,
    /// The token budget ran out (`length`; also `max_tokens`, `out_of_tokens`).
    Length,
    /// Anything else the server sent, kept verbatim.
    #[serde(untagged)]
    Other(String),
}

impl StopReason {
    /// Parses a wire value, mapping OpenAI/Anthropic synonyms
    /// (`end_turn`, `tool_use`, `function_call`, `max_tokens`).
    pub fn parse(s: &str) -> Self {
        match s {
            "stop" | "end_turn" | "end_of_turn" | "end_of_message" => StopReason::Stop,
            "tool_calls" | "tool_use" | "function_call" => StopReason::ToolCalls,
            "length" | "max_tokens" | "out_of_tokens" => StopReason::Length,
            other => StopReason::Other(other.to_owned()),
        }
    }

    /// The canonical wire name.
    pub fn as_str(&self) -> &str {
        match self {
            StopReason::Stop => "stop",
            StopReason::ToolCalls => "tool_calls",
            StopReason::Length => "length",
            StopReason::Other(s) => s,
        }
    }
}

/// Token counts, from the native `metrics` list or the compat `usage` object.
/// A count the server did not send is `0`; a missing total is prompt +
/// completion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens in the request (`num_prompt_tokens` / `prompt_tokens`).
    pub prompt_tokens: u64,
    /// Tokens generated (`num_completion_tokens` / `completion_tokens`).
    pub completion_tokens: u64,
    /// Prompt plus completion tokens (`num_total_tokens` / `total_tokens`).
    pub total_tokens: u64,
}

/// The four `x-ratelimit-*` headers of the response, when present.
/// `None` means the header was absent or not a number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimitInfo {
    /// Requests allowed in the current window (`x-ratelimit-limit-requests`).
    pub limit_requests: Option<u64>,
    /// Requests left in the current window (`x-ratelimit-remaining-requests`).
    pub remaining_requests: Option<u64>,
    /// Tokens allowed in the current window (`x-ratelimit-limit-tokens`).
    pub limit_tokens: Option<u64>,
    /// Tokens left in the current window (`x-ratelimit-remaining-tokens`,
    /// Together's `x-tokenlimit-remaining`).
    pub remaining_tokens: Option<u64>,
    /// When the spent budget comes back (`x-ratelimit-reset-requests` or
    /// `-tokens`, as seconds or Groq's `6m0s`-style durations), if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset: Option<Duration>,
}

/// A normalized chat completion.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The response id, when the server sent one.
    pub id: Option<String>,
    /// The model that was asked.
    pub model: String,
    /// The assistant text (empty for a pure tool-call answer).
    pub text: String,
    /// Tool calls, in order.
    pub tool_calls: Vec<ToolCall>,
    /// The stop reason. When `tool_calls` is non-empty this is
    /// [`StopReason::ToolCalls`], whatever the server said (the native API
    /// reports `stop` on tool-call answers).
    pub stop_reason: Option<StopReason>,
    /// Token usage, when reported.
    pub usage: Option<Usage>,
    /// Rate-limit headers.
    pub rate_limit: RateLimitInfo,
    /// Wall time from sending the request to the last byte.
    pub latency: Duration,
    /// For streams: wall time to the first content or tool-call delta.
    pub time_to_first_token: Option<Duration>,
    /// Which endpoint answered.
    pub endpoint: Endpoint,
    /// Whether the answer was streamed.
    pub streamed: bool,
    /// The model's reasoning text, when the server sends it apart from the
    /// answer (`reasoning_content` from llama.cpp, `reasoning` from vLLM and
    /// OpenRouter).
    pub reasoning: Option<String>,
    /// Why the server rejected what the model generated, when it did so
    /// instead of answering: a malformed tool call (Groq's
    /// `tool_use_failed`, llama.cpp's "does not match the expected format").
    /// The raw generation, when the server returned it, is in `text`. This
    /// is the model's failure, so checks fail; it is not a harness error.
    pub generation_error: Option<String>,
}

impl Completion {
    /// An empty completion for `model`, filled in by the parsers.
    pub fn empty(model: impl Into<String>, endpoint: Endpoint) -> Self {
        Completion {
            id: None,
            model: model.into(),
            text: String::new(),
            tool_calls: Vec::new(),
            stop_reason: None,
            usage: None,
            rate_limit: RateLimitInfo::default(),
            latency: Duration::ZERO,
            time_to_first_token: None,
            endpoint,
            streamed: false,
            reasoning: None,
            generation_error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_arguments_are_kept_raw() {
        let call = ToolCall::from_wire("1", "get_weather", "{\"location\": ");
        assert_eq!(call.arguments, Value::Null);
        assert_eq!(call.raw_arguments, "{\"location\": ");
        assert!(call.arguments_error().is_some());
        let ok = ToolCall::from_wire("1", "f", "{\"a\":1}");
        assert_eq!(ok.arguments["a"], 1);
        assert!(ok.arguments_error().is_none());
    }

    #[test]
    fn stop_reasons_are_normalized() {
        assert_eq!(StopReason::parse("end_turn"), StopReason::Stop);
        assert_eq!(StopReason::parse("max_tokens"), StopReason::Length);
        assert_eq!(StopReason::parse("weird").as_str(), "weird");
    }
}
