//! The seed page's examples ("Meta Llama API" provider, promptfoo), written
//! as `#[llama_eval]` tests. They replay the traffic recorded in
//! `fixtures/`, so they run offline with no key:
//!
//! ```sh
//! cargo test -p llama-test-examples
//! ```
//!
//! One module per feature of the page; `cargo test tool_calling` runs one.

mod agent;
mod converted;
mod json_output;
mod model_comparison;
mod multimodal;
mod promptfoo;
mod provider_options;
mod providers;
mod selection;
mod streaming;
mod text_generation;
mod tool_calling;
