//! Assembling a streamed answer from its SSE `data:` payloads.
//!
//! Native events are `{id?, event: {event_type, delta, stop_reason?,
//! metrics?}}` and end when the connection closes (no `[DONE]`); compat
//! chunks are OpenAI's `choices[0].delta` and end with `[DONE]`. Unknown
//! event and delta types are skipped so that additions to the API do not
//! break old clients. A stream that ends before its completion marker is an
//! error: a short answer must never pass as a whole one.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::completion::{Completion, ToolCall};
use crate::error::{Error, Result};
use crate::request::Endpoint;

use super::errors::message_from_value;
use super::response::{arguments_text, finalize, snippet, stop_reason, str_field, usage_from};

/// SSE event name under which [`super::sse`] delivers a bare JSON line.
pub const BARE_JSON_EVENT: &str = "bare-json";

/// Feeds on SSE events, one [`StreamAssembler::push`] per event, and yields
/// the [`Completion`] at [`StreamAssembler::finish`].
#[derive(Debug)]
pub struct StreamAssembler {
    completion: Completion,
    calls: Vec<PartialCall>,
    /// Compat calls are addressed by `index`; value = position in `calls`.
    compat_indices: BTreeMap<u64, usize>,
    events: usize,
    /// Native: a `complete` event arrived. Compat: a `finish_reason` arrived.
    completed: bool,
    /// Compat `[DONE]` (tolerated on native too).
    done: bool,
}

#[derive(Debug, Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
}

impl StreamAssembler {
    /// An assembler for an answer from `model` on `endpoint`.
    pub fn new(model: &str, endpoint: Endpoint) -> Self {
        let mut completion = Completion::empty(model, endpoint);
        completion.streamed = true;
        StreamAssembler {
            completion,
            calls: Vec::new(),
            compat_indices: BTreeMap::new(),
            events: 0,
            completed: false,
            done: false,
        }
    }

    /// Takes one SSE event (`event_name` is the SSE `event:` field, `message`
    /// when absent). Returns whether it carried answer content (text or a
    /// tool-call delta), for time-to-first-token. An error payload becomes
    /// [`Error::Stream`] with the server's message (not yet redacted).
    pub fn push(&mut self, event_name: &str, data: &str) -> Result<bool> {
        let data = data.trim();
        if data.is_empty() || self.done {
            return Ok(false);
        }
        if data == "[DONE]" {
            self.done = true;
            return Ok(false);
        }
        self.events += 1;
        let value: Value = serde_json::from_str(data).map_err(|e| Error::Stream {
            message: format!("stream event is not JSON ({e}): {}", snippet(data)),
        })?;
        if event_name == BARE_JSON_EVENT
            || event_name == "error"
            || value.get("error").is_some_and(|e| !e.is_null())
        {
            let message = message_from_value(&value).unwrap_or_else(|| snippet(data));
            return Err(Error::Stream {
                message: format!("the server reported an error mid-stream: {message}"),
            });
        }
        if self.completion.id.is_none() {
            self.completion.id = value.get("id").and_then(Value::as_str).map(str::to_owned);
        }
        Ok(match self.completion.endpoint {
            Endpoint::Native => self.push_native(&value),
            Endpoint::Compat => self.push_compat(&value),
        })
    }

    /// Whether no more events are expected (compat `[DONE]`).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The assembled answer, or [`Error::Stream`] when the stream ended
    /// before its completion marker.
    pub fn finish(mut self) -> Result<Completion> {
        let complete = match self.completion.endpoint {
            Endpoint::Native => self.completed,
            Endpoint::Compat => self.completed || self.done,
        };
        if !complete {
            let marker = match self.completion.endpoint {
                Endpoint::Native => "a `complete` event",
                Endpoint::Compat => "a `finish_reason` or `data: [DONE]`",
            };
            return Err(Error::Stream {
                message: format!(
                    "the stream ended without {marker} after {} event(s) and {} character(s) of text; \
                     the connection was cut or the server stopped mid-answer",
                    self.events,
                    self.completion.text.chars().count()
                ),
            });
        }
        self.completion.tool_calls = self
            .calls
            .into_iter()
            .map(|c| ToolCall::from_wire(c.id, c.name, c.arguments))
            .collect();
        Ok(finalize(self.completion))
    }

