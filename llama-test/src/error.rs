//! One error type for everything that is not a failed check.
//!
//! Outcomes are kept apart: a check that says "no" is a *fail* and panics with
//! an assertion message; everything here is an *error* (transport, auth, bad
//! fixture, bad configuration). Every variant names the thing to fix.
//!
//! No variant ever holds the API key: messages that come from the server pass
//! through [`redact_secrets`] before they are stored.

use std::time::Duration;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong that is not a failed check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401 or 403: the key is missing, wrong, or lacks access.
    /// The message ends with what to check; a provider whose key is not
    /// `LLAMA_API_KEY` puts its own "Check that ..." hint in `message`
    /// (Bedrock names the AWS variables), which replaces the default one.
    #[error(
        "authentication failed (HTTP {status}): {message}{}",
        auth_hint(message)
    )]
    Auth {
        /// The HTTP status, 401 or 403.
        status: u16,
        /// The server's error message, secrets redacted, and which variable
        /// holds the key (`Check that LLAMA_API_KEY is set to a valid key`).
        message: String,
    },

    /// 404: unknown model or path.
    #[error("not found (HTTP 404): {message}{}", suggestion_suffix(suggestion))]
    NotFound {
        /// The server's error message, secrets redacted.
        message: String,
        /// The closest catalogue model id when the requested model is unknown.
        suggestion: Option<String>,
    },

    /// 400/409/422 and other 4xx: the request itself is wrong.
    #[error("the Llama API rejected the request (HTTP {status}): {message}")]
    BadRequest {
        /// The HTTP status: a 4xx other than 401, 403, 404 and 429.
        status: u16,
        /// The server's error message, secrets redacted.
        message: String,
    },

    /// 429 after all retries.
    #[error("rate limited (HTTP 429) after {attempts} attempt(s): {message}")]
    RateLimited {
        /// The server's error message, secrets redacted.
        message: String,
        /// How many times the request was sent, retries included.
        attempts: u32,
        /// The delay the last response asked for (`retry-after-ms` or
        /// `retry-after`), when it sent one.
        retry_after: Option<Duration>,
    },

    /// 429s (or the client-side quota) kept a request waiting for longer
    /// than its rate-limit wait budget (`LLAMA_TEST_RATE_LIMIT_WAIT`).
    #[error(
        "rate limited: provider `{provider}` still refused the request after waiting {} ({attempts} attempt(s)): {message}",
        crate::client::retry_text(*waited)
    )]
    RateLimitWait {
        /// The provider (`llamaapi` for Meta's API).
        provider: String,
        /// How long the request waited in all.
        waited: Duration,
        /// How many times it was sent.
        attempts: u32,
        /// What was seen last (status, limit headers), the quota in force
        /// and the variable that raises the budget; secrets redacted.
        message: String,
    },

    /// 5xx after all retries.
    #[error("the Llama API failed (HTTP {status}) after {attempts} attempt(s): {message}")]
    Server {
        /// The HTTP status, 500 or above.
        status: u16,
        /// The server's error message, secrets redacted.
        message: String,
        /// How many times the request was sent, retries included.
        attempts: u32,
    },

    /// The request did not finish in time.
    #[error(
        "request timed out after {after:?} ({attempts} attempt(s)); raise `timeout_ms` if the model needs longer"
    )]
    Timeout {
        /// The per-attempt timeout that ran out ([`ClientConfig::timeout`](crate::ClientConfig::timeout)).
        after: Duration,
        /// How many times the request was sent, retries included.
        attempts: u32,
    },

    /// Connection refused, reset, DNS, TLS...
    #[error("could not reach {url}: {message}")]
    Transport {
        /// The URL that could not be reached.
        url: String,
        /// What went wrong, secrets redacted, and the variable that sets
        /// the URL.
        message: String,
    },

    /// The server answered something we could not understand.
    #[error("could not decode the Llama API response: {message}")]
    Decode {
        /// What could not be decoded, and why.
        message: String,
    },

    /// A stream broke, ended early, or carried an error event.
    #[error("stream error: {message}")]
    Stream {
        /// What went wrong with the stream, secrets redacted.
        message: String,
    },

    /// Bad configuration: env var, attribute key, option, model id.
    #[error("{0}")]
    Config(String),

    /// A request that must not be sent (bad image, unsupported option...).
    /// Raised before anything reaches the network.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// A fixture could not be read, parsed or written, or replay had no match.
    #[error("{0}")]
    Fixture(String),

    /// The model-graded rubric could not produce a verdict.
    #[error("grader error: {0}")]
    Grader(String),
}

fn suggestion_suffix(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

/// The default hint of [`Error::Auth`], unless the message has its own.
fn auth_hint(message: &str) -> &'static str {
    if message.contains("Check that ") {
        ""
    } else {
        ". Check that LLAMA_API_KEY is set to a valid key"
    }
}

/// Removes anything that looks like a credential from text that came from
/// outside (server bodies, reqwest errors) before it is kept in an error, a
/// log line or a fixture: the live key value itself, and `Bearer <token>`.
pub fn redact_secrets(text: &str, key: Option<&str>) -> String {
    let mut out = text.to_owned();
    if let Some(key) = key.filter(|k| k.len() >= 4) {
        out = out.replace(key, "[REDACTED]");
    }
    // Any provider's key from the environment, whichever request this is.
    for secret in crate::providers::secret_values() {
        out = out.replace(&secret, "[REDACTED]");
    }
    let out = bearer_pattern().replace_all(&out, "Bearer [REDACTED]");
    sigv4_pattern()
        .replace_all(&out, "AWS4-HMAC-SHA256 [REDACTED]")
        .into_owned()
}

/// A SigV4 `Authorization` value (credential scope and signature).
fn sigv4_pattern() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"AWS4-HMAC-SHA256(?:\s+[A-Za-z]+=[^\s,\x22'()]*,?)+")
            .expect("constant regex is valid")
    })
}

fn bearer_pattern() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"(?i)bearer\s+[^\s\x22',}\]\[]+").expect("constant regex is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_sigv4_authorization() {
        let s = redact_secrets(
            "echo: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/bedrock/aws4_request, Signature=abc\" end",
            None,
        );
        assert!(!s.contains("AKIDEXAMPLE"), "{s}");
        assert!(!s.contains("Signature=abc"), "{s}");
        assert!(s.ends_with("\" end"), "{s}");
        // Only the credential goes: what follows it in a message stays.
        let s = redact_secrets(
            "(auth: AWS4-HMAC-SHA256 Credential=A/B, Signature=f00). Check that X is set",
            None,
        );
        assert!(s.ends_with(". Check that X is set"), "{s}");
    }

    #[test]
    fn redacts_key_and_bearer_tokens() {
        let s = redact_secrets(
            "key LLM|123|abc and header Bearer sk-secret.1 end",
            Some("LLM|123|abc"),
        );
        assert!(!s.contains("LLM|123|abc"));
        assert!(!s.contains("sk-secret"));
        assert!(s.contains("[REDACTED]"));
        assert_eq!(
            redact_secrets(&s, None),
            s,
            "redacting twice changes nothing"
        );
    }

    #[test]
    fn not_found_offers_suggestion() {
        let e = Error::NotFound {
            message: "model `Llama-3.3-70B` not found".into(),
            suggestion: Some("Llama-3.3-70B-Instruct".into()),
        };
        assert!(
            e.to_string()
                .contains("did you mean `Llama-3.3-70B-Instruct`?")
        );
    }
}
