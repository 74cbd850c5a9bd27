//! llama-test: declarative LLM evals for Meta's Llama API inside `cargo test`.

pub mod catalogue;
pub mod checks;
pub mod client;
pub mod completion;
pub mod config;
mod context;
mod dispatch;
pub mod error;
mod eval;
pub mod exchange;
pub mod fixtures;
pub mod images;
mod output;
mod output_asserts;
pub mod request;
mod runtime;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;
mod snapshot;
mod spec;
pub mod template;
pub mod wire;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use client::{Client, ClientConfig};
pub use completion::{Completion, RateLimitInfo, StopReason, ToolCall, Usage};
pub use config::Mode;
pub use error::{Error, Result};
pub use eval::Eval;
pub use llama_test_macros::llama_eval;
pub use output::Output;
pub use request::{
    ChatRequest, ContentPart, Endpoint, JsonSchemaFormat, Message, Role, Sampling, Tool, ToolChoice,
};

/// Everything a test file needs: `use llama_test::prelude::*;`.
pub mod prelude {
    pub use crate::{Eval, Message, Output, Tool, ToolChoice, assert_output_snapshot, llama_eval};
}
