//! Files named in the attribute: resolved against `CARGO_MANIFEST_DIR`, read
//! at compile time to check their shape, then embedded with `include_str!`
//! by the generated code (which also makes edits to them rebuild the test).

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

use crate::errors::Errors;
use crate::json::{self, Json};
use crate::keys::Spanned;

/// A JSON document from a file or an inline string.
pub struct JsonFile {
    /// The path as written; `None` for inline JSON.
    pub path: Option<String>,
    /// The text (embedded verbatim for inline JSON).
    pub contents: String,
    pub json: Json,
}

/// The directory holding the crate's `Cargo.toml`, which paths are relative to.
pub fn manifest_dir() -> Result<PathBuf, String> {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| {
            "CARGO_MANIFEST_DIR is not set; #[llama_eval] resolves file paths against it, \
             so build with cargo"
                .to_owned()
        })
}

/// The full path of an existing file named by `path`, or an error naming it.
pub fn resolve(key: &str, path: &Spanned<String>, errors: &mut Errors) -> Option<PathBuf> {
    if path.value.is_empty() || Path::new(&path.value).is_absolute() {
        errors.push(
            &path.tokens,
            format!(
                "`{key}` needs a path relative to the crate root (CARGO_MANIFEST_DIR), \
                 e.g. `tests/data/...`; found `{}`",
                path.value
            ),
        );
        return None;
    }
    let dir = match manifest_dir() {
        Ok(dir) => dir,
        Err(message) => {
            errors.push(&path.tokens, message);
            return None;
        }
    };
    let full = dir.join(&path.value);
    if full.is_file() {
        return Some(full);
    }
    let what = if full.exists() {
        "is not a file"
    } else {
        "not found"
    };
    errors.push(
        &path.tokens,
        format!(
            "`{key}` file `{}` {what} (paths are relative to the crate root, CARGO_MANIFEST_DIR)",
            path.value
        ),
    );
    None
}

/// Reads and parses a JSON file; errors name the key, the file and the line.
pub fn load_json(key: &str, path: &Spanned<String>, errors: &mut Errors) -> Option<JsonFile> {
    let full = resolve(key, path, errors)?;
    let contents = match std::fs::read_to_string(&full) {
        Ok(text) => text,
        Err(e) => {
            errors.push(
                &path.tokens,
                format!("cannot read `{key}` file `{}`: {e}", path.value),
            );
            return None;
        }
    };
    parse_json(
        key,
        Some(path.value.clone()),
        contents,
        &path.tokens,
        errors,
    )
}

/// Parses inline JSON given directly in the attribute.
pub fn inline_json(key: &str, text: &Spanned<String>, errors: &mut Errors) -> Option<JsonFile> {
    parse_json(key, None, text.value.clone(), &text.tokens, errors)
}

fn parse_json(
    key: &str,
    path: Option<String>,
    contents: String,
    tokens: &TokenStream,
    errors: &mut Errors,
) -> Option<JsonFile> {
    match json::parse(&contents) {
        Ok(json) => Some(JsonFile {
            path,
            contents,
            json,
        }),
        Err(e) => {
            let source = path.map_or_else(|| "inline JSON".to_owned(), |p| format!("file `{p}`"));
            errors.push(tokens, format!("`{key}` {source} is not valid JSON: {e}"));
            None
        }
    }
}

const ROLES: &[&str] = &["system", "user", "assistant", "tool"];

/// Checks a chat: a non-empty array of `{role, content}` with known roles and
/// content that is a string or an array of text/image_url parts. Returns the
/// number of image parts, which count toward the model's image checks.
pub fn check_messages(doc: &Json) -> Result<usize, String> {
    let Json::Array(messages) = doc else {
        return Err(format!(
            "expected a JSON array of messages like \
             [{{\"role\": \"user\", \"content\": \"...\"}}]; found {}",
            doc.kind()
        ));
    };
    if messages.is_empty() {
        return Err("the array is empty; add at least one message".to_owned());
    }
    let mut images = 0;
    for (i, message) in messages.iter().enumerate() {
        images += check_message(message).map_err(|e| format!("[{i}]: {e}"))?;
    }
    Ok(images)
}

fn check_message(message: &Json) -> Result<usize, String> {
    let role = message
        .get("role")
        .and_then(Json::as_str)
        .ok_or("missing string field `role`")?;
    if !ROLES.contains(&role) {
        return Err(format!(
            "unknown role `{role}`{}; expected one of: {}",
            crate::names::hint(role, ROLES),
            crate::names::backticked(ROLES)
        ));
    }
    match message.get("content") {
        Some(Json::String(_)) => Ok(0),
        Some(Json::Array(parts)) => {
            let mut images = 0;
            for (j, part) in parts.iter().enumerate() {
                let is_image = check_part(part).map_err(|e| format!("content[{j}]: {e}"))?;
                if is_image && role != "user" {
                    return Err(format!(
                        "content[{j}]: only `user` messages may carry images, not `{role}`"
                    ));
                }
                images += usize::from(is_image);
            }
            Ok(images)
        }
        None | Some(Json::Null) if role == "assistant" && message.get("tool_calls").is_some() => {
            Ok(0)
        }
        None => Err("missing field `content`".to_owned()),
        Some(other) => Err(format!(
            "`content` must be a string or an array of parts; found {}",
            other.kind()
        )),
    }
}

