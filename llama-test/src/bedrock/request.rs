//! [`ChatRequest`] -> the JSON body of Converse and ConverseStream (the two
//! take the same body; only the path differs).
//!
//! Bodies are deterministic (fixtures hash them): unset options are
//! omitted, and an option Converse has no field for is an error naming it,
//! never a silent drop.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Number, Value, json};

use crate::completion::ToolCall;
use crate::error::{Error, Result};
use crate::request::{ChatRequest, ContentPart, Message, Role, Sampling, Tool, ToolChoice};

/// Builds the Converse body for `request` (`request.model` goes in the path,
/// see [`super::converse_path`]; `request.stream` picks the path too).
///
/// - System messages become the top-level `system: [{text}]` list.
/// - User and assistant messages become `messages: [{role, content}]` with
///   `text`, `image` (bytes from a data URL) and `toolUse` blocks; tool
///   results become `toolResult` blocks of a user message. Consecutive
///   messages of one Converse role merge into one message, since Converse
///   requires user and assistant turns to alternate (the N results answering
///   one assistant turn are one user message of N blocks).
/// - `max_tokens`, `temperature`, `top_p` go to `inferenceConfig`; `top_k`,
///   the penalties and `user` have no Converse field and are an
///   [`Error::Config`] naming the option.
/// - Tools go to `toolConfig`; a JSON schema goes to
///   `outputConfig.textFormat` (Bedrock's structured output).
pub fn converse_body(request: &ChatRequest) -> Result<Value> {
    if request.messages.is_empty() {
        return Err(Error::InvalidRequest(
            "bedrock: the request has no messages; add a prompt or messages".into(),
        ));
    }
    reject_unsupported(request)?;

    let mut system = Vec::new();
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for (index, message) in request.messages.iter().enumerate() {
        if message.role != Role::User && message.image_urls().next().is_some() {
            return Err(Error::InvalidRequest(format!(
                "bedrock: message {index} ({}) carries an image; only user messages may contain images",
                message.role.as_str()
            )));
        }
        let (role, blocks) = match message.role {
            Role::System => {
                system.push(json!({"text": message.text_content()}));
                continue;
            }
            Role::User => ("user", user_blocks(message, index)?),
            Role::Assistant => ("assistant", assistant_blocks(message, index)?),
            Role::Tool => ("user", vec![tool_result_block(message, index)?]),
        };
        match turns.last_mut() {
            Some((last_role, last_blocks)) if *last_role == role => last_blocks.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    let has_tool_blocks = request
        .messages
        .iter()
        .any(|m| m.role == Role::Tool || !m.tool_calls.is_empty());

    let mut body = Map::new();
    let messages = turns
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect();
    body.insert("messages".into(), Value::Array(messages));
    if !system.is_empty() {
        body.insert("system".into(), Value::Array(system));
    }
    if let Some(config) = inference_config(&request.sampling)? {
        body.insert("inferenceConfig".into(), config);
    }
    if let Some(config) = tool_config(request, has_tool_blocks)? {
        body.insert("toolConfig".into(), config);
    }
    if let Some(format) = &request.response_format {
        // Converse takes the schema as a JSON *string*
        // (`JsonSchemaDefinition.schema: String` in the API reference).
        let schema = serde_json::to_string(&format.schema).map_err(|e| {
            Error::InvalidRequest(format!(
                "bedrock: the JSON schema cannot be serialized: {e}"
            ))
        })?;
        body.insert(
            "outputConfig".into(),
            json!({"textFormat": {
                "type": "json_schema",
                "structure": {"jsonSchema": {"name": format.name, "schema": schema}},
            }}),
        );
    }
    Ok(Value::Object(body))
}

/// Options [`ChatRequest`] has that Converse has no field for. Converse's
/// `inferenceConfig` is `maxTokens`, `temperature`, `topP`, `stopSequences`;
/// model-specific extras would go through `additionalModelRequestFields`,
/// which Meta's Llama models on Bedrock do not document for these options.
fn reject_unsupported(request: &ChatRequest) -> Result<()> {
    let s = &request.sampling;
    let unsupported = [
        ("top_k", s.top_k.is_some()),
        ("repetition_penalty", s.repetition_penalty.is_some()),
        ("frequency_penalty", s.frequency_penalty.is_some()),
        ("presence_penalty", s.presence_penalty.is_some()),
    ];
    if let Some((name, _)) = unsupported.iter().find(|(_, set)| *set) {
        return Err(Error::Config(format!(
            "bedrock: `{name}` is not accepted by Bedrock Converse, whose inferenceConfig takes \
             only max_tokens, temperature and top_p; remove `{name}` for `bedrock:` models"
        )));
    }
    if request.user.is_some() {
        return Err(Error::Config(
            "bedrock: `user` (an end-user id) has no Bedrock Converse field; remove it for \
             `bedrock:` models"
                .into(),
        ));
    }
    Ok(())
}

fn inference_config(s: &Sampling) -> Result<Option<Value>> {
    let mut config = Map::new();
    if let Some(max) = s.max_tokens {
        config.insert("maxTokens".into(), max.into());
    }
    insert_float(&mut config, "temperature", "temperature", s.temperature)?;
    insert_float(&mut config, "topP", "top_p", s.top_p)?;
    Ok((!config.is_empty()).then_some(Value::Object(config)))
}

fn insert_float(
    config: &mut Map<String, Value>,
    field: &str,
    option: &str,
    value: Option<f64>,
) -> Result<()> {
    if let Some(v) = value {
        let number = Number::from_f64(v).ok_or_else(|| {
            Error::InvalidRequest(format!(
                "bedrock: `{option}` must be a finite number, got {v}"
            ))
        })?;
        config.insert(field.into(), Value::Number(number));
    }
    Ok(())
}

fn user_blocks(message: &Message, index: usize) -> Result<Vec<Value>> {
    message
        .content
        .iter()
        .map(|part| match part {
            ContentPart::Text(text) => Ok(json!({"text": text})),
            ContentPart::ImageUrl(url) => image_block(url, index),
        })
        .collect()
}

/// `{image: {format, source: {bytes}}}` from a `data:image/...;base64,`
/// URL. Converse takes image bytes (or an S3 location), never an `https://`
/// URL, so such a URL is an error rather than something fetched behind the
/// user's back.
fn image_block(url: &str, index: usize) -> Result<Value> {
    let shown = crate::excerpt::trim_chars(url, 80);
    let Some(rest) = url.strip_prefix("data:") else {
        return Err(Error::InvalidRequest(format!(
            "bedrock: message {index} has an image given by URL (`{shown}`); Bedrock Converse \
             takes image bytes only, so give a local image file (or a base64 data URL) instead"
        )));
    };
    let malformed = || {
        Error::InvalidRequest(format!(
            "bedrock: message {index} has an image data URL that is not \
             `data:image/<png|jpeg|gif|webp>;base64,<data>`: `{shown}`"
        ))
    };
    let (meta, data) = rest.split_once(',').ok_or_else(malformed)?;
    let mime = meta.strip_suffix(";base64").ok_or_else(malformed)?;
    // Converse's ImageFormat values.
    let format = match mime.to_ascii_lowercase().as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpeg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => {
            return Err(Error::InvalidRequest(format!(
                "bedrock: message {index} has a `{mime}` image; Bedrock Converse accepts png, \
                 jpeg, gif and webp images"
            )));
        }
    };
    if BASE64.decode(data.trim()).is_err() {
        return Err(malformed());
    }
    Ok(json!({"image": {"format": format, "source": {"bytes": data.trim()}}}))
}

fn assistant_blocks(message: &Message, index: usize) -> Result<Vec<Value>> {
    let mut blocks = Vec::new();
    let text = message.text_content();
    // Converse rejects blank text blocks; a pure tool-call turn has none.
    if !text.is_empty() || message.tool_calls.is_empty() {
        blocks.push(json!({"text": text}));
    }
    for call in &message.tool_calls {
        blocks.push(tool_use_block(call, index)?);
    }
    Ok(blocks)
}

/// `toolUse.input` is a JSON document, not the argument text: a call whose
/// recorded arguments are not a JSON object cannot be sent back.
fn tool_use_block(call: &ToolCall, index: usize) -> Result<Value> {
    let input = match &call.arguments {
        Value::Object(_) => call.arguments.clone(),
        _ => {
            return Err(Error::InvalidRequest(format!(
                "bedrock: message {index} holds a call to `{}` whose arguments are not a JSON \
                 object (`{}`); Converse's toolUse.input must be one",
                call.name,
                crate::excerpt::trim_chars(&call.raw_arguments, 80)
            )));
        }
    };
    Ok(json!({"toolUse": {"toolUseId": call.id, "name": call.name, "input": input}}))
}

/// `{toolResult: {toolUseId, content: [{text}]}}`. The result is sent as
/// text, as the tool message holds it. `status` is left out: the API
/// reference documents it for Amazon Nova and Anthropic Claude models only.
fn tool_result_block(message: &Message, index: usize) -> Result<Value> {
    let id = message.tool_call_id.as_ref().ok_or_else(|| {
        Error::InvalidRequest(format!(
            "bedrock: message {index} (tool) has no `tool_call_id`; a tool result must name the call it answers"
        ))
    })?;
    Ok(json!({"toolResult": {
        "toolUseId": id,
        "content": [{"text": message.text_content()}],
    }}))
}

/// `toolConfig {tools, toolChoice?}`.
///
/// Converse's `ToolChoice` is a union of `auto`, `any` and `tool` with no
/// `none` member (API reference, `ToolChoice`), so `tool_choice = "none"` is
/// expressed the documented way, by not declaring tools. That is impossible
/// once the history holds `toolUse`/`toolResult` blocks, because Converse
/// then requires `toolConfig` ("The toolConfig field must be defined when
/// using toolUse and toolResult content blocks"); declaring the tools with
/// `auto` would let the model call them, so that case is an error.
fn tool_config(request: &ChatRequest, has_tool_blocks: bool) -> Result<Option<Value>> {
    if request.tool_choice == Some(ToolChoice::None) {
        if has_tool_blocks {
            return Err(Error::InvalidRequest(
                "bedrock: `tool_choice = \"none\"` cannot be sent with a history of tool calls: \
                 Converse has no `none` tool choice, and it requires the tools to be declared \
                 once the history holds tool calls or results. Drop `tool_choice` (the model \
                 then decides) or the tool turns"
                    .into(),
            ));
        }
        return Ok(None);
    }
    if request.tools.is_empty() {
        if let Some(choice) = &request.tool_choice {
            return Err(Error::InvalidRequest(format!(
                "bedrock: `tool_choice` is {choice:?} but the request declares no tools"
            )));
        }
        if has_tool_blocks {
            return Err(Error::InvalidRequest(
                "bedrock: the history holds tool calls or results, and Converse then requires \
                 the tools to be declared; add `tools`"
                    .into(),
            ));
        }
        return Ok(None);
    }
    let tools: Vec<Value> = request.tools.iter().map(tool_spec).collect();
    let mut config = Map::new();
    config.insert("tools".into(), Value::Array(tools));
    let choice = match &request.tool_choice {
        None | Some(ToolChoice::None) => None,
        Some(ToolChoice::Auto) => Some(json!({"auto": {}})),
        Some(ToolChoice::Required) => Some(json!({"any": {}})),
        // The API reference documents `tool` for Anthropic Claude and Amazon
        // Nova models; Bedrock answers a 400 for a model that lacks it.
        Some(ToolChoice::Function(name)) => Some(json!({"tool": {"name": name}})),
    };
    if let Some(choice) = choice {
        config.insert("toolChoice".into(), choice);
    }
    Ok(Some(Value::Object(config)))
}

fn tool_spec(tool: &Tool) -> Value {
    let mut spec = Map::new();
    spec.insert("name".into(), Value::String(tool.name.clone()));
    if let Some(description) = &tool.description {
        spec.insert("description".into(), Value::String(description.clone()));
    }
    // `inputSchema` is required; a tool without parameters takes an empty object.
    let schema = tool
        .parameters
        .clone()
        .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
    spec.insert("inputSchema".into(), json!({"json": schema}));
    if let Some(strict) = tool.strict {
        spec.insert("strict".into(), Value::Bool(strict));
    }
    json!({"toolSpec": spec})
}
