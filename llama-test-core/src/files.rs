//! The attribute's JSON files, read once: `messages` (a chat), `tools`
//! (function definitions) and `json_schema` (a response schema). The macro
//! runs these parsers at compile time, so a file of the wrong shape is a
//! compile error on its path; the runtime runs the same ones on the embedded
//! text to build the request. Errors say where in the document the problem
//! is (`[1]: content[0]: ...`); the caller adds which file.

use serde_json::{Map, Value};

/// Parses a complete JSON document. Errors read `line L, column C: ...`.
pub fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let location = format!(" at line {} column {}", e.line(), e.column());
        let message = message.strip_suffix(&location).unwrap_or(&message);
        format!("line {}, column {}: {message}", e.line(), e.column())
    })
}

/// What a value is, for "expected ..., found ..." messages.
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `"system"`.
    System,
    /// `"user"`, the only role that may carry images.
    User,
    /// `"assistant"`.
    Assistant,
    /// `"tool"`.
    Tool,
}

/// The role names, in the order messages list them.
pub const ROLES: &[&str] = &["system", "user", "assistant", "tool"];

impl Role {
    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Role> {
        Some(match name {
            "system" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "tool" => Role::Tool,
            _ => return None,
        })
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        ROLES[self as usize]
    }
}

/// One part of a message's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// `{"type": "text", "text": "..."}`.
    Text(String),
    /// `{"type": "image_url", "image_url": {"url": "..."}}`, or the plain
    /// string form `"image_url": "..."` that OpenAI clients also send.
    ImageUrl(String),
}

/// A tool call in an assistant message of the chat's history.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// `id`, empty when absent.
    pub id: String,
    /// `function.name`.
    pub name: String,
    /// `function.arguments` as JSON text (an object is written out), empty
    /// when absent.
    pub arguments: String,
}

/// One message of a `messages` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Who said it.
    pub role: Role,
    /// Text and image parts in order; a string content is one text part.
    pub content: Vec<Part>,
    /// The calls an assistant turn made.
    pub tool_calls: Vec<ToolCall>,
    /// Which call a tool message answers.
    pub tool_call_id: Option<String>,
}

impl Message {
    /// The number of image parts.
    pub fn image_count(&self) -> usize {
        self.content
            .iter()
            .filter(|p| matches!(p, Part::ImageUrl(_)))
            .count()
    }
}

/// Reads a chat: a non-empty array of `{role, content}` with a known role and
/// a content that is a string or an array of `text`/`image_url` parts (an
/// assistant turn with `tool_calls` may leave it out or `null`).
pub fn messages(doc: &Value) -> Result<Vec<Message>, String> {
    let Value::Array(items) = doc else {
        return Err(format!(
            "expected a JSON array of messages like \
             [{{\"role\": \"user\", \"content\": \"...\"}}]; found {}",
            describe(doc)
        ));
    };
    if items.is_empty() {
        return Err("the array is empty; add at least one message".to_owned());
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| message(item).map_err(|e| format!("[{i}]: {e}")))
        .collect()
}

fn message(item: &Value) -> Result<Message, String> {
    let role = item
        .get("role")
        .and_then(Value::as_str)
        .ok_or("missing string field `role`")?;
    let Some(role) = Role::parse(role) else {
        return Err(format!(
            "unknown role `{role}`{}; expected one of: {}",
            crate::suggest::hint(role, ROLES),
            crate::suggest::backticked(ROLES)
        ));
    };
    let tool_calls = match item.get("tool_calls") {
        None | Some(Value::Null) => None,
        Some(Value::Array(calls)) => Some(
            calls
                .iter()
                .enumerate()
                .map(|(j, call)| tool_call(call).map_err(|e| format!("tool_calls[{j}]: {e}")))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(other) => {
            return Err(format!(
                "`tool_calls` must be an array; found {}",
                describe(other)
            ));
        }
    };
    let content = match item.get("content") {
        Some(Value::String(s)) => vec![Part::Text(s.clone())],
        Some(Value::Array(parts)) => {
            let mut content = Vec::with_capacity(parts.len());
            for (j, part) in parts.iter().enumerate() {
                let part = self::part(part).map_err(|e| format!("content[{j}]: {e}"))?;
                if matches!(part, Part::ImageUrl(_)) && role != Role::User {
                    return Err(format!(
                        "content[{j}]: only `user` messages may carry images, not `{}`",
                        role.as_str()
                    ));
                }
                content.push(part);
            }
            content
        }
        None | Some(Value::Null) if role == Role::Assistant && tool_calls.is_some() => Vec::new(),
        None => return Err("missing field `content`".to_owned()),
        Some(other) => {
            return Err(format!(
                "`content` must be a string or an array of parts; found {}",
                describe(other)
            ));
        }
    };
    let tool_call_id = match item.get("tool_call_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(other) => {
            return Err(format!(
                "`tool_call_id` must be a string; found {}",
                describe(other)
            ));
        }
    };
    Ok(Message {
        role,
        content,
        tool_calls: tool_calls.unwrap_or_default(),
        tool_call_id,
    })
}

