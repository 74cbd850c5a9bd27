//! The `llama-test` command line tool, as a library so its parts can be
//! tested: finding and loading runs ([`runs`]), the per-model and per-case
//! view of a run ([`summary`]), the report formats ([`html`], [`junit`],
//! [`markdown`], [`json`]), comparing two runs ([`compare`]) and fixture
//! hygiene ([`fixtures`]), and turning a promptfoo config into `#[llama_eval]`
//! evals ([`convert`]).

pub mod compare;
pub mod convert;
pub mod fixtures;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod runs;
pub mod stats;
pub mod summary;
mod text;

pub use runs::{LoadedRun, find_run, latest_run, load_run};
pub use summary::Summary;
