//! Error bodies -> typed [`Error`]s.
//!
//! The Llama API has no documented error schema: bodies seen are RFC 7807
//! problem details (`title`/`detail`/`status`), objects with an `error` key
//! (a string or an object with `message`), or a bare `message`. Every message
//! passes through [`redact_secrets`] because some servers echo the request,
//! `Authorization` header included, into their error bodies.

use std::time::Duration;

use serde_json::Value;

use crate::catalogue;
use crate::error::{Error, redact_secrets};

use super::response::snippet;

/// The human-readable message of an error body: `detail`, then `title`,
/// then `error` (string or `{message}`), then `message`; otherwise the body
/// text itself, shortened. Not redacted.
pub fn error_message(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return "(empty response body)".into();
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(value) => message_from_value(&value).unwrap_or_else(|| snippet(trimmed)),
        Err(_) => snippet(trimmed),
    }
}

/// The message inside a parsed error payload, if it has a known shape.
pub fn message_from_value(value: &Value) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Null | Value::String(_) => None,
        other => Some(other.to_string()),
    };
    if let Some(detail) = value.get("detail").and_then(text) {
        return Some(detail);
    }
    if let Some(title) = value.get("title").and_then(text) {
        return Some(title);
    }
    if let Some(error) = value.get("error") {
        let inner = match error {
            Value::Object(_) => error.get("message").and_then(text).or_else(|| text(error)),
            other => text(other),
        };
        if inner.is_some() {
            return inner;
        }
    }
    value.get("message").and_then(text)
}

/// Whether an error payload reports that the model's generation was not a
/// well-formed tool call, rather than a problem with the request: Groq's
/// 400 `tool_use_failed` (text in `failed_generation`) and llama.cpp's
/// "... does not match the expected ... format" (a 500, or an error event in
/// a 200 stream). `status` is `None` for stream events. Such an answer is the
/// model's failure: recorded, replayed, and failed by the checks.
pub fn is_generation_failure(status: Option<u16>, value: &Value) -> bool {
    let Some(error) = value.get("error") else {
        return false;
    };
    let code = error
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let message = message_from_value(value).unwrap_or_default();
    let groq = status.is_none_or(|s| s == 400) && code == "tool_use_failed";
    let llamacpp = status.is_none_or(|s| s == 500)
        && message.contains("does not match the expected")
        && message.contains("format");
    groq || llamacpp
}

/// What an HTTP error status means for a request, after redaction.
///
/// `model` is the requested model id (for the did-you-mean on 404);
/// `attempts` is how many attempts were made; `retry_after` is the server's
/// delay for 429s.
pub fn status_error(
    status: u16,
    body: &str,
    key: Option<&str>,
    model: Option<&str>,
    attempts: u32,
    retry_after: Option<Duration>,
) -> Error {
    let message = redact_secrets(&error_message(body), key);
    let suggestion = model
        .filter(|m| catalogue::lookup(m).is_none())
        .and_then(catalogue::suggest)
        .map(str::to_owned);
    typed_error(status, message, attempts, retry_after, suggestion)
}

/// The typed error for an HTTP status and an already redacted message;
/// `suggestion` is the did-you-mean of a 404.
pub(crate) fn typed_error(
    status: u16,
    message: String,
    attempts: u32,
    retry_after: Option<Duration>,
    suggestion: Option<String>,
) -> Error {
    match status {
        401 | 403 => Error::Auth { status, message },
        404 => Error::NotFound {
            message,
            suggestion,
        },
        429 => Error::RateLimited {
            message,
            attempts,
            retry_after,
        },
        500.. => Error::Server {
            status,
            message,
            attempts,
        },
        _ => Error::BadRequest { status, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_messages_from_every_known_shape() {
        let problem = r#"{"title":"Not Found","detail":"Path '/chat/completions' was not found","status":404}"#;
        assert_eq!(
            error_message(problem),
            "Path '/chat/completions' was not found"
        );
        assert_eq!(error_message(r#"{"title":"Bad Request"}"#), "Bad Request");
        assert_eq!(
            error_message(r#"{"error":{"message":"Invalid image format","code":400}}"#),
            "Invalid image format"
        );
        assert_eq!(
            error_message(r#"{"error":"model missing"}"#),
            "model missing"
        );
        assert_eq!(error_message(r#"{"message":"slow down"}"#), "slow down");
        assert_eq!(error_message("upstream exploded"), "upstream exploded");
        assert_eq!(error_message("  "), "(empty response body)");
    }

    #[test]
    fn maps_statuses_to_typed_errors() {
        let err = status_error(401, r#"{"error":"bad key"}"#, None, None, 1, None);
        assert!(matches!(err, Error::Auth { status: 401, .. }));
        let err = status_error(
            404,
            r#"{"title":"Not Found","detail":"model not found"}"#,
            None,
            Some("Llama-3.3-70B"),
            1,
            None,
        );
        match err {
            Error::NotFound { suggestion, .. } => {
                assert_eq!(suggestion.as_deref(), Some("Llama-3.3-70B-Instruct"))
            }
            other => panic!("{other:?}"),
        }
        let err = status_error(422, r#"{"detail":"bad"}"#, None, None, 1, None);
        assert!(matches!(err, Error::BadRequest { status: 422, .. }));
        let err = status_error(503, "", None, None, 3, None);
        assert!(matches!(
            err,
            Error::Server {
                status: 503,
                attempts: 3,
                ..
            }
        ));
    }

    #[test]
    fn echoed_credentials_are_redacted() {
        let body = r#"{"error":{"message":"bad header Authorization: Bearer LLM|1|secret"}}"#;
        let err = status_error(400, body, Some("LLM|1|secret"), None, 1, None);
        let text = format!("{err} {err:?}");
        assert!(!text.contains("secret"), "{text}");
    }
}
