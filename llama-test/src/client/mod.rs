//! The Llama API client: native and compat chat completions, streaming,
//! retries with backoff, a process-wide rate limiter, typed errors.
//!
//! Every request is checked before it leaves (catalogue, images, options the
//! endpoint does not take); every error that leaves passes a last redaction
//! so that no message carries the API key.

mod converse;
mod http;
pub mod limits;
mod not_found;
mod read;
pub(crate) mod reset;
mod retry;
mod route;
pub mod shared;
mod window;

pub use retry::RATE_LIMIT_WAIT_ENV;

/// A duration as errors print it (`10m`, `1m30s`, `1.5s`).
pub(crate) fn retry_text(d: Duration) -> String {
    retry::human(d)
}

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use reqwest::Method;

use crate::completion::Completion;
use crate::error::{Error, Result};
use crate::exchange::{self, Exchange, RecordedBody, RecordedRequest, RecordedResponse};
use crate::providers::{Auth, Providers};
use crate::request::{ChatRequest, Endpoint};

use http::{Outgoing, header_pairs, rate_limit_info, redact_error};
use limits::Quota;
use read::Expect;
use retry::{Failure, Gate, GenerationFailure, Success};
use route::Route;

/// Completion tokens assumed for the rate limiter when `max_tokens` is unset.
const DEFAULT_COMPLETION_ESTIMATE: u32 = 512;
/// Connection set-up limit, as in Meta's Python SDK.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Client settings. [`ClientConfig::from_env`] reads `LLAMA_API_BASE_URL`
/// and `LLAMA_API_KEY`.
#[derive(Clone)]
pub struct ClientConfig {
    /// Service root without a trailing slash, e.g. `https://api.llama.com`.
    pub base_url: String,
    /// Sent as `Authorization: Bearer`; never printed (see the `Debug` impl).
    pub api_key: Option<String>,
    /// Whole-request timeout, per attempt. Default 60 s.
    pub timeout: Duration,
    /// Retries after the first attempt. Default 2, as in Meta's SDKs.
    pub max_retries: u32,
    /// Send model ids the catalogue does not know. Default false.
    pub allow_unlisted_models: bool,
    /// Draw from the process-wide per-family rate limiter. Default true.
    /// Replay traffic turns this off.
    pub rate_limited: bool,
    /// Process-wide cap on requests in flight, shared by all clients with
    /// the same value. Default 64; `0` means no cap.
    pub max_in_flight: usize,
    /// Every provider a model id may name (`openrouter:...`), with their
    /// URLs and keys. Default: the built-in presets, from the environment.
    pub providers: std::sync::Arc<Providers>,
    /// Send every other provider's requests to `base_url/<provider>`
    /// instead of its own URL, without its key (replay does this, and tests
    /// against one simulator). Default false.
    pub providers_under_base_url: bool,
    /// How long one request may wait in all for rate limits (429s and the
    /// client-side quota) before it fails. Default 10 minutes;
    /// `LLAMA_TEST_RATE_LIMIT_WAIT` or `[limits] rate_limit_wait`.
    pub rate_limit_wait: Duration,
    /// The largest response body read, in bytes; a larger one is an error
    /// rather than unbounded memory. Default 32 MiB;
    /// `LLAMA_TEST_MAX_RESPONSE_MB` or `[limits] max_response_mb`.
    pub max_response_bytes: u64,
    /// The directory of the rate-limit state shared by the test processes
    /// of a run ([`shared`]); `None` limits this process on its own.
    /// Default `None`; [`ClientConfig::from_env`] turns it on under nextest.
    pub shared_limits: Option<std::path::PathBuf>,
}

