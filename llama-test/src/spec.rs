//! Turns what `#[llama_eval]` declared ([`EvalSpec`]) into a [`ChatRequest`].
//!
//! The macro already checked keys, files and the model at compile time; this
//! still validates everything, because the same path serves hand-written
//! specs and a file may be valid JSON of the wrong shape.

use serde_json::Value;

use crate::__private::{EvalSpec, FileSpec};
use crate::checks::Assertion;
use crate::error::{Error, Result};
use crate::request::{
    ChatRequest, ContentPart, Endpoint, JsonSchemaFormat, Message, Role, Tool, ToolChoice,
};
use crate::template::{render, render_json};

/// Builds the subject request of an eval.
fn build_request(spec: &EvalSpec) -> Result<ChatRequest> {
    let vars = spec.vars;
    let mut request = ChatRequest::new(spec.model);
    request.endpoint = Endpoint::parse(spec.endpoint)?;

    if let Some(system) = spec.system {
        request
            .messages
            .push(Message::system(render(system, vars, "system")?));
    }
    if let Some(file) = &spec.messages {
        request.messages.extend(messages_from_file(file, vars)?);
    }
    if let Some(prompt) = spec.prompt {
        request
            .messages
            .push(Message::user(render(prompt, vars, "prompt")?));
    }
    if !spec.images.is_empty() {
        attach_images(&mut request, spec)?;
    }

    let s = &mut request.sampling;
    s.temperature = spec.temperature;
    s.top_p = spec.top_p;
    s.top_k = spec.top_k;
    s.max_tokens = spec.max_tokens;
    s.repetition_penalty = spec.repetition_penalty;
    s.frequency_penalty = spec.frequency_penalty;
    s.presence_penalty = spec.presence_penalty;
    request.stream = spec.stream;

    if let Some(file) = &spec.tools {
        request.tools = Tool::list_from_json(&parse_json(file)?, file.path)?;
    }
    request.tool_choice = spec.tool_choice.map(ToolChoice::parse);
    if let Some(file) = &spec.json_schema {
        request.response_format = Some(json_schema_format(file)?);
    }
    if let Some(text) = spec.extra_body {
        request.extra_body = Some(extra_body(text)?);
    }
    if request.messages.is_empty() {
        return Err(Error::Config(format!(
            "{}: the eval sends no messages; set `prompt`, `system` or `messages`",
            spec.fn_name
        )));
    }
    Ok(request)
}

/// What a test sends and checks, built once from its spec: by the
/// dispatcher when it prefetches the test, else by the test itself.
pub struct Prepared {
    /// The subject request.
    pub request: ChatRequest,
    /// The declared checks, parsed (regexes and schemas compiled).
    pub assertions: Vec<Assertion>,
}

/// Builds the request and parses the checks; either failing is the test's
/// error, raised before anything is sent.
pub fn prepare(spec: &EvalSpec) -> Result<Prepared> {
    Ok(Prepared {
        request: build_request(spec)?,
        assertions: assertions(spec)?,
    })
}

/// Parses the declared `assert(...)` checks, with the case's variables.
fn assertions(spec: &EvalSpec) -> Result<Vec<Assertion>> {
    spec.asserts
        .iter()
        .map(|a| Assertion::parse_json_text(a.kind, a.value, a.weight, a.threshold, spec.vars))
        .collect()
}

/// `extra_body`: a JSON object, passed through verbatim.
fn extra_body(text: &str) -> Result<serde_json::Map<String, Value>> {
    llama_test_core::providers::parse_extra_body(text).map_err(Error::Config)
}

fn parse_json(file: &FileSpec) -> Result<Value> {
    serde_json::from_str(file.contents).map_err(|e| {
        Error::Config(format!(
            "{}: invalid JSON at line {} column {}: {e}",
            file.path,
            e.line(),
            e.column()
        ))
    })
}

/// `json_schema = "file.json"`: the schema itself, or an already wrapped
/// `{name, schema}` object. The name defaults to the file stem.
fn json_schema_format(file: &FileSpec) -> Result<JsonSchemaFormat> {
    let value = parse_json(file)?;
    if !value.is_object() {
        return Err(Error::Config(format!(
            "{}: a JSON Schema must be a JSON object",
            file.path
        )));
    }
    if let (Some(name), Some(schema)) = (
        value.get("name").and_then(Value::as_str),
        value.get("schema"),
    ) {
        return Ok(JsonSchemaFormat {
            name: name.to_owned(),
            schema: schema.clone(),
        });
    }
    let stem = std::path::Path::new(file.path)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| *s != "<inline>" && !s.is_empty())
        .unwrap_or("response");
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(JsonSchemaFormat {
        name,
        schema: value,
    })
}

