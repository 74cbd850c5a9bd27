//! Turns what `#[llama_eval]` declared ([`EvalSpec`]) into a [`ChatRequest`].
//!
//! The macro already checked keys, files and the model at compile time; this
//! still validates everything, because the same path serves hand-written
//! specs and a file may be valid JSON of the wrong shape.

use serde_json::Value;

use crate::checks::Assertion;
use crate::error::{Error, Result};
use crate::request::{ChatRequest, ContentPart, JsonSchemaFormat, Message, Role, Tool, ToolChoice};
use crate::spec::{EvalSpec, FileSpec};
use crate::template::{render, render_json};

/// The `FileSpec::path` of inline JSON.
const INLINE: &str = "<inline>";

/// Builds the subject request of an eval.
fn build_request(spec: &EvalSpec) -> Result<ChatRequest> {
    let vars = spec.vars;
    let mut request = ChatRequest::new(spec.model);
    request.endpoint = spec.endpoint;

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

    request.sampling = spec.sampling;
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
/// suite-wide prefetch when it sends the test's requests ahead, else by the
/// test itself.
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
        .map(|a| {
            let assertion =
                Assertion::parse_json_text(a.kind, a.value, a.weight, a.threshold, spec.vars)?;
            match a.transform {
                None => Ok(assertion),
                Some(text) => {
                    let code: Value = serde_json::from_str(text).map_err(|e| {
                        Error::Config(format!(
                            "assert({} = ...): the transform {text:?} is not valid JSON: {e}",
                            a.kind
                        ))
                    })?;
                    assertion.with_transform(&code)
                }
            }
        })
        .collect()
}

/// `extra_body`: a JSON object, passed through verbatim.
fn extra_body(text: &str) -> Result<serde_json::Map<String, Value>> {
    llama_test_core::providers::parse_extra_body(text).map_err(Error::Config)
}

/// Parses a file the macro embedded; errors name it.
fn parse_json(file: &FileSpec) -> Result<Value> {
    llama_test_core::files::parse_json(file.contents)
        .map_err(|e| Error::Config(format!("{}: invalid JSON: {e}", file.path)))
}

/// `json_schema = "file.json"`: the schema itself, or an already wrapped
/// `{name, schema}` object. The name defaults to the file stem.
fn json_schema_format(file: &FileSpec) -> Result<JsonSchemaFormat> {
    let path = (file.path != INLINE).then_some(file.path);
    let read = llama_test_core::files::json_schema(parse_json(file)?, path)
        .map_err(|e| Error::Config(format!("{}: {e}", file.path)))?;
    Ok(JsonSchemaFormat {
        name: read.name,
        schema: read.schema,
    })
}

/// Parses a chat file with the parser the macro ran on it at compile time,
/// after rendering `{{var}}` in every string.
pub fn messages_from_file(file: &FileSpec, vars: &[(&str, &str)]) -> Result<Vec<Message>> {
    let value = render_json(&parse_json(file)?, vars, file.path)?;
    let messages = llama_test_core::files::messages(&value)
        .map_err(|e| Error::Config(format!("{}: {e}", file.path)))?;
    Ok(messages.into_iter().map(message_from_read).collect())
}

fn message_from_read(read: llama_test_core::files::Message) -> Message {
    use llama_test_core::files::{Part, Role as Read};
    Message {
        role: match read.role {
            Read::System => Role::System,
            Read::User => Role::User,
            Read::Assistant => Role::Assistant,
            Read::Tool => Role::Tool,
        },
        content: read
            .content
            .into_iter()
            .map(|part| match part {
                Part::Text(text) => ContentPart::Text(text),
                Part::ImageUrl(url) => ContentPart::ImageUrl(url),
            })
            .collect(),
        tool_calls: read
            .tool_calls
            .into_iter()
            .map(|c| crate::ToolCall::from_wire(c.id, c.name, c.arguments))
            .collect(),
        tool_call_id: read.tool_call_id,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(contents: &'static str) -> Result<Vec<Message>> {
        messages_from_file(
            &FileSpec {
                path: "tests/data/chat.json",
                contents,
            },
            &[("city", "Paris")],
        )
    }

    /// OpenAI clients send `"image_url": "https://..."` as well as
    /// `{"url": ...}`; the macro accepted the string form at compile time
    /// and this used to refuse it at run time.
    #[test]
    fn a_plain_string_image_url_is_an_image_part() {
        let messages = chat(
            r#"[{"role": "user", "content": [
                {"type": "text", "text": "What is in {{city}}?"},
                {"type": "image_url", "image_url": "https://example.com/cat.png"},
                {"type": "image_url", "image_url": {"url": "https://example.com/dog.png"}}]}]"#,
        )
        .unwrap();
        assert_eq!(
            messages[0].content,
            [
                ContentPart::Text("What is in Paris?".into()),
                ContentPart::ImageUrl("https://example.com/cat.png".into()),
                ContentPart::ImageUrl("https://example.com/dog.png".into()),
            ]
        );
    }

    #[test]
    fn chat_errors_name_the_file_and_the_message() {
        let err = chat(r#"[{"role": "usr", "content": "hi"}]"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tests/data/chat.json: [0]: unknown role `usr`; \
             did you mean `user`?; expected one of: `system`, `user`, `assistant`, `tool`"
        );
        let err = chat("[1,]").unwrap_err().to_string();
        assert!(
            err.contains("tests/data/chat.json: invalid JSON: line 1, column 4"),
            "{err}"
        );
        let history = chat(
            r#"[{"role": "assistant", "tool_calls": [{"id": "c1",
                "function": {"name": "f", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "42"}]"#,
        )
        .unwrap();
        assert_eq!(history[0].tool_calls[0].name, "f");
        assert_eq!(history[1].tool_call_id.as_deref(), Some("c1"));
    }
}
