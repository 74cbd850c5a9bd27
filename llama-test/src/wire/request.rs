//! [`ChatRequest`] -> the exact JSON body of the native or compat endpoint.
//!
//! Bodies are deterministic (fixtures hash them): unset options are omitted,
//! never sent as `null`, and options an endpoint does not accept are an
//! [`Error::InvalidRequest`] naming the option and the endpoint that takes
//! it, never a silent drop.

use serde_json::{Map, Number, Value, json};

use crate::completion::ToolCall;
use crate::error::{Error, Result};
use crate::providers::Provider;
use crate::request::{
    ChatRequest, ContentPart, Endpoint, Message, Role, Sampling, Tool, ToolChoice,
};

/// Builds the request body for `request.endpoint` of Meta's Llama API.
pub fn request_body(request: &ChatRequest) -> Result<Value> {
    let model = crate::catalogue::parse_provider_id(&request.model);
    let mut body = common_body(request, model, request.endpoint)?;
    encode_sampling(&request.sampling, request.endpoint, &mut body)?;
    merge_extra(&mut body, None, request.extra_body.as_ref());
    Ok(Value::Object(body))
}

/// Builds the OpenAI Chat Completions body for `provider`, sending `model`:
/// the provider's sampling names, a trailing usage chunk for streams where
/// the provider supports it, and its `extra_body` under the request's.
pub fn provider_body(request: &ChatRequest, provider: &Provider, model: &str) -> Result<Value> {
    let mut body = common_body(request, model, Endpoint::Compat)?;
    encode_provider_sampling(&request.sampling, provider, &mut body)?;
    if request.stream && provider.stream_usage {
        body.insert("stream_options".into(), json!({"include_usage": true}));
    }
    merge_extra(
        &mut body,
        Some(&provider.extra_body),
        request.extra_body.as_ref(),
    );
    Ok(Value::Object(body))
}

/// Extra fields go in verbatim, the eval's over the provider's: they are
/// how users reach server options llama-test does not model (llama.cpp's
/// `logit_bias`, OpenRouter's `provider`, vLLM's guided decoding).
fn merge_extra(
    body: &mut Map<String, Value>,
    provider: Option<&Map<String, Value>>,
    request: Option<&Map<String, Value>>,
) {
    for extra in [provider, request].into_iter().flatten() {
        for (k, v) in extra {
            body.insert(k.clone(), v.clone());
        }
    }
}

/// The sampling values a request sets, by attribute name.
fn sampling_values(s: &Sampling) -> [(&'static str, Option<Value>); 7] {
    let float = |v: Option<f64>| v.map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number));
    [
        ("temperature", float(s.temperature)),
        ("top_p", float(s.top_p)),
        ("top_k", s.top_k.map(Value::from)),
        ("max_tokens", s.max_tokens.map(Value::from)),
        ("repetition_penalty", float(s.repetition_penalty)),
        ("frequency_penalty", float(s.frequency_penalty)),
        ("presence_penalty", float(s.presence_penalty)),
    ]
}

fn encode_provider_sampling(
    s: &Sampling,
    provider: &Provider,
    body: &mut Map<String, Value>,
) -> Result<()> {
    for (name, value) in sampling_values(s) {
        let Some(value) = value else { continue };
        if value.is_null() {
            return Err(Error::InvalidRequest(format!(
                "`{name}` must be a finite number"
            )));
        }
        let Some((_, wire)) = provider.sampling.iter().find(|(n, _)| *n == name) else {
            let message =
                llama_test_core::providers::sampling_error(&provider.name, provider.kind, name)
                    .unwrap_or_else(|| {
                        format!("`{name}` is not accepted by provider `{}`", provider.name)
                    });
            return Err(Error::InvalidRequest(message));
        };
        body.insert((*wire).to_owned(), value);
    }
    Ok(())
}

/// Model, messages, stream, tools, tool choice, response format and user.
fn common_body(
    request: &ChatRequest,
    model: &str,
    endpoint: Endpoint,
) -> Result<Map<String, Value>> {
    if request.messages.is_empty() {
        return Err(Error::InvalidRequest(
            "the request has no messages; add a prompt or messages".into(),
        ));
    }
    let mut body = Map::new();
    body.insert("model".into(), Value::String(model.to_owned()));
    let messages = request
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| encode_message(m, i, endpoint))
        .collect::<Result<Vec<_>>>()?;
    body.insert("messages".into(), Value::Array(messages));
    if request.stream {
        body.insert("stream".into(), Value::Bool(true));
    }
    if !request.tools.is_empty() {
        let tools = request.tools.iter().map(encode_tool).collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    if let Some(choice) = &request.tool_choice {
        body.insert("tool_choice".into(), encode_tool_choice(choice));
    }
    if let Some(format) = &request.response_format {
        body.insert(
            "response_format".into(),
            json!({"type": "json_schema", "json_schema": {"name": format.name, "schema": format.schema}}),
        );
    }
    if let Some(user) = &request.user {
        body.insert("user".into(), Value::String(user.clone()));
    }
    Ok(body)
}

