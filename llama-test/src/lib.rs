//! llama-test: declarative LLM evals for Meta's Llama API inside `cargo test`.

pub mod catalogue;
pub mod checks;
pub mod client;
pub mod completion;
pub mod config;
pub mod error;
pub mod exchange;
pub mod output;
pub mod request;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use client::{Client, ClientConfig};
pub use completion::{Completion, RateLimitInfo, StopReason, ToolCall, Usage};
pub use config::Mode;
pub use error::{Error, Result};
pub use llama_test_macros::*;
pub use output::Output;
pub use request::{
    ChatRequest, ContentPart, Endpoint, JsonSchemaFormat, Message, Role, Sampling, Tool, ToolChoice,
};
