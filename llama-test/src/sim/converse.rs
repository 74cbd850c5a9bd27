//! AWS Bedrock's Converse API on the simulator, under `/bedrock`:
//! `POST /bedrock/model/{modelId}/converse` (JSON) and
//! `POST /bedrock/model/{modelId}/converse-stream` (AWS event-stream
//! frames), so `LLAMA_TEST_BEDROCK_BASE_URL=<sim>/bedrock` points a live
//! `bedrock:` run at it.
//!
//! Authentication is checked as Bedrock checks it: a Bedrock API key
//! (`Authorization: Bearer <key>`, the simulator's key), or SigV4, which
//! the simulator verifies by signing the request it received again with
//! [`SIM_AWS_ACCESS_KEY_ID`] / [`SIM_AWS_SECRET_ACCESS_KEY`] (service
//! `bedrock`, the region of the credential scope, the time of `x-amz-date`):
//! a signature over other bytes, another secret or a stale date is a 403
//! `InvalidSignatureException`, an unknown key id a 403
//! `UnrecognizedClientException`. Errors are Bedrock's: `{"message"}` with
//! `x-amzn-errortype`.
//!
//! The answer is the one the chat endpoints give (scripted replies,
//! responders, faults, then the deterministic default: an echo, a tool call
//! as `toolUse`, a document for `outputConfig`'s JSON schema), built into a
//! Converse body by [`crate::bedrock::sim_converse_reply`] or a stream by
//! [`crate::bedrock::sim_converse_events`], so a streamed and a plain
//! answer agree. Stream events carry Bedrock's random-looking `p` padding
//! (deterministic here); `cut_streams_after` and `error_mid_stream_after`
//! apply (the error is a `modelStreamErrorException` frame).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use wiremock::{Request, ResponseTemplate};

use super::faults::{Fault, with_echo};
use super::render::Completed;
use super::reply::{ChatCall, ReplyKind};
use super::server::{SimResponder, header};
use super::state::ReceivedRequest;
use crate::bedrock::{self, Credentials, RequestParts};
use crate::completion::{Completion, StopReason, ToolCall, Usage};
use crate::request::Endpoint;

