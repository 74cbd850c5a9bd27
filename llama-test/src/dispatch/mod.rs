//! Suite-wide concurrent dispatch ("prefetch") of the subject requests.
//!
//! `cargo test` runs one test per thread, two threads on a small CI box, so
//! sending each eval's request from its own thread makes a live or record
//! run crawl at one or two requests per model latency. But the request an
//! eval declares is known without running its body. So when the first eval
//! of a test binary starts, the dispatcher:
//!
//! 1. reads which tests this run executes from the libtest arguments
//!    ([`filter`]): positional filters, `--exact`, `--skip`, `--ignored`,
//!    `--include-ignored`; `--list` sends nothing;
//! 2. for every selected `#[llama_eval]` test (from the link-time registry
//!    the macro fills), in libtest's order, spawns a task on the shared
//!    runtime that opens the test's own context and sends its samples
//!    ([`prefetch`]);
//! 3. keeps the tasks by test path ([`registry`]) until each test thread
//!    takes its own and runs the checks and the body as usual.
//!
//! The shared client bounds the whole suite: the per-family RPM/TPM limiter,
//! the `retry-after` pauses and the in-flight cap (64 by default).
//!
//! The dispatcher stays out of the way, and each test then sends its own
//! requests as before, when `LLAMA_TEST_PREFETCH=0`, under nextest (one
//! process per test: `NEXTEST` is set), when the run selects at most one
//! test (e.g. `--exact` with one name), or when the arguments are not
//! libtest's.

mod filter;
mod prefetch;
mod registry;

use std::sync::OnceLock;

pub(crate) use prefetch::Prefetched;
pub(crate) use registry::Pending;

use crate::__private::{EvalRegistration, EvalSpec};
use crate::config::env_var;
use crate::context::libtest_path;
use crate::error::{Error, Result};
use filter::Selection;
use registry::Registry;

/// The variable that turns the prefetch off (`0`) or on (`1`, the default).
pub const PREFETCH_ENV: &str = "LLAMA_TEST_PREFETCH";

/// The prefetch of `spec`'s test, when the dispatcher is sending its
/// requests; `None` when the test must send them itself. Starts the
/// dispatcher on the first call of the process.
pub(crate) fn take(spec: &'static EvalSpec) -> Result<Option<Pending>> {
    if !prefetch_enabled()? {
        return Ok(None);
    }
    static DISPATCHED: OnceLock<Registry> = OnceLock::new();
    let registry = DISPATCHED.get_or_init(dispatch_selected);
    Ok(registry.take(&test_path(spec)))
}

/// `LLAMA_TEST_PREFETCH`: on unless set to `0`/`false`/`off`/`no`.
fn prefetch_enabled() -> Result<bool> {
    match env_var(PREFETCH_ENV)?.as_deref().map(str::trim) {
        None | Some("1" | "true" | "on" | "yes") => Ok(true),
        Some("0" | "false" | "off" | "no") => Ok(false),
        Some(other) => Err(Error::Config(format!(
            "{PREFETCH_ENV} is `{other}`; expected `1` (send the requests of all selected \
             tests concurrently, the default) or `0` (each test sends its own)"
        ))),
    }
}

fn test_path(spec: &EvalSpec) -> String {
    libtest_path(spec.module_path, spec.test_name)
}

/// Spawns the prefetch of every test this run executes.
fn dispatch_selected() -> Registry {
    let registry = Registry::default();
    if env_var("NEXTEST").ok().flatten().is_some() {
        tracing::debug!("llama-test: running under nextest; each test sends its own requests");
        return registry;
    }
    let selection = match Selection::from_args(std::env::args_os().skip(1)) {
        Ok(selection) => selection,
        Err(why) => {
            tracing::debug!(%why, "llama-test: not a libtest command line; no prefetch");
            return registry;
        }
    };
    if !selection.runs_tests() {
        return registry;
    }
    let selected = select(
        &selection,
        inventory::iter::<EvalRegistration>().map(|r| r.0),
    );
    if selected.len() < 2 || selection.is_single_exact() {
        return registry;
    }
    tracing::debug!(
        tests = selected.len(),
        "llama-test: dispatching the selected evals concurrently"
    );
    let runtime = crate::runtime::runtime();
    for (path, spec) in selected {
        registry.insert(path, runtime.spawn(prefetch::fetch(spec)));
    }
    registry
}

/// The registered evals `selection` runs, in libtest's (alphabetical)
/// order, so the first tests' answers arrive first.
fn select(
    selection: &Selection,
    specs: impl Iterator<Item = &'static EvalSpec>,
) -> Vec<(String, &'static EvalSpec)> {
    let mut selected: Vec<_> = specs
        .map(|spec| (test_path(spec), spec))
        .filter(|(path, spec)| selection.selects(path, spec.ignored))
        .collect();
    selected.sort_by(|a, b| a.0.cmp(&b.0));
    selected.dedup_by(|a, b| a.0 == b.0);
    selected
}
