//! What a test can script: a fixed [`Reply`], a [`Fault`] (an error
//! response), or a [`Responder`] that decides per [`ChatCall`].

use serde_json::Value;

use super::faults::Fault;
use crate::request::Endpoint;

/// One chat completion request as the simulator received it, handed to a
/// [`Responder`] so a test can answer differently per request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ChatCall {
    /// Native (`/v1`) or compat (`/compat/v1`).
    pub endpoint: Endpoint,
    /// The `model` field.
    pub model: String,
    /// Whether the request asked for a stream.
    pub stream: bool,
    /// The whole JSON body.
    pub body: Value,
}

impl ChatCall {
    /// The `messages` array (empty when absent).
    pub fn messages(&self) -> &[Value] {
        self.body
            .get("messages")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The text of the last user message, text parts joined by a space.
    pub fn last_user_text(&self) -> String {
        self.messages()
            .iter()
            .rev()
            .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            .map(message_text)
            .unwrap_or_default()
    }
}

/// The text of one message, whatever shape its `content` has: a string, a
/// `{type:"text",text}` object, or an array of parts (images skipped).
pub(crate) fn message_text(message: &Value) -> String {
    fn part_text(part: &Value) -> Option<&str> {
        match part {
            Value::String(s) => Some(s),
            Value::Object(_) if part.get("type").and_then(Value::as_str) == Some("text") => {
                part.get("text").and_then(Value::as_str)
            }
            _ => None,
        }
    }
    match message.get("content") {
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(part_text)
            .collect::<Vec<_>>()
            .join(" "),
        Some(content) => part_text(content).unwrap_or_default().to_owned(),
        None => String::new(),
    }
}

/// A scripted answer that replaces the simulator's deterministic one.
///
/// ```
/// use llama_test::sim::{Fault, Reply};
/// use serde_json::json;
///
/// let hello = Reply::text("Hello!");
/// let call = Reply::tool_call("get_weather", &json!({"location": "Paris"}));
/// let broken = Reply::tool_call_raw("get_weather", "{not json");
/// let truncated = Reply::text("Once upon a").with_stop_reason("length");
/// let outage = Reply::fault(Fault::status(503));
/// # let _ = (hello, call, broken, truncated, outage);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub(crate) kind: ReplyKind,
    pub(crate) stop_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ReplyKind {
    Text(String),
    /// `(function name, argument text)`; the text need not be valid JSON.
    ToolCalls(Vec<(String, String)>),
    Fault(Fault),
}

impl Reply {
    /// Answer with this text.
    pub fn text(text: impl Into<String>) -> Self {
        Reply {
            kind: ReplyKind::Text(text.into()),
            stop_reason: None,
        }
    }

    /// Answer with this JSON document as the text (what a structured-output
    /// answer looks like on the wire).
    pub fn json(value: &Value) -> Self {
        Reply::text(value.to_string())
    }

    /// Answer with one call of `name` with these arguments.
    pub fn tool_call(name: impl Into<String>, arguments: &Value) -> Self {
        Reply::tool_calls([(name, arguments.clone())])
    }

    /// Answer with several calls at once.
    pub fn tool_calls<N: Into<String>>(calls: impl IntoIterator<Item = (N, Value)>) -> Self {
        Reply {
            kind: ReplyKind::ToolCalls(
                calls
                    .into_iter()
                    .map(|(name, args)| (name.into(), args.to_string()))
                    .collect(),
            ),
            stop_reason: None,
        }
    }

    /// A call whose argument text is sent verbatim, e.g. invalid JSON to
    /// check that a client reports it instead of crashing.
    pub fn tool_call_raw(name: impl Into<String>, raw_arguments: impl Into<String>) -> Self {
        Reply {
            kind: ReplyKind::ToolCalls(vec![(name.into(), raw_arguments.into())]),
            stop_reason: None,
        }
    }

    /// Answer with an error response instead of a completion.
    pub fn fault(fault: Fault) -> Self {
        Reply {
            kind: ReplyKind::Fault(fault),
            stop_reason: None,
        }
    }

    /// Overrides the stop reason sent on the wire (`"stop"`, `"length"`,
    /// `"tool_calls"`, or anything else). By default text answers stop with
    /// `"stop"`; native tool calls also say `"stop"` (the real API's quirk)
    /// and compat tool calls say `"tool_calls"`.
    pub fn with_stop_reason(mut self, stop_reason: impl Into<String>) -> Self {
        self.stop_reason = Some(stop_reason.into());
        self
    }
}

/// Decides the answer to a chat call; `None` falls back to the simulator's
/// deterministic answer. Closures `Fn(&ChatCall) -> Option<Reply>` implement
/// it, so most tests never name this trait.
///
/// ```
/// use llama_test::sim::{ChatCall, Reply, Responder};
///
/// fn shout(call: &ChatCall) -> Option<Reply> {
///     Some(Reply::text(call.last_user_text().to_uppercase()))
/// }
/// fn assert_responder(_: impl Responder) {}
/// assert_responder(shout);
/// ```
pub trait Responder: Send + Sync + 'static {
    /// The answer to `call`, or `None` for the default.
    fn reply(&self, call: &ChatCall) -> Option<Reply>;
}

impl<F> Responder for F
where
    F: Fn(&ChatCall) -> Option<Reply> + Send + Sync + 'static,
{
    fn reply(&self, call: &ChatCall) -> Option<Reply> {
        self(call)
    }
}