/// The default of [`ClientConfig::rate_limit_wait`].
pub const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(600);
/// The default of [`ClientConfig::max_response_bytes`].
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 << 20;

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("allow_unlisted_models", &self.allow_unlisted_models)
            .field("rate_limited", &self.rate_limited)
            .field("max_in_flight", &self.max_in_flight)
            .field("providers_under_base_url", &self.providers_under_base_url)
            .field("rate_limit_wait", &self.rate_limit_wait)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("shared_limits", &self.shared_limits)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// Defaults for a base URL, no key.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key: None,
            timeout: Duration::from_secs(60),
            max_retries: 2,
            allow_unlisted_models: false,
            rate_limited: true,
            max_in_flight: 64,
            providers: Providers::builtin(),
            providers_under_base_url: false,
            rate_limit_wait: DEFAULT_RATE_LIMIT_WAIT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            shared_limits: None,
        }
    }

    /// From `LLAMA_API_BASE_URL` (default `https://api.llama.com`),
    /// `LLAMA_API_KEY`, `LLAMA_TEST_RATE_LIMIT_WAIT`,
    /// `LLAMA_TEST_MAX_RESPONSE_MB` and `LLAMA_TEST_SHARED_LIMITS` (with
    /// `LLAMA_TEST_LIMITS_DIR`).
    ///
    /// Reads the environment when called; a test run reads it once, as
    /// [`Settings`](crate::Settings).
    pub fn from_env() -> Result<Self> {
        Ok(Self::from_settings(&crate::Settings::from_env()?))
    }

    /// The client part of `settings`.
    pub fn from_settings(settings: &crate::Settings) -> Self {
        let mut config = ClientConfig::new(settings.base_url.clone());
        config.api_key = settings.api_key.clone();
        if let Some(wait) = settings.rate_limit_wait {
            config.rate_limit_wait = wait;
        }
        if let Some(bytes) = settings.max_response_bytes {
            config.max_response_bytes = bytes;
        }
        config.shared_limits = settings.shared_limits.clone();
        config
    }
}

/// One entry of `GET /v1/models`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelEntry {
    /// The model id to send, e.g. `Llama-3.3-70B-Instruct`.
    pub id: String,
    /// Unix seconds.
    #[serde(default)]
    pub created: Option<i64>,
    /// e.g. `Meta`.
    #[serde(default)]
    pub owned_by: Option<String>,
}

/// A cheap-to-clone handle; clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    config: ClientConfig,
    http: reqwest::Client,
}

