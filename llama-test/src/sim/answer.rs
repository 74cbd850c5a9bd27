//! The simulator's own answers: deterministic functions of the request, so
//! the same request always gets the same bytes back and recordings made
//! against the simulator are reproducible.
//!
//! In order of precedence:
//! 1. a tool call, when tools are offered and `tool_choice` forces one or
//!    the prompt mentions what a tool is named after ("weather" for
//!    `get_weather`), with arguments built from the tool's schema;
//! 2. after a tool result, a call of the next tool the prompt names (a
//!    distinctive word of its name) that the conversation has not called
//!    yet, so "find a hotel and book it" runs `search_hotels`, then
//!    `book_hotel`; once none is left, a text answer quoting the result;
//! 3. for `response_format: json_schema`, a document valid for the schema;
//! 4. for a grading prompt (`<Rubric>`), a passing verdict as JSON;
//! 5. otherwise an echo that quotes the last user message, so checks such
//!    as "contains the prompt's key word" pass. Images are acknowledged.

use serde_json::{Value, json};

use super::faults::Fault;
use super::prompt::{estimate_tokens, mentions_stem, names_a_place, truncate_to_tokens};
use super::reply::{ChatCall, Reply, message_text};
use super::schema_fill::{PLACE_NAMES, fill};
use crate::request::Endpoint;

/// Words in tool names too common to show what a prompt is asking for.
const GENERIC_WORDS: &[&str] = &[
    "get", "set", "list", "find", "fetch", "make", "create", "do", "run", "call", "lookup", "look",
    "query", "current", "info", "data", "tool", "api", "the", "by", "for", "of", "to", "and",
];

/// `tool_choice` as sent by either endpoint.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ToolChoice {
    None,
    Auto,
    Required,
    Named(String),
}

impl ToolChoice {
    pub(crate) fn of(body: &Value) -> ToolChoice {
        match body.get("tool_choice") {
            Some(Value::String(s)) if s == "none" => ToolChoice::None,
            Some(Value::String(s)) if s == "required" || s == "any" => ToolChoice::Required,
            Some(choice @ Value::Object(_)) => choice
                .pointer("/function/name")
                .or_else(|| choice.get("name"))
                .and_then(Value::as_str)
                .map_or(ToolChoice::Auto, |n| ToolChoice::Named(n.to_owned())),
            _ => ToolChoice::Auto,
        }
    }
}

/// One offered tool: `(name, parameters schema)`.
pub(crate) fn tools(body: &Value) -> Vec<(String, Value)> {
    body.get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|tool| {
            let function = tool.get("function").unwrap_or(tool);
            let name = function.get("name")?.as_str()?.to_owned();
            let params = function
                .get("parameters")
                .cloned()
                .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
            Some((name, params))
        })
        .collect()
}

/// The deterministic answer to `call`.
pub(crate) fn default_reply(call: &ChatCall) -> Reply {
    let prompt = call.last_user_text();
    let choice = ToolChoice::of(&call.body);
    let forced = matches!(choice, ToolChoice::Required | ToolChoice::Named(_));
    let last = call.messages().last();
    let after_tool = last.and_then(|m| m.get("role")).and_then(Value::as_str) == Some("tool");
    if after_tool
        && !forced
        && let Some(last) = last
    {
        return next_tool_call(call, &prompt)
            .unwrap_or_else(|| Reply::text(tool_result_answer(call, last)));
    }
    if let Some(reply) = tool_call(call, &prompt, &choice) {
        return reply;
    }
    let format = call.body.get("response_format");
    match format.and_then(|f| f.get("type")).and_then(Value::as_str) {
        Some("json_schema") => {
            let schema = format
                .and_then(|f| f.pointer("/json_schema/schema"))
                .cloned()
                .unwrap_or_else(|| json!({}));
            return match checked_fill(&schema, &prompt, "the response_format schema") {
                Ok(value) => Reply::json(&value),
                Err(fault) => Reply::fault(fault),
            };
        }
        Some("json_object") => return Reply::json(&json!({"answer": echo(call, &prompt)})),
        _ => {}
    }
    if prompt.contains("<Rubric>") {
        return Reply::json(&json!({
            "reason": "Simulated grader: the output meets the rubric.",
            "pass": true,
            "score": 1.0,
        }));
    }
    let text = echo(call, &prompt);
    match max_tokens(call) {
        Some(max) if estimate_tokens(&text) > max => {
            Reply::text(truncate_to_tokens(&text, max)).with_stop_reason("length")
        }
        _ => Reply::text(text),
    }
}

/// A text quoting the last user message, acknowledging its images.
fn echo(call: &ChatCall, prompt: &str) -> String {
    let images = call
        .messages()
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .map_or(0, count_images);
    let mut text = String::new();
    if images > 0 {
        let plural = if images == 1 { "" } else { "s" };
        text.push_str(&format!("I see {images} image{plural}. "));
    }
    let prompt = prompt.trim();
    if prompt.is_empty() {
        text.push_str("Hello! This is the simulated Llama API.");
    } else {
        text.push_str(&format!("Simulated answer from {}: {prompt}", call.model));
    }
    text
}

