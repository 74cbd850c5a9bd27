//! Declarative assertions: a key, a JSON value, a weight and a threshold,
//! parsed once (regexes and schemas compiled here) and evaluated many times.

use regex::Regex;
use serde_json::Value;

use super::javascript::Script;
use super::rubric::Rubric;
use super::schema::Schema;
use super::similarity::{
    DEFAULT_BLEU_THRESHOLD, DEFAULT_LEVENSHTEIN_THRESHOLD, DEFAULT_ROUGE_THRESHOLD,
};
use super::tools::CallExpectation;
use super::trajectory_assert::{self, TrajectoryCheck};
use super::value::{self, ValueResult};
use super::{Bounds, CheckResult};
use crate::error::{Error, Result};
use llama_test_core::checks::{self as kinds, Threshold};

/// Every accepted key, `not_` forms included, for the macro and the docs:
/// `llama_test_core::checks::KINDS`, the one table of check kinds.
pub const ASSERTION_KINDS: &[&str] = kinds::ALL_NAMES;

/// The keys that also exist as `not_<key>`.
pub const NEGATABLE_KINDS: &[&str] = kinds::NEGATABLE_NAMES;

/// One declarative check, ready to evaluate. Build it with
/// [`Assertion::parse`]; see the [module docs](super) for every key.
#[derive(Debug, Clone)]
pub struct Assertion {
    key: String,
    negated: bool,
    pub(super) check: Check,
    weight: f64,
    /// promptfoo's `transform`: JavaScript whose result is what this check
    /// sees instead of the answer.
    pub(super) transform: Option<Box<Script>>,
}

/// The parsed check; `negated` on [`Assertion`] says whether to invert it.
#[derive(Debug, Clone)]
pub(super) enum Check {
    Contains(String),
    IContains(String),
    ContainsAny(Vec<String>),
    ContainsAll(Vec<String>),
    IContainsAny(Vec<String>),
    IContainsAll(Vec<String>),
    StartsWith(String),
    EqualsText(String),
    EqualsJson(Value),
    Regex(Regex),
    WordCount(Bounds),
    Levenshtein {
        expected: String,
        threshold: usize,
    },
    RougeN {
        reference: String,
        threshold: f64,
    },
    Bleu {
        references: Vec<String>,
        threshold: f64,
    },
    StopReason(String),
    IsRefusal,
    MaxLatencyMs(u64),
    MaxTokensUsed(u64),
    MaxCost(f64),
    IsJson(Option<Schema>),
    ContainsJson(Option<Schema>),
    FunctionCall(CallExpectation),
    NoToolCall,
    ToolCallCount {
        name: Option<String>,
        bounds: Bounds,
    },
    ToolCallOrder {
        names: Vec<String>,
        exact: bool,
    },
    LlmRubric(Rubric),
    Javascript(Box<Script>),
    Length(Bounds),
    ValidToolCalls,
    /// A check of the agent loop's trajectory.
    Trajectory(TrajectoryCheck),
    /// A malformed assertion kept so it is reported as an error with the rest.
    Invalid(String),
}

impl Assertion {
    /// Parses one assertion. `value` is `null` for a bare flag. `weight` must
    /// be finite and ≥ 0 (0 makes the check informational). `threshold` is
    /// accepted only by `levenshtein`, `rouge_n`, `bleu`, `tool_call_f1` and
    /// `llm_rubric`.
    ///
    /// Errors ([`Error::Config`]) name the key and what was expected; an
    /// unknown key lists the accepted ones with a did-you-mean.
    pub fn parse(
        kind: &str,
        value: Value,
        weight: f64,
        threshold: Option<f64>,
    ) -> Result<Assertion> {
        let fail = |msg: String| Error::Config(format!("assert({kind} = ...): {msg}"));
        let (negated, base) = split_kind(kind).map_err(Error::Config)?;
        if !weight.is_finite() || weight < 0.0 {
            return Err(fail(format!(
                "`weight` must be a finite number ≥ 0, got {weight}"
            )));
        }
        if let Some(t) = threshold
            && !t.is_finite()
        {
            return Err(fail(format!(
                "`threshold` must be a finite number, got {t}"
            )));
        }
        let check = parse_check(base, &value, threshold).map_err(fail)?;
        Ok(Assertion {
            key: kind.to_owned(),
            negated,
            check,
            weight,
            transform: None,
        })
    }