/// The access key id the simulator accepts SigV4 signatures from (AWS's
/// documentation example, not a real key).
pub const SIM_AWS_ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
/// The secret the simulator checks SigV4 signatures with (AWS's
/// documentation example, not a real key).
pub const SIM_AWS_SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// The path prefix of the Bedrock dialect.
const PREFIX: &str = "/bedrock/model/";
/// How far `x-amz-date` may be from the simulator's clock (AWS allows 5
/// minutes; the simulator is lenient with slow test machines).
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Llama models on Bedrock (the simulator also serves the ids of
/// [`super::SimBuilder::with_model`]). Inference profiles (`us.`, `eu.`,
/// `apac.`, `global.`) and ARNs ending in one of these are accepted too.
const MODELS: &[(&str, bool)] = &[
    ("meta.llama3-8b-instruct-v1:0", false),
    ("meta.llama3-70b-instruct-v1:0", false),
    ("meta.llama3-1-8b-instruct-v1:0", false),
    ("meta.llama3-1-70b-instruct-v1:0", false),
    ("meta.llama3-1-405b-instruct-v1:0", false),
    ("meta.llama3-2-1b-instruct-v1:0", false),
    ("meta.llama3-2-3b-instruct-v1:0", false),
    ("meta.llama3-2-11b-instruct-v1:0", true),
    ("meta.llama3-2-90b-instruct-v1:0", true),
    ("meta.llama3-3-70b-instruct-v1:0", false),
    ("meta.llama4-scout-17b-instruct-v1:0", true),
    ("meta.llama4-maverick-17b-instruct-v1:0", true),
];

/// The response to a Converse request, or `None` for any other path.
pub(super) fn route(sim: &SimResponder, request: &Request) -> Option<ResponseTemplate> {
    let rest = request.url.path().strip_prefix(PREFIX)?;
    let (id, operation) = rest.rsplit_once('/')?;
    let stream = match operation {
        "converse" => false,
        "converse-stream" => true,
        _ => return None,
    };
    if id.is_empty() || id.contains('/') {
        return None;
    }
    Some(converse(sim, request, &percent_decode(id), stream))
}

fn converse(sim: &SimResponder, request: &Request, model: &str, stream: bool) -> ResponseTemplate {
    let now = Instant::now();
    let verdict = authenticate(sim, request);
    let mut live = sim.shared.live();
    live.log
        .push(ReceivedRequest::new(request, verdict.is_ok()));
    let echo = live.script.knobs.echo_auth.then(|| {
        header(request, "authorization")
            .unwrap_or("<none>")
            .to_owned()
    });
    let fail = |status: u16, kind: &str, message: &str| {
        error(
            status,
            kind,
            &with_echo(message.to_owned(), echo.as_deref()),
        )
    };
    if request.method.as_str() != "POST" {
        return fail(404, "UnknownOperationException", "Unknown operation");
    }
    if let Err((kind, message)) = verdict {
        return fail(403, kind, &message);
    }
    if let Some(fault) = live.script.faults.pop_front() {
        return fault_response(&fault, echo.as_deref());
    }
    let rpm = live.script.knobs.rpm;
    if live.window.admit(now, rpm).is_err() {
        return fail(
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        );
    }
    let knobs = live.script.knobs.clone();
    drop(live);

    let body = match validate(sim, request, model) {
        Ok(body) => body,
        Err(message) => return fail(400, "ValidationException", &message),
    };
    let call = ChatCall {
        endpoint: Endpoint::Compat,
        model: model.to_owned(),
        stream,
        body: chat_body(&body, model, stream),
    };
    let reply = sim.pick_reply(&call);
    let (text, calls) = match reply.kind {
        ReplyKind::Fault(fault) => return fault_response(&fault, echo.as_deref()),
        ReplyKind::Text(text) => (text, Vec::new()),
        ReplyKind::ToolCalls(calls) => (String::new(), calls),
    };
    // The model and the body, not the operation: Converse and
    // ConverseStream give the same answer, tool-call ids included.
    let mut seed = model.as_bytes().to_vec();
    seed.push(b'\n');
    seed.extend_from_slice(&request.body);
    let completed = Completed::new(&call, &seed, text, calls, reply.stop_reason);
    let completion = completion_of(&completed);
    let request_id = request_id(&seed);
    if !stream {
        return ResponseTemplate::new(200)
            .set_body_raw(
                bedrock::sim_converse_reply(&completion).to_string(),
                "application/json",
            )
            .insert_header("x-amzn-requestid", request_id);
    }
    let mut events = bedrock::sim_converse_events(&completion);
    for (index, (_, payload)) in events.iter_mut().enumerate() {
        pad(payload, index);
    }
    let stop_at = events
        .iter()
        .position(|(name, _)| name == "messageStop")
        .unwrap_or(events.len());
    if let Some(after) = knobs.cut_streams_after {
        events.truncate(after.min(stop_at));
    }
    if let Some(after) = knobs.error_mid_stream_after {
        events.truncate(after.min(stop_at));
        events.push((
            "modelStreamErrorException".into(),
            json!({
                "message": "The model stream was interrupted (simulated)",
                "originalStatusCode": 500,
            }),
        ));
    }
    match bedrock::encode_frames(&events) {
        Ok(bytes) => ResponseTemplate::new(200)
            .set_body_raw(bytes, bedrock::EVENT_STREAM_CONTENT_TYPE)
            .insert_header("x-amzn-requestid", request_id),
        Err(e) => error(500, "InternalServerException", &e.to_string()),
    }
}

/// Checks the credentials: `Err((error type, message))` as Bedrock words
/// them.
fn authenticate(sim: &SimResponder, request: &Request) -> Result<(), (&'static str, String)> {
    let Some(auth) = header(request, "authorization") else {
        return Err((
            "MissingAuthenticationTokenException",
            "Missing Authentication Token".into(),
        ));
    };
    if let Some(token) = auth.strip_prefix("Bearer ") {
        let valid = match &sim.shared.settings.api_key {
            Some(key) => token == key,
            None => !token.trim().is_empty(),
        };
        return match valid {
            true => Ok(()),
            false => Err((
                "UnrecognizedClientException",
                "Authentication failed: Please make sure your API Key is valid.".into(),
            )),
        };
    }
    let Some(fields) = auth.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return Err((
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' \
             parameters of an AWS4-HMAC-SHA256 signature, or a Bedrock API key as a bearer token"
                .into(),
        ));
    };
    verify_sigv4(request, auth, fields)
}

