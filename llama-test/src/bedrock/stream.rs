//! Assembling a ConverseStream answer from its decoded events.
//!
//! The events, in order: `messageStart {role}`; per content block
//! `contentBlockStart {contentBlockIndex, start: {toolUse: {toolUseId,
//! name}}}` (tool calls only; text blocks may start with their first delta),
//! `contentBlockDelta {contentBlockIndex, delta: {text} | {toolUse: {input:
//! "<JSON fragment>"}}}`, `contentBlockStop {contentBlockIndex}`; then
//! `messageStop {stopReason}` and `metadata {usage, metrics}`. Unknown events
//! and deltas (reasoning, citations) are skipped. A stream without
//! `messageStop` is an error: a short answer must never pass as a whole one.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::completion::{Completion, ToolCall};
use crate::error::{Error, Result};
use crate::request::Endpoint;

use super::response::{finalize, latency, stop_reason, usage};

/// Feeds on decoded events, one [`ConverseStreamAssembler::push`] each, and
/// yields the [`Completion`] at [`ConverseStreamAssembler::finish`].
#[derive(Debug)]
pub struct ConverseStreamAssembler {
    completion: Completion,
    calls: Vec<PartialCall>,
    /// `contentBlockIndex` of a tool-use block -> its position in `calls`.
    call_blocks: BTreeMap<u64, usize>,
    events: usize,
    stopped: bool,
}

#[derive(Debug, Default)]
struct PartialCall {
    id: String,
    name: String,
    input: String,
}

impl ConverseStreamAssembler {
    /// An assembler for an answer from `model`.
    pub fn new(model: &str) -> Self {
        let mut completion = Completion::empty(model, Endpoint::default());
        completion.streamed = true;
        ConverseStreamAssembler {
            completion,
            calls: Vec::new(),
            call_blocks: BTreeMap::new(),
            events: 0,
            stopped: false,
        }
    }

    /// Takes one event. Returns whether it carried answer content (text or
    /// a tool call), for time-to-first-token. An event named `...Exception`
    /// (a recorded or simulated mid-stream failure) is an [`Error::Stream`].
    pub fn push(&mut self, event_type: &str, payload: &Value) -> Result<bool> {
        self.events += 1;
        match event_type {
            "contentBlockStart" => {
                let Some(tool_use) = payload.get("start").and_then(|s| s.get("toolUse")) else {
                    return Ok(false);
                };
                let position = self.call_at(block_index(payload));
                if let Some(call) = self.calls.get_mut(position) {
                    call.id = text_field(tool_use, "toolUseId");
                    call.name = text_field(tool_use, "name");
                }
                Ok(true)
            }
            "contentBlockDelta" => {
                let Some(delta) = payload.get("delta") else {
                    return Ok(false);
                };
                if let Some(text) = delta.get("text").and_then(Value::as_str) {
                    self.completion.text.push_str(text);
                    return Ok(!text.is_empty());
                }
                let Some(tool_use) = delta.get("toolUse") else {
                    return Ok(false);
                };
                let fragment = match tool_use.get("input") {
                    Some(Value::String(s)) => s.clone(),
                    None | Some(Value::Null) => String::new(),
                    Some(other) => other.to_string(),
                };
                let position = self.call_at(block_index(payload));
                if let Some(call) = self.calls.get_mut(position) {
                    call.input.push_str(&fragment);
                }
                Ok(true)
            }
            "messageStop" => {
                self.stopped = true;
                if let Some(reason) = payload.get("stopReason").and_then(Value::as_str) {
                    self.completion.stop_reason = Some(stop_reason(reason));
                }
                Ok(false)
            }
            "metadata" => {
                if let Some(usage) = payload.get("usage").and_then(usage) {
                    self.completion.usage = Some(usage);
                }
                if let Some(latency) = payload.get("metrics").and_then(latency) {
                    self.completion.latency = latency;
                }
                Ok(false)
            }
            name if name.ends_with("Exception") => {
                let message = super::response::error_message(payload)
                    .unwrap_or_else(|| crate::excerpt::trim_chars(&payload.to_string(), 200));
                Err(Error::Stream {
                    message: format!(
                        "bedrock: the stream carried a `{name}` mid-answer: {message}"
                    ),
                })
            }
            // messageStart, contentBlockStop and events added later.
            _ => Ok(false),
        }
    }

    /// The assembled answer, or [`Error::Stream`] when no `messageStop`
    /// arrived. Tool-call arguments are the concatenated `input` fragments,
    /// re-serialized as compact JSON when they parse (so a streamed answer
    /// equals the non-streamed one, whose `input` is an object); fragments
    /// that do not parse are kept verbatim for the checks to report.
    pub fn finish(mut self) -> Result<Completion> {
        if !self.stopped {
            return Err(Error::Stream {
                message: format!(
                    "bedrock: the stream ended without a `messageStop` event after {} event(s) \
                     and {} character(s) of text; the connection was cut or the server stopped \
                     mid-answer",
                    self.events,
                    self.completion.text.chars().count()
                ),
            });
        }
        self.completion.tool_calls = self
            .calls
            .into_iter()
            .map(|call| {
                let raw = if call.input.trim().is_empty() {
                    "{}".to_owned()
                } else {
                    serde_json::from_str::<Value>(&call.input)
                        .map(|v| v.to_string())
                        .unwrap_or(call.input)
                };
                ToolCall::from_wire(call.id, call.name, raw)
            })
            .collect();
        Ok(finalize(self.completion))
    }

    /// The call of content block `index`, started now if it was not
    /// (a delta without its start is still kept, with an empty id and name).
    fn call_at(&mut self, index: Option<u64>) -> usize {
        let key = index.unwrap_or(u64::MAX);
        *self.call_blocks.entry(key).or_insert_with(|| {
            self.calls.push(PartialCall::default());
            self.calls.len() - 1
        })
    }
}

fn block_index(payload: &Value) -> Option<u64> {
    payload.get("contentBlockIndex").and_then(Value::as_u64)
}

fn text_field(value: &Value, name: &str) -> String {
    value
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Assembles a whole list of decoded events (see
/// [`ConverseStreamAssembler`]), e.g. a recorded stream.
pub fn assemble_stream(events: &[(String, Value)], model: &str) -> Result<Completion> {
    let mut assembler = ConverseStreamAssembler::new(model);
    for (event_type, payload) in events {
        assembler.push(event_type, payload)?;
    }
    assembler.finish()
}
