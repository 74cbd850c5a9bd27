//! Bedrock authentication: a Bedrock API key sent as a bearer token, or AWS
//! Signature Version 4 computed by the maintained `aws-sigv4` crate, from
//! the standard AWS environment variables.
//!
//! Nothing here prints a secret: the [`Debug`] forms of [`Credentials`],
//! [`Auth`] and [`AuthHeader`] redact the secret key, the session token, the
//! API key and the values of `Authorization` and `X-Amz-Security-Token`, and
//! the signer's own `trace` output (which holds the session token) is
//! silenced.

use std::fmt;
use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use crate::error::{Error, Result};

/// A Bedrock API key, sent as `Authorization: Bearer <key>`; when set it is
/// used instead of SigV4 (as the AWS SDKs do).
pub const AWS_BEARER_TOKEN_BEDROCK: &str = "AWS_BEARER_TOKEN_BEDROCK";
/// The access key id for SigV4.
pub const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
/// The secret access key for SigV4.
pub const AWS_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
/// The session token of temporary credentials (optional).
pub const AWS_SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
/// The region, e.g. `us-east-1`.
pub const AWS_REGION: &str = "AWS_REGION";
/// The region when [`AWS_REGION`] is not set.
pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
/// The SigV4 service name of the Bedrock Runtime endpoints (not
/// `bedrock-runtime`, the host prefix).
pub const SIGNING_SERVICE: &str = "bedrock";

const REDACTED: &str = "[REDACTED]";

/// Reads a variable; an empty value counts as unset.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// AWS credentials for SigV4.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
    /// `AWS_SESSION_TOKEN`, for temporary credentials.
    pub session_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The first four characters tell the key kind (`AKIA` long-term,
        // `ASIA` temporary) and nothing more.
        let id: String = self.access_key_id.chars().take(4).collect();
        f.debug_struct("Credentials")
            .field("access_key_id", &format!("{id}…"))
            .field("secret_access_key", &REDACTED)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| REDACTED),
            )
            .finish()
    }
}

impl Credentials {
    /// Credentials from their parts.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
        }
    }

    /// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional
    /// `AWS_SESSION_TOKEN`. A missing variable is an [`Error::Config`]
    /// naming it.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(&env_var)
    }

    pub(crate) fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        match (get(AWS_ACCESS_KEY_ID), get(AWS_SECRET_ACCESS_KEY)) {
            (Some(id), Some(secret)) => Ok(Credentials::new(id, secret, get(AWS_SESSION_TOKEN))),
            (Some(_), None) => Err(Error::Config(format!(
                "bedrock: {AWS_ACCESS_KEY_ID} is set but {AWS_SECRET_ACCESS_KEY} is not; set both \
                 to sign requests with SigV4"
            ))),
            (None, Some(_)) => Err(Error::Config(format!(
                "bedrock: {AWS_SECRET_ACCESS_KEY} is set but {AWS_ACCESS_KEY_ID} is not; set both \
                 to sign requests with SigV4"
            ))),
            (None, None) => Err(Error::Config(format!(
                "bedrock: no AWS credentials: set {AWS_BEARER_TOKEN_BEDROCK} (a Bedrock API key), \
                 or {AWS_ACCESS_KEY_ID} and {AWS_SECRET_ACCESS_KEY} (plus {AWS_SESSION_TOKEN} for \
                 temporary credentials)"
            ))),
        }
    }
}

/// How requests to Bedrock authenticate.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// A Bedrock API key: `Authorization: Bearer <key>`.
    ApiKey(String),
    /// SigV4 signing.
    SigV4(Credentials),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::ApiKey(_) => f.debug_tuple("ApiKey").field(&REDACTED).finish(),
            Auth::SigV4(credentials) => f.debug_tuple("SigV4").field(credentials).finish(),
        }
    }
}

impl Auth {
    /// `AWS_BEARER_TOKEN_BEDROCK` when set (it takes precedence, as in the
    /// AWS SDKs), else SigV4 credentials from [`Credentials::from_env`]. The
    /// error names the variables to set.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(&env_var)
    }

    pub(crate) fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        if let Some(key) = get(AWS_BEARER_TOKEN_BEDROCK) {
            return Ok(Auth::ApiKey(key));
        }
        Credentials::from_lookup(get).map(Auth::SigV4)
    }

    /// The headers that authenticate `request`: `authorization` for an API
    /// key; `x-amz-date`, `authorization` and (with a session token)
    /// `x-amz-security-token` for SigV4 (see [`sign`]).
    pub fn headers(
        &self,
        request: &RequestParts<'_>,
        region: &str,
        time: SystemTime,
    ) -> Result<Vec<AuthHeader>> {
        match self {
            Auth::ApiKey(key) => Ok(vec![AuthHeader::new(
                "authorization",
                format!("Bearer {key}"),
            )]),
            Auth::SigV4(credentials) => sign(request, credentials, region, time),
        }
    }
}