    /// Like [`Assertion::parse`], after replacing `{{var}}` in the value's
    /// strings with the case's variables (an unknown variable is an error).
    pub fn parse_with_vars(
        kind: &str,
        value: Value,
        weight: f64,
        threshold: Option<f64>,
        vars: &[(&str, &str)],
    ) -> Result<Assertion> {
        let rendered = value::render_vars(&value, vars)
            .map_err(|msg| Error::Config(format!("assert({kind} = ...): {msg}")))?;
        Self::parse(kind, rendered, weight, threshold)
    }

    /// Parses the macro's form: the value as JSON text.
    pub fn parse_json_text(
        kind: &str,
        value_json: &str,
        weight: f64,
        threshold: Option<f64>,
        vars: &[(&str, &str)],
    ) -> Result<Assertion> {
        let value: Value = serde_json::from_str(value_json).map_err(|e| {
            Error::Config(format!(
                "assert({kind} = ...): the value {value_json:?} is not valid JSON: {e}"
            ))
        })?;
        Self::parse_with_vars(kind, value, weight, threshold, vars)
    }

    /// An assertion that always evaluates to an error with `message`, so a
    /// malformed assertion can be reported together with the others.
    pub fn invalid(kind: &str, weight: f64, message: impl Into<String>) -> Assertion {
        Assertion {
            key: kind.to_owned(),
            negated: false,
            check: Check::Invalid(message.into()),
            weight: if weight.is_finite() && weight >= 0.0 {
                weight
            } else {
                1.0
            },
            transform: None,
        }
    }

    /// Adds promptfoo's `transform`: JavaScript over `output` (inline code,
    /// or `{file, source, function}` as a suite reads `file://x.js[:name]`)
    /// whose result the check sees instead of the answer (see
    /// [`super::javascript`] for `output`, `context` and the limits). The
    /// code is compiled now: a syntax error is an error here.
    pub fn with_transform(mut self, code: &Value) -> Result<Assertion> {
        let script = Script::parse(code, None)
            .map_err(|e| Error::Config(format!("assert({} = ...): `transform`: {e}", self.key)))?;
        self.transform = Some(Box::new(script));
        Ok(self)
    }

    /// The key as written, e.g. `not_contains`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The weight in the aggregate score.
    pub fn weight(&self) -> f64 {
        self.weight
    }

    /// Whether this is the `not_` form.
    pub fn is_negated(&self) -> bool {
        self.negated
    }

    /// Whether evaluating it calls a grader model (`llm_rubric`).
    pub fn needs_grader(&self) -> bool {
        matches!(self.check, Check::LlmRubric(_))
    }

    /// Applies the `not_` form and the key as written to a base result.
    pub(super) fn finish(&self, result: CheckResult) -> CheckResult {
        let result = if self.negated && !matches!(self.check, Check::FunctionCall(_)) {
            result.negate()
        } else {
            result
        };
        result.named(self.key.clone())
    }
}

/// Splits `not_x` into (true, "x") after checking the key exists.
fn split_kind(kind: &str) -> std::result::Result<(bool, &'static kinds::Kind), String> {
    if let Some((found, negated)) = kinds::find(kind).or_else(|| kinds::find_suite_kind(kind)) {
        return Ok((negated, found));
    }
    let mut message = match kinds::without_not_form(kind) {
        Some(base) => format!(
            "`{kind}` does not exist: `{}` has no `not_` form",
            base.name
        ),
        None => format!("unknown assertion `{kind}`"),
    };
    if let Some(best) = kinds::suggest(kind) {
        message.push_str(&format!(" (did you mean `{best}`?)"));
    }
    message.push_str(&format!(
        "; expected one of: {}",
        ASSERTION_KINDS.join(", ")
    ));
    Err(message)
}

