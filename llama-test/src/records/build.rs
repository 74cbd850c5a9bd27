//! Building a [`Record`] from what the runtime has at the end of a sample.

use std::time::SystemTime;

use super::record::{
    Answer, Call, CheckRecord, RECORD_VERSION, Record, RecordedMessage, RecordedToolCall,
    TokenUsage,
};
use crate::checks::Report;
use crate::completion::Completion;
use crate::context::{TestContext, libtest_path};
use crate::excerpt::trim_chars;
use crate::request::{ChatRequest, ContentPart};
use crate::spec::{AssertSpec, EvalSpec};

/// How much of each request message a record keeps.
const MESSAGE_CHARS: usize = 2_000;
/// How much of an answer a record keeps.
const ANSWER_CHARS: usize = 20_000;

/// The parts of a record every outcome has.
pub(super) fn base(spec: &EvalSpec, context: Option<&TestContext>) -> Record {
    let test = libtest_path(spec.module_path, spec.test_name);
    let file = context.map(|c| c.client.config().providers.file().clone());
    let target = llama_test_core::ModelRef::parse(spec.model, file.as_ref()).ok();
    let mode = match context {
        Some(c) => c.info.mode.as_str().to_owned(),
        None => spec
            .mode
            .or_else(|| crate::settings::Settings::get().ok().map(|s| s.mode))
            .map_or("unknown", |m| m.as_str())
            .to_owned(),
    };
    Record {
        version: RECORD_VERSION,
        run_id: String::new(),
        time: super::run_dir::rfc3339(SystemTime::now()),
        pid: 0,
        package: spec.package.to_owned(),
        binary: spec
            .module_path
            .split("::")
            .next()
            .unwrap_or_default()
            .to_owned(),
        function: function_path(&test, spec),
        test,
        name: crate::fixtures::fixture_name(spec.module_path, spec.test_name),
        case: spec.case_name.map(str::to_owned),
        file: spec.source_file.to_owned(),
        line: spec.line,
        model_id: spec.model.to_owned(),
        provider: target
            .as_ref()
            .map_or_else(|| "llamaapi".to_owned(), |t| t.provider.clone()),
        model: target.map_or_else(|| spec.model.to_owned(), |t| t.model),
        vars: spec
            .vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        messages: Vec::new(),
        answer: None,
        checks: Vec::new(),
        verdict: "ERROR".to_owned(),
        score: None,
        threshold: spec.threshold,
        message: None,
        latency_ms: None,
        ttft_ms: None,
        usage: None,
        cost_usd: None,
        followups: Vec::new(),
        fixture: context.and_then(|c| c.info.fixture_path.as_ref()).map(|p| {
            p.strip_prefix(spec.manifest_dir)
                .unwrap_or(p)
                .display()
                .to_string()
        }),
        mode,
        sample: context.map_or(0, |c| {
            c.info.sample.load(std::sync::atomic::Ordering::Relaxed) as u32
        }),
        repeat: spec.repeat.max(1),
        min_pass: spec.min_pass,
    }
}

/// `tool_calling::get_weather` from `tool_calling::get_weather::case_1_nyc`:
/// the path without the generated case and model segments.
fn function_path(test: &str, spec: &EvalSpec) -> String {
    let mut segments: Vec<&str> = test.split("::").collect();
    let both = spec
        .case_name
        .zip(spec.model_suffix)
        .map(|(case, model)| format!("{case}__{model}"));
    let generated = [spec.model_suffix, spec.case_name, both.as_deref()];
    for suffix in generated.into_iter().flatten() {
        if segments.len() > 1 && segments.last() == Some(&suffix) {
            segments.pop();
        }
    }
    segments.join("::")
}

pub(super) fn messages(request: &ChatRequest) -> Vec<RecordedMessage> {
    request
        .messages
        .iter()
        .map(|m| {
            let mut text = trim_chars(&m.text_content(), MESSAGE_CHARS);
            for call in &m.tool_calls {
                text.push_str(&format!(
                    "\n[tool call] {}({})",
                    call.name,
                    trim_chars(&call.raw_arguments, 200)
                ));
            }
            RecordedMessage {
                role: m.role.as_str().to_owned(),
                text,
                images: m
                    .content
                    .iter()
                    .filter(|p| matches!(p, ContentPart::ImageUrl(_)))
                    .count(),
            }
        })
        .collect()
}

pub(super) fn answer(completion: &Completion) -> Answer {
    Answer {
        text: trim_chars(&completion.text, ANSWER_CHARS),
        tool_calls: completion
            .tool_calls
            .iter()
            .map(|c| RecordedToolCall {
                name: c.name.clone(),
                arguments: trim_chars(&c.raw_arguments, ANSWER_CHARS),
            })
            .collect(),
        reasoning: completion
            .reasoning
            .as_deref()
            .map(|r| trim_chars(r, ANSWER_CHARS)),
        stop_reason: completion
            .stop_reason
            .as_ref()
            .map(|s| s.as_str().to_owned()),
        generation_error: completion.generation_error.clone(),
        streamed: completion.streamed,
    }
}

pub(super) fn usage(completion: &Completion) -> Option<TokenUsage> {
    completion.usage.map(|u| TokenUsage {
        prompt: u.prompt_tokens,
        completion: u.completion_tokens,
        total: u.total_tokens,
    })
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Fills in the answer, its timing, tokens and cost.
pub(super) fn with_answer(
    record: &mut Record,
    context: &TestContext,
    request: &ChatRequest,
    completion: &Completion,
) {
    record.messages = messages(request);
    record.answer = Some(answer(completion));
    record.latency_ms = Some(millis(completion.latency));
    record.ttft_ms = completion.time_to_first_token.map(millis);
    record.usage = usage(completion);
    record.cost_usd = cost(context, &request.model, completion);
}

/// The cost of `completion` (from `model_id`) at the context's prices.
pub(crate) fn cost(context: &TestContext, model_id: &str, completion: &Completion) -> Option<f64> {
    let file = context.client.config().providers.file();
    crate::pricing::cost_of(file, model_id, completion.usage.as_ref())
}

/// Fills in the checks from the report: the results, with each declared check's threshold and metric.
pub(super) fn with_report(record: &mut Record, report: &Report, asserts: &[AssertSpec]) {
    record.score = Some(report.score);
    record.threshold = report.threshold;
    record.checks = report
        .results
        .iter()
        .enumerate()
        .map(|(i, r)| CheckRecord {
            name: r.result.name.clone(),
            verdict: r.result.verdict.label().to_owned(),
            score: r.result.score,
            weight: r.weight,
            threshold: asserts.get(i).and_then(|a| a.threshold),
            reason: trim_chars(&r.result.reason, MESSAGE_CHARS),
            metric: asserts.get(i).and_then(|a| a.metric).map(str::to_owned),
        })
        .collect();
}

/// A follow-up call, for [`Record::followups`].
pub(super) fn call(context: &TestContext, request: &ChatRequest, completion: &Completion) -> Call {
    Call {
        model_id: request.model.clone(),
        answer: answer(completion),
        latency_ms: Some(millis(completion.latency)),
        usage: usage(completion),
        cost_usd: cost(context, &request.model, completion),
    }
}
