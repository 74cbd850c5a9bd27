//! Result records: one JSON line per eval sample, for reports.
//!
//! Every `#[llama_eval]` sample (and every eval that errors before it has
//! an answer) appends a [`Record`] to
//! `target/llama-test/runs/<run id>/<process id>.jsonl`: the test's path,
//! file and line, provider and model, the case's variables, the request's
//! messages (trimmed), the answer (text, tool calls, reasoning), every check
//! with its verdict, score, threshold and reason, latency, time to first
//! token, tokens, estimated cost ([`crate::pricing`]), the fixture, the mode
//! and the sample index. The `llama-test` command line tool
//! (`llama-test report`) turns a run into HTML, JUnit XML, JSON and Markdown.
//!
//! | variable | effect |
//! |---|---|
//! | `LLAMA_TEST_RUN_DIR=<dir>` | write into `<dir>` instead (groups any processes you like into one run) |
//! | `LLAMA_TEST_RECORDS=0` | write no records |
//!
//! **One run per `cargo test`.** All test binaries of one `cargo test` (and
//! all processes of one `cargo nextest run`) share a run id, derived from
//! the parent cargo process (see [`run_id`]); a binary started any other way
//! is a run of its own unless `LLAMA_TEST_RUN_DIR` says otherwise.
//!
//! **Safe to append.** Each process writes its own file, one whole line per
//! `write(2)`, under a lock; a killed run leaves whole lines, and readers
//! skip a line a kill cut short ([`read_run`] lists it in `skipped`).
//!
//! **No secrets.** Records never hold request headers; every line passes
//! [`crate::error::redact_secrets`] (the key values of every provider in
//! the environment, `Bearer ...`, SigV4 `Authorization` values) before it
//! is written.

mod build;
mod read;
mod record;
mod run_dir;
mod writer;

pub use read::{Run, list_runs, read_run};
pub use record::{
    Answer, Call, CheckRecord, RECORD_VERSION, Record, RecordedMessage, RecordedToolCall,
    TokenUsage,
};
pub use run_dir::{RECORDS_ENV, RUN_DIR_ENV, rfc3339, run_id, runs_root, target_dir};
pub use writer::{enabled, path};

use crate::checks::{Report, Verdict};
use crate::completion::Completion;
use crate::context::TestContext;
use crate::error::Error;
use crate::request::ChatRequest;
use crate::spec::EvalSpec;

/// Records one finished sample.
pub(crate) fn sample(
    spec: &EvalSpec,
    context: &TestContext,
    request: &ChatRequest,
    completion: &Completion,
    report: &Report,
    verdict: Verdict,
    message: Option<String>,
) {
    if !enabled() {
        return;
    }
    let mut record = build::base(spec, Some(context));
    build::with_answer(&mut record, context, request, completion);
    build::with_report(&mut record, report, spec.asserts);
    record.verdict = verdict.label().to_owned();
    record.message = message.map(|m| crate::excerpt::trim_chars(&m, 4_000));
    record.followups = std::mem::take(&mut *context.followups());
    writer::append(record);
}

/// Records a sample that errored before it had a checked answer.
pub(crate) fn errored(
    spec: &EvalSpec,
    context: Option<&TestContext>,
    request: Option<&ChatRequest>,
    error: &Error,
) {
    if !enabled() {
        return;
    }
    let mut record = build::base(spec, context);
    if let Some(request) = request {
        record.messages = build::messages(request);
    }
    record.verdict = Verdict::Error.label().to_owned();
    record.message = Some(crate::excerpt::trim_chars(&error.to_string(), 4_000));
    if let Some(context) = context {
        record.followups = std::mem::take(&mut *context.followups());
    }
    writer::append(record);
}

/// Keeps a call the body made with [`crate::Eval`] for the sample's record.
pub(crate) fn followup(context: &TestContext, request: &ChatRequest, completion: &Completion) {
    if enabled() {
        let call = build::call(context, request, completion);
        context.followups().push(call);
    }
}

/// The cost of a subject answer, for `max_cost`.
pub(crate) fn cost(
    context: &TestContext,
    request: &ChatRequest,
    completion: &Completion,
) -> Option<f64> {
    build::cost(context, &request.model, completion)
}
