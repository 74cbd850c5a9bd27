//! `Output`'s assertion methods: the attribute's `assert(...)` keys as
//! methods for test bodies. Each panics with the check's expected vs. actual,
//! a trimmed output and the fixture, and returns what a body usually wants
//! next (the parsed JSON, the tool call).

use serde_json::{Value, json};

use crate::checks::{self, Assertion, CheckInput, CheckResult, Grading};
use crate::completion::ToolCall;
use crate::output::Output;

impl Output {
    /// Runs any assertion key with its value, as `assert(key = value)` would:
    /// `out.check("rouge_n", json!({"value": "...", "threshold": 0.6}))`.
    /// Returns the result without panicking; `llm_rubric` calls the grader.
    pub fn check(&self, kind: &str, value: Value) -> CheckResult {
        let vars = self.context.vars();
        let assertion = match Assertion::parse_with_vars(kind, value, 1.0, None, &vars) {
            Ok(a) => a,
            Err(e) => return CheckResult::error(kind, e.to_string()),
        };
        let input = CheckInput::new(&self.completion).with_tools(&self.request.tools);
        if !assertion.needs_grader() {
            return assertion.evaluate(&input);
        }
        let grader = self.context.grader();
        let grading = Grading::new(&grader).default_model(&self.context.info.grader_model);
        crate::runtime::block_on_nested(assertion.evaluate_graded(&input, Some(&grading)))
    }

    /// [`Output::check`], panicking unless it passed.
    #[track_caller]
    pub fn assert_check(&self, kind: &str, value: Value) {
        let result = self.check(kind, value);
        if !result.passed() {
            self.fail(&result);
        }
    }

    #[track_caller]
    fn fail(&self, result: &CheckResult) -> ! {
        let label = if result.is_error() { "ERROR" } else { "FAIL" };
        let fixture = match self.fixture_path() {
            Some(path) => format!("\nfixture: {}", path.display()),
            None => String::new(),
        };
        panic!(
            "llama-test {label} {}: {result}\noutput: {}{fixture}",
            self.context.info.test_path,
            checks::tools::describe_answer(&self.completion)
        )
    }

    /// The text contains `needle` (case-sensitive).
    #[track_caller]
    pub fn assert_contains(&self, needle: &str) {
        self.assert_check("contains", json!(needle));
    }

    /// The text contains `needle`, ignoring case.
    #[track_caller]
    pub fn assert_icontains(&self, needle: &str) {
        self.assert_check("icontains", json!(needle));
    }

    /// The text does not contain `needle`.
    #[track_caller]
    pub fn assert_not_contains(&self, needle: &str) {
        self.assert_check("not_contains", json!(needle));
    }

    /// The text contains at least one of `needles`.
    #[track_caller]
    pub fn assert_contains_any(&self, needles: &[&str]) {
        self.assert_check("contains_any", json!(needles));
    }

    /// The text contains every one of `needles`.
    #[track_caller]
    pub fn assert_contains_all(&self, needles: &[&str]) {
        self.assert_check("contains_all", json!(needles));
    }

    /// The text starts with `prefix`.
    #[track_caller]
    pub fn assert_starts_with(&self, prefix: &str) {
        self.assert_check("starts_with", json!(prefix));
    }

    /// The text equals `expected` exactly.
    #[track_caller]
    pub fn assert_equals(&self, expected: &str) {
        self.assert_check("equals", json!(expected));
    }

    /// The regex (Rust syntax, unanchored) matches the text.
    #[track_caller]
    pub fn assert_regex(&self, pattern: &str) {
        self.assert_check("regex", json!(pattern));
    }

    /// The text is valid JSON; returns it.
    #[track_caller]
    pub fn assert_is_json(&self) -> Value {
        self.assert_check("is_json", Value::Null);
        self.parsed_json()
    }

    /// The text is JSON valid against `schema` (every violation is listed
    /// with its path); returns the parsed JSON.
    #[track_caller]
    pub fn assert_json_schema(&self, schema: &Value) -> Value {
        self.assert_check("is_json", schema.clone());
        self.parsed_json()
    }

    /// The text contains a JSON object or array (prose and ```json fences
    /// around it are fine); returns the first one found.
    #[track_caller]
    pub fn assert_contains_json(&self) -> Value {
        self.assert_check("contains_json", Value::Null);
        checks::json::extract_json(self.text()).unwrap_or(Value::Null)
    }

