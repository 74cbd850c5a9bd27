//! Error responses the simulator sends on purpose: scripted [`Fault`]s
//! (bursts of 5xx, 429 with `retry-after`), problem+json bodies, and the
//! sliding one-minute window behind requests-per-minute enforcement.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::ResponseTemplate;

/// An error response: a status plus the headers a client's retry logic
/// reads. The body is problem+json (`{"title","detail","status"}`) unless
/// replaced with [`Fault::with_body`].
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) retry_after_ms: Option<Duration>,
    pub(crate) should_retry: Option<bool>,
    pub(crate) body: Option<Value>,
}

impl Fault {
    /// An error with this HTTP status (e.g. 500, 503, 408, 400).
    pub fn status(status: u16) -> Self {
        Fault {
            status,
            retry_after: None,
            retry_after_ms: None,
            should_retry: None,
            body: None,
        }
    }

    /// A 429 Too Many Requests with a `retry-after` header.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Fault::status(429).with_retry_after(retry_after)
    }

    /// Adds `retry-after: <seconds>` (fractional seconds when not whole).
    pub fn with_retry_after(mut self, after: Duration) -> Self {
        self.retry_after = Some(after);
        self
    }

    /// Adds `retry-after-ms: <milliseconds>`.
    pub fn with_retry_after_ms(mut self, after: Duration) -> Self {
        self.retry_after_ms = Some(after);
        self
    }

    /// Adds `x-should-retry: true|false`, which overrides a client's own
    /// decision in Meta's SDKs.
    pub fn with_should_retry(mut self, should_retry: bool) -> Self {
        self.should_retry = Some(should_retry);
        self
    }

    /// Replaces the default problem+json body (sent as `application/json`,
    /// or `application/problem+json` when it has a `title`).
    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// The reason phrase used as a problem's `title`.
pub(crate) fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// An RFC 7807 problem response, the Llama API's error shape:
/// `{"title":"Not Found","detail":"...","status":404}`.
pub(crate) fn problem(status: u16, detail: &str) -> ResponseTemplate {
    let body = json!({"title": title(status), "detail": detail, "status": status});
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/problem+json")
}

/// The other error shape the API uses (`"error" in body`), as OpenAI
/// clients of the compat endpoint expect it.
pub(crate) fn error_object(status: u16, message: &str, code: &str) -> ResponseTemplate {
    let body = json!({"error": {
        "message": message,
        "type": "invalid_request_error",
        "param": Value::Null,
        "code": code,
    }});
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/json")
}

/// The response for a scripted fault. `echo` is appended to the default
/// body's detail (the opt-in key echo that tests client-side redaction).
pub(crate) fn fault_response(fault: &Fault, echo: Option<&str>) -> ResponseTemplate {
    if !(100..=999).contains(&fault.status) {
        return problem(
            500,
            &format!(
                "the simulator was told to fail with status {}, which is not an HTTP status; \
                 use 100..=999 in Fault::status",
                fault.status
            ),
        );
    }
    let mut template = match &fault.body {
        Some(body) => {
            let mime = if body.get("title").is_some() {
                "application/problem+json"
            } else {
                "application/json"
            };
            ResponseTemplate::new(fault.status).set_body_raw(body.to_string(), mime)
        }
        None => {
            let detail = format!(
                "Simulated failure ({} {})",
                fault.status,
                title(fault.status)
            );
            problem(fault.status, &with_echo(detail, echo))
        }
    };
    if let Some(after) = fault.retry_after {
        template = template.insert_header("retry-after", seconds_text(after));
    }
    if let Some(after) = fault.retry_after_ms {
        template = template.insert_header("retry-after-ms", after.as_millis().to_string());
    }
    if let Some(should) = fault.should_retry {
        template = template.insert_header("x-should-retry", should.to_string());
    }
    template
}

/// Appends the echoed credentials to an error detail when echo is on.
pub(crate) fn with_echo(detail: String, echo: Option<&str>) -> String {
    match echo {
        Some(auth) => format!("{detail} (request authorization: {auth})"),
        None => detail,
    }
}

/// Whole seconds as an integer (`"1"`), otherwise fractional (`"0.25"`).
pub(crate) fn seconds_text(after: Duration) -> String {
    if after.subsec_nanos() == 0 {
        after.as_secs().to_string()
    } else {
        format!("{:.3}", after.as_secs_f64())
            .trim_end_matches('0')
            .to_owned()
    }
}

/// Requests and tokens seen in the last minute, for `x-ratelimit-*`
/// headers and for [`enforce_rpm`](super::SimBuilder::enforce_rpm).
#[derive(Debug, Default)]
pub(crate) struct MinuteWindow {
    requests: VecDeque<Instant>,
    tokens: VecDeque<(Instant, u64)>,
}

const MINUTE: Duration = Duration::from_secs(60);

impl MinuteWindow {
    fn forget_before(&mut self, now: Instant) {
        while self
            .requests
            .front()
            .is_some_and(|t| now.duration_since(*t) >= MINUTE)
        {
            self.requests.pop_front();
        }
        while self
            .tokens
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) >= MINUTE)
        {
            self.tokens.pop_front();
        }
    }

    /// Counts a request unless `limit` requests already happened in the
    /// last minute; then says how long until the oldest one leaves the window.
    pub(crate) fn admit(&mut self, now: Instant, limit: Option<u32>) -> Result<(), Duration> {
        self.forget_before(now);
        if let Some(limit) = limit
            && self.requests.len() >= limit as usize
        {
            let oldest = self.requests.front().copied().unwrap_or(now);
            return Err(MINUTE.saturating_sub(now.duration_since(oldest)));
        }
        self.requests.push_back(now);
        Ok(())
    }

    /// Records tokens a completion used.
    pub(crate) fn spend_tokens(&mut self, now: Instant, tokens: u64) {
        self.tokens.push_back((now, tokens));
    }

    /// Requests counted in the last minute.
    pub(crate) fn requests(&mut self, now: Instant) -> u64 {
        self.forget_before(now);
        self.requests.len() as u64
    }

    /// Tokens spent in the last minute.
    pub(crate) fn tokens(&mut self, now: Instant) -> u64 {
        self.forget_before(now);
        self.tokens.iter().map(|(_, n)| n).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_refuses_beyond_the_limit_until_a_slot_frees() {
        let mut window = MinuteWindow::default();
        let start = Instant::now();
        assert!(window.admit(start, Some(2)).is_ok());
        assert!(
            window
                .admit(start + Duration::from_secs(10), Some(2))
                .is_ok()
        );
        let wait = window
            .admit(start + Duration::from_secs(15), Some(2))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(45));
        assert!(
            window
                .admit(start + Duration::from_secs(60), Some(2))
                .is_ok()
        );
        assert_eq!(window.requests(start + Duration::from_secs(60)), 2);
    }

    #[test]
    fn retry_after_text_is_seconds() {
        assert_eq!(seconds_text(Duration::from_secs(1)), "1");
        assert_eq!(seconds_text(Duration::from_millis(250)), "0.25");
        assert_eq!(seconds_text(Duration::from_millis(1500)), "1.5");
    }
}
