//! Server-sent event bodies for `stream: true`.
//!
//! Native: `data: {json}` events `start`, `progress` (text or tool-call
//! deltas), `complete` (with `stop_reason`), `metrics`; no `[DONE]`, the
//! stream just ends. Compat: OpenAI `chat.completion.chunk`s, a finishing
//! chunk, an optional usage chunk, then `data: [DONE]`.

use serde_json::{Value, json};

use super::render::{CREATED, Completed};
use crate::request::Endpoint;

/// Ways to break a stream on purpose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Breakage {
    /// End the body after this many events, before the final one.
    pub cut_after: Option<usize>,
    /// After this many events, send a bare JSON error line and end.
    pub error_after: Option<usize>,
}

/// The bare JSON line a failing stream carries instead of an SSE field.
const MID_STREAM_ERROR: &str = r#"{"error":{"message":"Simulated mid-stream failure: the model backend went away","type":"server_error","code":500}}"#;

/// The whole SSE body for `completed`.
pub(crate) fn sse_body(completed: &Completed, include_usage: bool, breakage: Breakage) -> String {
    let (events, final_index) = match completed.endpoint {
        Endpoint::Native => native_events(completed),
        Endpoint::Compat => compat_events(completed, include_usage),
    };
    let keep = [breakage.cut_after, breakage.error_after]
        .into_iter()
        .flatten()
        .map(|n| n.min(final_index))
        .min()
        .unwrap_or(events.len());
    let mut body = String::new();
    for event in events.iter().take(keep) {
        body.push_str("data: ");
        body.push_str(event);
        body.push_str("\n\n");
    }
    if breakage.error_after.is_some() {
        body.push_str(MID_STREAM_ERROR);
        body.push_str("\n\n");
    }
    body
}

/// Text split into word-sized deltas, each keeping its trailing space.
fn text_pieces(text: &str) -> Vec<&str> {
    text.split_inclusive(' ').collect()
}

/// Argument text split in two at a character boundary, as fragments arrive.
fn argument_pieces(arguments: &str) -> Vec<&str> {
    let middle = arguments.chars().count() / 2;
    match arguments.char_indices().nth(middle) {
        Some((at, _)) if at > 0 => vec![&arguments[..at], &arguments[at..]],
        _ => vec![arguments],
    }
}

/// Native events (JSON texts) and the index of the `complete` event.
fn native_events(c: &Completed) -> (Vec<String>, usize) {
    let event = |body: Value| json!({"id": c.id, "event": body}).to_string();
    let empty = json!({"type": "text", "text": ""});
    let mut events = vec![event(json!({"event_type": "start", "delta": empty}))];
    for piece in text_pieces(&c.text) {
        events.push(event(json!({
            "event_type": "progress",
            "delta": {"type": "text", "text": piece},
        })));
    }
    for call in &c.tool_calls {
        events.push(event(json!({
            "event_type": "progress",
            "delta": {"type": "tool_call", "id": call.id, "function": {"name": call.name}},
        })));
        for piece in argument_pieces(&call.arguments) {
            events.push(event(json!({
                "event_type": "progress",
                "delta": {"type": "tool_call", "function": {"arguments": piece}},
            })));
        }
    }
    let final_index = events.len();
    events.push(event(json!({
        "event_type": "complete",
        "delta": empty,
        "stop_reason": c.stop_reason,
    })));
    events.push(event(json!({
        "event_type": "metrics",
        "delta": empty,
        "metrics": c.metrics(),
    })));
    (events, final_index)
}

/// Compat chunks (JSON texts, then `[DONE]`) and the index of the chunk
/// carrying `finish_reason`.
fn compat_events(c: &Completed, include_usage: bool) -> (Vec<String>, usize) {
    let chunk = |choices: Value| {
        json!({
            "id": c.id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": c.model,
            "choices": choices,
        })
    };
    let delta = |delta: Value| {
        chunk(json!([{"index": 0, "delta": delta, "finish_reason": Value::Null}])).to_string()
    };
    let mut events = vec![delta(json!({"role": "assistant", "content": ""}))];
    for piece in text_pieces(&c.text) {
        events.push(delta(json!({"content": piece})));
    }
    for (index, call) in c.tool_calls.iter().enumerate() {
        events.push(delta(json!({"tool_calls": [{
            "index": index, "id": call.id, "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }]})));
        for piece in argument_pieces(&call.arguments) {
            events.push(delta(json!({"tool_calls": [{
                "index": index, "function": {"arguments": piece},
            }]})));
        }
    }
    let final_index = events.len();
    events.push(
        chunk(json!([{"index": 0, "delta": {}, "finish_reason": c.stop_reason}])).to_string(),
    );
    if include_usage {
        let mut usage = chunk(json!([]));
        usage["usage"] = c.usage();
        events.push(usage.to_string());
    }
    events.push("[DONE]".to_owned());
    (events, final_index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_fragments_rejoin() {
        let args = r#"{"location":"Zürich"}"#;
        assert_eq!(argument_pieces(args).concat(), args);
        assert_eq!(argument_pieces("").concat(), "");
        assert_eq!(text_pieces("a b c"), ["a ", "b ", "c"]);
    }
}