impl Client {
    /// Builds a client.
    pub fn new(config: ClientConfig) -> Result<Self> {
        // reqwest is built without a default TLS crypto provider (no C
        // toolchain for aws-lc); ring is installed once per process.
        // `AlreadyInstalled` (by us or the application) is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT.min(config.timeout))
            .user_agent(concat!("llama-test/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?;
        Ok(Client { config, http })
    }

    /// A client for `config` from a process-wide cache: clients whose
    /// settings differ only in the base URL share one connection pool,
    /// because building a client (TLS roots, pool) is slow next to a
    /// replayed call.
    pub fn shared(config: &ClientConfig) -> Result<Client> {
        type Key = (
            Duration,
            u32,
            bool,
            bool,
            bool,
            usize,
            usize,
            bool,
            Duration,
            u64,
            Option<std::path::PathBuf>,
        );
        static CACHE: OnceLock<Mutex<Vec<(Key, Client)>>> = OnceLock::new();
        let key = (
            config.timeout,
            config.max_retries,
            config.allow_unlisted_models,
            config.rate_limited,
            config.api_key.is_some(),
            config.max_in_flight,
            std::sync::Arc::as_ptr(&config.providers) as usize,
            config.providers_under_base_url,
            config.rate_limit_wait,
            config.max_response_bytes,
            config.shared_limits.clone(),
        );
        let mut cache = CACHE
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let same_key = |c: &Client| c.config.api_key == config.api_key;
        if let Some((_, cached)) = cache.iter().find(|(k, c)| *k == key && same_key(c)) {
            return Ok(cached.with_base_url(&config.base_url));
        }
        let client = Client::new(config.clone())?;
        cache.push((key, client.clone()));
        Ok(client)
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The same client (same pool) talking to another base URL.
    pub fn with_base_url(&self, base_url: &str) -> Client {
        let mut c = self.clone();
        c.config.base_url = base_url.trim_end_matches('/').to_owned();
        c
    }

    /// Sends one chat completion (streamed when `request.stream`).
    pub async fn chat(&self, request: &ChatRequest) -> Result<Completion> {
        self.chat_exchange(request).await.map(|(c, _)| c)
    }

    /// Like [`Client::chat`], also returning the exchange for recording.
    ///
    /// The model id, the images and the options are checked before anything
    /// is sent; those errors never reach the network.
    pub async fn chat_exchange(&self, request: &ChatRequest) -> Result<(Completion, Exchange)> {
        let route = Route::new(&self.config, request)
            .map_err(|e| redact_error(e, self.config.api_key.as_deref()))?;
        let key = route.key.clone();
        match self.chat_exchange_inner(request, &route).await {
            Ok(done) => Ok(done),
            // Bedrock lists models on another host (`ListFoundationModels`).
            Err(Error::NotFound { message, .. })
                if !route.is_llamaapi() && route.converse.is_none() =>
            {
                Err(not_found::explain(self, &route, message).await)
            }
            Err(e) => Err(e),
        }
        .map_err(|e| redact_error(e, key.as_deref()))
        .map_err(|e| {
            route
                .secrets()
                .into_iter()
                .fold(e, |e, secret| redact_error(e, Some(secret)))
        })
    }

    async fn chat_exchange_inner(
        &self,
        request: &ChatRequest,
        route: &Route,
    ) -> Result<(Completion, Exchange)> {
        let gate = Gate {
            quota: route.pool.clone().map(|pool| {
                Quota::new(
                    pool,
                    estimate_tokens(request),
                    &route.base_url,
                    self.config.shared_limits.as_deref(),
                )
            }),
            provider: route.provider.clone(),
        };
        let outgoing = Outgoing {
            method: Method::POST,
            base_url: &route.base_url,
            path: &route.path,
            key: route.key.as_deref(),
            auth: route.auth,
            headers: &route.headers,
            key_env: &route.key_env,
            base_url_env: &route.base_url_env,
            body: Some(&route.body),
            stream: request.stream,
            model: route.is_llamaapi().then_some(route.model.as_str()),
            converse: route.converse.as_ref(),
        };
        let expect = Expect {
            model: &route.model,
            endpoint: match route.is_llamaapi() {
                true => request.endpoint,
                false => Endpoint::Compat,
            },
            stream: request.stream,
            converse: route.converse.is_some(),
        };
        let (completion, response) =
            retry::with_retries(&self.config, gate, &route.path, |attempt| {
                self.attempt_chat(&outgoing, &expect, attempt)
            })
            .await?;
        let exchange = Exchange {
            request: RecordedRequest {
                method: "POST".into(),
                path: route.recorded_path.clone(),
                body: route.body.clone(),
            },
            response,
        };
        Ok((completion, exchange))
    }

    async fn attempt_chat(
        &self,
        outgoing: &Outgoing<'_>,
        expect: &Expect<'_>,
        attempt: u32,
    ) -> std::result::Result<Success<(Completion, RecordedResponse)>, Failure> {
        let (response, started) =
            match http::send(&self.http, &self.config, outgoing, attempt).await {
                Ok(sent) => sent,
                Err(Failure {
                    generation: Some(generation),
                    ..
                }) => return Ok(failed_generation(generation, expect)),
                Err(failure) => return Err(failure),
            };
        let status = response.status().as_u16();
        let headers = exchange::allowed_headers(header_pairs(response.headers()));
        let rate_limit = rate_limit_info(response.headers());
        let replayed_latency = recorded_latency(response.headers());
        let (mut completion, body) =
            read::read_chat(response, started, expect, &self.config, attempt).await?;
        completion.rate_limit = rate_limit;
        if let Some(latency) = replayed_latency {
            completion.latency = latency;
        }
        let recorded = RecordedResponse {
            status,
            headers,
            body,
            latency_ms: Some(u64::try_from(completion.latency.as_millis()).unwrap_or(u64::MAX)),
        };
        Ok(Success {
            value: (completion, recorded),
            rate_limit,
        })
    }

    /// `GET /v1/models`.
    pub async fn list_models(&self) -> Result<Vec<ModelEntry>> {
        let key = self.config.api_key.as_deref();
        let gate = Gate {
            quota: None,
            provider: "llamaapi".into(),
        };
        let outgoing = Outgoing {
            method: Method::GET,
            base_url: &self.config.base_url,
            path: "/v1/models",
            key: self.config.api_key.as_deref(),
            auth: Auth::Bearer,
            headers: &[],
            key_env: "LLAMA_API_KEY",
            base_url_env: "LLAMA_API_BASE_URL",
            body: None,
            stream: false,
            model: None,
            converse: None,
        };
        retry::with_retries(&self.config, gate, outgoing.path, |attempt| {
            self.attempt_list_models(&outgoing, attempt)
        })
        .await
        .map_err(|e| redact_error(e, key))
    }

    pub(super) async fn attempt_list_models(
        &self,
        outgoing: &Outgoing<'_>,
        attempt: u32,
    ) -> std::result::Result<Success<Vec<ModelEntry>>, Failure> {
        let (response, _) = http::send(&self.http, &self.config, outgoing, attempt).await?;
        let rate_limit = rate_limit_info(response.headers());
        let bytes = read::read_capped(response, &self.config, attempt).await?;
        let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            Failure::fatal(Error::Decode {
                message: format!("the models list is not JSON: {e}"),
            })
        })?;
        // The SDKs unwrap `{"data": [...]}`; a bare array is accepted too.
        let list = body.get("data").unwrap_or(&body).clone();
        let value = serde_json::from_value(list).map_err(|e| {
            Failure::fatal(Error::Decode {
                message: format!("expected `{{\"data\": [{{\"id\": ...}}]}}` from /v1/models: {e}"),
            })
        })?;
        Ok(Success { value, rate_limit })
    }
}

/// The completion of an answer the server refused as a malformed tool call:
/// no tool calls, the raw generation as text, the server's reason kept.
fn failed_generation(
    failure: GenerationFailure,
    expect: &Expect<'_>,
) -> Success<(Completion, RecordedResponse)> {
    let mut completion = Completion::empty(expect.model, expect.endpoint);
    completion.text = failure.raw;
    completion.generation_error = Some(failure.message);
    completion.stop_reason = Some(crate::completion::StopReason::Other(
        "generation_failed".into(),
    ));
    let recorded = RecordedResponse {
        status: failure.status,
        headers: Default::default(),
        body: RecordedBody::Json(failure.body),
        latency_ms: Some(0),
    };
    Success {
        value: (completion, recorded),
        rate_limit: Default::default(),
    }
}

/// The latency a replayed response carries from its recording.
fn recorded_latency(headers: &reqwest::header::HeaderMap) -> Option<std::time::Duration> {
    let value = headers
        .get(exchange::RECORDED_LATENCY_HEADER)?
        .to_str()
        .ok()?;
    value
        .trim()
        .parse()
        .ok()
        .map(std::time::Duration::from_millis)
}

/// A rough token cost for the rate limiter: about four characters per
/// prompt token, plus the completion budget.
fn estimate_tokens(request: &ChatRequest) -> u32 {
    let chars: usize = request
        .messages
        .iter()
        .map(|m| m.text_content().chars().count())
        .sum();
    let prompt = u32::try_from(chars / 4).unwrap_or(u32::MAX);
    prompt.saturating_add(
        request
            .sampling
            .max_tokens
            .unwrap_or(DEFAULT_COMPLETION_ESTIMATE),
    )
}