fn parse_check(kind: &kinds::Kind, value: &Value, threshold: Option<f64>) -> ValueResult<Check> {
    if threshold.is_some() && kind.threshold == Threshold::None {
        return Err(format!(
            "`threshold` has no meaning here; it applies to {}",
            kinds::threshold_kinds(false)
        ));
    }
    let base = kind.name;
    if let Some(parsed) = trajectory_assert::parse(base, value, threshold) {
        return parsed.map(Check::Trajectory);
    }
    Ok(match base {
        "contains" => Check::Contains(value::text(value)?),
        "icontains" => Check::IContains(value::text(value)?),
        "contains_any" => Check::ContainsAny(value::list(value)?),
        "contains_all" => Check::ContainsAll(value::list(value)?),
        "icontains_any" => Check::IContainsAny(value::list(value)?),
        "icontains_all" => Check::IContainsAll(value::list(value)?),
        "starts_with" => Check::StartsWith(value::text(value)?),
        "equals" => match value {
            Value::Object(_) | Value::Array(_) => Check::EqualsJson(value.clone()),
            Value::Bool(b) => Check::EqualsText(b.to_string()),
            Value::String(s) => Check::EqualsText(s.clone()),
            other => Check::EqualsText(value::text(other)?),
        },
        "regex" => {
            let pattern = value::text(value)?;
            Check::Regex(
                Regex::new(&pattern).map_err(|e| format!("invalid regex {pattern:?}: {e}"))?,
            )
        }
        "word_count" => Check::WordCount(value::bounds(value, &[])?),
        "levenshtein" => {
            let (inner, options) = value::with_options(value, &["threshold"])?;
            let threshold = pick_threshold(threshold, options)?;
            let threshold = match threshold {
                None => DEFAULT_LEVENSHTEIN_THRESHOLD,
                Some(t) if t >= 0.0 && t.fract() == 0.0 => t as usize,
                Some(t) => {
                    return Err(format!(
                        "the levenshtein threshold must be a whole number ≥ 0, got {t}"
                    ));
                }
            };
            Check::Levenshtein {
                expected: value::text(inner)?,
                threshold,
            }
        }
        "rouge_n" => {
            let (inner, options) = value::with_options(value, &["threshold"])?;
            let threshold = pick_threshold(threshold, options)?.unwrap_or(DEFAULT_ROUGE_THRESHOLD);
            Check::RougeN {
                reference: value::text(inner)?,
                threshold,
            }
        }
        "bleu" => {
            let (inner, options) = value::with_options(value, &["threshold"])?;
            let threshold = pick_threshold(threshold, options)?.unwrap_or(DEFAULT_BLEU_THRESHOLD);
            let references = match inner {
                Value::Array(_) => value::list(inner)?,
                other => vec![value::text(other)?],
            };
            Check::Bleu {
                references,
                threshold,
            }
        }
        "stop_reason" => Check::StopReason(value::text(value)?),
        "is_refusal" => value::flag(value, base).map(|()| Check::IsRefusal)?,
        "max_latency_ms" => Check::MaxLatencyMs(value::count(value, "the value")?),
        "max_tokens_used" => Check::MaxTokensUsed(value::count(value, "the value")?),
        "max_cost" => Check::MaxCost(match value.as_f64() {
            Some(usd) if usd.is_finite() && usd >= 0.0 => usd,
            _ => {
                return Err(format!(
                    "the value must be a non-negative number of US dollars, e.g. 0.002; got {value}"
                ));
            }
        }),
        "is_json" => Check::IsJson(optional_schema(value, base)?),
        "contains_json" => Check::ContainsJson(optional_schema(value, base)?),
        "function_call" => Check::FunctionCall(call_expectation(value)?),
        "no_tool_call" => value::flag(value, base).map(|()| Check::NoToolCall)?,
        "tool_call_count" => {
            let name = match value {
                Value::Object(map) => map.get("name").map(value::text).transpose()?,
                _ => None,
            };
            Check::ToolCallCount {
                name,
                bounds: value::bounds(value, &["name"])?,
            }
        }
        "tool_call_order" => {
            let (inner, options) = value::with_options(value, &["exact"])?;
            let exact = match options.and_then(|o| o.get("exact")) {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => return Err(format!("`exact` must be a boolean, got {other}")),
            };
            match inner {
                Value::Array(_) => Check::ToolCallOrder {
                    names: value::list(inner)?,
                    exact,
                },
                other => {
                    return Err(format!(
                        "expected an array of tool names, got {}",
                        value::kind_of(other)
                    ));
                }
            }
        }
        "llm_rubric" => {
            let (inner, options) = value::with_options(value, &["threshold", "grader"])?;
            let threshold = pick_threshold(threshold, options)?;
            let model = options
                .and_then(|o| o.get("grader"))
                .map(value::text)
                .transpose()?;
            Check::LlmRubric(Rubric {
                text: value::text(inner)?,
                threshold,
                model,
            })
        }
        "javascript" => {
            let (inner, options) = value::with_options(value, &["threshold"])?;
            let threshold = pick_threshold(threshold, options)?;
            Check::Javascript(Box::new(Script::parse(inner, threshold)?))
        }
        "length" => Check::Length(value::bounds(value, &[])?),
        "valid_tool_calls" => value::flag(value, base).map(|()| Check::ValidToolCalls)?,
        other => return Err(format!("`{other}` is listed but not implemented")),
    })
}