fn part(part: &Value) -> Result<Part, String> {
    match part.get("type").and_then(Value::as_str) {
        Some("text") => match part.get("text") {
            Some(Value::String(text)) => Ok(Part::Text(text.clone())),
            _ => Err("a `text` part needs a string field `text`".to_owned()),
        },
        Some("image_url") => {
            let url = match part.get("image_url") {
                Some(Value::String(url)) => Some(url),
                Some(object) => match object.get("url") {
                    Some(Value::String(url)) => Some(url),
                    _ => None,
                },
                None => None,
            };
            url.map(|u| Part::ImageUrl(u.clone())).ok_or_else(|| {
                "an `image_url` part needs `{\"image_url\": {\"url\": \"...\"}}` \
                 or `{\"image_url\": \"...\"}`"
                    .to_owned()
            })
        }
        Some(other) => Err(format!(
            "unknown part type `{other}`; expected `text` or `image_url`"
        )),
        None => Err("a content part needs a string field `type`".to_owned()),
    }
}

fn tool_call(call: &Value) -> Result<ToolCall, String> {
    let function = call.get("function").ok_or("missing field `function`")?;
    let name = function
        .get("name")
        .and_then(Value::as_str)
        .ok_or("missing string field `function.name`")?;
    let arguments = match function.get("arguments") {
        Some(Value::String(s)) => s.clone(),
        Some(v @ Value::Object(_)) => v.to_string(),
        None | Some(Value::Null) => String::new(),
        Some(other) => {
            return Err(format!(
                "`function.arguments` must be a JSON object or a string holding one; found {}",
                describe(other)
            ));
        }
    };
    Ok(ToolCall {
        id: call
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        name: name.to_owned(),
        arguments,
    })
}

/// A function tool definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    /// `[a-zA-Z0-9_-]`, 1 to 64 characters.
    pub name: String,
    /// What the tool does, shown to the model.
    pub description: Option<String>,
    /// JSON Schema of the arguments object.
    pub parameters: Option<Value>,
    /// Asks the API to hold the arguments strictly to `parameters`.
    pub strict: Option<bool>,
}

/// Reads tool definitions in the Llama/OpenAI function format: an array of
/// `{"type": "function", "function": {name, description?, parameters?,
/// strict?}}`; a bare `{name, ...}` entry is accepted too.
pub fn tools(doc: &Value) -> Result<Vec<Tool>, String> {
    let Value::Array(items) = doc else {
        return Err(format!(
            "expected a JSON array of tools like \
             [{{\"type\": \"function\", \"function\": {{\"name\": \"...\"}}}}]; found {}",
            describe(doc)
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| tool(item).map_err(|e| format!("[{i}]: {e}")))
        .collect()
}

fn tool(item: &Value) -> Result<Tool, String> {
    if let Some(kind) = item.get("type").and_then(Value::as_str)
        && kind != "function"
    {
        return Err(format!(
            "`type` is `{kind}`; only `function` tools are supported"
        ));
    }
    let function = item.get("function").unwrap_or(item);
    let name = function
        .get("name")
        .and_then(Value::as_str)
        .ok_or("missing string field `function.name`")?;
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(format!(
            "tool name `{name}` must be 1-64 characters of [a-zA-Z0-9_-]"
        ));
    }
    let parameters = function.get("parameters").cloned();
    if parameters.as_ref().is_some_and(|p| !p.is_object()) {
        return Err(format!(
            "`parameters` of `{name}` must be a JSON Schema object"
        ));
    }
    Ok(Tool {
        name: name.to_owned(),
        description: function
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        parameters,
        strict: function.get("strict").and_then(Value::as_bool),
    })
}

/// `response_format`'s named schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseSchema {
    /// Sent as `json_schema.name`.
    pub name: String,
    /// Sent as `json_schema.schema`.
    pub schema: Value,
}

/// Reads a `json_schema`: the schema object itself, named after the file's
/// stem (`response` for inline JSON, `path == None`), or an already wrapped
/// `{"name": ..., "schema": {...}}`.
pub fn json_schema(doc: Value, path: Option<&str>) -> Result<ResponseSchema, String> {
    let Value::Object(map) = doc else {
        return Err(format!(
            "expected a JSON Schema object like {{\"type\": \"object\", ...}}; found {}",
            describe(&doc)
        ));
    };
    if let Some(wrapped) = wrapped_schema(&map) {
        return Ok(wrapped);
    }
    let stem = path
        .and_then(|p| std::path::Path::new(p).file_stem())
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("response");
    let name = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(ResponseSchema {
        name,
        schema: Value::Object(map),
    })
}

