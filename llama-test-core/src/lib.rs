//! Knowledge shared by `llama-test-macros` (at compile time) and `llama-test`
//! (at run time), kept in one place so the two can never disagree: the
//! providers and how a model id names one, the Llama API's model catalogue,
//! the `llama-test.toml` file, the one "did you mean" rule, the check kinds
//! of `assert(...)`, the image limits and format detection, the `{{var}}`
//! grammar and the parsers of the attribute's JSON files.
//!
//! This is the sqlx pattern: the proc-macro crate stays thin and links this
//! plain library. Use the `llama-test` crate, which re-exports what is public.

pub mod catalogue;
pub mod checks;
pub mod choices;
pub mod config_file;
pub mod files;
pub mod images;
pub mod names;
pub mod promptfoo;
mod promptfoo_trajectory;
pub mod providers;
pub mod sampling;
pub mod suggest;
pub mod template;

pub use config_file::{ConfigFile, ModelConfig, ProviderConfig};
pub use providers::{ModelRef, Preset, ProviderKind};
