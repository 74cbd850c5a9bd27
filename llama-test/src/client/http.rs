//! One HTTP attempt: headers, sending, and turning a non-2xx answer or a
//! transport failure into a [`Failure`] that says whether to retry.

use std::time::Instant;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, Response};
use serde_json::Value;

use super::ClientConfig;
use super::converse::Converse;
use super::retry::{
    Failure, GenerationFailure, server_delay, should_retry_override, status_is_retryable,
};
use crate::completion::RateLimitInfo;
use crate::error::{Error, redact_secrets};
use crate::exchange::REPLAY_MISS_HEADER;
use crate::providers::Auth;
use crate::wire;

/// What to send.
pub(crate) struct Outgoing<'a> {
    pub method: Method,
    /// The service root.
    pub base_url: &'a str,
    /// Appended to the base URL, e.g. `/v1/chat/completions`.
    pub path: &'a str,
    /// The key and how it travels.
    pub key: Option<&'a str>,
    pub auth: Auth,
    /// Extra headers (from `llama-test.toml`).
    pub headers: &'a [(String, String)],
    /// Variables to name in errors: the key's and the base URL's.
    pub key_env: &'a str,
    pub base_url_env: &'a str,
    pub body: Option<&'a Value>,
    /// Ask for `text/event-stream`.
    pub stream: bool,
    /// The model asked for, for did-you-mean hints on 404.
    pub model: Option<&'a str>,
    /// Bedrock Converse: SigV4 signing, its `Accept` and its error bodies.
    pub converse: Option<&'a Converse>,
}

/// Sends one attempt; returns the response when its status is 2xx, and the
/// instant the request left.
pub(crate) async fn send(
    http: &reqwest::Client,
    config: &ClientConfig,
    outgoing: &Outgoing<'_>,
    attempt: u32,
) -> Result<(Response, Instant), Failure> {
    let url = format!("{}{}", outgoing.base_url, outgoing.path);
    let accept = match outgoing.converse {
        Some(converse) => converse.accept(),
        None if outgoing.stream => "text/event-stream",
        None => "application/json",
    };
    let mut request = http
        .request(outgoing.method.clone(), &url)
        .timeout(config.timeout)
        .header(ACCEPT, accept);
    if let Some(key) = outgoing.key {
        let (name, text) = match outgoing.auth {
            Auth::Header(name) => (name, key.to_owned()),
            Auth::Bearer | Auth::Aws => (AUTHORIZATION.as_str(), format!("Bearer {key}")),
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| {
            Failure::fatal(Error::Config(format!(
                "{} contains characters that are not allowed in an HTTP header \
                 (newline or control characters); check how it was set",
                outgoing.key_env
            )))
        })?;
        value.set_sensitive(true);
        request = request.header(name, value);
    }
    for (name, value) in outgoing.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    if let Some(body) = outgoing.body {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Failure::fatal(Error::InvalidRequest(format!(
                "could not serialize the body: {e}"
            )))
        })?;
        if let Some(converse) = outgoing.converse {
            // Signed per attempt, over the exact URL and body bytes sent.
            let method = outgoing.method.as_str();
            for (name, value) in converse
                .signed_headers(method, &url, "application/json", &bytes)
                .map_err(Failure::fatal)?
            {
                request = request.header(name, value);
            }
        }
        request = request.header(CONTENT_TYPE, "application/json").body(bytes);
    }
    let started = Instant::now();
    let response = request
        .send()
        .await
        .map_err(|e| transport_failure(&e, config, outgoing.base_url_env, &url, attempt))?;
    if response.headers().contains_key(REPLAY_MISS_HEADER) {
        let text = super::read::error_text(response, config).await;
        let key = outgoing.key;
        return Err(Failure::fatal(Error::Fixture(redact_secrets(&text, key))));
    }
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok((response, started));
    }
    let headers = response.headers().clone();
    let body = super::read::error_text(response, config).await;
    let delay = server_delay(&headers);
    let error = match outgoing.converse {
        Some(converse) => converse.status_error(status, &headers, &body, attempt, delay),
        None => {
            match wire::status_error(status, &body, outgoing.key, outgoing.model, attempt, delay) {
                Error::Auth { status, message } => Error::Auth {
                    status,
                    message: format!(
                        "{message}. Check that {} is set to a valid key",
                        outgoing.key_env
                    ),
                },
                other => other,
            }
        }
    };
    if let Some(generation) =
        generation_failure(status, &body).filter(|_| outgoing.converse.is_none())
    {
        return Err(Failure {
            error,
            retry: false,
            server_delay: None,
            status: Some(status),
            generation: Some(generation),
            limited: None,
        });
    }
    Err(Failure {
        error,
        retry: should_retry_override(&headers).unwrap_or_else(|| status_is_retryable(status)),
        server_delay: delay,
        status: Some(status),
        generation: None,
        limited: (status == 429).then(|| super::retry::limited(&headers)),
    })
}

/// Servers that parse tool calls out of the model's text answer an error
/// when the text is not a well-formed call: Groq a 400 `tool_use_failed`
/// with the text in `failed_generation`, llama.cpp a 500 "... does not
/// match the expected ... format". That is the model's answer failing, so
/// it becomes a completion whose checks fail, and is never retried (the
/// same prompt at temperature 0 fails the same way).
fn generation_failure(status: u16, body: &str) -> Option<GenerationFailure> {
    let value: Value = serde_json::from_str(body).ok()?;
    if !wire::is_generation_failure(Some(status), &value) {
        return None;
    }
    let error = value.get("error")?;
    let message = wire::message_from_value(&value).unwrap_or_default();
    Some(GenerationFailure {
        message,
        raw: error
            .get("failed_generation")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        status,
        body: value.clone(),
    })
}