    fn push_native(&mut self, value: &Value) -> bool {
        let Some(event) = value.get("event") else {
            return false;
        };
        let event_type = event
            .get("event_type")
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Some(reason) = stop_reason(event.get("stop_reason")) {
            self.completion.stop_reason = Some(reason);
        }
        if let Some(usage) = usage_from(event) {
            self.completion.usage = Some(usage);
        }
        if event_type == "complete" {
            self.completed = true;
        }
        let Some(delta) = event.get("delta") else {
            return false;
        };
        match delta.get("type").and_then(Value::as_str) {
            // `start` carries no answer text (the SDK examples ignore it).
            Some("text") if matches!(event_type, "progress" | "complete") => {
                let text = delta.get("text").and_then(Value::as_str).unwrap_or("");
                self.completion.text.push_str(text);
                !text.is_empty()
            }
            Some("tool_call") => {
                self.native_tool_delta(delta);
                true
            }
            _ => false,
        }
    }

    /// A new id starts a new call; a missing or null id continues the
    /// current one (argument fragments concatenate).
    fn native_tool_delta(&mut self, delta: &Value) {
        let id = delta
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let starts_new = match (id, self.calls.last()) {
            (_, None) => true,
            (Some(id), Some(current)) => current.id != id,
            (None, Some(_)) => false,
        };
        if starts_new {
            self.calls.push(PartialCall::default());
        }
        let function = delta.get("function").unwrap_or(&Value::Null);
        if let Some(call) = self.calls.last_mut() {
            call.apply(id, function);
        }
    }

    fn push_compat(&mut self, value: &Value) -> bool {
        if let Some(usage) = usage_from(value) {
            self.completion.usage = Some(usage);
        }
        let Some(choice) = value
            .get("choices")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
        else {
            return false;
        };
        if let Some(reason) = stop_reason(choice.get("finish_reason")) {
            self.completion.stop_reason = Some(reason);
            self.completed = true;
        }
        let Some(delta) = choice.get("delta") else {
            return false;
        };
        let mut carried = false;
        if let Some(reasoning) = super::response::reasoning_text(delta).filter(|r| !r.is_empty()) {
            self.completion
                .reasoning
                .get_or_insert_with(String::new)
                .push_str(&reasoning);
        }
        if let Some(text) = delta.get("content").and_then(Value::as_str) {
            self.completion.text.push_str(text);
            carried = !text.is_empty();
        }
        for call in delta
            .get("tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.compat_tool_delta(call);
            carried = true;
        }
        carried
    }

    fn compat_tool_delta(&mut self, delta: &Value) {
        let index = delta
            .get("index")
            .and_then(Value::as_u64)
            .unwrap_or_else(|| {
                // No index: treat like native (a new id starts a new call).
                let id = delta.get("id").and_then(Value::as_str);
                match (self.calls.last(), id) {
                    (Some(last), Some(id)) if last.id != id => self.calls.len() as u64,
                    (Some(_), _) => self.calls.len() as u64 - 1,
                    (None, _) => 0,
                }
            });
        let position = *self.compat_indices.entry(index).or_insert_with(|| {
            self.calls.push(PartialCall::default());
            self.calls.len() - 1
        });
        let id = delta
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let function = delta.get("function").unwrap_or(&Value::Null);
        if let Some(call) = self.calls.get_mut(position) {
            call.apply(id, function);
        }
    }
}

impl PartialCall {
    fn apply(&mut self, id: Option<&str>, function: &Value) {
        if let Some(id) = id {
            self.id = id.to_owned();
        }
        let name = str_field(function, "name");
        if self.name.is_empty() {
            self.name = name;
        }
        self.arguments
            .push_str(&arguments_text(function.get("arguments")));
    }
}

#[cfg(test)]
mod tests;
