//! One HTTP request/response pair as the client saw it, in the form that
//! fixtures store: enough to serve the same bytes again, nothing secret.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Response headers worth keeping. Everything else (cookies, auth, request
/// ids that change on every call) is dropped before an exchange is stored.
pub const ALLOWED_RESPONSE_HEADERS: &[&str] = &[
    "content-type",
    "x-ratelimit-limit-requests",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-limit-tokens",
    "x-ratelimit-remaining-tokens",
];

/// The request half: method, path (no host, no query) and JSON body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Upper-case HTTP method, e.g. `POST`.
    pub method: String,
    /// e.g. `/v1/chat/completions`.
    pub path: String,
    /// The JSON body; `null` for GET.
    pub body: Value,
}

/// A response body: JSON for plain calls, the raw `data:` payloads for
/// streams (one string per SSE event, without the `data: ` prefix), the
/// decoded events of an AWS event stream (Bedrock's ConverseStream).
///
/// Serialized externally tagged: `{"json": ...}`, `{"sse": [...]}`,
/// `{"event_stream": [{"event": "messageStart", "payload": {...}}, ...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordedBody {
    /// A plain JSON response body.
    Json(Value),
    /// A streamed body: each SSE event's `data:` payload, in order.
    Sse(Vec<String>),
    /// An `application/vnd.amazon.eventstream` body (Bedrock's
    /// ConverseStream), as its decoded events in order: never the binary
    /// frames, which replay re-encodes with
    /// [`crate::bedrock::encode_frames`]. Bedrock's random `p` padding is
    /// stripped, so re-recordings stay stable.
    EventStream(Vec<RecordedEvent>),
}

/// One event of a recorded AWS event stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// The `:event-type` (`messageStart`, `contentBlockDelta`, ...).
    pub event: String,
    /// The JSON payload.
    pub payload: Value,
}

impl RecordedEvent {
    /// An event from the `(event type, payload)` pair the decoder yields.
    pub fn new(event: impl Into<String>, payload: Value) -> Self {
        RecordedEvent {
            event: event.into(),
            payload,
        }
    }
}

/// The response half.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Allow-listed headers only, lower-case names.
    pub headers: BTreeMap<String, String>,
    /// The body as received.
    pub body: RecordedBody,
    /// Wall time of the recorded call in milliseconds, so `max_latency_ms`
    /// checks the recorded call's latency on replay, not loopback time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
}

/// One complete, successful exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// What was sent.
    pub request: RecordedRequest,
    /// What came back.
    pub response: RecordedResponse,
}

/// Keeps only [`ALLOWED_RESPONSE_HEADERS`] from a header list.
pub fn allowed_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<String, String> {
    headers
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .filter(|(k, _)| ALLOWED_RESPONSE_HEADERS.contains(&k.as_str()))
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
}

/// Header the replay server sets to carry a recorded call's latency
/// ([`RecordedResponse::latency_ms`]) back to the client, which reports it
/// as the completion's latency.
pub const RECORDED_LATENCY_HEADER: &str = "x-llama-test-recorded-latency-ms";

/// Header the replay server sets on a response that answers a request it has
/// no recording for; the client turns such a response into [`crate::Error::Fixture`]
/// carrying the body text (the miss report), and never retries it.
pub const REPLAY_MISS_HEADER: &str = "x-llama-test-replay-miss";