/// Image parts in one message.
pub(crate) fn count_images(message: &Value) -> usize {
    message
        .get("content")
        .and_then(Value::as_array)
        .map_or(0, |parts| {
            parts
                .iter()
                .filter(|p| p.get("type").and_then(Value::as_str) == Some("image_url"))
                .count()
        })
}

/// The completion budget: native `max_completion_tokens`, compat also `max_tokens`.
fn max_tokens(call: &ChatCall) -> Option<u64> {
    let native = call
        .body
        .get("max_completion_tokens")
        .and_then(Value::as_u64);
    match call.endpoint {
        Endpoint::Native => native,
        Endpoint::Compat => native.or_else(|| call.body.get("max_tokens").and_then(Value::as_u64)),
    }
}

fn tool_result_answer(call: &ChatCall, result: &Value) -> String {
    let content = message_text(result);
    let id = result.get("tool_call_id").and_then(Value::as_str);
    let name = call
        .messages()
        .iter()
        .filter_map(|m| m.get("tool_calls").and_then(Value::as_array))
        .flatten()
        .find(|c| c.get("id").and_then(Value::as_str) == id)
        .and_then(|c| c.pointer("/function/name"))
        .and_then(Value::as_str);
    match name {
        Some(name) => format!("Based on the {name} result: {content}"),
        None => format!("Based on the tool result: {content}"),
    }
}

/// In an agent loop, the next offered tool the prompt names by a word of
/// its name and no assistant turn has called yet.
fn next_tool_call(call: &ChatCall, prompt: &str) -> Option<Reply> {
    let called: Vec<&str> = call
        .messages()
        .iter()
        .filter_map(|m| m.get("tool_calls").and_then(Value::as_array))
        .flatten()
        .filter_map(|c| c.pointer("/function/name").and_then(Value::as_str))
        .collect();
    let offered = tools(&call.body);
    let (name, params) = offered
        .iter()
        .find(|(name, _)| !called.contains(&name.as_str()) && names_tool(prompt, name))?;
    let what = format!("the parameters of tool `{name}`");
    Some(match checked_fill(params, prompt, &what) {
        Ok(arguments) => Reply::tool_call(name.clone(), &arguments),
        Err(fault) => Reply::fault(fault),
    })
}

/// Whether the prompt mentions a distinctive word of the tool's name.
fn names_tool(prompt: &str, tool_name: &str) -> bool {
    split_name(tool_name)
        .iter()
        .filter(|w| !GENERIC_WORDS.contains(&w.as_str()))
        .any(|w| mentions_stem(prompt, w))
}

/// A call of the tool the request forces or the prompt asks for.
fn tool_call(call: &ChatCall, prompt: &str, choice: &ToolChoice) -> Option<Reply> {
    let offered = tools(&call.body);
    let (name, params) = match choice {
        ToolChoice::None => return None,
        ToolChoice::Named(wanted) => offered.iter().find(|(name, _)| name == wanted)?,
        ToolChoice::Required => offered
            .iter()
            .find(|(name, params)| asks_for(prompt, name, params))
            .or(offered.first())?,
        ToolChoice::Auto => offered
            .iter()
            .find(|(name, params)| asks_for(prompt, name, params))?,
    };
    let what = format!("the parameters of tool `{name}`");
    Some(match checked_fill(params, prompt, &what) {
        Ok(arguments) => Reply::tool_call(name.clone(), &arguments),
        Err(fault) => Reply::fault(fault),
    })
}

/// Whether the prompt plausibly asks for the tool: it mentions a
/// distinctive word of the tool's name (`get_weather` for "What's the
/// weather...", `searchFlights` for "a flight"), or the tool takes a place
/// and the prompt names one ("Is it raining in Bellevue?").
fn asks_for(prompt: &str, tool_name: &str, params: &Value) -> bool {
    let named = names_tool(prompt, tool_name);
    let takes_place = params
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|props| {
            props
                .keys()
                .any(|k| PLACE_NAMES.contains(&k.to_ascii_lowercase().as_str()))
        });
    named || (takes_place && names_a_place(prompt))
}

/// `get_weather` / `get-weather` / `getWeather` -> `["get", "weather"]`.
fn split_name(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        let boundary = c == '_' || c == '-' || c == '.' || c.is_whitespace();
        if (boundary || c.is_uppercase()) && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if !boundary {
            current.extend(c.to_lowercase());
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Fills `schema` and checks the result against it, so the simulator never
/// sends a document that does not validate. A schema it cannot satisfy is a
/// 500 that says how to script the answer instead.
fn checked_fill(schema: &Value, prompt: &str, what: &str) -> Result<Value, Fault> {
    let validator = jsonschema::validator_for(schema).map_err(|e| {
        Fault::status(400).with_body(json!({
            "title": "Bad Request",
            "detail": format!("{what} is not a valid JSON Schema: {e}"),
            "status": 400,
        }))
    })?;
    let value = fill(schema, prompt);
    let first_error = validator.iter_errors(&value).next().map(|e| e.to_string());
    match first_error {
        None => Ok(value),
        Some(error) => Err(Fault::status(500).with_body(json!({
            "title": "Internal Server Error",
            "detail": format!(
                "the simulated Llama API cannot build a value that satisfies {what} \
                 (its best try fails: {error}); script the answer with `SimLlamaApi::reply_with`"
            ),
            "status": 500,
        }))),
    }
}

#[cfg(test)]
mod tests;
