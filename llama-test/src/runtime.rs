//! The tokio runtime every test of a binary shares, the test whose body
//! is running (for [`crate::Eval`]), and blocking on futures from sync code.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use crate::completion::Completion;
use crate::context::TestContext;
use crate::error::{Error, Result};
use crate::request::ChatRequest;

/// One multi-thread runtime per test binary, shared by every test, so the
/// shared client's connection pool and the replay server outlive each test.
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("llama-test")
            .enable_all()
            .build()
            .expect("the OS refused to start the llama-test runtime threads")
    })
}

tokio::task_local! {
    /// The context of the test whose body is running, for [`crate::Eval`].
    pub(crate) static CURRENT: Arc<TestContext>;
}

/// Sends a request through the current test's context, or fails clearly
/// when called outside a `#[llama_eval]` test.
pub(crate) async fn send_in_current(
    request: &ChatRequest,
) -> Result<(Completion, Arc<TestContext>)> {
    let context = CURRENT
        .try_with(Arc::clone)
        .map_err(|_| Error::Config("`Eval::run` was called outside a `#[llama_eval]` test (or from a thread or task the test spawned, which does not inherit it); call it from the body of the eval itself, so its calls are recorded in that test's fixture".into()))?;
    let completion = context.send(request).await?;
    crate::records::followup(&context, request, &completion);
    Ok((completion, context))
}

/// Runs a future to completion from synchronous code that may itself be
/// running inside the test's runtime (a sync test body).
pub(crate) fn block_on_nested<F: Future>(future: F) -> F::Output {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => tokio::task::block_in_place(|| handle.block_on(future)),
        Err(_) => runtime().block_on(future),
    }
}
