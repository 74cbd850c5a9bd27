//! The checks the real API makes on a chat request before generating, in
//! the order it makes them: content type, JSON body, required fields,
//! fields the endpoint does not take, the model, images, and a wildcard
//! `Accept` on streams. Each failure is the status and body the real API
//! sends.

use serde_json::Value;
use wiremock::{Request, ResponseTemplate};

use super::answer::{ToolChoice, count_images, tools};
use super::reply::ChatCall;
use super::server::{Ctx, header};
use super::state::Settings;
use crate::catalogue::MODELS;
use crate::request::Endpoint;

/// Native fields that belong to the OpenAI format only, with the fix.
const COMPAT_ONLY_FIELDS: &[(&str, &str)] = &[
    (
        "max_tokens",
        "the native endpoint takes 'max_completion_tokens'",
    ),
    (
        "frequency_penalty",
        "it is only accepted by the compat endpoint /compat/v1/chat/completions",
    ),
    (
        "presence_penalty",
        "it is only accepted by the compat endpoint /compat/v1/chat/completions",
    ),
];

/// The checks the real API makes before generating, in its order.
#[allow(
    clippy::result_large_err,
    reason = "one rejection per request; boxing it buys nothing"
)]
pub(crate) fn validate(
    settings: &Settings,
    endpoint: Endpoint,
    dialect: Option<super::dialect::Dialect>,
    request: &Request,
    ctx: &Ctx,
) -> Result<ChatCall, ResponseTemplate> {
    let content_type = header(request, "content-type").unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        let detail = if media_type.is_empty() {
            "Missing Content-Type; send 'Content-Type: application/json'".to_owned()
        } else {
            format!(
                "Unsupported Content-Type '{media_type}'; send 'Content-Type: application/json'"
            )
        };
        return Err(ctx.bad_request(endpoint, detail, "unsupported_content_type"));
    }
    let body: Value = serde_json::from_slice(&request.body).map_err(|e| {
        ctx.bad_request(
            endpoint,
            format!("Request body is not valid JSON: {e}"),
            "invalid_json",
        )
    })?;
    let invalid = |detail: String| ctx.bad_request(endpoint, detail, "invalid_request");
    let Some(model) = body.get("model").and_then(Value::as_str) else {
        return Err(invalid(
            "'model' is required and must be a string".to_owned(),
        ));
    };
    let messages = body.get("messages").and_then(Value::as_array);
    if messages.is_none_or(Vec::is_empty) {
        return Err(invalid(
            "'messages' is required and must be a non-empty array".to_owned(),
        ));
    }
    if endpoint == Endpoint::Native
        && let Some((field, fix)) = COMPAT_ONLY_FIELDS
            .iter()
            .find(|(field, _)| body.get(*field).is_some())
    {
        return Err(invalid(format!("Unknown field '{field}': {fix}")));
    }
    if let ToolChoice::Named(name) = ToolChoice::of(&body)
        && !tools(&body).iter().any(|(tool, _)| *tool == name)
    {
        return Err(invalid(format!(
            "'tool_choice' names function '{name}', but no tool in 'tools' has that name"
        )));
    }
    let served = match dialect {
        // Other hosts' catalogues are open; each decides what it serves.
        Some(d) if d.serves(model, &settings.extra_models) => Some(true),
        Some(d) => return Err(d.model_not_found(model)),
        None => accepts_images(settings, model),
    };
    let Some(accepts_images) = served else {
        return Err(ctx.problem(404, format!("Model '{model}' not found")));
    };
    let images: usize = messages.into_iter().flatten().map(count_images).sum();
    if images > 0 && !accepts_images {
        return Err(invalid(format!(
            "Model '{model}' does not support image inputs"
        )));
    }
    let stream = body.get("stream").and_then(Value::as_bool) == Some(true);
    if stream && only_wildcard_accept(request) {
        return Err(invalid(
            "Streaming requests must send 'Accept: text/event-stream'".to_owned(),
        ));
    }
    Ok(ChatCall {
        endpoint,
        model: model.to_owned(),
        stream,
        body,
    })
}

/// Whether `Accept` names no media type at all: only `*/*` ranges, or no
/// header (which HTTP reads as `*/*`). The live API answers a stream asked
/// for with `*/*` (python-requests' default) with a 400, but streams to
/// `text/event-stream` and to `application/json`, which Meta's own SDKs send
/// on every request, streaming or not (`reference/llama-api-wire.md`
/// §Accept-header quirk). Other concrete types were never observed; they
/// are let through rather than refused on a guess.
fn only_wildcard_accept(request: &Request) -> bool {
    request
        .headers
        .get_all("accept")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("").split(','))
        .map(|range| range.split(';').next().unwrap_or("").trim())
        .filter(|media_type| !media_type.is_empty())
        .all(|media_type| media_type == "*/*")
}

/// `Some(accepts images)` for a served model, `None` for an unknown one.
fn accepts_images(settings: &Settings, model: &str) -> Option<bool> {
    if let Some(info) = MODELS.iter().find(|m| m.id == model) {
        return Some(info.accepts_images);
    }
    settings
        .extra_models
        .iter()
        .any(|m| m == model)
        .then_some(true)
}
