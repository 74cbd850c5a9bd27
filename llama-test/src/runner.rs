//! Runs one generated test: context, sample(s), declared checks, body,
//! fixture, verdict. The samples' answers were usually sent ahead by the
//! suite-wide prefetch ([`crate::prefetch`]); the test then only awaits
//! them.
//!
//! Outcomes stay apart in what the test prints: a failed check panics with
//! the check report ("llama-test FAIL"), anything that kept the eval from
//! running panics with "llama-test ERROR" and names what to fix.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;

use crate::checks::{CheckInput, Grading, Report, Verdict, evaluate_all};
use crate::completion::Completion;
use crate::context::TestContext;
use crate::error::{Error, Result};
use crate::notice::notice;
use crate::output::Output;
use crate::prepare::Prepared;
use crate::request::ChatRequest;
use crate::runtime::runtime;
use crate::spec::EvalSpec;

/// Runs one generated test: build the request, get the answer (live, record
/// or replay), run the declared checks, then the body. Panics on failure.
///
/// Generic only as a thin shim: the body is boxed here so the runtime is
/// compiled once per binary, not once per generated test (this keeps a file
/// of hundreds of evals cheap to compile).
pub fn run<F, Fut>(spec: &'static EvalSpec, body: F)
where
    F: Fn(crate::output::Output) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let boxed: BoxedBody = Box::new(move |out| Box::pin(body(out)));
    run_boxed(spec, boxed)
}

/// The one body type the runtime is instantiated with.
pub type BoxedBody =
    Box<dyn Fn(crate::output::Output) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>;

/// What one sample produced.
enum Sample {
    Passed,
    Failed(String),
    Panicked(Box<dyn std::any::Any + Send>),
}

/// The runner proper, instantiated once per binary with [`BoxedBody`].
fn run_boxed(spec: &'static EvalSpec, body: BoxedBody) {
    let label = test_label(spec);
    let (context, mut answers) = match start(spec) {
        Ok(started) => started,
        Err(e) => {
            crate::records::errored(spec, None, None, &e);
            error_panic(&label, &e, None)
        }
    };
    let outcome = runtime().block_on(crate::runtime::CURRENT.scope(
        Arc::clone(&context),
        run_samples(spec, &context, &mut answers, &body),
    ));
    let samples = match outcome {
        Ok(samples) => samples,
        Err(e) => {
            let _ = context.finish(false);
            error_panic(&label, &e, Some(&context));
        }
    };
    if let Err(e) = context.finish(true) {
        error_panic(&label, &e, Some(&context));
    }
    verdict(spec, &context, samples);
}

/// The test's context, and its subject answers when the prefetch already
/// sent them (see [`crate::prefetch`]); otherwise a fresh context.
fn start(spec: &'static EvalSpec) -> Result<(Arc<TestContext>, Answers)> {
    match crate::prefetch::take(spec)? {
        Some(pending) => {
            let prefetched = runtime().block_on(pending.wait())?;
            Ok((
                Arc::clone(&prefetched.context),
                Answers::Prefetched(Box::new(prefetched)),
            ))
        }
        None => Ok((Arc::new(TestContext::for_spec(spec)?), Answers::SendEach)),
    }
}

/// Where the subject answers come from.
enum Answers {
    /// Sent by the prefetch ahead of the test.
    Prefetched(Box<crate::prefetch::Prefetched>),
    /// Sent by the test itself, one sample at a time.
    SendEach,
}

impl Answers {
    /// The request and checks the prefetch already built, if it did.
    fn take_prepared(&mut self) -> Option<Prepared> {
        match self {
            Answers::Prefetched(prefetched) => prefetched.prepared.take(),
            Answers::SendEach => None,
        }
    }

    async fn next(&mut self, context: &TestContext, request: &ChatRequest) -> Result<Completion> {
        if let Answers::Prefetched(prefetched) = self
            && let Some(answer) = prefetched.next_sample()
        {
            return answer;
        }
        context.send(request).await
    }
}

