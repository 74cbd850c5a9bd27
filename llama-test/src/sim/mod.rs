//! A simulated Meta Llama API on loopback, for testing code that talks to
//! the Llama API without a key, a network or a bill.
//!
//! [`SimLlamaApi`] serves, on `http://127.0.0.1:<port>`:
//! - `POST /v1/chat/completions` (Meta's native format) and
//!   `POST /compat/v1/chat/completions` (OpenAI format), plain JSON or
//!   server-sent events with `stream: true` (native `start`/`progress`/
//!   `complete`/`metrics` events without `[DONE]`; compat chunks ending in
//!   `data: [DONE]`);
//! - `GET /v1/models` and `GET /v1/models/{id}`;
//! - AWS Bedrock's Converse under `/bedrock`: `POST
//!   /bedrock/model/{modelId}/converse` and `/converse-stream` (event-stream
//!   frames), authenticated by a Bedrock API key (the simulator's key as a
//!   bearer token) or SigV4 with [`SIM_AWS_ACCESS_KEY_ID`] /
//!   [`SIM_AWS_SECRET_ACCESS_KEY`], whose signature it verifies; point
//!   `LLAMA_TEST_BEDROCK_BASE_URL` at `<uri>/bedrock`.
//!
//! It checks what the real service checks: `Authorization: Bearer <key>`
//! (401 otherwise), a JSON content type (400), a known model (404 with
//! `{"title":"Not Found","detail":"Model 'X' not found","status":404}`),
//! and, on streaming requests, an `Accept` that names a media type (400
//! for `*/*` alone, as live; `text/event-stream` and the `application/json`
//! that Meta's SDKs send both stream). The native endpoint also refuses
//! the OpenAI-only fields `max_tokens`, `frequency_penalty` and
//! `presence_penalty` with a 400 naming the fix.
//!
//! Answers are deterministic functions of the request, so recordings made
//! against the simulator are reproducible: an echo of the last user message
//! (so "contains a word of the prompt" checks pass), a JSON document that
//! validates against `response_format`'s schema, or a tool call with
//! arguments taken from the prompt (`location: "New York, NY"` for "What's
//! the weather like in New York, NY?"). Native tool calls carry
//! `stop_reason: "stop"`, as the real API does. Usage comes back as native
//! `metrics` or compat `usage`, with `x-ratelimit-*` headers.
//!
//! Tests script everything else: [`Reply`]s, [`Fault`]s (bursts of 5xx,
//! 429 with `retry-after`), latency, a requests-per-minute limit, streams
//! cut before they complete, and a bare JSON error line mid-stream.
//!
//! Enable it with the `sim` feature, in dev-dependencies:
//! `llama-test = { version = "...", features = ["sim"] }`.
//!
//! # Example: testing your own client code
//!
//! ```
//! use llama_test::sim::{Reply, SimLlamaApi};
//! use serde_json::{Value, json};
//!
//! // Your code: asks the Llama API one question.
//! async fn ask(base_url: &str, key: &str, question: &str) -> Result<String, reqwest::Error> {
//!     let body: Value = reqwest::Client::new()
//!         .post(format!("{base_url}/v1/chat/completions"))
//!         .bearer_auth(key)
//!         .json(&json!({
//!             "model": "Llama-3.3-70B-Instruct",
//!             "messages": [{"role": "user", "content": question}],
//!         }))
//!         .send()
//!         .await?
//!         .error_for_status()?
//!         .json()
//!         .await?;
//!     let text = &body["completion_message"]["content"]["text"];
//!     Ok(text.as_str().unwrap_or_default().to_owned())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! # let _ = rustls::crypto::ring::default_provider().install_default();
//! let sim = SimLlamaApi::builder().api_key("test-key").start().await;
//!
//! // The default answer quotes the prompt.
//! let answer = ask(&sim.uri(), "test-key", "Explain quantum computing").await.unwrap();
//! assert!(answer.contains("quantum"));
//!
//! // Scripted answers and faults.
//! sim.reply_next(Reply::text("42"));
//! assert_eq!(ask(&sim.uri(), "test-key", "The answer?").await.unwrap(), "42");
//! sim.fail_next(1, 503);
//! let outage = ask(&sim.uri(), "test-key", "hello").await.unwrap_err();
//! assert_eq!(outage.status().map(|s| s.as_u16()), Some(503));
//!
//! // A wrong key is a 401, and the simulator saw every request.
//! assert!(ask(&sim.uri(), "wrong", "hi").await.is_err());
//! assert_eq!(sim.request_count_for("/v1/chat/completions"), 4);
//! # }
//! ```

mod answer;
mod converse;
mod dialect;
mod faults;
mod prompt;
mod render;
mod reply;
mod schema_fill;
mod schema_values;
mod server;
mod state;
mod stream;
mod validate;

