//! Retries. Two kinds of failure, two budgets:
//!
//! - Connection errors, timeouts, 408, 409 and 5xx are retried as Meta's
//!   SDKs do (`x-should-retry: true|false` overrides), up to `max_retries`
//!   times, waiting what the server asks (`retry-after-ms`, else
//!   `retry-after` as seconds or an HTTP date, when 0 < delay <= 60 s), else
//!   `min(0.5 * 2^n, 8) * (1 - 0.25 * rand)` seconds.
//! - 429s are waited out, not counted: the request keeps trying until its
//!   rate-limit wait budget (`ClientConfig::rate_limit_wait`, default 10
//!   minutes, `LLAMA_TEST_RATE_LIMIT_WAIT`) is spent. Each wait is what the
//!   server asks (`retry-after-ms`, `retry-after`, else the
//!   `x-ratelimit-reset-*` of the spent budget, Groq's `6m0s` included) plus
//!   up to 10% jitter, else exponential backoff from 1 s with full jitter,
//!   capped at 60 s. Time spent waiting for the client-side quota counts
//!   against the same budget. When it is spent, the error names the
//!   provider, the limit headers last seen and the variable to raise.
//!
//! The delay comes from each failed response, so it is computed here rather
//! than from a fixed backoff schedule.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;

use super::ClientConfig;
use super::limits::{self, Quota};
use crate::completion::RateLimitInfo;
use crate::error::{Error, Result};

const INITIAL_RETRY_DELAY: f64 = 0.5;
const MAX_RETRY_DELAY: f64 = 8.0;
const MAX_SERVER_DELAY: Duration = Duration::from_secs(60);
/// 429 backoff without a server hint: from 1 s, doubling, capped at 60 s.
const RATE_LIMIT_BACKOFF_START: f64 = 1.0;
const RATE_LIMIT_BACKOFF_CAP: f64 = 60.0;
/// The longest `retry-after` taken at its word on a 429 (longer ones are
/// compared with the budget as they are).
const MAX_RATE_LIMIT_DELAY: Duration = Duration::from_secs(24 * 3600);

/// The variable that sets the rate-limit wait budget.
pub const RATE_LIMIT_WAIT_ENV: &str = "LLAMA_TEST_RATE_LIMIT_WAIT";

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
    /// What a 429 said about the rate limit.
    pub limited: Option<Limited>,
}

/// The rate-limit side of a 429.
#[derive(Debug, Clone, Default)]
pub(crate) struct Limited {
    /// How long the server asks to wait (`retry-after-ms`, `retry-after`,
    /// else the reset of a spent `x-ratelimit-*` budget), uncapped.
    pub delay: Option<Duration>,
    /// `x-ratelimit-limit-requests` (or a dialect's spelling).
    pub limit_requests: Option<u64>,
    /// The limit headers as received, `name: value, ...`, for messages.
    pub headers: String,
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
            limited: None,
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
    server_delay_up_to(headers, MAX_SERVER_DELAY)
}

/// What a 429 says about waiting: the server's delay (any length up to a
/// day), else the reset of a spent budget, plus the limit headers.
pub(crate) fn limited(headers: &HeaderMap) -> Limited {
    let info = super::http::rate_limit_info(headers);
    let delay = server_delay_up_to(headers, MAX_RATE_LIMIT_DELAY).or(info.reset);
    let headers = headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            name.starts_with("retry-after")
                || name.starts_with("x-ratelimit-")
                || name.starts_with("x-tokenlimit-")
        })
        .filter_map(|(name, value)| Some(format!("{name}: {}", value.to_str().ok()?)))
        .collect::<Vec<_>>()
        .join(", ");
    Limited {
        delay,
        limit_requests: info.limit_requests,
        headers,
    }
}

fn server_delay_up_to(headers: &HeaderMap, max: Duration) -> Option<Duration> {
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
        .filter(|d| *d <= max)
}

