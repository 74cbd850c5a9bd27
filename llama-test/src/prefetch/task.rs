//! What the prefetch does for one selected test: open the test's own
//! context (so recordings land in its fixture) and send its subject request
//! once per `repeat` sample, one after another, so a replay serves the
//! samples in recorded order.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::completion::Completion;
use crate::context::TestContext;
use crate::error::{Error, Result};
use crate::prepare::Prepared;
use crate::spec::EvalSpec;

/// One test's context and the answers already fetched for it.
pub(crate) struct Prefetched {
    pub context: Arc<TestContext>,
    /// The request and checks, when they could be built; `None` leaves it
    /// to the test, which builds them again and reports why not.
    pub prepared: Option<Prepared>,
    /// One entry per sample, in order. Sending stops at the first error,
    /// which is then the last entry.
    pub samples: VecDeque<Result<Completion>>,
}

impl Prefetched {
    /// The next sample's answer, or `None` when the test must send it
    /// itself.
    pub fn next_sample(&mut self) -> Option<Result<Completion>> {
        self.samples.pop_front()
    }
}

/// Opens `spec`'s context and fetches its samples. `Err` means the context
/// could not be opened (missing fixture, bad mode...); the error belongs
/// to this test alone.
pub(crate) async fn fetch(spec: &'static EvalSpec) -> Result<Prefetched> {
    let context = Arc::new(TestContext::for_spec(spec)?);
    let mut samples = VecDeque::new();
    // A request that cannot be built, or checks that cannot be parsed, fail
    // the same way in the test thread, which then reports it; nothing is
    // sent (or paid for) here.
    let prepared = crate::prepare::prepare(spec).ok();
    if let Some(prepared) = &prepared {
        crate::progress::expect(context.info.mode, spec.repeat.max(1) as usize);
        for _ in 0..spec.repeat.max(1) {
            let answer = context.send_prefetch(&prepared.request).await;
            let failed = answer.is_err();
            samples.push_back(answer);
            if failed {
                break;
            }
        }
    }
    Ok(Prefetched {
        context,
        prepared,
        samples,
    })
}

/// The error a test reports when its prefetch task itself died.
pub(crate) fn lost_task(test_path: &str, error: &tokio::task::JoinError) -> Error {
    let why = if error.is_panic() {
        "panicked"
    } else {
        "was cancelled"
    };
    Error::Config(format!(
        "the prefetch of `{test_path}` {why}; this is a llama-test bug. \
         Run with LLAMA_TEST_PREFETCH=0 to send each test's requests from its own thread"
    ))
}