/// Parses a chat file: `[{"role": ..., "content": string | [parts]}, ...]`,
/// with `{{var}}` rendered in every string.
pub fn messages_from_file(file: &FileSpec, vars: &[(&str, &str)]) -> Result<Vec<Message>> {
    let value = render_json(&parse_json(file)?, vars, file.path)?;
    let Value::Array(items) = value else {
        return Err(Error::Config(format!(
            "{}: expected a JSON array of messages like [{{\"role\": \"user\", \"content\": \"...\"}}]",
            file.path
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            message_from_json(item).map_err(|e| Error::Config(format!("{}: [{i}]: {e}", file.path)))
        })
        .collect()
}

fn message_from_json(item: &Value) -> std::result::Result<Message, String> {
    let role = item
        .get("role")
        .and_then(Value::as_str)
        .ok_or("missing string field `role`")?;
    let role = Role::parse(role).map_err(|e| e.to_string())?;
    let content = match item.get("content") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![ContentPart::Text(s.clone())],
        Some(Value::Array(parts)) => parts
            .iter()
            .map(part_from_json)
            .collect::<std::result::Result<_, _>>()?,
        Some(part @ Value::Object(_)) => vec![part_from_json(part)?],
        Some(_) => return Err("`content` must be a string or an array of parts".into()),
    };
    let tool_calls = match item.get("tool_calls").and_then(Value::as_array) {
        None => Vec::new(),
        Some(calls) => calls
            .iter()
            .map(tool_call_from_json)
            .collect::<std::result::Result<_, _>>()?,
    };
    Ok(Message {
        role,
        content,
        tool_calls,
        tool_call_id: item
            .get("tool_call_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn part_from_json(part: &Value) -> std::result::Result<ContentPart, String> {
    match part.get("type").and_then(Value::as_str) {
        Some("text") => part
            .get("text")
            .and_then(Value::as_str)
            .map(|t| ContentPart::Text(t.to_owned()))
            .ok_or_else(|| "text part without a string `text`".to_owned()),
        Some("image_url") => part
            .pointer("/image_url/url")
            .and_then(Value::as_str)
            .map(|u| ContentPart::ImageUrl(u.to_owned()))
            .ok_or_else(|| "image_url part without `image_url.url`".to_owned()),
        Some(other) => Err(format!(
            "unknown content part type `{other}`; expected `text` or `image_url`"
        )),
        None => Err("content part without `type`".to_owned()),
    }
}

fn tool_call_from_json(call: &Value) -> std::result::Result<crate::ToolCall, String> {
    let id = call.get("id").and_then(Value::as_str).unwrap_or_default();
    let function = call.get("function").ok_or("tool call without `function`")?;
    let name = function
        .get("name")
        .and_then(Value::as_str)
        .ok_or("tool call without `function.name`")?;
    let arguments = match function.get("arguments") {
        Some(Value::String(s)) => s.clone(),
        Some(v @ Value::Object(_)) => v.to_string(),
        _ => String::new(),
    };
    Ok(crate::ToolCall::from_wire(id, name, arguments))
}

/// Adds the declared images to the last user message (or a new one).
fn attach_images(request: &mut ChatRequest, spec: &EvalSpec) -> Result<()> {
    let urls = spec
        .images
        .iter()
        .map(|image| match image.bytes {
            Some(bytes) => crate::images::image_url_from_bytes(bytes, image.source),
            None => Ok(image.source.to_owned()),
        })
        .collect::<Result<Vec<_>>>()?;
    let index = match request.messages.iter().rposition(|m| m.role == Role::User) {
        Some(i) => i,
        None => {
            request.messages.push(Message {
                role: Role::User,
                content: Vec::new(),
                tool_calls: Vec::new(),
                tool_call_id: None,
            });
            request.messages.len() - 1
        }
    };
    request.messages[index]
        .content
        .extend(urls.into_iter().map(ContentPart::ImageUrl));
    Ok(())
}
