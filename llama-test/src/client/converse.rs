//! The client side of Bedrock Converse (`bedrock:` model ids): signing each
//! attempt, Bedrock's error bodies, and reading a Converse answer or an
//! `application/vnd.amazon.eventstream` ConverseStream. The wire format
//! itself is [`crate::bedrock`].

use std::time::{Instant, SystemTime};

use futures_util::StreamExt;
use reqwest::Response;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::ClientConfig;
use super::http::{error_chain, timeout_error};
use super::read::Expect;
use super::retry::Failure;
use crate::bedrock::{self, Auth, ConverseStreamAssembler, Credentials, FrameDecoder};
use crate::completion::Completion;
use crate::error::{Error, redact_secrets};
use crate::exchange::{RecordedBody, RecordedEvent};

/// Bedrock error types that mean the credentials are wrong, expired or
/// lack access, whatever the status says.
const AUTH_ERRORS: &[&str] = &[
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignatureException",
    "MissingAuthenticationTokenException",
    "ExpiredTokenException",
];

/// How a Converse request authenticates and what it expects back.
#[derive(Debug)]
pub(crate) struct Converse {
    /// SigV4 signing, when live without a Bedrock API key.
    pub sigv4: Option<SigV4>,
    /// Which credentials a live request carries, for error hints; `None`
    /// in replay.
    pub credentials: Option<CredentialKind>,
    /// ConverseStream (`Accept: application/vnd.amazon.eventstream`).
    pub stream: bool,
}

/// Which credentials a live request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CredentialKind {
    ApiKey,
    SigV4,
}

/// SigV4 credentials and the region they sign for.
#[derive(Debug)]
pub(crate) struct SigV4 {
    pub credentials: Credentials,
    pub region: String,
}

impl Converse {
    /// Replay (or any run under one base URL): nothing signed.
    pub fn unsigned(stream: bool) -> Self {
        Converse {
            sigv4: None,
            credentials: None,
            stream,
        }
    }

    /// A live request: a Bedrock API key travels as the route's key (a
    /// bearer token, see [`crate::providers::Auth::Aws`]); SigV4 signs
    /// each attempt.
    pub fn live(auth: Auth, region: String, stream: bool) -> (Option<String>, Self) {
        match auth {
            Auth::ApiKey(key) => (
                Some(key),
                Converse {
                    sigv4: None,
                    credentials: Some(CredentialKind::ApiKey),
                    stream,
                },
            ),
            Auth::SigV4(credentials) => (
                None,
                Converse {
                    sigv4: Some(SigV4 {
                        credentials,
                        region,
                    }),
                    credentials: Some(CredentialKind::SigV4),
                    stream,
                },
            ),
        }
    }

    /// The secrets besides the route's key: SigV4's secret key and session
    /// token.
    pub fn secrets(&self) -> Vec<&str> {
        let Some(sigv4) = &self.sigv4 else {
            return Vec::new();
        };
        let mut secrets = vec![sigv4.credentials.secret_access_key.as_str()];
        secrets.extend(sigv4.credentials.session_token.as_deref());
        secrets
    }

    /// The `Accept` header.
    pub fn accept(&self) -> &'static str {
        if self.stream {
            bedrock::EVENT_STREAM_CONTENT_TYPE
        } else {
            "application/json"
        }
    }

    /// The SigV4 headers for one attempt (`x-amz-date`, `authorization`
    /// and `x-amz-security-token`), over exactly the URL and body bytes
    /// sent and the `content-type` header; none without SigV4. Credential
    /// values are marked sensitive.
    pub fn signed_headers(
        &self,
        method: &str,
        url: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<Vec<(HeaderName, HeaderValue)>, Error> {
        let Some(sigv4) = &self.sigv4 else {
            return Ok(Vec::new());
        };
        let parts = bedrock::RequestParts {
            method,
            url,
            headers: &[("content-type", content_type)],
            body,
        };
        let headers = bedrock::sign(&parts, &sigv4.credentials, &sigv4.region, SystemTime::now())?;
        headers
            .into_iter()
            .map(|h| {
                let invalid = || {
                    Error::Config(format!(
                        "bedrock: the SigV4 `{}` header is not a valid HTTP header value; check \
                         that {} and {} hold no control characters",
                        h.name(),
                        bedrock::AWS_ACCESS_KEY_ID,
                        bedrock::AWS_SESSION_TOKEN
                    ))
                };
                let name = HeaderName::from_bytes(h.name().as_bytes()).map_err(|_| invalid())?;
                let mut value = HeaderValue::from_str(h.value()).map_err(|_| invalid())?;
                value.set_sensitive(h.is_secret());
                Ok((name, value))
            })
            .collect()
    }

    /// A Bedrock error response as a typed error: `{"message": ...}` with
    /// the error type from `x-amzn-errortype` (or the body's `__type`).
    /// 429 `ThrottlingException` is [`Error::RateLimited`] (retried), auth
    /// failures are [`Error::Auth`] naming the AWS variables.
    pub fn status_error(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &str,
        attempts: u32,
        retry_after: Option<std::time::Duration>,
    ) -> Error {
        let parsed: Option<Value> = serde_json::from_str(body.trim()).ok();
        let kind = error_type(headers, parsed.as_ref());
        let text = parsed
            .as_ref()
            .and_then(bedrock::error_message)
            .unwrap_or_else(|| crate::wire::errors::error_message(body));
        let mut message = match &kind {
            Some(kind) => format!("bedrock: {kind}: {text}"),
            None => format!("bedrock: {text}"),
        };
        for secret in self.secrets() {
            message = redact_secrets(&message, Some(secret));
        }
        let message = redact_secrets(&message, None);
        let is_auth = matches!(status, 401 | 403)
            || kind.as_deref().is_some_and(|k| AUTH_ERRORS.contains(&k));
        if is_auth {
            return Error::Auth {
                status,
                message: format!("{message}. {}", self.auth_hint()),
            };
        }
        crate::wire::errors::typed_error(status, message, attempts, retry_after, None)
    }

    /// What to check after an auth failure (the [`Error::Auth`] message
    /// then names these variables, not `LLAMA_API_KEY`).
    fn auth_hint(&self) -> String {
        use bedrock::{
            AWS_ACCESS_KEY_ID, AWS_BEARER_TOKEN_BEDROCK, AWS_REGION, AWS_SECRET_ACCESS_KEY,
            AWS_SESSION_TOKEN,
        };
        match self.credentials {
            Some(CredentialKind::ApiKey) => format!(
                "Check that {AWS_BEARER_TOKEN_BEDROCK} holds a valid, unexpired Bedrock API key \
                 for the region in {AWS_REGION}, with access to the model (it is used instead of \
                 {AWS_ACCESS_KEY_ID}/{AWS_SECRET_ACCESS_KEY} when set)"
            ),
            Some(CredentialKind::SigV4) => format!(
                "Check that {AWS_ACCESS_KEY_ID} and {AWS_SECRET_ACCESS_KEY} (plus \
                 {AWS_SESSION_TOKEN} for temporary credentials) are valid and unexpired, that \
                 {AWS_REGION} is the region of the model, and that the account has access to \
                 the model"
            ),
            None => format!(
                "Check that {AWS_BEARER_TOKEN_BEDROCK}, or {AWS_ACCESS_KEY_ID} and \
                 {AWS_SECRET_ACCESS_KEY}, are set to valid credentials"
            ),
        }
    }
}