    /// The model called `name` with arguments that are valid JSON and valid
    /// against that tool's `parameters` schema; returns the call.
    #[track_caller]
    pub fn assert_function_call(&self, name: &str) -> &ToolCall {
        self.assert_check("function_call", json!(name));
        match self.tool_call(name) {
            Some(call) => call,
            None => self.fail(&CheckResult::error(
                "function_call",
                format!("no call to `{name}`"),
            )),
        }
    }

    /// Like [`Output::assert_function_call`], and the arguments contain
    /// `subset` (objects compared key by key, recursively).
    #[track_caller]
    pub fn assert_function_call_with(&self, name: &str, subset: Value) -> &ToolCall {
        self.assert_check(
            "function_call",
            json!({ "name": name, "arguments": subset }),
        );
        self.assert_function_call(name)
    }

    /// The model made no tool call.
    #[track_caller]
    pub fn assert_no_tool_call(&self) {
        self.assert_check("no_tool_call", Value::Null);
    }

    /// Generation stopped for `reason` (`"stop"`, `"tool_calls"`, `"length"`).
    #[track_caller]
    pub fn assert_stop_reason(&self, reason: &str) {
        self.assert_check("stop_reason", json!(reason));
    }

    /// The whitespace-separated word count is within `min..=max`.
    #[track_caller]
    pub fn assert_word_count(&self, min: u64, max: u64) {
        self.assert_check("word_count", json!({ "min": min, "max": max }));
    }

    /// The call took at most `ms` milliseconds.
    #[track_caller]
    pub fn assert_max_latency_ms(&self, ms: u64) {
        self.assert_check("max_latency_ms", json!(ms));
    }

    /// The call used at most `tokens` tokens in total.
    #[track_caller]
    pub fn assert_max_tokens_used(&self, tokens: u64) {
        self.assert_check("max_tokens_used", json!(tokens));
    }

    /// A Llama grader judges that the output satisfies `rubric`. The grader
    /// call is recorded and replayed with the test's other calls; a grader
    /// reply without a boolean `pass` is an error, never a pass.
    #[track_caller]
    pub fn assert_llm_rubric(&self, rubric: &str) {
        self.assert_check("llm_rubric", json!(rubric));
    }

    fn parsed_json(&self) -> Value {
        serde_json::from_str(self.text()).unwrap_or(Value::Null)
    }
}

/// Trajectory checks of an agent loop ([`Eval::run_agent`](crate::Eval::run_agent)).
/// Each fails with every step listed; called on an output without a
/// trajectory they report an error.
impl Output {
    #[track_caller]
    fn assert_trajectory(&self, check: impl FnOnce(&crate::agent::Trajectory) -> CheckResult) {
        let result = match self.trajectory() {
            Some(t) => check(t),
            None => CheckResult::error(
                "trajectory",
                "this output has no trajectory; trajectory checks need `Eval::run_agent`",
            ),
        };
        if !result.passed() {
            self.fail(&result);
        }
    }

    /// Some step of the loop called `name`.
    #[track_caller]
    pub fn assert_tool_used(&self, name: &str) {
        self.assert_trajectory(|t| checks::trajectory::tool_used(t, name));
    }

    /// The tools called, in order, are exactly `names`.
    #[track_caller]
    pub fn assert_tool_sequence(&self, names: &[&str]) {
        self.assert_trajectory(|t| checks::trajectory::tool_sequence(t, names, true));
    }

    /// The tools called contain `names` in this order (others may come between).
    #[track_caller]
    pub fn assert_tool_subsequence(&self, names: &[&str]) {
        self.assert_trajectory(|t| checks::trajectory::tool_sequence(t, names, false));
    }

    /// Some call of `name` had arguments containing `subset`.
    #[track_caller]
    pub fn assert_tool_args_match(&self, name: &str, subset: Value) {
        self.assert_trajectory(|t| checks::trajectory::tool_args_match(t, name, &subset));
    }

    /// The loop made at most `max` tool calls and ended with an answer.
    #[track_caller]
    pub fn assert_max_steps(&self, max: usize) {
        self.assert_trajectory(|t| checks::trajectory::max_steps(t, max));
    }

    /// Tool-call F1 against `expected` (name, argument subset or `Value::Null`)
    /// is at least `threshold`.
    #[track_caller]
    pub fn assert_tool_call_f1(&self, expected: &[(&str, Value)], threshold: f64) {
        self.assert_trajectory(|t| checks::trajectory::tool_call_f1(t, expected, threshold));
    }

    /// No call was made twice with the same arguments.
    #[track_caller]
    pub fn assert_no_repeated_call(&self) {
        self.assert_trajectory(checks::trajectory::no_repeated_call);
    }
}
