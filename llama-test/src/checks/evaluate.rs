//! Running assertions against an answer and aggregating the results.

use super::assertion::{Assertion, Check};
use super::report::{Report, WeightedResult};
use super::rubric::{Grading, llm_rubric};
use super::transform::Transformed;
use super::{CheckInput, CheckResult, json, similarity, text, tool_sets, tools};
use crate::completion::StopReason;

impl Assertion {
    /// Evaluates a deterministic assertion. An `llm_rubric` yields an error
    /// here; use [`Assertion::evaluate_graded`] for it.
    pub fn evaluate(&self, input: &CheckInput<'_>) -> CheckResult {
        if matches!(self.check, Check::LlmRubric(_)) {
            return CheckResult::error(
                self.key(),
                "llm_rubric needs a grader; no grader was configured",
            );
        }
        let transformed = match self.transformed(input) {
            Ok(t) => t,
            Err(result) => return result,
        };
        let input = transformed.as_ref().map_or(*input, |t| t.input(input));
        self.noted(self.finish(deterministic(&self.check, self.is_negated(), &input)))
    }

    /// Evaluates any assertion; `llm_rubric` calls the grader.
    pub async fn evaluate_graded(
        &self,
        input: &CheckInput<'_>,
        grading: Option<&Grading<'_>>,
    ) -> CheckResult {
        match (&self.check, grading) {
            (Check::LlmRubric(rubric), Some(grading)) => {
                let transformed = match self.transformed(input) {
                    Ok(t) => t,
                    Err(result) => return result,
                };
                let input = transformed.as_ref().map_or(*input, |t| t.input(input));
                self.noted(self.finish(llm_rubric(&input, rubric, grading).await))
            }
            _ => self.evaluate(input),
        }
    }

    /// Says in the reason that the check saw the transformed output.
    fn noted(&self, mut result: CheckResult) -> CheckResult {
        if let Some(script) = &self.transform {
            result
                .reason
                .push_str(&format!(" (after the transform {})", script.describe()));
        }
        result
    }

    /// The output after the `transform`, if there is one; a transform that
    /// fails is this check's result (under its key, never negated).
    fn transformed(&self, input: &CheckInput<'_>) -> Result<Option<Transformed>, CheckResult> {
        let Some(script) = &self.transform else {
            return Ok(None);
        };
        match script.transform(input) {
            Ok(value) => Ok(Some(Transformed::new(input.completion, value))),
            Err(result) => Err(result.named(self.key().to_owned())),
        }
    }
}

/// Evaluates every assertion (never stopping at the first failure) and
/// aggregates them with promptfoo's rules (see [`Report`]). Rubrics are
/// graded one after another, in declaration order, so recorded grader calls
/// replay in a stable order.
pub async fn evaluate_all(
    assertions: &[Assertion],
    input: &CheckInput<'_>,
    grading: Option<&Grading<'_>>,
    threshold: Option<f64>,
) -> Report {
    let mut results = Vec::with_capacity(assertions.len());
    for assertion in assertions {
        results.push(WeightedResult {
            result: assertion.evaluate_graded(input, grading).await,
            weight: assertion.weight(),
        });
    }
    Report::new(results, threshold, input.completion)
}