/// `ThrottlingException` from `x-amzn-errortype:
/// ThrottlingException:http://internal.amazon.com/...`, else from the
/// body's `__type` (`com.amazon.coral.service#UnrecognizedClientException`).
fn error_type(headers: &HeaderMap, body: Option<&Value>) -> Option<String> {
    let from_header = headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(':').next().unwrap_or(v));
    let from_body = || {
        body?
            .get("__type")?
            .as_str()
            .map(|t| t.rsplit('#').next().unwrap_or(t))
    };
    from_header
        .or_else(from_body)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| crate::excerpt::trim_chars(t, 80))
}

/// Reads a 2xx Converse response: a JSON body ([`bedrock::parse_converse`])
/// or an event stream ([`FrameDecoder`] + [`ConverseStreamAssembler`]),
/// whichever the content type says.
pub(crate) async fn read(
    response: Response,
    started: Instant,
    expect: &Expect<'_>,
    config: &ClientConfig,
    attempt: u32,
) -> Result<(Completion, RecordedBody), Failure> {
    let is_event_stream = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(bedrock::EVENT_STREAM_CONTENT_TYPE));
    if is_event_stream {
        return read_event_stream(response, started, expect, config, attempt).await;
    }
    let bytes = super::read::read_capped(response, config, attempt).await?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        Failure::fatal(Error::Decode {
            message: format!(
                "bedrock: the Converse body is not JSON ({e}): {}",
                crate::wire::response::snippet(&String::from_utf8_lossy(&bytes))
            ),
        })
    })?;
    let mut completion = bedrock::parse_converse(&value, expect.model).map_err(Failure::fatal)?;
    completion.latency = started.elapsed();
    Ok((completion, RecordedBody::Json(value)))
}

/// Decodes ConverseStream frames as they arrive, to the end of the body
/// (`metadata`, with usage, comes after `messageStop`). Failures after the
/// headers arrived are not retried, as for SSE.
async fn read_event_stream(
    response: Response,
    started: Instant,
    expect: &Expect<'_>,
    config: &ClientConfig,
    attempt: u32,
) -> Result<(Completion, RecordedBody), Failure> {
    let mut decoder = FrameDecoder::new();
    let mut assembler = ConverseStreamAssembler::new(expect.model);
    let mut recorded = Vec::new();
    let mut first_token = None;
    let mut chunks = std::pin::pin!(response.bytes_stream());
    let mut seen: u64 = 0;
    while let Some(chunk) = chunks.next().await {
        if let Ok(chunk) = &chunk {
            seen = seen.saturating_add(chunk.len() as u64);
            if seen > config.max_response_bytes {
                return Err(Failure::fatal(super::read::too_large(
                    config,
                    "event stream",
                )));
            }
        }
        let chunk = chunk.map_err(|e| {
            Failure::fatal(if e.is_timeout() {
                timeout_error(config, attempt)
            } else {
                Error::Stream {
                    message: format!(
                        "bedrock: the connection failed mid-stream: {}",
                        error_chain(&e)
                    ),
                }
            })
        })?;
        for (event, mut payload) in decoder.push(&chunk).map_err(Failure::fatal)? {
            bedrock::strip_padding(&mut payload);
            if assembler.push(&event, &payload).map_err(Failure::fatal)? && first_token.is_none() {
                first_token = Some(started.elapsed());
            }
            recorded.push(RecordedEvent::new(event, payload));
        }
    }
    decoder.finish().map_err(Failure::fatal)?;
    let mut completion = assembler.finish().map_err(Failure::fatal)?;
    completion.latency = started.elapsed();
    completion.time_to_first_token = first_token;
    Ok((completion, RecordedBody::EventStream(recorded)))
}