/// The region: `AWS_REGION`, then `AWS_DEFAULT_REGION`; neither set is an
/// [`Error::Config`] naming both.
pub fn region_from_env() -> Result<String> {
    region_from_lookup(&env_var)
}

pub(crate) fn region_from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<String> {
    get(AWS_REGION)
        .or_else(|| get(AWS_DEFAULT_REGION))
        .map(|r| r.trim().to_owned())
        .ok_or_else(|| {
            Error::Config(format!(
                "bedrock: no AWS region: set {AWS_REGION} (or {AWS_DEFAULT_REGION}), e.g. \
                 `{AWS_REGION}=us-east-1`"
            ))
        })
}

/// What SigV4 signs of a request.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// Upper-case method, `POST`.
    pub method: &'a str,
    /// The full URL exactly as it is sent, path already percent-encoded
    /// (see [`super::converse_path`]), e.g.
    /// `https://bedrock-runtime.us-east-1.amazonaws.com/model/meta.llama3-3-70b-instruct-v1%3A0/converse`.
    pub url: &'a str,
    /// Headers to sign, sent with the same values (`content-type`;
    /// `host` is taken from the URL when absent).
    pub headers: &'a [(&'a str, &'a str)],
    /// The exact body bytes that are sent.
    pub body: &'a [u8],
}

/// One header to add to the request. Its [`Debug`] form hides the value of
/// `authorization` and `x-amz-security-token`.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthHeader {
    name: String,
    value: String,
}

impl AuthHeader {
    fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        AuthHeader {
            name: name.into(),
            value: value.into(),
        }
    }

    /// The lower-case header name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header value (a secret for `authorization` and
    /// `x-amz-security-token`: never log it).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the value is a credential.
    pub fn is_secret(&self) -> bool {
        ["authorization", "x-amz-security-token"]
            .iter()
            .any(|n| self.name.eq_ignore_ascii_case(n))
    }
}

impl fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.is_secret() {
            REDACTED
        } else {
            &self.value
        };
        f.debug_tuple("AuthHeader")
            .field(&self.name)
            .field(&value)
            .finish()
    }
}

/// Signs `request` with SigV4 for service `bedrock` in `region` at `time`,
/// with the `aws-sigv4` crate's default settings, which are the AWS SDKs'
/// for Bedrock: the payload hash covers the body, the path is encoded once
/// more for the canonical request (`%3A` is signed as `%253A`) and
/// normalized, and the session token is signed. Returns the headers to add:
/// `x-amz-date`, `authorization` and, with a session token,
/// `x-amz-security-token`.
pub fn sign(
    request: &RequestParts<'_>,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> Result<Vec<AuthHeader>> {
    sign_for_service(request, credentials, region, SIGNING_SERVICE, time)
}

/// [`sign`] for any service name (the AWS test suite signs for `service`).
pub(crate) fn sign_for_service(
    request: &RequestParts<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<Vec<AuthHeader>> {
    let fail = |what: &str| Error::Config(format!("bedrock: could not sign the request: {what}"));
    // `aws-sigv4` expects an absolute URL (it panics on one without a host).
    let url = reqwest::Url::parse(request.url)
        .map_err(|e| fail(&format!("`{}` is not an absolute URL ({e})", request.url)))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(fail(&format!("`{}` has no host", request.url)));
    }
    let identity: Identity = aws_credential_types::Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
        credentials.session_token.clone(),
        None,
        "llama-test",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| fail(&e.to_string()))?
        .into();
    let signable = SignableRequest::new(
        request.method,
        request.url,
        request.headers.iter().copied(),
        SignableBody::Bytes(request.body),
    )
    .map_err(|e| fail(&e.to_string()))?;
    // `aws-sigv4` traces the canonical request, session token included, at
    // `trace` level: no subscriber sees the signing, so the token never
    // reaches a log whatever the user's `RUST_LOG`.
    let signed =
        tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::new(), || {
            aws_sigv4::http_request::sign(signable, &params)
        });
    let (instructions, _signature) = signed.map_err(|e| fail(&e.to_string()))?.into_parts();
    let (headers, _query) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| AuthHeader::new(h.name(), h.value()))
        .collect())
}
