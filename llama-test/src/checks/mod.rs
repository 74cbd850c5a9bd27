//! Checks on a model's answer: promptfoo's deterministic assertion set, JSON
//! Schema, tool-call validation and a fail-closed Llama rubric grader.
//!
//! Every check yields a [`CheckResult`] whose [`Verdict`] keeps three outcomes
//! apart: **pass**, **fail** (the check said no) and **error** (the check could
//! not run: an invalid schema, a bad regex, a grader that answered garbage).
//! An error is never silently turned into a pass or a fail.
//!
//! Checks come in two shapes:
//! - **declarative** [`Assertion`]s, parsed from a key and a JSON value. This
//!   is what `#[llama_eval(assert(contains = "quantum", word_count(min = 5)))]`
//!   becomes. [`evaluate_all`] runs every assertion (it never stops at the
//!   first failure) and aggregates them into a [`Report`] whose `Display` is
//!   the panic message;
//! - **plain functions** over a `&str`, a `serde_json::Value` or a
//!   [`Completion`], for test bodies: [`text::contains`], [`json::extract_json`],
//!   [`tools::find_call`], ... Call [`CheckResult::assert`] to panic on failure.
//!
//! # Test-body style
//!
//! The seed's two `javascript` checks become a few lines of Rust:
//!
//! ```
//! use llama_test::checks::{json, text, tools};
//! # use llama_test::{Completion, Endpoint, ToolCall};
//! # let mut completion = Completion::empty("Llama-3.3-70B-Instruct", Endpoint::Native);
//! # completion.text = "```json\n{\"rating\": 4, \"summary\": \"good\"}\n```".into();
//! // JSON.parse(output).rating >= 1 && JSON.parse(output).rating <= 5
//! let review = json::extract_json(&completion.text).expect("the answer holds no JSON");
//! let rating = review["rating"].as_f64().expect("`rating` is not a number");
//! assert!((1.0..=5.0).contains(&rating), "rating {rating} is outside 1..=5");
//!
//! # completion.tool_calls.push(ToolCall::from_wire("c1", "get_weather", r#"{"location": "New York, NY"}"#));
//! // output.arguments.location.includes('New York')
//! let call = tools::find_call(&completion, "get_weather").expect("get_weather was not called");
//! let location = call.arguments["location"].as_str().unwrap_or_default();
//! text::contains(location, "New York").assert();
//! ```
//!
//! # Assertion keys
//!
//! Each key takes a JSON value (the attribute's literal, or an object for
//! `key(field = .., ...)`), an optional `weight` (default 1) and, where noted,
//! an optional `threshold`. Keys marked *(not)* also exist as `not_<key>`,
//! which inverts pass/fail and turns the score `s` into `1 - s`; errors are
//! never inverted. A `threshold` on a key that takes none is an error, so
//! nothing is silently ignored. String values may use `{{var}}` to refer to a
//! case's variables ([`Assertion::parse_with_vars`]); an unknown variable is
//! an error.
//!
//! ## Text (they see the assistant text only; use `function_call` for calls)
//! | key | value | passes when |
//! |---|---|---|
//! | `contains` *(not)* | string or number | the text contains it (case-sensitive): `contains = "quantum"` |
//! | `icontains` *(not)* | string or number | ... ignoring case (Unicode lowercase) |
//! | `contains_any` *(not)* | array, or a comma-separated string (`"a, \"b,c\""`) | the text contains at least one |
//! | `contains_all` *(not)* | same | the text contains every one; the failure lists the missing ones |
//! | `icontains_any`, `icontains_all` *(not)* | same | ... ignoring case |
//! | `starts_with` *(not)* | string or number | the text starts with it (exactly; no trimming) |
//! | `equals` *(not)* | string or number: exact text equality. Object or array: the text parses as JSON deeply equal to it (`1` equals `1.0`) | `equals = "Paris"`, `equals = {"a": [1, 2]}` |
//! | `regex` *(not)* | string, Rust `regex` syntax, unanchored; flags inline (`(?i)`) | the pattern matches somewhere: `regex = "\\d{3}-\\d{4}"`. An invalid pattern is an error |
//! | `word_count` *(not)* | number (exact) or `{min, max}` (either optional) | whitespace-separated word count is in range: `word_count(min = 50, max = 200)` |
//! | `is_refusal` *(not)* | `true` / bare flag | the text is empty or reads as a refusal ("I'm sorry", "I can't help", "As an AI", ...) |
//!
//! ## Similarity
//! | key | value | passes when |
//! |---|---|---|
//! | `levenshtein` *(not)* | string, or `{value, threshold}`; threshold default **5** | character edit distance ≤ threshold |
//! | `rouge_n` *(not)* | reference string, or `{value, threshold}`; default **0.75** | ROUGE-1 F-measure (lowercased words and punctuation, clipped unigram overlap) ≥ threshold; the score is the F-measure |
//! | `bleu` *(not)* | reference string or array of references, or `{value, threshold}`; default **0.5** | BLEU-4 (lowercased whitespace tokens, clipped n-gram precision best over references, brevity penalty against the closest reference) ≥ threshold; the score is BLEU |
//!
//! ## Metadata
//! | key | value | passes when |
//! |---|---|---|
//! | `stop_reason` *(not)* | `"stop"`, `"tool_calls"`, `"length"` or any server value (synonyms such as `end_turn`, `max_tokens` are normalized) | the answer stopped for that reason |
//! | `max_latency_ms` | non-negative integer | wall time to the last byte ≤ value |
//! | `max_tokens_used` | non-negative integer | total tokens (prompt + completion) ≤ value; an answer without usage is an error |
//! | `max_cost` | non-negative number, USD | the answer's estimated cost ([`crate::pricing`]: `llama-test.toml` prices, else built-in defaults) ≤ value: `max_cost = 0.002` (promptfoo's `cost`). Replays report the recorded usage, so the gate works offline. An answer without usage, or a model without a price, is an error |
//!
//! ## JSON
//! | key | value | passes when |
//! |---|---|---|
//! | `is_json` *(not)* | bare flag / `true`, or a JSON Schema object | the **whole** text parses as JSON (objects, arrays and scalars all count) and, with a schema, validates. Fenced JSON fails here (the message says so); use `contains_json` |
//! | `contains_json` *(not)* | bare flag / `true`, or a JSON Schema object | the text holds a JSON object or array: the whole text, a ```` ```json ```` fence, or embedded in prose (a real JSON scanner, so braces inside strings are fine; bracketed numbers such as `[1]` in prose are not taken for JSON). With a schema, the first candidate that validates passes; the failure lists each candidate's violations |
//!
//! Schemas are compiled once and cached ([`schema::Schema`]). The draft follows
//! `$schema` (2020-12 when absent; draft-07, 2019-09, 6 and 4 accepted),
//! `format` is validated, and every violation is listed with its instance
//! path. An invalid schema is an error, not a failure.
//!
//! ## Tool calls
//! | key | value | passes when |
//! |---|---|---|
//! | `function_call` | tool name, or `{name, arguments}` | some call has that name, its arguments are valid JSON, they validate against that tool's `parameters` schema from the request's tools (a hallucinated parameter fails when the schema says `additionalProperties: false`), and, with `arguments`, they contain the given subset (objects recursively; arrays element by element; `1` equals `1.0`). A failure shows every actual call (name and raw arguments) and any text |
//! | `not_function_call` | same | no call matches the name (and the subset, when given) |
//! | `no_tool_call` | bare flag / `true` | the answer made no tool call |
//! | `tool_call_count` | number (exact), or `{min, max, name}` | the number of calls (with that name, when given) is in range |
//! | `tool_call_order` | array of names, or `{value: [...], exact: true}` | the call names contain these in this order (others may come between); with `exact`, the call names are exactly these |
//!
//! ## Agent loops (`agent(...)` in the attribute, or [`Eval::run_agent`](crate::Eval::run_agent))
//! They read the loop's [`Trajectory`](crate::agent::Trajectory); on a single call they are an error.
//! | key | value | passes when |
//! |---|---|---|
//! | `tool_used` *(not)* | tool name | some step called it |
//! | `tool_sequence` | array of names, or `{value: [...], exact: false}` | the steps' tool names are exactly these, in order; with `exact: false`, they contain these in this order (others may come between) |
//! | `tool_args_match` | `{name, arguments}` (attribute: `tool_args_match(name = "..", arguments = r#"{..}"#)`) | some call of `name` has arguments containing the subset (as `function_call`) |
//! | `max_steps` | non-negative integer | at most that many tool calls, and the loop ended with an answer (not at its step limit) |
//! | `tool_call_f1` | array of names, or `{value, threshold}`; threshold default **1** | F1 of the calls against the expected names (each call matches at most one expected name, so a repeated call lowers precision) ≥ threshold; the score is the F1 |
//! | `no_repeated_call` | bare flag / `true` | no two calls share name and arguments |
//!
//! ## Model-graded
//! | key | value | passes when |
//! |---|---|---|
//! | `llm_rubric` *(not)* | rubric text, or `{value, threshold, grader}` | a Llama grader (default [`rubric::DEFAULT_GRADER_MODEL`], temperature 0, `response_format: json_schema` for `{pass, score, reason}`) says `pass: true` and, with a threshold, `score ≥ threshold`. The grader's reason is in the message. A reply that is not a JSON object, lacks a boolean `pass`, or has a score outside 0..=1 is an **error** showing the reply (fail closed) |
//!
//! # Aggregation (as promptfoo)
//! [`evaluate_all`] evaluates every assertion. The score is `Σ(score·w)/Σw`.
//! Without a test-level threshold the test passes when no assertion with
//! weight > 0 failed (weight 0 makes a check informational); with one, it
//! passes when the score ≥ threshold. Any error makes the whole outcome an
//! error, whatever the score.

