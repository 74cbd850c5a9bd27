//! The Llama API wire format: request bodies, response parsing, stream
//! assembly and error bodies, for the native (`/v1`) and the
//! OpenAI-compatible (`/compat/v1`) endpoints. Pure functions over JSON and
//! strings; the HTTP side lives in [`crate::client`].

pub mod errors;
pub mod request;
pub mod response;
pub mod sse;
pub mod stream;

pub use errors::{error_message, is_generation_failure, message_from_value, status_error};
pub use request::{provider_body, request_body};
pub use response::parse_completion;
pub use stream::StreamAssembler;
