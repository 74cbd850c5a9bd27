//! Retries, as Meta's SDKs do them: connection errors, timeouts, 408, 409,
//! 429 and 5xx are retried (`x-should-retry: true|false` overrides), up to
//! `max_retries` times, waiting what the server asks (`retry-after-ms`, else
//! `retry-after` as seconds or an HTTP date, when 0 < delay <= 60 s), else
//! `min(0.5 * 2^n, 8) * (1 - 0.25 * rand)` seconds.
//!
//! The delay comes from each failed response, so it is computed here rather
//! than from a fixed backoff schedule.

use std::future::Future;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use super::ClientConfig;
use super::limits::{self, Pool};
use crate::completion::RateLimitInfo;
use crate::error::{Error, Result};

const INITIAL_RETRY_DELAY: f64 = 0.5;
const MAX_RETRY_DELAY: f64 = 8.0;
const MAX_SERVER_DELAY: Duration = Duration::from_secs(60);

/// A failed attempt and what to do about it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    /// Whether sending the same request again may help.
    pub retry: bool,
    /// The server's requested delay, when valid.
    pub server_delay: Option<Duration>,
    /// The HTTP status, when there was a response.
    pub status: Option<u16>,
    /// The server refused what the model generated (a malformed tool
    /// call): the model's failure, answered as a completion, not retried.
    pub generation: Option<GenerationFailure>,
}

/// A 4xx/5xx that reports a bad generation rather than a bad request.
#[derive(Debug, Clone)]
pub(crate) struct GenerationFailure {
    /// The server's message.
    pub message: String,
    /// The raw generation, when the server returned it (`failed_generation`).
    pub raw: String,
    /// The response as received, to record.
    pub status: u16,
    pub body: serde_json::Value,
}

impl Failure {
    /// A failure that must not be retried.
    pub fn fatal(error: Error) -> Self {
        Failure {
            error,
            retry: false,
            server_delay: None,
            status: None,
            generation: None,
        }
    }
}

/// A successful attempt and the rate-limit headers that came with it.
pub(crate) struct Success<T> {
    pub value: T,
    pub rate_limit: RateLimitInfo,
}

/// Whether a status is worth retrying by default.
pub(crate) fn status_is_retryable(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// `x-should-retry: true|false`, when present.
pub(crate) fn should_retry_override(headers: &HeaderMap) -> Option<bool> {
    match header(headers, "x-should-retry")? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The delay the server asked for: `retry-after-ms`, else `retry-after`
/// (seconds or an HTTP date), only when 0 < delay <= 60 s.
pub(crate) fn server_delay(headers: &HeaderMap) -> Option<Duration> {
    let from_ms = header(headers, "retry-after-ms")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|ms| ms / 1000.0);
    let seconds = from_ms.or_else(|| {
        let value = header(headers, "retry-after")?.trim();
        value.parse::<f64>().ok().or_else(|| {
            let date = httpdate::parse_http_date(value).ok()?;
            let now = SystemTime::now();
            Some(date.duration_since(now).map_or(0.0, |d| d.as_secs_f64()))
        })
    })?;
    (seconds.is_finite() && seconds > 0.0)
        .then(|| Duration::from_secs_f64(seconds))
        .filter(|d| *d <= MAX_SERVER_DELAY)
}

/// Exponential backoff with jitter after `retries_taken` retries.
pub(crate) fn backoff(retries_taken: u32) -> Duration {
    let base = (INITIAL_RETRY_DELAY * 2f64.powi(retries_taken.min(16) as i32)).min(MAX_RETRY_DELAY);
    Duration::from_secs_f64(base * (1.0 - 0.25 * rand::random::<f64>()))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Which shared limits an attempt draws from.
pub(crate) struct Gate {
    /// The pool's rate limiter, or `None` to bypass it.
    pub pool: Option<Pool>,
    /// Estimated token cost of one attempt.
    pub estimated_tokens: u32,
}

/// Runs `attempt(n)` (n = 1, 2, ...) until it succeeds, fails for good, or
/// retries run out. Each attempt first waits for the rate limiter, then
/// takes an in-flight permit; a 429 with a server delay pauses the whole family.
pub(crate) async fn with_retries<T, F, Fut>(
    config: &ClientConfig,
    gate: Gate,
    what: &str,
    mut attempt: F,
) -> Result<T>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = std::result::Result<Success<T>, Failure>>,
{
    let mut number = 1;
    loop {
        // Wait for the rate limiter first: a request sleeping on a paused
        // family must not hold an in-flight slot others could use.
        if let Some(pool) = &gate.pool {
            limits::acquire(pool, gate.estimated_tokens).await;
        }
        let permit = limits::in_flight_permit(config.max_in_flight).await;
        let outcome = attempt(number).await;
        drop(permit);
        let failure = match outcome {
            Ok(success) => {
                if let Some(pool) = &gate.pool {
                    limits::observe(pool, &success.rate_limit);
                }
                return Ok(success.value);
            }
            Err(failure) => failure,
        };
        if let (Some(pool), Some(delay), Some(429)) =
            (&gate.pool, failure.server_delay, failure.status)
        {
            limits::pause(pool, delay);
        }
        if !failure.retry || number > config.max_retries {
            return Err(failure.error);
        }
        crate::progress::retrying(failure.status);
        let delay = failure.server_delay.unwrap_or_else(|| backoff(number - 1));
        tracing::warn!(
            request = what,
            attempt = number,
            max_retries = config.max_retries,
            status = failure.status,
            delay_ms = delay.as_millis() as u64,
            error = %failure.error,
            "Llama API request failed; retrying"
        );
        tokio::time::sleep(delay).await;
        number += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn server_delays_follow_the_sdk_rules() {
        fn secs(pairs: &[(&'static str, &str)]) -> Option<f64> {
            server_delay(&headers(pairs)).map(|d| d.as_secs_f64())
        }
        assert_eq!(secs(&[("retry-after", "20")]), Some(20.0));
        assert_eq!(secs(&[("retry-after", "1.5")]), Some(1.5));
        assert_eq!(secs(&[("retry-after", "61")]), None);
        assert_eq!(secs(&[("retry-after", "0")]), None);
        assert_eq!(secs(&[("retry-after", "soon")]), None);
        assert_eq!(
            secs(&[("retry-after-ms", "250"), ("retry-after", "9")]),
            Some(0.25)
        );
        let in_10s = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(10));
        let got = secs(&[("retry-after", in_10s.as_str())]).unwrap();
        assert!((8.0..=10.0).contains(&got), "{got}");
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(10));
        assert_eq!(secs(&[("retry-after", past.as_str())]), None);
        assert_eq!(secs(&[]), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps_at_eight_seconds() {
        for _ in 0..50 {
            let first = backoff(0).as_secs_f64();
            assert!((0.375..=0.5).contains(&first), "{first}");
            let second = backoff(1).as_secs_f64();
            assert!((0.75..=1.0).contains(&second), "{second}");
            let late = backoff(30).as_secs_f64();
            assert!((6.0..=8.0).contains(&late), "{late}");
        }
    }

    #[test]
    fn retryable_statuses_and_override() {
        for status in [408, 409, 429, 500, 503] {
            assert!(status_is_retryable(status), "{status}");
        }
        for status in [400, 401, 403, 404, 422] {
            assert!(!status_is_retryable(status), "{status}");
        }
        assert_eq!(
            should_retry_override(&headers(&[("x-should-retry", "false")])),
            Some(false)
        );
        assert_eq!(
            should_retry_override(&headers(&[("x-should-retry", "true")])),
            Some(true)
        );
        assert_eq!(should_retry_override(&headers(&[])), None);
    }
}