mod assertion;
mod evaluate;
pub mod javascript;
#[cfg(feature = "javascript")]
pub mod js_engine;
pub mod json;
mod report;
pub mod rubric;
pub mod schema;
pub mod similarity;
pub mod text;
pub mod tool_sets;
pub mod tools;
pub mod trajectory;
mod trajectory_assert;
mod transform;
mod value;

use std::fmt;

use serde_json::Value;

pub use assertion::{ASSERTION_KINDS, Assertion, NEGATABLE_KINDS};
pub use evaluate::evaluate_all;
pub use report::{Report, WeightedResult};
pub use rubric::{Grader, GraderFuture, Grading};

use crate::completion::Completion;
use crate::request::Tool;

/// The outcome of one check, or of a whole set of checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The check held.
    Pass,
    /// The check ran and said no.
    Fail,
    /// The check could not run (bad configuration, invalid schema, grader
    /// failure). Never counted as a pass.
    Error,
}

impl Verdict {
    /// `PASS`, `FAIL` or `ERROR`, as shown in reports.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The result of one check.
///
/// `expected` completes "expected output to ..." (`contain "quantum"`) and
/// `actual` says what was found (`it was not found`), so a report can show
/// expected vs. actual for every kind of check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// The assertion key as written, e.g. `contains` or `not_is_json`.
    pub name: String,
    /// Pass, fail or error.
    pub verdict: Verdict,
    /// In `0.0..=1.0`; `1`/`0` for binary checks, the metric for similarity
    /// checks and the grader's score for rubrics. `0` for errors.
    pub score: f64,
    /// What the check wanted, phrased to follow "expected output to ".
    pub expected: String,
    /// What was actually found, or the error message for an error.
    pub actual: String,
    /// One sentence combining the above; what reports print.
    pub reason: String,
}