fn verify_sigv4(request: &Request, auth: &str, fields: &str) -> Result<(), (&'static str, String)> {
    let field = |name: &str| {
        fields
            .split(',')
            .filter_map(|f| f.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    };
    let incomplete = |what: &str| {
        (
            "IncompleteSignatureException",
            format!("Authorization header requires '{what}' parameter."),
        )
    };
    let credential = field("Credential").ok_or_else(|| incomplete("Credential"))?;
    let signed_headers = field("SignedHeaders").ok_or_else(|| incomplete("SignedHeaders"))?;
    field("Signature").ok_or_else(|| incomplete("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, day, region, service, "aws4_request"] = scope[..] else {
        return Err((
            "IncompleteSignatureException",
            format!(
                "Credential should be scoped to a valid region, service and date \
                 (KEY/YYYYMMDD/REGION/bedrock/aws4_request), got `{}`",
                scope[1..].join("/")
            ),
        ));
    };
    if key_id != SIM_AWS_ACCESS_KEY_ID {
        return Err((
            "UnrecognizedClientException",
            "The security token included in the request is invalid.".into(),
        ));
    }
    if service != bedrock::SIGNING_SERVICE {
        return Err((
            "InvalidSignatureException",
            format!("Credential should be scoped to correct service: 'bedrock', not '{service}'."),
        ));
    }
    let Some(amz_date) = header(request, "x-amz-date") else {
        return Err((
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                .into(),
        ));
    };
    let Some(time) = parse_amz_date(amz_date) else {
        return Err((
            "IncompleteSignatureException",
            format!("X-Amz-Date `{amz_date}` is not YYYYMMDD'T'HHMMSS'Z'"),
        ));
    };
    if !amz_date.starts_with(day) {
        return Err((
            "InvalidSignatureException",
            format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date \
                 from HTTP: '{day}' != '{}', from '{amz_date}'.",
                &amz_date[..8.min(amz_date.len())]
            ),
        ));
    }
    let skew = SystemTime::now()
        .duration_since(time)
        .unwrap_or_else(|e| e.duration());
    if skew > MAX_CLOCK_SKEW {
        return Err((
            "InvalidSignatureException",
            format!("Signature expired: {amz_date} is too far from the current time."),
        ));
    }
    let host = header(request, "host").unwrap_or_default();
    let mut url = format!("{}://{host}{}", request.url.scheme(), request.url.path());
    if let Some(query) = request.url.query() {
        url.push('?');
        url.push_str(query);
    }
    // `host`, the date and the token are added by the signer itself.
    let headers: Vec<(&str, &str)> = signed_headers
        .split(';')
        .filter(|h| !matches!(*h, "host" | "x-amz-date" | "x-amz-security-token"))
        .map(|h| (h, header(request, h).unwrap_or_default()))
        .collect();
    let credentials = Credentials::new(
        SIM_AWS_ACCESS_KEY_ID,
        SIM_AWS_SECRET_ACCESS_KEY,
        header(request, "x-amz-security-token").map(str::to_owned),
    );
    let parts = RequestParts {
        method: request.method.as_str(),
        url: &url,
        headers: &headers,
        body: &request.body,
    };
    let expected = bedrock::sign(&parts, &credentials, region, time).map_err(|e| {
        (
            "InvalidSignatureException",
            format!("The request cannot be signed again: {e}"),
        )
    })?;
    let matches = expected
        .iter()
        .find(|h| h.name() == "authorization")
        .is_some_and(|h| h.value() == auth);
    match matches {
        true => Ok(()),
        false => Err((
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details."
                .into(),
        )),
    }
}

/// Bedrock's checks before generating; the message of a 400
/// `ValidationException` on failure.
fn validate(sim: &SimResponder, request: &Request, model: &str) -> Result<Value, String> {
    let content_type = header(request, "content-type").unwrap_or_default();
    if !content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .eq_ignore_ascii_case("application/json")
    {
        return Err(format!(
            "Unsupported Content-Type '{content_type}'; send 'Content-Type: application/json'"
        ));
    }
    let body: Value = serde_json::from_slice(&request.body)
        .map_err(|e| format!("Malformed input request: the body is not JSON ({e})"))?;
    let Some(images_ok) = model_accepts_images(sim, model) else {
        return Err("The provided model identifier is invalid.".into());
    };
    let messages = body
        .get("messages")
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
        .ok_or(
            "1 validation error detected: Value at 'messages' failed to satisfy constraint: \
             Member must not be null and must have length greater than or equal to 1",
        )?;
    let mut previous = None;
    let mut tool_blocks = false;
    for message in messages {
        let role = message.get("role").and_then(Value::as_str).unwrap_or("");
        if !matches!(role, "user" | "assistant") {
            return Err(format!(
                "Value '{role}' at 'messages.role' failed to satisfy constraint: Member must \
                 satisfy enum value set: [user, assistant]"
            ));
        }
        if previous.is_none() && role != "user" {
            return Err(
                "A conversation must start with a user message. Try again with a \
                        conversation that starts with a user message."
                    .into(),
            );
        }
        if previous == Some(role) {
            return Err(
                "A conversation must alternate between user and assistant roles. \
                        Make sure the conversation alternates between user and assistant \
                        roles and try again."
                    .into(),
            );
        }
        previous = Some(role);
        for block in blocks(message) {
            tool_blocks |= block.get("toolUse").is_some() || block.get("toolResult").is_some();
            if block.get("image").is_some() && !images_ok {
                return Err(
                    "This model doesn't support the image content block that you \
                            provided. Try again with a supported content block."
                        .into(),
                );
            }
        }
    }
    if tool_blocks && body.get("toolConfig").is_none() {
        return Err(
            "The toolConfig field must be defined when using toolUse and toolResult content \
             blocks."
                .into(),
        );
    }
    Ok(body)
}

/// `Some(takes images)` for a served model id, `None` for an unknown one.
fn model_accepts_images(sim: &SimResponder, model: &str) -> Option<bool> {
    // An ARN (`arn:aws:bedrock:...:inference-profile/us.meta...`) names the
    // model after its last `/`; an inference profile adds a geography.
    let id = model.rsplit('/').next().unwrap_or(model);
    let bare = ["us.", "eu.", "apac.", "global."]
        .iter()
        .find_map(|p| id.strip_prefix(p))
        .unwrap_or(id);
    if sim.shared.settings.extra_models.iter().any(|m| m == model) {
        return Some(true);
    }
    MODELS
        .iter()
        .find(|(known, _)| *known == bare)
        .map(|(_, images)| *images)
}

fn blocks(message: &Value) -> impl Iterator<Item = &Value> {
    message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The Converse body as the chat endpoints' answer logic reads a request
/// (OpenAI-shaped `messages`, `tools`, `tool_choice`, `response_format`,
/// `max_tokens`).
fn chat_body(body: &Value, model: &str, stream: bool) -> Value {
    let mut messages = Vec::new();
    let system: Vec<&str> = body
        .get("system")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    if !system.is_empty() {
        messages.push(json!({"role": "system", "content": system.join("\n")}));
    }
    for message in body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let role = message
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or("user");
        let mut parts = Vec::new();
        let mut calls = Vec::new();
        let mut results = Vec::new();
        for block in blocks(message) {
            if let Some(text) = block.get("text").and_then(Value::as_str) {
                parts.push(json!({"type": "text", "text": text}));
            } else if let Some(image) = block.get("image") {
                let format = image.get("format").and_then(Value::as_str).unwrap_or("png");
                let bytes = image
                    .pointer("/source/bytes")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                parts.push(json!({"type": "image_url", "image_url": {
                    "url": format!("data:image/{format};base64,{bytes}"),
                }}));
            } else if let Some(tool_use) = block.get("toolUse") {
                let input = tool_use.get("input").cloned().unwrap_or_else(|| json!({}));
                calls.push(json!({
                    "id": tool_use.get("toolUseId"),
                    "type": "function",
                    "function": {"name": tool_use.get("name"), "arguments": input.to_string()},
                }));
            } else if let Some(result) = block.get("toolResult") {
                let text: Vec<String> = blocks(result)
                    .map(|b| match b.get("text").and_then(Value::as_str) {
                        Some(text) => text.to_owned(),
                        None => b.get("json").map(Value::to_string).unwrap_or_default(),
                    })
                    .collect();
                results.push(json!({
                    "role": "tool",
                    "tool_call_id": result.get("toolUseId"),
                    "content": text.join("\n"),
                }));
            }
        }
        messages.extend(results);
        if !parts.is_empty() || !calls.is_empty() {
            let mut chat = json!({"role": role, "content": parts});
            if !calls.is_empty() {
                chat["tool_calls"] = Value::Array(calls);
            }
            messages.push(chat);
        }
    }
    let mut chat = Map::new();
    chat.insert("model".into(), model.into());
    chat.insert("stream".into(), stream.into());
    chat.insert("messages".into(), Value::Array(messages));
    if let Some(max) = body.pointer("/inferenceConfig/maxTokens") {
        chat.insert("max_tokens".into(), max.clone());
    }
    let tools: Vec<Value> = body
        .pointer("/toolConfig/tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("toolSpec"))
        .map(|spec| {
            json!({"type": "function", "function": {
                "name": spec.get("name"),
                "description": spec.get("description"),
                "parameters": spec.pointer("/inputSchema/json"),
            }})
        })
        .collect();
    if !tools.is_empty() {
        chat.insert("tools".into(), Value::Array(tools));
    }
    if let Some(choice) = body.pointer("/toolConfig/toolChoice") {
        let choice = if choice.get("any").is_some() {
            json!("required")
        } else if let Some(name) = choice.pointer("/tool/name") {
            json!({"type": "function", "function": {"name": name}})
        } else {
            json!("auto")
        };
        chat.insert("tool_choice".into(), choice);
    }
    if let Some(format) = body.pointer("/outputConfig/textFormat")
        && format.get("type").and_then(Value::as_str) == Some("json_schema")
    {
        let definition = format.pointer("/structure/jsonSchema");
        // Converse takes the schema as a JSON string.
        let schema = match definition.and_then(|d| d.get("schema")) {
            Some(Value::String(text)) => serde_json::from_str(text).unwrap_or_else(|_| json!({})),
            Some(other) => other.clone(),
            None => json!({}),
        };
        chat.insert(
            "response_format".into(),
            json!({"type": "json_schema", "json_schema": {
                "name": definition.and_then(|d| d.get("name")),
                "schema": schema,
            }}),
        );
    }
    Value::Object(chat)
}

/// The answer as a [`Completion`], for the Converse builders.
fn completion_of(completed: &Completed) -> Completion {
    let mut completion = Completion::empty(&completed.model, Endpoint::default());
    completion.text = completed.text.clone();
    completion.tool_calls = completed
        .tool_calls
        .iter()
        .map(|c| {
            // Bedrock's ids look like `tooluse_` and 22 letters and digits.
            let id: String = c.id.chars().filter(|ch| *ch != '-').take(22).collect();
            ToolCall::from_wire(format!("tooluse_{id}"), &c.name, &c.arguments)
        })
        .collect();
    completion.stop_reason = Some(StopReason::parse(&completed.stop_reason));
    completion.usage = Some(Usage {
        prompt_tokens: completed.prompt_tokens,
        completion_tokens: completed.completion_tokens,
        total_tokens: completed.total_tokens(),
    });
    completion.latency = Duration::from_millis(100 + completed.completion_tokens);
    completion
}

/// Bedrock pads every stream event with a `p` member of random length;
/// here a deterministic one, so the client's stripping is exercised.
fn pad(payload: &mut Value, index: usize) {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    if let Value::Object(members) = payload {
        let len = 1 + (index * 7) % (LETTERS.len() - 1);
        members.insert("p".into(), LETTERS[..len].into());
    }
}

/// A UUID-shaped request id derived from the request.
fn request_id(seed: &[u8]) -> String {
    let digest: String = Sha256::digest(seed)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &digest[0..8],
        &digest[8..12],
        &digest[12..16],
        &digest[16..20],
        &digest[20..32]
    )
}

/// A Bedrock error: `{"message"}` and `x-amzn-errortype`.
fn error(status: u16, kind: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(json!({"message": message}).to_string(), "application/json")
        .insert_header(
            "x-amzn-errortype",
            format!("{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"),
        )
}

/// A scripted [`Fault`] in Bedrock's shape: the error type of its status,
/// its body when it has one, and its retry headers.
fn fault_response(fault: &Fault, echo: Option<&str>) -> ResponseTemplate {
    let status = if (100..=999).contains(&fault.status) {
        fault.status
    } else {
        500
    };
    let (kind, message) = match status {
        400 => ("ValidationException", "The request is invalid (simulated)."),
        401 | 403 => (
            "AccessDeniedException",
            "You don't have access to the model with the specified model ID.",
        ),
        404 => ("ResourceNotFoundException", "The model was not found."),
        408 => (
            "ModelTimeoutException",
            "The request took too long to process.",
        ),
        424 => (
            "ModelErrorException",
            "The model failed to process the request.",
        ),
        429 => (
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        ),
        503 => (
            "ServiceUnavailableException",
            "The service is unavailable. Try again later.",
        ),
        _ => (
            "InternalServerException",
            "The server encountered an internal error (simulated).",
        ),
    };
    let mut template = match &fault.body {
        Some(body) => error(status, kind, "").set_body_raw(body.to_string(), "application/json"),
        None => error(status, kind, &with_echo(message.to_owned(), echo)),
    };
    if let Some(after) = fault.retry_after {
        template = template.insert_header("retry-after", super::faults::seconds_text(after));
    }
    if let Some(after) = fault.retry_after_ms {
        template = template.insert_header("retry-after-ms", after.as_millis().to_string());
    }
    if let Some(retry) = fault.should_retry {
        template = template.insert_header("x-should-retry", retry.to_string());
    }
    template
}

/// `%3A` -> `:`; invalid escapes are kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `20260101T120000Z` as a time.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let digits = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    if text.len() != 16 || text.as_bytes()[8] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    // Howard Hinnant's `days_from_civil`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes_and_amz_dates() {
        assert_eq!(
            percent_decode("meta.llama3-3-70b-instruct-v1%3A0"),
            "meta.llama3-3-70b-instruct-v1:0"
        );
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
        let t = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_440_938_160
        );
        assert_eq!(
            parse_amz_date("19700101T000000Z"),
            Some(UNIX_EPOCH),
            "the epoch"
        );
        assert!(parse_amz_date("2015-08-30T12:36:00Z").is_none());
    }
}
