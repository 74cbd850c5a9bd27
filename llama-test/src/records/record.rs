//! One result record: what one eval sample asked, answered and scored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The record format's version; readers skip records of other versions.
pub const RECORD_VERSION: u32 = 1;

/// One eval sample's result, one JSON line in the run directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// [`RECORD_VERSION`].
    pub version: u32,
    /// The run this sample belongs to (the run directory's name).
    pub run_id: String,
    /// When the sample finished, RFC 3339 UTC.
    pub time: String,
    /// The test process.
    pub pid: u32,
    /// The cargo package holding the eval.
    pub package: String,
    /// The test binary (the crate the eval was compiled into, e.g. `evals`).
    pub binary: String,
    /// The libtest path, e.g. `tool_calling::get_weather::case_1_nyc`.
    pub test: String,
    /// The stable fixture and snapshot name (`module__test[__case][__model]`).
    pub name: String,
    /// The user's function, with its module: `tool_calling::get_weather`.
    /// The row of a report matrix is this plus [`Record::case`].
    pub function: String,
    /// The case label (`case_1_nyc`), when the eval has cases.
    #[serde(default)]
    pub case: Option<String>,
    /// The eval's source file and line.
    pub file: String,
    /// See [`Record::file`].
    pub line: u32,
    /// The model id as written in the eval (`openrouter:meta-llama/...`).
    pub model_id: String,
    /// The provider (the id's prefix; `llamaapi` for a bare id).
    pub provider: String,
    /// The model id the provider is sent.
    pub model: String,
    /// The case's variables.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// The request's messages, each trimmed.
    #[serde(default)]
    pub messages: Vec<RecordedMessage>,
    /// The answer; `None` when an error came first.
    #[serde(default)]
    pub answer: Option<Answer>,
    /// Every declared check, in declaration order.
    #[serde(default)]
    pub checks: Vec<CheckRecord>,
    /// `PASS`, `FAIL` or `ERROR`.
    pub verdict: String,
    /// The weighted score of the checks, when they ran.
    #[serde(default)]
    pub score: Option<f64>,
    /// The eval's test-level threshold.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Why the sample errored, or the body's panic message when it failed there.
    #[serde(default)]
    pub message: Option<String>,
    /// Wall time of the subject call (a replay reports the recorded one).
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Time to the first streamed token.
    #[serde(default)]
    pub ttft_ms: Option<u64>,
    /// Token usage of the subject call.
    #[serde(default)]
    pub usage: Option<TokenUsage>,
    /// Estimated cost of the subject call in USD (see `llama_test::pricing`).
    #[serde(default)]
    pub cost_usd: Option<f64>,
    /// Calls the body made with `Eval` (multi-turn follow-ups).
    #[serde(default)]
    pub followups: Vec<Call>,
    /// The fixture file (relative to the crate holding the eval), unless the run was live.
    #[serde(default)]
    pub fixture: Option<String>,
    /// `live`, `record` or `replay`.
    pub mode: String,
    /// Which sample of `repeat` this is (0-based).
    pub sample: u32,
    /// Samples the eval takes.
    pub repeat: u32,
    /// The eval's pass-rate gate over its samples.
    #[serde(default)]
    pub min_pass: Option<f64>,
}

impl Record {
    /// The subject call's cost plus the follow-ups' (unknown parts count 0);
    /// `None` when no part has a cost.
    pub fn total_cost_usd(&self) -> Option<f64> {
        let parts = std::iter::once(self.cost_usd).chain(self.followups.iter().map(|c| c.cost_usd));
        parts.fold(None, |sum, part| match (sum, part) {
            (None, None) => None,
            (sum, part) => Some(sum.unwrap_or(0.0) + part.unwrap_or(0.0)),
        })
    }

    /// The answer's text, or empty.
    pub fn answer_text(&self) -> &str {
        self.answer.as_ref().map_or("", |a| a.text.as_str())
    }
}

/// One request message, trimmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedMessage {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    /// The text parts, trimmed; image parts are not kept.
    pub text: String,
    /// How many image parts the message had.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub images: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The model's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The assistant text (trimmed when very long).
    pub text: String,
    /// Tool calls, in order.
    #[serde(default)]
    pub tool_calls: Vec<RecordedToolCall>,
    /// The separate reasoning text, when the server sent one.
    #[serde(default)]
    pub reasoning: Option<String>,
    /// `stop`, `tool_calls`, `length`, ...
    #[serde(default)]
    pub stop_reason: Option<String>,
    /// The server's reason for refusing the generation.
    #[serde(default)]
    pub generation_error: Option<String>,
    /// Whether the answer was streamed.
    #[serde(default)]
    pub streamed: bool,
}

/// One tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedToolCall {
    /// The function name.
    pub name: String,
    /// The arguments as the model sent them.
    pub arguments: String,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// The key as written, e.g. `contains`.
    pub name: String,
    /// `PASS`, `FAIL` or `ERROR`.
    pub verdict: String,
    /// In `0..=1`.
    pub score: f64,
    /// The check's weight in the score.
    pub weight: f64,
    /// The check's own threshold, when it has one.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// One sentence: expected vs. actual, or the error.
    pub reason: String,
    /// promptfoo's `metric`: the name the config gave this check's score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
}

/// Token counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Prompt tokens.
    pub prompt: u64,
    /// Completion tokens.
    pub completion: u64,
    /// Both.
    pub total: u64,
}

/// A follow-up call the body made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// The model id as written.
    pub model_id: String,
    /// The answer.
    pub answer: Answer,
    /// Wall time.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Token usage.
    #[serde(default)]
    pub usage: Option<TokenUsage>,
    /// Estimated cost in USD.
    #[serde(default)]
    pub cost_usd: Option<f64>,
}