/// The base (non-negated) result of a deterministic check, except for
/// `function_call`, whose `not_` form has its own rule.
fn deterministic(check: &Check, negated: bool, input: &CheckInput<'_>) -> CheckResult {
    let completion = input.completion;
    let out = completion.text.as_str();
    match check {
        Check::Contains(needle) => text::contains(out, needle),
        Check::IContains(needle) => text::icontains(out, needle),
        Check::ContainsAny(list) => text::contains_any(out, list),
        Check::ContainsAll(list) => text::contains_all(out, list),
        Check::IContainsAny(list) => text::icontains_any(out, list),
        Check::IContainsAll(list) => text::icontains_all(out, list),
        Check::StartsWith(prefix) => text::starts_with(out, prefix),
        Check::EqualsText(expected) => text::equals(out, expected),
        Check::EqualsJson(expected) => text::equals_json(out, expected),
        Check::Regex(re) => text::matches(out, re),
        Check::WordCount(bounds) => text::word_count(out, *bounds),
        Check::IsRefusal => text::is_refusal(out),
        Check::Levenshtein {
            expected,
            threshold,
        } => similarity::levenshtein(out, expected, *threshold),
        Check::RougeN {
            reference,
            threshold,
        } => similarity::rouge_n(out, reference, *threshold),
        Check::Bleu {
            references,
            threshold,
        } => similarity::bleu(out, references, *threshold),
        Check::StopReason(expected) => stop_reason(completion.stop_reason.as_ref(), expected),
        Check::MaxLatencyMs(max) => {
            let ms = completion.latency.as_millis();
            CheckResult::check(
                "max_latency_ms",
                ms <= u128::from(*max),
                format!("arrive within {max} ms"),
                format!("it took {ms} ms"),
            )
        }
        Check::MaxTokensUsed(max) => match completion.usage {
            None => CheckResult::error(
                "max_tokens_used",
                "the answer reported no token usage to check",
            ),
            Some(u) => CheckResult::check(
                "max_tokens_used",
                u.total_tokens <= *max,
                format!("use at most {max} tokens"),
                format!(
                    "it used {} (prompt {} + completion {})",
                    u.total_tokens, u.prompt_tokens, u.completion_tokens
                ),
            ),
        },
        Check::MaxCost(max) => max_cost(input, *max),
        Check::IsJson(schema) => json::is_json(out, schema.as_ref()),
        Check::ContainsJson(schema) => json::contains_json(out, schema.as_ref()),
        Check::FunctionCall(expected) if negated => tools::not_function_call(completion, expected),
        Check::FunctionCall(expected) => tools::function_call(completion, input.tools, expected),
        Check::NoToolCall => tools::no_tool_call(completion),
        Check::ToolCallCount { name, bounds } => {
            tools::tool_call_count(completion, name.as_deref(), *bounds)
        }
        Check::ToolCallOrder { names, exact } => tools::tool_call_order(completion, names, *exact),
        Check::Trajectory(check) => super::trajectory_assert::evaluate(check, input),
        Check::LlmRubric(_) => CheckResult::error("llm_rubric", "llm_rubric needs a grader"),
        Check::Javascript(script) => script.evaluate(input),
        Check::Length(bounds) => text::length(out, *bounds),
        Check::ValidToolCalls => tool_sets::valid_tool_calls(completion, input.tools),
        Check::Invalid(message) => CheckResult::error("invalid", message.clone()),
    }
}

/// Compares stop reasons after normalizing synonyms (`end_turn` = `stop`).
fn stop_reason(actual: Option<&StopReason>, expected: &str) -> CheckResult {
    let wanted = StopReason::parse(expected);
    let expectation = format!("stop with {:?}", wanted.as_str());
    match actual {
        None => CheckResult::check(
            "stop_reason",
            false,
            expectation,
            "the answer reported no stop reason",
        ),
        Some(actual) => CheckResult::check(
            "stop_reason",
            actual.as_str().eq_ignore_ascii_case(wanted.as_str()),
            expectation,
            format!("it stopped with {:?}", actual.as_str()),
        ),
    }
}

/// `max_cost`: the estimated cost against a budget in USD.
fn max_cost(input: &CheckInput<'_>, max: f64) -> CheckResult {
    let completion = input.completion;
    match (input.cost, completion.usage) {
        (_, None) => CheckResult::error(
            "max_cost",
            "the answer reported no token usage, so its cost is unknown",
        ),
        (None, Some(_)) => CheckResult::error(
            "max_cost",
            format!(
                "no price is known for model `{}`: declare `price_in`/`price_out` (USD per million \
                 tokens) under [providers.NAME.models.\"ID\"] in llama-test.toml",
                completion.model
            ),
        ),
        (Some(cost), Some(u)) => CheckResult::check(
            "max_cost",
            cost <= max + 1e-12,
            format!("cost at most ${max}"),
            format!(
                "it cost ${cost:.6} ({} prompt + {} completion tokens)",
                u.prompt_tokens, u.completion_tokens
            ),
        ),
    }
}
