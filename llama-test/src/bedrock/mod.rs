//! AWS Bedrock's Converse API (`bedrock:` model ids), as pure functions over
//! JSON and bytes; the HTTP side belongs to [`crate::client`].
//!
//! Bedrock serves Llama only through Converse/InvokeModel (its
//! OpenAI-compatible endpoint does not cover Llama), so `bedrock:` has a wire
//! format of its own:
//!
//! | step | function |
//! |---|---|
//! | path | [`converse_path`]: `POST /model/{id}/converse` or `/converse-stream`, the id percent-encoded as the AWS SDKs encode an HTTP label (`:` is `%3A`) |
//! | host | [`endpoint_url`]: `https://bedrock-runtime.{region}.amazonaws.com` |
//! | body | [`converse_body`]: [`ChatRequest`](crate::ChatRequest) -> Converse JSON; an option Converse does not take is an error naming it, never dropped |
//! | auth | [`Auth::from_env`]: a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`, sent as a bearer token) or SigV4 from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`; [`sign`] signs with the `aws-sigv4` crate (service `bedrock`); region from [`region_from_env`] |
//! | answer | [`parse_converse`]: a Converse body -> [`Completion`](crate::Completion) |
//! | stream | [`FrameDecoder`] / [`decode_frames`]: AWS event-stream frames (`application/vnd.amazon.eventstream`, decoded by `aws-smithy-eventstream`) -> `(event type, JSON payload)`; [`ConverseStreamAssembler`] / [`assemble_stream`]: events -> [`Completion`](crate::Completion); [`encode_frames`] for replay and the simulator |
//!
//! Fixtures keep a streamed Converse answer as its decoded events (JSON),
//! never as the binary frames: replay re-encodes them with
//! [`encode_frames`], which frames and checksums them exactly as Bedrock
//! does, so the client reads replayed and live streams through one decoder.

mod auth;
mod eventstream;
mod request;
mod response;
#[cfg(any(test, feature = "sim"))]
mod sim;
mod stream;

pub use auth::{
    AWS_ACCESS_KEY_ID, AWS_BEARER_TOKEN_BEDROCK, AWS_DEFAULT_REGION, AWS_REGION,
    AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, Auth, AuthHeader, Credentials, RequestParts,
    SIGNING_SERVICE, region_from_env, sign,
};
pub use eventstream::{
    EVENT_STREAM_CONTENT_TYPE, FrameDecoder, decode_frames, encode_frames, strip_padding,
};
pub use request::converse_body;
pub use response::{error_message, parse_converse, stop_reason};
#[cfg(any(test, feature = "sim"))]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub use sim::{sim_converse_events, sim_converse_reply};
pub use stream::{ConverseStreamAssembler, assemble_stream};

/// The provider prefix of Bedrock model ids, as error messages name it.
pub const PROVIDER: &str = "bedrock";

/// The request path of Converse (`stream == false`) or ConverseStream for
/// `model_id` (a model id, inference-profile id or ARN).
///
/// The id is one path segment, percent-encoded exactly as the AWS SDKs
/// encode a Smithy `httpLabel` (the Rust SDK calls
/// `aws_smithy_http::label::fmt_string(id, EncodingStrategy::Default)`, the
/// JS SDK `extendedEncodeURIComponent`): `:` becomes `%3A` and `/` (in ARNs)
/// `%2F`. Send this path as is; SigV4 signs it encoded once more (`%253A`),
/// which [`sign`] does.
///
/// ```
/// use llama_test::bedrock::converse_path;
/// assert_eq!(
///     converse_path("meta.llama3-3-70b-instruct-v1:0", false),
///     "/model/meta.llama3-3-70b-instruct-v1%3A0/converse"
/// );
/// ```
pub fn converse_path(model_id: &str, stream: bool) -> String {
    let operation = if stream {
        "converse-stream"
    } else {
        "converse"
    };
    let id = aws_smithy_http::label::fmt_string(
        model_id,
        aws_smithy_http::label::EncodingStrategy::Default,
    );
    format!("/model/{id}/{operation}")
}

/// The Bedrock Runtime base URL of `region`, e.g.
/// `https://bedrock-runtime.us-east-1.amazonaws.com`.
pub fn endpoint_url(region: &str) -> String {
    format!("https://bedrock-runtime.{region}.amazonaws.com")
}

#[cfg(test)]
mod tests;