fn encode_sampling(s: &Sampling, endpoint: Endpoint, body: &mut Map<String, Value>) -> Result<()> {
    insert_float(body, "temperature", s.temperature)?;
    insert_float(body, "top_p", s.top_p)?;
    match endpoint {
        Endpoint::Native => {
            if let Some(max) = s.max_tokens {
                body.insert("max_completion_tokens".into(), max.into());
            }
            if let Some(k) = s.top_k {
                body.insert("top_k".into(), k.into());
            }
            insert_float(body, "repetition_penalty", s.repetition_penalty)?;
            for (name, value) in [
                ("frequency_penalty", s.frequency_penalty),
                ("presence_penalty", s.presence_penalty),
            ] {
                if value.is_some() {
                    return Err(Error::InvalidRequest(format!(
                        "`{name}` is not accepted by the native endpoint (/v1/chat/completions), \
                         which has `repetition_penalty` instead; use `endpoint = \"compat\"` \
                         to send `{name}`"
                    )));
                }
            }
        }
        Endpoint::Compat => {
            if let Some(max) = s.max_tokens {
                body.insert("max_tokens".into(), max.into());
            }
            insert_float(body, "frequency_penalty", s.frequency_penalty)?;
            insert_float(body, "presence_penalty", s.presence_penalty)?;
            let native_only = [
                ("top_k", s.top_k.is_some()),
                ("repetition_penalty", s.repetition_penalty.is_some()),
            ];
            for (name, set) in native_only {
                if set {
                    return Err(Error::InvalidRequest(format!(
                        "`{name}` is not part of the OpenAI-compatible endpoint \
                         (/compat/v1/chat/completions); use `endpoint = \"native\"` to send `{name}`"
                    )));
                }
            }
        }
    }
    Ok(())
}

fn insert_float(body: &mut Map<String, Value>, name: &str, value: Option<f64>) -> Result<()> {
    if let Some(v) = value {
        let number = Number::from_f64(v).ok_or_else(|| {
            Error::InvalidRequest(format!("`{name}` must be a finite number, got {v}"))
        })?;
        body.insert(name.into(), Value::Number(number));
    }
    Ok(())
}

fn encode_message(message: &Message, index: usize, endpoint: Endpoint) -> Result<Value> {
    let role = message.role;
    let mut out = Map::new();
    out.insert("role".into(), Value::String(role.as_str().into()));
    let has_images = message.image_urls().next().is_some();
    if has_images && role != Role::User {
        return Err(Error::InvalidRequest(format!(
            "message {index} ({}) carries an image; only user messages may contain images",
            role.as_str()
        )));
    }
    match role {
        Role::User => {
            out.insert("content".into(), user_content(&message.content));
        }
        Role::System => {
            out.insert("content".into(), Value::String(message.text_content()));
        }
        Role::Tool => {
            let id = message.tool_call_id.as_ref().ok_or_else(|| {
                Error::InvalidRequest(format!(
                    "message {index} (tool) has no `tool_call_id`; a tool result must name the call it answers"
                ))
            })?;
            out.insert("tool_call_id".into(), Value::String(id.clone()));
            out.insert("content".into(), Value::String(message.text_content()));
        }
        Role::Assistant => encode_assistant(message, endpoint, &mut out),
    }
    Ok(Value::Object(out))
}

/// A string when the message is a single text part (the common case and
/// what the SDK examples send); otherwise an array of text/image parts.
fn user_content(parts: &[ContentPart]) -> Value {
    match parts {
        [] => Value::String(String::new()),
        [ContentPart::Text(text)] => Value::String(text.clone()),
        parts => Value::Array(
            parts
                .iter()
                .map(|p| match p {
                    ContentPart::Text(text) => json!({"type": "text", "text": text}),
                    ContentPart::ImageUrl(url) => {
                        json!({"type": "image_url", "image_url": {"url": url}})
                    }
                })
                .collect(),
        ),
    }
}

fn encode_assistant(message: &Message, endpoint: Endpoint, out: &mut Map<String, Value>) {
    let text = message.text_content();
    match endpoint {
        // The native API takes a single text object here, not an array.
        Endpoint::Native => {
            out.insert("content".into(), json!({"type": "text", "text": text}));
            if !message.tool_calls.is_empty() {
                // Echoing the turn as the SDK rebuilds it from a stream.
                out.insert("stop_reason".into(), Value::String("tool_calls".into()));
            }
        }
        Endpoint::Compat => {
            out.insert("content".into(), Value::String(text));
        }
    }
    if !message.tool_calls.is_empty() {
        let calls = message
            .tool_calls
            .iter()
            .map(|c| encode_tool_call(c, endpoint))
            .collect();
        out.insert("tool_calls".into(), Value::Array(calls));
    }
}

fn encode_tool_call(call: &ToolCall, endpoint: Endpoint) -> Value {
    // The raw text is sent back exactly as the model produced it.
    let function = json!({"name": call.name, "arguments": call.raw_arguments});
    match endpoint {
        Endpoint::Native => json!({"id": call.id, "function": function}),
        Endpoint::Compat => json!({"id": call.id, "type": "function", "function": function}),
    }
}

fn encode_tool(tool: &Tool) -> Value {
    let mut function = Map::new();
    function.insert("name".into(), Value::String(tool.name.clone()));
    if let Some(d) = &tool.description {
        function.insert("description".into(), Value::String(d.clone()));
    }
    if let Some(p) = &tool.parameters {
        function.insert("parameters".into(), p.clone());
    }
    if let Some(strict) = tool.strict {
        function.insert("strict".into(), Value::Bool(strict));
    }
    json!({"type": "function", "function": function})
}

fn encode_tool_choice(choice: &ToolChoice) -> Value {
    match choice {
        ToolChoice::Auto => "auto".into(),
        ToolChoice::Required => "required".into(),
        ToolChoice::None => "none".into(),
        ToolChoice::Function(name) => json!({"type": "function", "function": {"name": name}}),
    }
}

#[cfg(test)]
mod tests;