impl CheckResult {
    /// A binary check: score 1 on pass, 0 on fail.
    pub fn check(
        name: impl Into<String>,
        passed: bool,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        let score = if passed { 1.0 } else { 0.0 };
        Self::scored(name, passed, score, expected, actual)
    }

    /// A check with its own score (clamped to `0.0..=1.0`).
    pub fn scored(
        name: impl Into<String>,
        passed: bool,
        score: f64,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        let verdict = if passed { Verdict::Pass } else { Verdict::Fail };
        let score = if score.is_finite() {
            score.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mut result = CheckResult {
            name: name.into(),
            verdict,
            score,
            expected: expected.into(),
            actual: actual.into(),
            reason: String::new(),
        };
        result.reason = result.compose_reason();
        result
    }

    /// A check that could not run. `message` names what to fix.
    pub fn error(name: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        CheckResult {
            name: name.into(),
            verdict: Verdict::Error,
            score: 0.0,
            expected: String::new(),
            reason: message.clone(),
            actual: message,
        }
    }

    /// The `not_` form: pass and fail swap, the score becomes `1 - score`,
    /// the expectation gains a "not". Errors stay errors.
    pub fn negate(mut self) -> Self {
        self.name = format!("not_{}", self.name);
        if self.verdict == Verdict::Error {
            return self;
        }
        self.verdict = match self.verdict {
            Verdict::Pass => Verdict::Fail,
            _ => Verdict::Pass,
        };
        self.score = 1.0 - self.score;
        self.expected = format!("not {}", self.expected);
        self.reason = self.compose_reason();
        self
    }

    /// The same result under another name (the key as the user wrote it).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// Whether the check could not run.
    pub fn is_error(&self) -> bool {
        self.verdict == Verdict::Error
    }

    /// Panics with the reason unless the check passed; for test bodies.
    #[track_caller]
    pub fn assert(&self) {
        if !self.passed() {
            panic!("{self}");
        }
    }

    fn compose_reason(&self) -> String {
        match self.verdict {
            Verdict::Fail => format!("expected output to {}, but {}", self.expected, self.actual),
            Verdict::Pass => format!("output did {}: {}", self.expected, self.actual),
            Verdict::Error => self.actual.clone(),
        }
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.verdict, self.name, self.reason)
    }
}