/// Whether the part is an image; errors for malformed parts.
fn check_part(part: &Json) -> Result<bool, String> {
    match part.get("type").and_then(Json::as_str) {
        Some("text") => match part.get("text") {
            Some(Json::String(_)) => Ok(false),
            _ => Err("a `text` part needs a string field `text`".to_owned()),
        },
        Some("image_url") => {
            let url = part.get("image_url").and_then(|i| match i {
                Json::String(s) => Some(s.as_str()),
                other => other.get("url").and_then(Json::as_str),
            });
            match url {
                Some(_) => Ok(true),
                None => Err(
                    "an `image_url` part needs `{\"image_url\": {\"url\": \"...\"}}`".to_owned(),
                ),
            }
        }
        Some(other) => Err(format!(
            "unknown part type `{other}`; expected `text` or `image_url`"
        )),
        None => Err("a content part needs a string field `type`".to_owned()),
    }
}

/// Checks tool definitions in the Llama/OpenAI function format (as the
/// runtime's `Tool::list_from_json` reads them) and returns their names.
pub fn tool_names(doc: &Json) -> Result<Vec<String>, String> {
    let Json::Array(tools) = doc else {
        return Err(format!(
            "expected a JSON array of tools like \
             [{{\"type\": \"function\", \"function\": {{\"name\": \"...\"}}}}]; found {}",
            doc.kind()
        ));
    };
    tools
        .iter()
        .enumerate()
        .map(|(i, tool)| tool_name(tool).map_err(|e| format!("[{i}]: {e}")))
        .collect()
}

fn tool_name(tool: &Json) -> Result<String, String> {
    if let Some(kind) = tool.get("type").and_then(Json::as_str)
        && kind != "function"
    {
        return Err(format!(
            "`type` is `{kind}`; only `function` tools are supported"
        ));
    }
    let function = tool.get("function").unwrap_or(tool);
    let name = function
        .get("name")
        .and_then(Json::as_str)
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
    match function.get("parameters") {
        None | Some(Json::Object(_)) => Ok(name.to_owned()),
        Some(_) => Err(format!(
            "`parameters` of `{name}` must be a JSON Schema object"
        )),
    }
}

/// A response schema must be a JSON object.
pub fn check_schema(doc: &Json) -> Result<(), String> {
    match doc {
        Json::Object(_) => Ok(()),
        other => Err(format!(
            "expected a JSON Schema object like {{\"type\": \"object\", ...}}; found {}",
            other.kind()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Json {
        json::parse(text).unwrap()
    }

    #[test]
    fn messages_need_known_roles_and_well_formed_parts() {
        let chat = r#"[{"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]},
            {"role": "assistant", "content": null, "tool_calls": []}]"#;
        assert_eq!(check_messages(&doc(chat)), Ok(1));
        let bad_role = check_messages(&doc(r#"[{"role": "usr", "content": "hi"}]"#));
        assert_eq!(
            bad_role.unwrap_err(),
            "[0]: unknown role `usr`; did you mean `user`?; expected one of: \
             `system`, `user`, `assistant`, `tool`"
        );
        let bad_part = check_messages(&doc(
            r#"[{"role": "user", "content": [{"type": "audio"}]}]"#,
        ));
        assert!(
            bad_part
                .unwrap_err()
                .starts_with("[0]: content[0]: unknown part type `audio`")
        );
        assert!(
            check_messages(&doc("{}"))
                .unwrap_err()
                .contains("found an object")
        );
        assert!(check_messages(&doc("[]")).unwrap_err().contains("empty"));
        let system_image =
            r#"[{"role": "system", "content": [{"type": "image_url", "image_url": "u"}]}]"#;
        assert!(
            check_messages(&doc(system_image))
                .unwrap_err()
                .contains("only `user`")
        );
    }

    #[test]
    fn tools_are_read_like_the_runtime_reads_them() {
        let tools = r#"[{"type": "function", "function": {"name": "get_weather",
            "parameters": {"type": "object"}}}, {"name": "bare-tool"}]"#;
        assert_eq!(
            tool_names(&doc(tools)).unwrap(),
            ["get_weather", "bare-tool"]
        );
        let bad = tool_names(&doc(
            r#"[{"type": "function", "function": {"name": "a b"}}]"#,
        ));
        assert!(bad.unwrap_err().starts_with("[0]: tool name `a b`"));
        let bad_params = tool_names(&doc(r#"[{"name": "x", "parameters": []}]"#));
        assert!(
            bad_params
                .unwrap_err()
                .contains("must be a JSON Schema object")
        );
        assert!(check_schema(&doc("[]")).is_err());
        assert!(check_schema(&doc(r#"{"type": "object"}"#)).is_ok());
    }
}