fn wrapped_schema(map: &Map<String, Value>) -> Option<ResponseSchema> {
    let name = map.get("name")?.as_str()?;
    let schema = map.get("schema")?;
    Some(ResponseSchema {
        name: name.to_owned(),
        schema: schema.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(text: &str) -> Value {
        parse_json(text).unwrap()
    }

    #[test]
    fn json_errors_say_where() {
        assert_eq!(
            parse_json("[1,\n 2,, 3]").unwrap_err(),
            "line 2, column 4: expected value"
        );
        assert_eq!(
            parse_json("{\"a\": 1,}").unwrap_err(),
            "line 1, column 9: trailing comma"
        );
        assert!(parse_json("[01]").is_err());
    }

    #[test]
    fn messages_need_known_roles_and_well_formed_parts() {
        let chat = doc(r#"[{"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "c1", "function": {"name": "f", "arguments": {"a": 1}}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "42"}]"#);
        let chat = messages(&chat).unwrap();
        assert_eq!(chat.iter().map(Message::image_count).sum::<usize>(), 1);
        assert_eq!(chat[2].tool_calls[0].arguments, r#"{"a":1}"#);
        assert_eq!(chat[3].tool_call_id.as_deref(), Some("c1"));

        let bad_role = messages(&doc(r#"[{"role": "usr", "content": "hi"}]"#));
        assert_eq!(
            bad_role.unwrap_err(),
            "[0]: unknown role `usr`; did you mean `user`?; expected one of: \
             `system`, `user`, `assistant`, `tool`"
        );
        let bad_part = messages(&doc(
            r#"[{"role": "user", "content": [{"type": "audio"}]}]"#,
        ));
        assert!(
            bad_part
                .unwrap_err()
                .starts_with("[0]: content[0]: unknown part type `audio`")
        );
        assert!(
            messages(&doc("{}"))
                .unwrap_err()
                .contains("found an object")
        );
        assert!(messages(&doc("[]")).unwrap_err().contains("empty"));
        let system_image =
            doc(r#"[{"role": "system", "content": [{"type": "image_url", "image_url": "u"}]}]"#);
        assert!(messages(&system_image).unwrap_err().contains("only `user`"));
        let no_function = doc(r#"[{"role": "assistant", "tool_calls": [{"id": "x"}]}]"#);
        assert_eq!(
            messages(&no_function).unwrap_err(),
            "[0]: tool_calls[0]: missing field `function`"
        );
    }

    /// OpenAI clients send `image_url` both as `{"url": ...}` and as a plain
    /// string; the runtime used to refuse the string form the macro accepted.
    #[test]
    fn image_url_parts_take_both_forms() {
        let chat = doc(r#"[{"role": "user", "content": [
            {"type": "image_url", "image_url": "https://example.com/a.png"},
            {"type": "image_url", "image_url": {"url": "https://example.com/b.png"}}]}]"#);
        assert_eq!(
            messages(&chat).unwrap()[0].content,
            [
                Part::ImageUrl("https://example.com/a.png".into()),
                Part::ImageUrl("https://example.com/b.png".into())
            ]
        );
        let neither =
            doc(r#"[{"role": "user", "content": [{"type": "image_url", "image_url": 3}]}]"#);
        assert!(
            messages(&neither)
                .unwrap_err()
                .contains("needs `{\"image_url\"")
        );
    }

    #[test]
    fn tools_are_checked_and_read() {
        let defs = doc(r#"[{"type": "function", "function": {"name": "get_weather",
            "description": "d", "parameters": {"type": "object"}, "strict": true}},
            {"name": "bare-tool"}]"#);
        let read = tools(&defs).unwrap();
        assert_eq!(read[0].name, "get_weather");
        assert_eq!(read[0].strict, Some(true));
        assert_eq!(read[1].name, "bare-tool");
        let bad = tools(&doc(
            r#"[{"type": "function", "function": {"name": "a b"}}]"#,
        ));
        assert!(bad.unwrap_err().starts_with("[0]: tool name `a b`"));
        let bad_params = tools(&doc(r#"[{"name": "x", "parameters": []}]"#));
        assert!(
            bad_params
                .unwrap_err()
                .contains("must be a JSON Schema object")
        );
        assert!(tools(&doc("{}")).unwrap_err().ends_with("found an object"));
    }

    #[test]
    fn schemas_are_objects_named_after_their_file() {
        let s = json_schema(
            json!({"type": "object"}),
            Some("tests/data/product review.json"),
        );
        assert_eq!(s.unwrap().name, "product_review");
        let inline = json_schema(json!({"type": "object"}), None).unwrap();
        assert_eq!(inline.name, "response");
        let wrapped = json_schema(json!({"name": "r", "schema": {"type": "object"}}), None);
        assert_eq!(wrapped.unwrap().schema, json!({"type": "object"}));
        assert_eq!(
            json_schema(json!([1]), None).unwrap_err(),
            "expected a JSON Schema object like {\"type\": \"object\", ...}; found an array"
        );
    }
}
