//! The Llama API client: native and compat chat completions, streaming,
//! retries with backoff, a shared rate limiter, typed errors.
//!
//! INTERFACE STUB: bodies are filled in by the client work; signatures are
//! what the rest of the crate codes against.

use std::time::Duration;

use crate::completion::Completion;
use crate::error::Result;
use crate::exchange::Exchange;
use crate::request::ChatRequest;

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
    pub rate_limited: bool,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("allow_unlisted_models", &self.allow_unlisted_models)
            .field("rate_limited", &self.rate_limited)
            .finish()
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
        }
    }

    /// From `LLAMA_API_BASE_URL` (default `https://api.llama.com`) and `LLAMA_API_KEY`.
    pub fn from_env() -> Result<Self> {
        let mut config = ClientConfig::new(crate::config::base_url_from_env()?);
        config.api_key = crate::config::api_key_from_env()?;
        Ok(config)
    }
}

/// One entry of `GET /v1/models`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelEntry {
    pub id: String,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub owned_by: Option<String>,
}

/// A cheap-to-clone handle; clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    config: ClientConfig,
}

impl Client {
    /// Builds a client.
    pub fn new(config: ClientConfig) -> Result<Self> {
        Ok(Client { config })
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
    pub async fn chat_exchange(&self, _request: &ChatRequest) -> Result<(Completion, Exchange)> {
        todo!("client work")
    }

    /// `GET /v1/models`.
    pub async fn list_models(&self) -> Result<Vec<ModelEntry>> {
        todo!("client work")
    }
}
