//! Reading a successful chat response: a JSON body, or an SSE stream
//! assembled event by event, keeping what the exchange records.

use std::time::Instant;

use eventsource_stream::EventStreamError;
use futures_util::StreamExt;
use reqwest::Response;
use serde_json::Value;

use super::ClientConfig;
use super::http::{error_chain, timeout_error, transport_failure};
use super::retry::Failure;
use crate::completion::Completion;
use crate::error::Error;
use crate::exchange::RecordedBody;
use crate::request::Endpoint;
use crate::wire::{self, StreamAssembler, sse};

/// What the caller asked for, to read the answer with.
pub(crate) struct Expect<'a> {
    pub model: &'a str,
    pub endpoint: Endpoint,
    pub stream: bool,
    /// Bedrock Converse: JSON or an AWS event stream, read by
    /// [`super::converse::read`].
    pub converse: bool,
}

/// Reads the body of a 2xx chat response. `started` is when the request
/// left; latency runs from there to the last byte.
pub(crate) async fn read_chat(
    response: Response,
    started: Instant,
    expect: &Expect<'_>,
    config: &ClientConfig,
    attempt: u32,
) -> Result<(Completion, RecordedBody), Failure> {
    if expect.converse {
        return super::converse::read(response, started, expect, config, attempt).await;
    }
    let is_json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    // A server that ignores `stream` and answers JSON is still understood.
    if expect.stream && !is_json {
        return read_stream(response, started, expect, config, attempt).await;
    }
    let bytes = read_capped(response, config, attempt).await?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        Failure::fatal(Error::Decode {
            message: format!(
                "the body is not JSON ({e}): {}",
                wire::response::snippet(&String::from_utf8_lossy(&bytes))
            ),
        })
    })?;
    let mut completion =
        wire::parse_completion(expect.model, expect.endpoint, &value).map_err(Failure::fatal)?;
    completion.latency = started.elapsed();
    Ok((completion, RecordedBody::Json(value)))
}

/// Assembles a stream. Failures after the headers arrived are not retried:
/// part of the answer was already consumed.
async fn read_stream(
    response: Response,
    started: Instant,
    expect: &Expect<'_>,
    config: &ClientConfig,
    attempt: u32,
) -> Result<(Completion, RecordedBody), Failure> {
    let mut assembler = StreamAssembler::new(expect.model, expect.endpoint);
    let mut payloads = Vec::new();
    let mut first_token = None;
    let cap = config.max_response_bytes;
    let mut seen: u64 = 0;
    let body = response.bytes_stream().map(move |chunk| {
        let chunk = chunk.map_err(BodyError::Transport)?;
        seen = seen.saturating_add(chunk.len() as u64);
        if seen > cap {
            return Err(BodyError::TooLarge);
        }
        Ok(chunk)
    });
    let mut events = std::pin::pin!(sse::events(body));
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| Failure::fatal(stream_read_error(e, config, attempt)))?;
        payloads.push(event.data.clone());
        let carried = match assembler.push(&event.event, &event.data) {
            Ok(carried) => carried,
            // llama.cpp reports a malformed tool call inside a 200 stream:
            // the model's failure, answered, not a harness error.
            Err(Error::Stream { message }) if is_generation_event(&event.data) => {
                let mut completion =
                    crate::completion::Completion::empty(expect.model, expect.endpoint);
                completion.streamed = true;
                completion.generation_error = Some(message);
                completion.stop_reason = Some(crate::completion::StopReason::Other(
                    "generation_failed".into(),
                ));
                completion.latency = started.elapsed();
                return Ok((completion, RecordedBody::Sse(payloads)));
            }
            Err(e) => return Err(Failure::fatal(e)),
        };
        if carried && first_token.is_none() {
            first_token = Some(started.elapsed());
        }
        if assembler.is_done() {
            break;
        }
    }
    let mut completion = assembler.finish().map_err(Failure::fatal)?;
    completion.latency = started.elapsed();
    completion.time_to_first_token = first_token;
    Ok((completion, RecordedBody::Sse(payloads)))
}

fn is_generation_event(data: &str) -> bool {
    serde_json::from_str::<Value>(data).is_ok_and(|v| wire::is_generation_failure(None, &v))
}

/// Why a response body could not be read to its end.
enum BodyError {
    Transport(reqwest::Error),
    /// Longer than `max_response_bytes`.
    TooLarge,
}

/// The error for a body over the cap.
pub(crate) fn too_large(config: &ClientConfig, what: &str) -> Error {
    Error::Decode {
        message: format!(
            "the {what} is larger than the {} MiB response cap; nothing past it was read. \
             Raise {} (or `max_response_mb` under [limits] in llama-test.toml) if the \
             answer really is that large",
            config.max_response_bytes.div_ceil(1 << 20),
            crate::config::MAX_RESPONSE_ENV
        ),
    }
}

/// The longest error body kept (the rest is dropped, not an error).
const ERROR_BODY_CAP: u64 = 1 << 20;

/// The text of an error response, at most 1 MiB (or the cap, if lower),
/// decoded lossily: its message is all that is wanted.
pub(crate) async fn error_text(response: Response, config: &ClientConfig) -> String {
    let cap = config.max_response_bytes.min(ERROR_BODY_CAP) as usize;
    let mut body = Vec::new();
    let mut chunks = response.bytes_stream();
    while let Some(Ok(chunk)) = chunks.next().await {
        let room = cap.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= cap {
            break;
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// Reads a whole body, up to `max_response_bytes`.
pub(crate) async fn read_capped(
    response: Response,
    config: &ClientConfig,
    attempt: u32,
) -> Result<Vec<u8>, Failure> {
    let cap = config.max_response_bytes;
    if response.content_length().is_some_and(|len| len > cap) {
        return Err(Failure::fatal(too_large(config, "response body")));
    }
    let url = response.url().to_string();
    let mut body = Vec::new();
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk
            .map_err(|e| transport_failure(&e, config, "the base URL variable", &url, attempt))?;
        if (body.len() + chunk.len()) as u64 > cap {
            return Err(Failure::fatal(too_large(config, "response body")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn stream_read_error(
    error: EventStreamError<BodyError>,
    config: &ClientConfig,
    attempt: u32,
) -> Error {
    match error {
        EventStreamError::Transport(BodyError::TooLarge) => too_large(config, "stream"),
        EventStreamError::Transport(BodyError::Transport(e)) if e.is_timeout() => {
            timeout_error(config, attempt)
        }
        EventStreamError::Transport(BodyError::Transport(e)) => Error::Stream {
            message: format!("the connection failed mid-stream: {}", error_chain(&e)),
        },
        EventStreamError::Utf8(e) => Error::Stream {
            message: format!("the stream is not valid UTF-8: {e}"),
        },
        EventStreamError::Parser(e) => Error::Stream {
            message: format!("the stream is not valid server-sent events: {e}"),
        },
    }
}