/// Exponential backoff with jitter after `retries_taken` retries.
pub(crate) fn backoff(retries_taken: u32) -> Duration {
    let base = (INITIAL_RETRY_DELAY * 2f64.powi(retries_taken.min(16) as i32)).min(MAX_RETRY_DELAY);
    Duration::from_secs_f64(base * (1.0 - 0.25 * rand::random::<f64>()))
}

/// How long to wait after the `refusals`-th 429 in a row (0-based): the
/// server's delay plus up to 10% (so waiters spread out), else backoff from
/// 1 s with full jitter, capped at 60 s.
pub(crate) fn rate_limit_delay(server: Option<Duration>, refusals: u32) -> Duration {
    match server {
        Some(delay) => delay.mul_f64(1.0 + 0.1 * rand::random::<f64>()),
        None => {
            let base = (RATE_LIMIT_BACKOFF_START * 2f64.powi(refusals.min(16) as i32))
                .min(RATE_LIMIT_BACKOFF_CAP);
            Duration::from_secs_f64(base * (0.5 + 0.5 * rand::random::<f64>()))
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Which shared limits an attempt draws from.
pub(crate) struct Gate {
    /// The pool's quota, or `None` to bypass the limiter (replay).
    pub quota: Option<Quota>,
    /// The provider, for messages.
    pub provider: String,
}

/// Runs `attempt(n)` (n = 1, 2, ...) until it succeeds, fails for good,
/// spends its retries (5xx, transport) or its rate-limit wait budget
/// (429s). Each attempt first waits for the quota, then takes an in-flight
/// permit; a 429 pauses the whole pool.
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
    let started = Instant::now();
    let deadline = started + config.rate_limit_wait;
    let mut number = 1;
    let mut retries = 0;
    let mut refusals = 0;
    let mut last_refusal: Option<(Failure, Limited)> = None;
    loop {
        // Wait for the quota first: a request sleeping on a paused pool
        // must not hold an in-flight slot others could use.
        let ticket = match &gate.quota {
            Some(quota) => match limits::acquire(quota, deadline).await {
                Ok(ticket) => Some(ticket),
                Err(wait) => {
                    return Err(budget_spent(
                        config,
                        &gate,
                        started,
                        number - 1,
                        last_refusal,
                        Some(wait),
                    ));
                }
            },
            None => None,
        };
        let permit = limits::in_flight_permit(config.max_in_flight).await;
        let mut ticket = ticket;
        if let (Some(quota), Some(ticket)) = (&gate.quota, ticket.as_mut())
            && let Err(wait) = limits::depart(quota, ticket, deadline).await
        {
            return Err(budget_spent(
                config,
                &gate,
                started,
                number - 1,
                last_refusal,
                Some(wait),
            ));
        }
        let outcome = attempt(number).await;
        drop(permit);
        let mut failure = match outcome {
            Ok(success) => {
                if let (Some(quota), Some(ticket)) = (&gate.quota, ticket) {
                    limits::observe(quota, ticket, &success.rate_limit).await;
                }
                return Ok(success.value);
            }
            Err(failure) => failure,
        };
        if failure.status == Some(429) && failure.retry {
            let limited = failure.limited.take().unwrap_or_default();
            let delay = rate_limit_delay(limited.delay, refusals);
            if let (Some(quota), Some(ticket)) = (&gate.quota, ticket) {
                let reason = format!(
                    "HTTP 429 ({})",
                    if limited.headers.is_empty() {
                        "no limit headers"
                    } else {
                        limited.headers.as_str()
                    }
                );
                limits::refused(quota, ticket, delay, limited.limit_requests, reason).await;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let asked = limited.delay;
            last_refusal = Some((failure, limited));
            if delay > left {
                return Err(budget_spent(
                    config,
                    &gate,
                    started,
                    number,
                    last_refusal,
                    asked.filter(|d| *d > left),
                ));
            }
            tracing::info!(
                request = what,
                attempt = number,
                delay_ms = delay.as_millis() as u64,
                "rate limited (429); waiting"
            );
            crate::progress::retrying(Some(429));
            let _shown =
                crate::progress::waiting(&gate.provider, &format!("429, waiting {}", human(delay)));
            tokio::time::sleep(delay).await;
            refusals += 1;
            number += 1;
            continue;
        }
        if !failure.retry || retries >= config.max_retries {
            return Err(failure.error);
        }
        crate::progress::retrying(failure.status);
        let delay = failure.server_delay.unwrap_or_else(|| backoff(retries));
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
        retries += 1;
        number += 1;
    }
}

/// `10m`, `1m30s`, `52s`, `1.5s`.
pub(crate) fn human(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 10.0 {
        return format!("{:.1}s", secs);
    }
    let whole = d.as_secs() + u64::from(d.subsec_millis() >= 500);
    match (whole / 3600, (whole % 3600) / 60, whole % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// The error when a request's rate-limit wait budget is spent: what was
/// seen, the quota in force, and how to wait longer.
fn budget_spent(
    config: &ClientConfig,
    gate: &Gate,
    started: Instant,
    attempts: u32,
    last_refusal: Option<(Failure, Limited)>,
    next_wait: Option<Duration>,
) -> Error {
    let budget = config.rate_limit_wait;
    let mut message = match &last_refusal {
        Some((failure, limited)) => format!(
            "the last answer was {}; limit headers: {}",
            failure.error,
            if limited.headers.is_empty() {
                "none"
            } else {
                limited.headers.as_str()
            }
        ),
        None => "no request was refused by the server; the client-side quota is used up".into(),
    };
    if let Some(wait) = next_wait {
        message.push_str(&format!("; the next try would be in {}", human(wait)));
    }
    if let Some(quota) = &gate.quota {
        message.push_str(&format!("; quota: {}", quota.describe()));
    }
    message.push_str(&format!(
        ". Raise {RATE_LIMIT_WAIT_ENV} (seconds, or a duration such as `30m`; now {}) or          `rate_limit_wait` under [limits] in llama-test.toml to wait longer, or lower the          provider's `rpm`",
        human(budget)
    ));
    Error::RateLimitWait {
        provider: gate.provider.clone(),
        waited: started.elapsed(),
        attempts,
        message,
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
    fn rate_limit_delays_honour_the_server_with_jitter_and_cap_backoff_at_a_minute() {
        for _ in 0..50 {
            let asked = rate_limit_delay(Some(Duration::from_secs(1)), 7).as_secs_f64();
            assert!((1.0..=1.1).contains(&asked), "{asked}");
            let first = rate_limit_delay(None, 0).as_secs_f64();
            assert!((0.5..=1.0).contains(&first), "{first}");
            let late = rate_limit_delay(None, 40).as_secs_f64();
            assert!((30.0..=60.0).contains(&late), "{late}");
        }
        let groq = limited(&headers(&[
            ("x-ratelimit-reset-requests", "6m0s"),
            ("x-ratelimit-limit-requests", "30"),
            ("x-ratelimit-remaining-requests", "0"),
        ]));
        assert_eq!(groq.delay, Some(Duration::from_secs(360)));
        assert_eq!(groq.limit_requests, Some(30));
        assert!(
            groq.headers.contains("x-ratelimit-reset-requests: 6m0s"),
            "{}",
            groq.headers
        );
        let long = limited(&headers(&[
            ("retry-after", "120"),
            ("x-ratelimit-reset", "5"),
        ]));
        assert_eq!(long.delay, Some(Duration::from_secs(120)));
        let ms = limited(&headers(&[("retry-after-ms", "1500")]));
        assert_eq!(ms.delay, Some(Duration::from_millis(1500)));
        assert_eq!(human(Duration::from_secs(600)), "10m");
        assert_eq!(human(Duration::from_secs(90)), "1m30s");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
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
