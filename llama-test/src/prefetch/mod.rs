//! The suite-wide prefetch: the subject requests of every selected eval,
//! sent ahead of the test threads.
//!
//! `cargo test` runs one test per thread, two threads on a small CI box, so
//! sending each eval's request from its own thread makes a live or record
//! run crawl at one or two requests per model latency. But the request an
//! eval declares is known without running its body. So when the first eval
//! of a test binary starts, the prefetch:
//!
//! 1. reads which tests this run executes from the libtest arguments
//!    ([`filter`]): positional filters, `--exact`, `--skip`, `--ignored`,
//!    `--include-ignored`; `--list` sends nothing;
//! 2. for every selected `#[llama_eval]` test (from the link-time registry
//!    the macro fills), in libtest's order, spawns a task on the shared
//!    runtime that opens the test's own context and sends its samples
//!    ([`task`]), at most [`WINDOW`] tests ahead of the test threads
//!    (so memory stays flat however many evals a binary holds);
//! 3. keeps the tasks by test path ([`registry`]) until each test thread
//!    takes its own and runs the checks and the body as usual; a thread
//!    that arrives before its test's task started sends its own.
//!
//! The shared client bounds the whole suite: the per-family RPM/TPM limiter,
//! the `retry-after` pauses and the in-flight cap (64 by default).
//!
//! The prefetch stays out of the way, and each test then sends its own
//! requests as before, when `LLAMA_TEST_PREFETCH=0`, under nextest (one
//! process per test: `NEXTEST` is set), when the run selects at most one
//! test (e.g. `--exact` with one name), or when the arguments are not
//! libtest's.

mod filter;
mod registry;
mod task;

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

pub(crate) use registry::Pending;
pub(crate) use task::Prefetched;

use crate::context::libtest_path;
use crate::error::Result;
use crate::settings::Settings;
use crate::spec::{EvalRegistration, EvalSpec};
use filter::Selection;
use registry::Registry;

/// The pending answers of `spec`'s test when the suite-wide prefetch sends
/// its requests; `None` when the test must send them itself. Starts the
/// prefetch on the first call of the process.
pub(crate) fn take(spec: &'static EvalSpec) -> Result<Option<Pending>> {
    if !Settings::get()?.prefetch {
        return Ok(None);
    }
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    static STARTED: std::sync::Once = std::sync::Once::new();
    let registry = REGISTRY.get_or_init(Registry::default);
    STARTED.call_once(|| prefetch_selected(registry));
    Ok(registry.take(&test_path(spec)))
}

fn test_path(spec: &EvalSpec) -> String {
    libtest_path(spec.module_path, spec.test_name)
}

/// Queues the prefetch of every test this run executes.
fn prefetch_selected(registry: &'static Registry) {
    if Settings::get().is_ok_and(|s| s.nextest) {
        tracing::debug!("llama-test: running under nextest; each test sends its own requests");
        return;
    }
    let selection = match Selection::from_args(std::env::args_os().skip(1)) {
        Ok(selection) => selection,
        Err(why) => {
            tracing::debug!(%why, "llama-test: not a libtest command line; no prefetch");
            return;
        }
    };
    if !selection.runs_tests() {
        return;
    }
    let selected = select(
        &selection,
        inventory::iter::<EvalRegistration>().map(|r| r.0),
    );
    if selected.len() < 2 || selection.is_single_exact() {
        return;
    }
    tracing::debug!(
        tests = selected.len(),
        window = WINDOW,
        "llama-test: prefetching the selected evals concurrently"
    );
    for (path, _) in &selected {
        registry.queue(path.clone());
    }
    let window = Arc::new(Semaphore::new(WINDOW));
    let runtime = crate::runtime::runtime();
    // The first window's worth starts now, before the first test looks.
    let mut selected = selected.into_iter();
    let mut later = Vec::new();
    for (path, spec) in selected.by_ref() {
        match Arc::clone(&window).try_acquire_owned() {
            Ok(slot) => {
                registry.start(&path, slot, || runtime.spawn(task::fetch(spec)));
            }
            Err(_) => {
                later.push((path, spec));
                break;
            }
        }
    }
    later.extend(selected);
    runtime.spawn(start_in_order(registry, window, later));
}

/// How many prefetched tests may wait for their threads at once: twice
/// the client's default in-flight cap, enough to keep it full at any
/// latency, while memory stays bounded however many tests a binary holds.
const WINDOW: usize = 128;

/// Starts the prefetches in libtest's order, each once a window slot is
/// free; a slot comes back when its test takes its answers.
async fn start_in_order(
    registry: &'static Registry,
    window: Arc<Semaphore>,
    selected: Vec<(String, &'static EvalSpec)>,
) {
    for (path, spec) in selected {
        let Ok(slot) = Arc::clone(&window).acquire_owned().await else {
            return;
        };
        registry.start(&path, slot, || tokio::spawn(task::fetch(spec)));
    }
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