/// A reqwest failure before or while reading a response.
pub(crate) fn transport_failure(
    error: &reqwest::Error,
    config: &ClientConfig,
    base_url_env: &str,
    url: &str,
    attempt: u32,
) -> Failure {
    let key = config.api_key.as_deref();
    if error.is_timeout() {
        return Failure {
            error: Error::Timeout {
                after: config.timeout,
                attempts: attempt,
            },
            retry: true,
            server_delay: None,
            status: None,
            generation: None,
            limited: None,
        };
    }
    if error.is_builder() {
        return Failure::fatal(Error::Config(format!(
            "cannot build a request for `{}`: {}; check {base_url_env}",
            redact_secrets(url, key),
            redact_secrets(&error_chain(error), key)
        )));
    }
    Failure {
        error: Error::Transport {
            url: redact_secrets(url, key),
            message: format!(
                "{}; check that the server is running and that {base_url_env} points at it",
                redact_secrets(&error_chain(error), key)
            ),
        },
        retry: true,
        server_delay: None,
        status: None,
        generation: None,
        limited: None,
    }
}

/// An error and its sources, `: `-joined (reqwest's own message alone says
/// little, e.g. "error sending request").
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let part = inner.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = inner.source();
    }
    text
}

/// The `x-ratelimit-*` headers, with the dialects of other hosts: Together's
/// `x-tokenlimit-*`, Cerebras' `-day`/`-minute` suffixes, reset times as
/// seconds or Groq's `6m0s`-style durations.
pub(crate) fn rate_limit_info(headers: &HeaderMap) -> RateLimitInfo {
    let number = |name: &str| {
        let value = headers.get(name)?.to_str().ok()?.trim();
        value.parse::<u64>().ok().or_else(|| {
            value
                .parse::<f64>()
                .ok()
                .filter(|f| *f >= 0.0)
                .map(|f| f as u64)
        })
    };
    let first = |names: &[&str]| names.iter().find_map(|n| number(n));
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::to_owned);
    let reset = [
        "x-ratelimit-reset-requests",
        "x-ratelimit-reset-tokens",
        "x-ratelimit-reset-requests-minute",
        "x-ratelimit-reset-tokens-minute",
        "x-ratelimit-reset",
    ]
    .iter()
    .filter_map(|n| text(n).and_then(|v| super::reset::parse_reset(&v)))
    .max();
    RateLimitInfo {
        limit_requests: first(&[
            "x-ratelimit-limit-requests",
            "x-ratelimit-limit-requests-minute",
            "x-ratelimit-limit-requests-day",
            "x-ratelimit-limit",
        ]),
        remaining_requests: first(&[
            "x-ratelimit-remaining-requests",
            "x-ratelimit-remaining-requests-minute",
            "x-ratelimit-remaining-requests-day",
            "x-ratelimit-remaining",
        ]),
        limit_tokens: first(&[
            "x-ratelimit-limit-tokens",
            "x-ratelimit-limit-tokens-minute",
            "x-tokenlimit-limit",
        ]),
        remaining_tokens: first(&[
            "x-ratelimit-remaining-tokens",
            "x-ratelimit-remaining-tokens-minute",
            "x-tokenlimit-remaining",
        ]),
        reset,
    }
}

/// Response headers as `(name, value)` pairs, for the exchange allow-list.
pub(crate) fn header_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
}

/// A last pass over every error leaving the client: whatever path built it,
/// no message may carry the key or a bearer token.
pub(crate) fn redact_error(error: Error, key: Option<&str>) -> Error {
    let r = |s: String| redact_secrets(&s, key);
    match error {
        Error::Auth { status, message } => Error::Auth {
            status,
            message: r(message),
        },
        Error::NotFound {
            message,
            suggestion,
        } => Error::NotFound {
            message: r(message),
            suggestion,
        },
        Error::BadRequest { status, message } => Error::BadRequest {
            status,
            message: r(message),
        },
        Error::RateLimited {
            message,
            attempts,
            retry_after,
        } => Error::RateLimited {
            message: r(message),
            attempts,
            retry_after,
        },
        Error::RateLimitWait {
            provider,
            waited,
            attempts,
            message,
        } => Error::RateLimitWait {
            provider,
            waited,
            attempts,
            message: r(message),
        },
        Error::Server {
            status,
            message,
            attempts,
        } => Error::Server {
            status,
            message: r(message),
            attempts,
        },
        Error::Transport { url, message } => Error::Transport {
            url: r(url),
            message: r(message),
        },
        Error::Decode { message } => Error::Decode {
            message: r(message),
        },
        Error::Stream { message } => Error::Stream {
            message: r(message),
        },
        Error::Config(m) => Error::Config(r(m)),
        Error::InvalidRequest(m) => Error::InvalidRequest(r(m)),
        Error::Fixture(m) => Error::Fixture(r(m)),
        Error::Grader(m) => Error::Grader(r(m)),
        timeout @ Error::Timeout { .. } => timeout,
    }
}

/// The timeout as configured, for stream reads that hit it.
pub(crate) fn timeout_error(config: &ClientConfig, attempt: u32) -> Error {
    Error::Timeout {
        after: config.timeout,
        attempts: attempt,
    }
}