async fn run_samples<F, Fut>(
    spec: &EvalSpec,
    context: &Arc<TestContext>,
    answers: &mut Answers,
    body: &F,
) -> Result<Vec<Sample>>
where
    F: Fn(Output) -> Fut,
    Fut: Future<Output = ()>,
{
    let Prepared {
        request,
        assertions,
    } = match answers.take_prepared() {
        Some(prepared) => prepared,
        None => crate::prepare::prepare(spec)
            .inspect_err(|e| crate::records::errored(spec, Some(context), None, e))?,
    };
    let grader = context.grader();
    let grading = Grading::new(&grader).default_model(&context.info.grader_model);
    let repeat = spec.repeat.max(1);
    let mut samples = Vec::with_capacity(repeat as usize);
    for sample in 0..repeat {
        context.info.start_sample(sample);
        let errored = |e: &Error| crate::records::errored(spec, Some(context), Some(&request), e);
        let first = answers.next(context, &request).await.inspect_err(errored)?;
        let mut output = Output::new(first, request.clone(), Arc::clone(context));
        if let Some(agent) = &spec.agent {
            output = crate::agent_attr::run(agent, output)
                .await
                .inspect_err(errored)?;
        }
        // After a loop, the last turn's request and answer are checked.
        let (last_request, completion) = (output.request(), output.completion());
        let cost = crate::records::cost(context, last_request, completion);
        let prompt = request.prompt_text();
        let input = CheckInput::new(completion)
            .with_tools(&last_request.tools)
            .with_cost(cost)
            .with_context(prompt.as_deref(), spec.vars)
            .with_trajectory(output.trajectory());
        let report = evaluate_all(&assertions, &input, Some(&grading), spec.threshold).await;
        let report = crate::agent_attr::with_step_limit(report, output.trajectory());
        let record = |verdict, message| {
            let (r, c) = (&report, completion);
            crate::records::sample(spec, context, last_request, c, r, verdict, message)
        };
        if let Some(error) = report_error(&report) {
            record(Verdict::Error, Some(error.to_string()));
            return Err(error);
        }
        let failed = || Sample::Failed(format!("{report}{}", failure_note(completion)));
        if !report.passed() && repeat == 1 {
            record(Verdict::Fail, None);
            samples.push(failed());
            continue;
        }
        let body_result = AssertUnwindSafe(body(output.clone())).catch_unwind().await;
        let sample = match (report.passed(), body_result) {
            (true, Ok(())) => Sample::Passed,
            (false, _) => failed(),
            (true, Err(payload)) => Sample::Panicked(payload),
        };
        match &sample {
            Sample::Passed => record(Verdict::Pass, None),
            Sample::Failed(_) => record(Verdict::Fail, None),
            Sample::Panicked(p) => record(Verdict::Fail, Some(panic_message(p.as_ref()))),
        }
        samples.push(sample);
    }
    Ok(samples)
}

/// What explains a failed report but is not in it: the server refused
/// what the model generated (the output is then empty), or the answer was
/// cut at `max_tokens`.
fn failure_note(completion: &Completion) -> String {
    let mut note = String::new();
    if let Some(reason) = &completion.generation_error {
        note.push_str(&format!(
            "\nthe server rejected what the model generated: {reason}"
        ));
    }
    if completion.stop_reason == Some(crate::completion::StopReason::Length) {
        note.push_str("\nstop_reason: length (the answer was cut at max_tokens)");
    }
    note
}

/// A report with errors is an ERROR outcome, not a FAIL.
fn report_error(report: &Report) -> Option<Error> {
    report
        .errors()
        .next()
        .is_some()
        .then(|| Error::Config(report.to_string()))
}

fn verdict(spec: &EvalSpec, context: &TestContext, mut samples: Vec<Sample>) {
    let label = &test_label(spec);
    if samples.len() == 1 {
        match samples.pop() {
            Some(Sample::Panicked(payload)) => std::panic::resume_unwind(payload),
            Some(Sample::Failed(report)) => {
                panic!("llama-test FAIL {label}\n{report}{}", fixture_hint(context))
            }
            _ => return,
        }
    }
    let total = samples.len();
    let passed = samples
        .iter()
        .filter(|s| matches!(s, Sample::Passed))
        .count();
    let gate = spec.min_pass.unwrap_or(1.0);
    let rate = passed as f64 / total as f64;
    if rate + 1e-9 >= gate {
        if passed < total {
            notice(&format!(
                "llama-test: {label} is flaky: {passed}/{total} samples passed (gate {gate:.2})"
            ));
        }
        return;
    }
    let first_failure = samples.iter().find_map(|s| match s {
        Sample::Failed(report) => Some(report.clone()),
        Sample::Panicked(payload) => Some(panic_message(payload.as_ref())),
        Sample::Passed => None,
    });
    panic!(
        "llama-test FAIL {label}: {passed}/{total} samples passed ({:.0}%), below min_pass {:.0}%\nfirst failing sample:\n{}{}",
        rate * 100.0,
        gate * 100.0,
        first_failure.unwrap_or_default(),
        fixture_hint(context)
    );
}

fn fixture_hint(context: &TestContext) -> String {
    match &context.info.fixture_path {
        Some(path) => format!(
            "\nfixture: {} (mode {})",
            path.display(),
            context.info.mode.as_str()
        ),
        None => String::new(),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "the test body panicked".to_owned())
}

fn error_panic(label: &str, error: &Error, context: Option<&TestContext>) -> ! {
    // Fixture errors already name the file.
    let hint = match error {
        Error::Fixture(_) => String::new(),
        _ => context.map(fixture_hint).unwrap_or_default(),
    };
    panic!("llama-test ERROR {label}: {error}{hint}")
}

/// `tool_calling::get_weather::case_1_nyc (tests/evals/tool_calling.rs:24)`:
/// the libtest path to filter on and where the eval is declared (a panic's
/// own location points into llama-test).
fn test_label(spec: &EvalSpec) -> String {
    format!(
        "{} ({}:{})",
        crate::context::libtest_path(spec.module_path, spec.test_name),
        spec.source_file,
        spec.line
    )
}