use std::sync::Arc;
use std::time::Duration;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

pub use converse::{SIM_AWS_ACCESS_KEY_ID, SIM_AWS_SECRET_ACCESS_KEY};
pub use faults::Fault;
pub use reply::{ChatCall, Reply, Responder};
pub use state::ReceivedRequest;

use crate::client::ClientConfig;
use server::SimResponder;
use state::{Script, Settings, Shared};

/// A running simulated Llama API. Dropping it stops the server.
pub struct SimLlamaApi {
    server: MockServer,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SimLlamaApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimLlamaApi")
            .field("uri", &self.server.uri())
            .field("api_key", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

/// Sets up a [`SimLlamaApi`]; every knob here can also be changed on the
/// running simulator, and [`SimLlamaApi::reset`] returns to these settings.
#[must_use = "call `.start().await` to run the simulator"]
pub struct SimBuilder {
    api_key: Option<String>,
    extra_models: Vec<String>,
    script: Script,
}

impl SimLlamaApi {
    /// The key a simulator accepts unless [`SimBuilder::api_key`] sets another.
    pub const DEFAULT_API_KEY: &'static str = "sim-test-key";

    /// Starts a simulator with the defaults: key [`Self::DEFAULT_API_KEY`],
    /// the catalogue's models, no latency, no faults.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// A builder for a simulator with other settings.
    pub fn builder() -> SimBuilder {
        SimBuilder {
            api_key: Some(Self::DEFAULT_API_KEY.to_owned()),
            extra_models: Vec::new(),
            script: Script::default(),
        }
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`: what `LLAMA_API_BASE_URL`
    /// would be. Paths `/v1/...` and `/compat/v1/...` go after it.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The key to send as `Authorization: Bearer`.
    pub fn api_key(&self) -> &str {
        self.shared
            .settings
            .api_key
            .as_deref()
            .unwrap_or(Self::DEFAULT_API_KEY)
    }

    /// Client settings pointing at this simulator with its key.
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(self.uri());
        config.api_key = Some(self.api_key().to_owned());
        config
    }

    /// Every request received since start (or the last reset), in order,
    /// including rejected ones.
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        self.shared.live().log.clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.shared.live().log.len()
    }

    /// How many requests arrived for `path`, e.g. `"/v1/chat/completions"`.
    pub fn request_count_for(&self, path: &str) -> usize {
        self.shared
            .live()
            .log
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    /// The most chat requests (to any chat path, refused ones included)
    /// that arrived within any `window`, e.g. a minute: what a provider's
    /// sliding requests-per-minute window would have counted.
    pub fn max_chat_requests_within(&self, window: Duration) -> usize {
        let mut times: Vec<std::time::Instant> = self
            .shared
            .live()
            .log
            .iter()
            .filter(|r| r.path.ends_with("/chat/completions"))
            .map(|r| r.received_at)
            .collect();
        times.sort();
        let mut best = 0;
        let mut first = 0;
        for (last, at) in times.iter().enumerate() {
            while at.duration_since(times[first]) >= window {
                first += 1;
            }
            best = best.max(last + 1 - first);
        }
        best
    }

    /// Forgets received requests and the rate window, and puts every knob,
    /// queued fault and scripted reply back as the builder left them.
    pub fn reset(&self) {
        self.shared.reset();
    }

    fn script(&self, change: impl FnOnce(&mut Script)) -> &Self {
        change(&mut self.shared.live().script);
        self
    }

    /// Delays every response by `latency`.
    pub fn with_latency(&self, latency: Duration) -> &Self {
        self.script(|s| s.knobs.latency = Some(latency))
    }

    /// Answers the next `times` authorized requests with `status` (a
    /// problem+json body), e.g. `fail_next(2, 503)`.
    pub fn fail_next(&self, times: usize, status: u16) -> &Self {
        self.fail_next_with(times, Fault::status(status))
    }

    /// Answers the next `times` authorized requests with `fault`.
    pub fn fail_next_with(&self, times: usize, fault: Fault) -> &Self {
        self.script(|s| s.fail_next(times, &fault))
    }

    /// Answers the next `times` authorized requests with 429 and `retry-after`.
    pub fn rate_limit_next(&self, times: usize, retry_after: Duration) -> &Self {
        self.fail_next_with(times, Fault::rate_limited(retry_after))
    }

    /// Allows `rpm` chat requests in any sliding minute; beyond that, 429
    /// with `retry-after` set to when the oldest request leaves the window.
    pub fn enforce_rpm(&self, rpm: u32) -> &Self {
        self.script(|s| s.knobs.rpm = Some(rpm))
    }

    /// Sends `retry-after` as this (say, 1 s, as some free tiers do) on the
    /// 429s of [`enforce_rpm`](Self::enforce_rpm), instead of the time until
    /// a slot frees.
    pub fn window_retry_after(&self, after: Duration) -> &Self {
        self.script(|s| s.knobs.window_retry_after = Some(after))
    }

    /// Ends every stream after `events` events, before the one that
    /// completes it (native `complete`, compat `finish_reason`).
    pub fn cut_streams_after(&self, events: usize) -> &Self {
        self.script(|s| s.knobs.cut_streams_after = Some(events))
    }

    /// After `events` events, every stream sends a bare JSON error line
    /// (not an SSE field, as the real API does) and ends.
    pub fn error_mid_stream_after(&self, events: usize) -> &Self {
        self.script(|s| s.knobs.error_mid_stream_after = Some(events))
    }

    /// Puts the request's `Authorization` value into every error body, as a
    /// careless server might, to test that a client redacts it. Off by default.
    pub fn echo_auth_in_errors(&self) -> &Self {
        self.script(|s| s.knobs.echo_auth = true)
    }

    /// Answers every chat call with `reply` (until reset).
    pub fn reply_with(&self, reply: Reply) -> &Self {
        self.script(|s| s.fixed_reply = Some(reply))
    }

    /// Answers the next chat call with `reply`; queued replies go first, in order.
    pub fn reply_next(&self, reply: Reply) -> &Self {
        self.script(|s| s.next_replies.push_back(reply))
    }

    /// Lets `responder` answer chat calls; its `None` falls back to the
    /// [`reply_with`](Self::reply_with) reply or the default answer.
    pub fn respond_with(&self, responder: impl Responder) -> &Self {
        self.script(|s| s.responder = Some(Arc::new(responder)))
    }
}

impl SimBuilder {
    /// Accept only this key (default [`SimLlamaApi::DEFAULT_API_KEY`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Accept any non-empty bearer token.
    pub fn any_api_key(mut self) -> Self {
        self.api_key = None;
        self
    }

    /// Also serve this model id (text and images), besides the catalogue's.
    pub fn with_model(mut self, id: impl Into<String>) -> Self {
        self.extra_models.push(id.into());
        self
    }

    /// See [`SimLlamaApi::with_latency`].
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.script.knobs.latency = Some(latency);
        self
    }

    /// See [`SimLlamaApi::fail_next`].
    pub fn fail_next(self, times: usize, status: u16) -> Self {
        self.fail_next_with(times, Fault::status(status))
    }

    /// See [`SimLlamaApi::fail_next_with`].
    pub fn fail_next_with(mut self, times: usize, fault: Fault) -> Self {
        self.script.fail_next(times, &fault);
        self
    }

    /// See [`SimLlamaApi::rate_limit_next`].
    pub fn rate_limit_next(self, times: usize, retry_after: Duration) -> Self {
        self.fail_next_with(times, Fault::rate_limited(retry_after))
    }

    /// See [`SimLlamaApi::enforce_rpm`].
    pub fn enforce_rpm(mut self, rpm: u32) -> Self {
        self.script.knobs.rpm = Some(rpm);
        self
    }

    /// See [`SimLlamaApi::window_retry_after`].
    pub fn window_retry_after(mut self, after: Duration) -> Self {
        self.script.knobs.window_retry_after = Some(after);
        self
    }

    /// See [`SimLlamaApi::cut_streams_after`].
    pub fn cut_streams_after(mut self, events: usize) -> Self {
        self.script.knobs.cut_streams_after = Some(events);
        self
    }

    /// See [`SimLlamaApi::error_mid_stream_after`].
    pub fn error_mid_stream_after(mut self, events: usize) -> Self {
        self.script.knobs.error_mid_stream_after = Some(events);
        self
    }

    /// See [`SimLlamaApi::echo_auth_in_errors`].
    pub fn echo_auth_in_errors(mut self) -> Self {
        self.script.knobs.echo_auth = true;
        self
    }

    /// See [`SimLlamaApi::reply_with`].
    pub fn reply_with(mut self, reply: Reply) -> Self {
        self.script.fixed_reply = Some(reply);
        self
    }

    /// See [`SimLlamaApi::reply_next`].
    pub fn reply_next(mut self, reply: Reply) -> Self {
        self.script.next_replies.push_back(reply);
        self
    }

    /// See [`SimLlamaApi::respond_with`].
    pub fn respond_with(mut self, responder: impl Responder) -> Self {
        self.script.responder = Some(Arc::new(responder));
        self
    }

    /// Starts the server on a free loopback port.
    pub async fn start(self) -> SimLlamaApi {
        let shared = Arc::new(Shared::new(Settings {
            api_key: self.api_key,
            extra_models: self.extra_models,
            initial: self.script,
        }));
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(SimResponder {
                shared: Arc::clone(&shared),
            })
            .mount(&server)
            .await;
        SimLlamaApi { server, shared }
    }
}
