//! What `#[llama_eval]` and `promptfoo_suite!` expand to calls into this
//! module. Not public API: names here may change in any release. It only
//! re-exports; the spec types live in `spec.rs`, the test runner in
//! `runner.rs`.

pub use inventory;

pub use crate::config::Mode;
pub use crate::request::{Endpoint, Sampling};
pub use crate::runner::{BoxedBody, run};
pub use crate::snapshot::{snapshot_content, snapshot_guard};
pub use crate::spec::{AgentSpec, AssertSpec, EvalRegistration, EvalSpec, FileSpec, ImageSpec};
pub use insta;