/// What checks look at: the answer and the tools the request declared (for
/// validating call arguments against their schemas).
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'a> {
    /// The answer under test.
    pub completion: &'a Completion,
    /// The request's tool definitions; empty when it declared none.
    pub tools: &'a [Tool],
    /// The answer's estimated cost in USD ([`crate::pricing`]), for
    /// `max_cost`; `None` when the usage or the model's price is unknown.
    pub cost: Option<f64>,
    /// The rendered prompt, for `javascript` checks' `context.prompt`.
    pub prompt: Option<&'a str>,
    /// The case's variables, for `javascript` checks' `context.vars`.
    pub vars: &'a [(&'a str, &'a str)],
    /// The agent loop that led to the answer, for the trajectory checks;
    /// `None` for a single call.
    pub trajectory: Option<&'a crate::agent::Trajectory>,
    /// The `output` a `javascript` check sees when a `transform` replaced
    /// the answer's; `None`: the answer's own (see [`javascript`]).
    pub output: Option<&'a Value>,
}

impl<'a> CheckInput<'a> {
    /// Input for an answer whose request declared no tools.
    pub fn new(completion: &'a Completion) -> Self {
        CheckInput {
            completion,
            tools: &[],
            cost: None,
            prompt: None,
            vars: &[],
            trajectory: None,
            output: None,
        }
    }

    /// Adds the agent loop's trajectory, for the trajectory checks.
    pub fn with_trajectory(mut self, trajectory: Option<&'a crate::agent::Trajectory>) -> Self {
        self.trajectory = trajectory;
        self
    }

    /// Adds the answer's estimated cost, for `max_cost`.
    pub fn with_cost(mut self, cost: Option<f64>) -> Self {
        self.cost = cost;
        self
    }

    /// Adds the rendered prompt and the case's variables, which
    /// `javascript` checks see as `context.prompt` and `context.vars`.
    pub fn with_context(mut self, prompt: Option<&'a str>, vars: &'a [(&'a str, &'a str)]) -> Self {
        self.prompt = prompt;
        self.vars = vars;
        self
    }

    /// Adds the request's tool definitions.
    pub fn with_tools(mut self, tools: &'a [Tool]) -> Self {
        self.tools = tools;
        self
    }
}

/// An inclusive range with optional ends, for word and call counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bounds {
    /// The smallest allowed count; `None` means no lower bound.
    pub min: Option<u64>,
    /// The largest allowed count; `None` means no upper bound.
    pub max: Option<u64>,
}

impl Bounds {
    /// Exactly `n`.
    pub fn exactly(n: u64) -> Self {
        Bounds {
            min: Some(n),
            max: Some(n),
        }
    }

    /// Between `min` and `max`, inclusive.
    pub fn between(min: u64, max: u64) -> Self {
        Bounds {
            min: Some(min),
            max: Some(max),
        }
    }

    /// Whether `n` is within the bounds.
    pub fn contains(&self, n: u64) -> bool {
        self.min.is_none_or(|min| n >= min) && self.max.is_none_or(|max| n <= max)
    }

    /// `exactly 5`, `between 3 and 10`, `at least 3`, `at most 10`.
    pub fn describe(&self) -> String {
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => format!("exactly {a}"),
            (Some(a), Some(b)) => format!("between {a} and {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => "any number of".to_owned(),
        }
    }
}

pub(crate) use crate::excerpt::trim_chars;

/// `text` quoted and escaped, shortened for messages.
pub(crate) fn quoted(text: &str, max_chars: usize) -> String {
    format!("{:?}", trim_chars(text, max_chars))
}
