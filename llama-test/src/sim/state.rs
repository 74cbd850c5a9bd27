//! What the simulator remembers between requests: the script a test set
//! up (knobs, queued faults and replies), the request log and the
//! one-minute window. Shared by the server thread and the test through a
//! mutex that is held only for short, non-blocking updates.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::Request;

use super::faults::{Fault, MinuteWindow};
use super::reply::{Reply, Responder};

/// Settings that shape every response.
#[derive(Debug, Clone, Default)]
pub(crate) struct Knobs {
    pub latency: Option<Duration>,
    pub rpm: Option<u32>,
    /// The `retry-after` of the RPM window's 429s, instead of the time
    /// until a slot frees.
    pub window_retry_after: Option<Duration>,
    pub cut_streams_after: Option<usize>,
    pub error_mid_stream_after: Option<usize>,
    pub echo_auth: bool,
}

/// Everything a test can set up; [`SimLlamaApi::reset`](super::SimLlamaApi::reset)
/// goes back to the script the builder made.
#[derive(Clone, Default)]
pub(crate) struct Script {
    pub knobs: Knobs,
    pub faults: VecDeque<Fault>,
    pub next_replies: VecDeque<Reply>,
    pub fixed_reply: Option<Reply>,
    pub responder: Option<Arc<dyn Responder>>,
}

impl Script {
    pub(crate) fn fail_next(&mut self, times: usize, fault: &Fault) {
        self.faults
            .extend(std::iter::repeat_n(fault, times).cloned());
    }
}

/// Fixed at start.
pub(crate) struct Settings {
    /// `None` accepts any non-empty bearer token.
    pub api_key: Option<String>,
    /// Models served besides the catalogue's.
    pub extra_models: Vec<String>,
    pub initial: Script,
}

/// Changes with every request.
pub(crate) struct Live {
    pub script: Script,
    pub log: Vec<ReceivedRequest>,
    pub window: MinuteWindow,
}

pub(crate) struct Shared {
    pub settings: Settings,
    live: Mutex<Live>,
}

impl Shared {
    pub(crate) fn new(settings: Settings) -> Self {
        let live = Live {
            script: settings.initial.clone(),
            log: Vec::new(),
            window: MinuteWindow::default(),
        };
        Shared {
            settings,
            live: Mutex::new(live),
        }
    }

    /// The live state. A panic elsewhere while holding the lock (a test's
    /// responder, say) must not take the whole simulator down with it.
    pub(crate) fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn reset(&self) {
        let mut live = self.live();
        live.script = self.settings.initial.clone();
        live.log.clear();
        live.window = MinuteWindow::default();
    }
}

/// One request the simulator received. The `authorization` header's value
/// is never kept: it reads `[REDACTED]` (a SigV4 value keeps its scheme,
/// credential scope and signed headers, `Signature=[REDACTED]`), and
/// [`authorized`](Self::authorized) says whether it carried the right key
/// or a valid signature. `x-amz-security-token` reads `[REDACTED]` too.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, e.g. `/v1/chat/completions`.
    pub path: String,
    /// Header names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// Whether `Authorization: Bearer <key>` matched the simulator's key
    /// (on Bedrock paths: or a SigV4 signature verified with
    /// [`SIM_AWS_SECRET_ACCESS_KEY`](super::SIM_AWS_SECRET_ACCESS_KEY)).
    pub authorized: bool,
    /// When it arrived.
    pub received_at: Instant,
}

impl ReceivedRequest {
    pub(crate) fn new(request: &Request, authorized: bool) -> Self {
        let headers = request
            .headers
            .iter()
            .map(|(name, value)| {
                let text = String::from_utf8_lossy(value.as_bytes());
                let value = match name.as_str() {
                    "authorization" => match text.split_once("Signature=") {
                        Some((shown, _)) if text.starts_with("AWS4-HMAC-SHA256 ") => {
                            format!("{shown}Signature=[REDACTED]")
                        }
                        _ => "[REDACTED]".to_owned(),
                    },
                    "x-amz-security-token" => "[REDACTED]".to_owned(),
                    _ => text.into_owned(),
                };
                (name.as_str().to_owned(), value)
            })
            .collect();
        ReceivedRequest {
            method: request.method.as_str().to_owned(),
            path: request.url.path().to_owned(),
            headers,
            body: request.body.clone(),
            authorized,
            received_at: Instant::now(),
        }
    }

    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}