/// The threshold from the argument or from `{value, threshold}`, not both.
fn pick_threshold(
    arg: Option<f64>,
    options: Option<&serde_json::Map<String, Value>>,
) -> ValueResult<Option<f64>> {
    match (arg, options.and_then(|o| o.get("threshold"))) {
        (Some(_), Some(_)) => Err("`threshold` is given twice".to_owned()),
        (Some(t), None) => Ok(Some(t)),
        (None, Some(v)) => value::number(v, "`threshold`").map(Some),
        (None, None) => Ok(None),
    }
}

/// `null`/`true` for no schema, or a schema object compiled now.
fn optional_schema(value: &Value, key: &str) -> ValueResult<Option<Schema>> {
    match value {
        Value::Null | Value::Bool(true) => Ok(None),
        Value::Bool(false) => Err(format!("`{key} = false` is not supported; use `not_{key}`")),
        Value::Object(_) => Schema::compile(value).map(Some).map_err(|e| e.to_string()),
        other => Err(format!(
            "expected no value or a JSON Schema object, got {}",
            value::kind_of(other)
        )),
    }
}

/// `"name"` or `{name, arguments}`.
fn call_expectation(value: &Value) -> ValueResult<CallExpectation> {
    match value {
        Value::String(name) if !name.is_empty() => Ok(CallExpectation::named(name.clone())),
        Value::Object(map) => {
            value::check_fields(map, &["name", "arguments", "if_undeclared"])?;
            let name = map.get("name").ok_or("`name` is missing")?;
            let mut expectation = CallExpectation::named(value::text(name)?);
            expectation.arguments = map.get("arguments").cloned();
            expectation.undeclared_fails = match map.get("if_undeclared") {
                None => false,
                Some(v) if v == "fail" => true,
                Some(v) if v == "error" => false,
                Some(other) => {
                    return Err(format!(
                        "`if_undeclared` must be \"fail\" or \"error\", got {other}"
                    ));
                }
            };
            Ok(expectation)
        }
        other => Err(format!(
            "expected a tool name or {{name, arguments}}, got {}",
            value::kind_of(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_lists_agree() {
        for base in NEGATABLE_KINDS {
            assert!(ASSERTION_KINDS.contains(base), "{base}");
            assert!(
                ASSERTION_KINDS.contains(&format!("not_{base}").as_str()),
                "{base}"
            );
        }
        let not_forms = ASSERTION_KINDS
            .iter()
            .filter(|k| k.starts_with("not_"))
            .count();
        assert_eq!(not_forms, NEGATABLE_KINDS.len());
    }

    /// The module docs' "value" column says "string or number" exactly for
    /// the kinds the table gives a number to (`starts_with` used to read
    /// "string" here and "string or number" in the attribute's docs).
    #[test]
    fn the_docs_offer_numbers_where_the_table_does() {
        let docs = include_str!("mod.rs");
        for kind in kinds::KINDS {
            let row = docs
                .lines()
                .filter(|l| l.starts_with("//! | `"))
                .find(|l| {
                    let keys = l.split('|').nth(1).unwrap_or_default();
                    keys.split(',').any(|k| {
                        k.trim().trim_end_matches("*(not)*").trim() == format!("`{}`", kind.name)
                    })
                })
                .unwrap_or_else(|| panic!("no docs row for `{}`", kind.name));
            let value = row.split('|').nth(2).unwrap_or_default();
            let takes_numbers = matches!(
                kind.shape,
                kinds::Shape::TextOrNumber | kinds::Shape::AnyTextOrNumber
            );
            assert_eq!(
                value.contains("string or number"),
                takes_numbers,
                "`{}`: {row}",
                kind.name
            );
        }
    }
}
