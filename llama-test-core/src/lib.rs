//! Knowledge shared by `llama-test-macros` (at compile time) and `llama-test`
//! (at run time), kept in one place so the two can never disagree: the
//! providers and how a model id names one, the Llama API's model catalogue,
//! the `llama-test.toml` file and the one "did you mean" rule.
//!
//! This is the sqlx pattern: the proc-macro crate stays thin and links this
//! plain library. Use the `llama-test` crate, which re-exports what is public.

pub mod catalogue;
pub mod config_file;
pub mod providers;
pub mod suggest;

pub use config_file::{ConfigFile, ModelConfig, ProviderConfig};
pub use providers::{ModelRef, Preset, ProviderKind};
