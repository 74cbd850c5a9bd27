//! One HTTP attempt: headers, sending, and turning a non-2xx answer or a
//! transport failure into a [`Failure`] that says whether to retry.

use std::time::Instant;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, Response};
use serde_json::Value;

use super::ClientConfig;
use super::retry::{Failure, server_delay, should_retry_override, status_is_retryable};
use crate::completion::RateLimitInfo;
use crate::error::{Error, redact_secrets};
use crate::exchange::REPLAY_MISS_HEADER;
use crate::wire;

/// What to send.
pub(crate) struct Outgoing<'a> {
    pub method: Method,
    /// Appended to the base URL, e.g. `/v1/chat/completions`.
    pub path: &'a str,
    pub body: Option<&'a Value>,
    /// Ask for `text/event-stream`.
    pub stream: bool,
    /// The model asked for, for did-you-mean hints on 404.
    pub model: Option<&'a str>,
}

/// Sends one attempt; returns the response when its status is 2xx, and the
/// instant the request left.
pub(crate) async fn send(
    http: &reqwest::Client,
    config: &ClientConfig,
    outgoing: &Outgoing<'_>,
    attempt: u32,
) -> Result<(Response, Instant), Failure> {
    let url = format!("{}{}", config.base_url, outgoing.path);
    let accept = if outgoing.stream {
        "text/event-stream"
    } else {
        "application/json"
    };
    let mut request = http
        .request(outgoing.method.clone(), &url)
        .timeout(config.timeout)
        .header(ACCEPT, accept);
    if let Some(key) = &config.api_key {
        let mut value = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
            Failure::fatal(Error::Config(
                "LLAMA_API_KEY contains characters that are not allowed in an HTTP header \
                 (newline or control characters); check how it was set"
                    .into(),
            ))
        })?;
        value.set_sensitive(true);
        request = request.header(AUTHORIZATION, value);
    }
    if let Some(body) = outgoing.body {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Failure::fatal(Error::InvalidRequest(format!(
                "could not serialize the body: {e}"
            )))
        })?;
        request = request.header(CONTENT_TYPE, "application/json").body(bytes);
    }
    let started = Instant::now();
    let response = request
        .send()
        .await
        .map_err(|e| transport_failure(&e, config, &url, attempt))?;
    if response.headers().contains_key(REPLAY_MISS_HEADER) {
        let text = response.text().await.unwrap_or_default();
        let key = config.api_key.as_deref();
        return Err(Failure::fatal(Error::Fixture(redact_secrets(&text, key))));
    }
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok((response, started));
    }
    let headers = response.headers().clone();
    let body = response.text().await.unwrap_or_default();
    let delay = server_delay(&headers);
    let error = wire::status_error(
        status,
        &body,
        config.api_key.as_deref(),
        outgoing.model,
        attempt,
        delay,
    );
    Err(Failure {
        error,
        retry: should_retry_override(&headers).unwrap_or_else(|| status_is_retryable(status)),
        server_delay: delay,
        status: Some(status),
    })
}

/// A reqwest failure before or while reading a response.
pub(crate) fn transport_failure(
    error: &reqwest::Error,
    config: &ClientConfig,
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
        };
    }
    if error.is_builder() {
        return Failure::fatal(Error::Config(format!(
            "cannot build a request for `{}`: {}; check LLAMA_API_BASE_URL",
            redact_secrets(url, key),
            redact_secrets(&error_chain(error), key)
        )));
    }
    Failure {
        error: Error::Transport {
            url: redact_secrets(url, key),
            message: redact_secrets(&error_chain(error), key),
        },
        retry: true,
        server_delay: None,
        status: None,
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

/// The four `x-ratelimit-*` headers.
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
    RateLimitInfo {
        limit_requests: number("x-ratelimit-limit-requests"),
        remaining_requests: number("x-ratelimit-remaining-requests"),
        limit_tokens: number("x-ratelimit-limit-tokens"),
        remaining_tokens: number("x-ratelimit-remaining-tokens"),
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
