//! What Bedrock would answer, built from a [`Completion`], for the simulated
//! API: the same content as a Converse body and as a ConverseStream event
//! list, so a streamed and a non-streamed simulated reply always agree
//! ([`super::parse_converse`] of the one equals [`super::assemble_stream`]
//! of the other, `streamed` aside). Frame the events with
//! [`super::encode_frames`].

use serde_json::{Map, Value, json};

use crate::completion::{Completion, StopReason, ToolCall};

/// The Converse `stopReason` for `completion`: `tool_use` when it has tool
/// calls, else `end_turn` / `max_tokens` / the verbatim other reason.
fn wire_stop_reason(completion: &Completion) -> String {
    if !completion.tool_calls.is_empty() {
        return "tool_use".into();
    }
    match &completion.stop_reason {
        None | Some(StopReason::Stop) => "end_turn".into(),
        Some(StopReason::ToolCalls) => "tool_use".into(),
        Some(StopReason::Length) => "max_tokens".into(),
        Some(StopReason::Other(other)) => other.clone(),
    }
}

/// `toolUse.input`: the arguments object (`{}` when they are not one).
fn input_of(call: &ToolCall) -> Value {
    match &call.arguments {
        Value::Object(_) => call.arguments.clone(),
        _ => Value::Object(Map::new()),
    }
}

fn usage_of(completion: &Completion) -> Option<Value> {
    completion.usage.map(|u| {
        json!({
            "inputTokens": u.prompt_tokens,
            "outputTokens": u.completion_tokens,
            "totalTokens": u.total_tokens,
        })
    })
}

fn latency_ms(completion: &Completion) -> u64 {
    u64::try_from(completion.latency.as_millis()).unwrap_or(u64::MAX)
}

/// The Converse response body for `completion`: its text as one `text`
/// block (left out of a pure tool-call answer), one `toolUse` block per
/// call, the stop reason, usage (when set) and `metrics.latencyMs` (from
/// `completion.latency`).
pub fn sim_converse_reply(completion: &Completion) -> Value {
    let mut content = Vec::new();
    if !completion.text.is_empty() || completion.tool_calls.is_empty() {
        content.push(json!({"text": completion.text}));
    }
    for call in &completion.tool_calls {
        content.push(json!({"toolUse": {
            "toolUseId": call.id,
            "name": call.name,
            "input": input_of(call),
        }}));
    }
    let mut body = Map::new();
    body.insert(
        "output".into(),
        json!({"message": {"role": "assistant", "content": content}}),
    );
    body.insert("stopReason".into(), wire_stop_reason(completion).into());
    if let Some(usage) = usage_of(completion) {
        body.insert("usage".into(), usage);
    }
    body.insert(
        "metrics".into(),
        json!({"latencyMs": latency_ms(completion)}),
    );
    Value::Object(body)
}

/// Splits `text` into word-sized deltas (each keeps its trailing spaces), as
/// a model streams them.
fn word_chunks(text: &str) -> Vec<&str> {
    text.split_inclusive(' ').collect()
}

/// The ConverseStream events for `completion`, in Bedrock's order:
/// `messageStart`; the text as a block of word-sized `contentBlockDelta`s;
/// per tool call a `contentBlockStart` (id and name) and its `input` JSON in
/// two `contentBlockDelta` fragments; `contentBlockStop` after each block;
/// `messageStop`; `metadata` (usage, latency).
pub fn sim_converse_events(completion: &Completion) -> Vec<(String, Value)> {
    let mut events = vec![("messageStart".to_owned(), json!({"role": "assistant"}))];
    let mut index = 0u64;
    if !completion.text.is_empty() {
        for chunk in word_chunks(&completion.text) {
            events.push((
                "contentBlockDelta".into(),
                json!({"contentBlockIndex": index, "delta": {"text": chunk}}),
            ));
        }
        events.push((
            "contentBlockStop".into(),
            json!({"contentBlockIndex": index}),
        ));
        index += 1;
    }
    for call in &completion.tool_calls {
        events.push((
            "contentBlockStart".into(),
            json!({"contentBlockIndex": index, "start": {"toolUse": {
                "toolUseId": call.id,
                "name": call.name,
            }}}),
        ));
        let input = input_of(call).to_string();
        let middle = input.char_indices().nth(input.chars().count() / 2);
        let (head, tail) = input.split_at(middle.map_or(input.len(), |(i, _)| i));
        for fragment in [head, tail].into_iter().filter(|f| !f.is_empty()) {
            events.push((
                "contentBlockDelta".into(),
                json!({"contentBlockIndex": index, "delta": {"toolUse": {"input": fragment}}}),
            ));
        }
        events.push((
            "contentBlockStop".into(),
            json!({"contentBlockIndex": index}),
        ));
        index += 1;
    }
    events.push((
        "messageStop".into(),
        json!({"stopReason": wire_stop_reason(completion)}),
    ));
    let mut metadata = Map::new();
    if let Some(usage) = usage_of(completion) {
        metadata.insert("usage".into(), usage);
    }
    metadata.insert(
        "metrics".into(),
        json!({"latencyMs": latency_ms(completion)}),
    );
    events.push(("metadata".into(), Value::Object(metadata)));
    events
}
