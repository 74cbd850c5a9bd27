//! The declarative form of the [trajectory checks](super::trajectory):
//! `assert(tool_used = .., tool_sequence = [..], tool_args_match(..),
//! max_steps = N, tool_call_f1 = [..], no_repeated_call)` parsed from their
//! JSON values and evaluated against [`CheckInput::trajectory`].

use serde_json::Value;

use super::value::{self, ValueResult};
use super::{CheckInput, CheckResult, trajectory};
use llama_test_core::checks::DEFAULT_TOOL_CALL_F1_THRESHOLD;

/// A parsed trajectory check.
#[derive(Debug, Clone)]
pub(super) enum TrajectoryCheck {
    ToolUsed(String),
    ToolSequence { names: Vec<String>, exact: bool },
    ToolArgsMatch { name: String, arguments: Value },
    MaxSteps(u64),
    ToolCallF1 { names: Vec<String>, threshold: f64 },
    NoRepeatedCall,
}

/// Parses the value of the trajectory kind `base`; `None` when `base` is
/// not one. `threshold` is the assertion's own (only `tool_call_f1`'s).
pub(super) fn parse(
    base: &str,
    value: &Value,
    threshold: Option<f64>,
) -> Option<ValueResult<TrajectoryCheck>> {
    Some(match base {
        "tool_used" => value::text(value).map(TrajectoryCheck::ToolUsed),
        "tool_sequence" => sequence(value),
        "tool_args_match" => args_match(value),
        "max_steps" => value::count(value, "the value").map(TrajectoryCheck::MaxSteps),
        "tool_call_f1" => f1(value, threshold),
        "no_repeated_call" => value::flag(value, base).map(|()| TrajectoryCheck::NoRepeatedCall),
        _ => return None,
    })
}

/// `[names]` (exact) or `{value: [names], exact: false}` (in order, others
/// may come between).
fn sequence(value: &Value) -> ValueResult<TrajectoryCheck> {
    let (inner, options) = value::with_options(value, &["exact"])?;
    let exact = match options.and_then(|o| o.get("exact")) {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!("`exact` must be a boolean, got {other}")),
    };
    match inner {
        Value::Array(_) => Ok(TrajectoryCheck::ToolSequence {
            names: value::list(inner)?,
            exact,
        }),
        other => Err(format!(
            "expected an array of tool names, got {}",
            value::kind_of(other)
        )),
    }
}

/// `{name, arguments: {..}}`.
fn args_match(value: &Value) -> ValueResult<TrajectoryCheck> {
    let Value::Object(map) = value else {
        return Err(format!(
            "expected {{name, arguments}} (to check only that a tool ran, use `tool_used`), got {}",
            value::kind_of(value)
        ));
    };
    value::check_fields(map, &["name", "arguments"])?;
    let name = value::text(map.get("name").ok_or("`name` is missing")?)?;
    match map.get("arguments") {
        Some(arguments @ Value::Object(_)) => Ok(TrajectoryCheck::ToolArgsMatch {
            name,
            arguments: arguments.clone(),
        }),
        Some(other) => Err(format!(
            "`arguments` must be a JSON object, got {}",
            value::kind_of(other)
        )),
        None => Err(
            "`arguments` is missing (to check only that a tool ran, use `tool_used`)".to_owned(),
        ),
    }
}

/// `[names]` or `{value: [names], threshold}`; default threshold 1.
fn f1(value: &Value, threshold: Option<f64>) -> ValueResult<TrajectoryCheck> {
    let (inner, options) = value::with_options(value, &["threshold"])?;
    let given = options.and_then(|o| o.get("threshold"));
    let threshold = match (threshold, given) {
        (Some(_), Some(_)) => return Err("`threshold` is given twice".to_owned()),
        (Some(t), None) => t,
        (None, Some(v)) => value::number(v, "`threshold`")?,
        (None, None) => DEFAULT_TOOL_CALL_F1_THRESHOLD,
    };
    if !(0.0..=1.0).contains(&threshold) {
        return Err(format!(
            "the tool_call_f1 threshold must be between 0 and 1, got {threshold}"
        ));
    }
    Ok(TrajectoryCheck::ToolCallF1 {
        names: value::list(inner)?,
        threshold,
    })
}

/// The base (non-negated) result; an error when the answer came from a
/// single call rather than an agent loop.
pub(super) fn evaluate(check: &TrajectoryCheck, input: &CheckInput<'_>) -> CheckResult {
    if let (TrajectoryCheck::ToolCallF1 { names, threshold }, None) = (check, input.trajectory) {
        // promptfoo's `tool-call-f1` on one answer: its calls are the steps.
        return answer_f1(input, names, *threshold);
    }
    let Some(t) = input.trajectory else {
        return CheckResult::error(
            name(check),
            "this check reads an agent loop's trajectory, but the eval made a single call; \
             add `agent(tools = path::to::registry)` to the attribute or to `promptfoo_suite!` (or use `Eval::run_agent`)",
        );
    };
    match check {
        TrajectoryCheck::ToolUsed(tool) => trajectory::tool_used(t, tool),
        TrajectoryCheck::ToolSequence { names, exact } => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            trajectory::tool_sequence(t, &names, *exact)
        }
        TrajectoryCheck::ToolArgsMatch { name, arguments } => {
            trajectory::tool_args_match(t, name, arguments)
        }
        TrajectoryCheck::MaxSteps(max) => {
            trajectory::max_steps(t, usize::try_from(*max).unwrap_or(usize::MAX))
        }
        TrajectoryCheck::ToolCallF1 { names, threshold } => {
            let expected: Vec<(&str, Value)> =
                names.iter().map(|n| (n.as_str(), Value::Null)).collect();
            trajectory::tool_call_f1(t, &expected, *threshold)
        }
        TrajectoryCheck::NoRepeatedCall => trajectory::no_repeated_call(t),
    }
}

/// `tool_call_f1` over the calls of a single answer.
fn answer_f1(input: &CheckInput<'_>, names: &[String], threshold: f64) -> CheckResult {
    let calls: Vec<(&str, &Value)> = input
        .completion
        .tool_calls
        .iter()
        .map(|c| (c.name.as_str(), &c.arguments))
        .collect();
    let expected: Vec<(&str, Value)> = names.iter().map(|n| (n.as_str(), Value::Null)).collect();
    let called: Vec<&str> = calls.iter().map(|(name, _)| *name).collect();
    let actual = format!("the answer called [{}]", called.join(", "));
    trajectory::calls_f1(&calls, &expected, threshold, actual)
}

fn name(check: &TrajectoryCheck) -> &'static str {
    match check {
        TrajectoryCheck::ToolUsed(_) => "tool_used",
        TrajectoryCheck::ToolSequence { .. } => "tool_sequence",
        TrajectoryCheck::ToolArgsMatch { .. } => "tool_args_match",
        TrajectoryCheck::MaxSteps(_) => "max_steps",
        TrajectoryCheck::ToolCallF1 { .. } => "tool_call_f1",
        TrajectoryCheck::NoRepeatedCall => "no_repeated_call",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::checks::{Assertion, CheckInput};
    use crate::completion::Completion;
    use crate::request::Endpoint;

    use crate::agent::{Step, Trajectory};

    fn trajectory() -> Trajectory {
        let step = |turn, name: &str, args| Step {
            turn,
            id: format!("c{turn}"),
            name: name.into(),
            arguments: args,
            result: Ok(json!({"ok": true})),
            latency: std::time::Duration::ZERO,
            tokens: None,
        };
        Trajectory {
            steps: vec![
                step(0, "search_hotels", json!({"city": "Rome"})),
                step(1, "book_hotel", json!({"hotel_id": "h1", "nights": 2})),
            ],
            turns: 3,
            max_steps: 6,
            ..Trajectory::default()
        }
    }

    fn verdicts(cases: &[(&str, serde_json::Value)]) -> Vec<(String, bool)> {
        let completion = Completion::empty("Llama-3.3-70B-Instruct", Endpoint::Native);
        let t = trajectory();
        let input = CheckInput::new(&completion).with_trajectory(Some(&t));
        cases
            .iter()
            .map(|(kind, value)| {
                let a = Assertion::parse(kind, value.clone(), 1.0, None).unwrap();
                let r = a.evaluate(&input);
                assert!(!r.is_error(), "{kind}: {r}");
                (kind.to_string(), r.passed())
            })
            .collect()
    }

    #[test]
    fn each_kind_passes_and_fails() {
        let cases = [
            ("tool_used", json!("book_hotel"), json!("cancel")),
            ("not_tool_used", json!("cancel"), json!("book_hotel")),
            (
                "tool_sequence",
                json!(["search_hotels", "book_hotel"]),
                json!(["search_hotels"]),
            ),
            (
                "tool_sequence",
                json!({"value": ["book_hotel"], "exact": false}),
                json!({"value": ["book_hotel", "search_hotels"], "exact": false}),
            ),
            (
                "tool_args_match",
                json!({"name": "book_hotel", "arguments": {"nights": 2}}),
                json!({"name": "book_hotel", "arguments": {"nights": 3}}),
            ),
            ("max_steps", json!(2), json!(1)),
            (
                "tool_call_f1",
                json!(["search_hotels", "book_hotel"]),
                json!(["search_hotels"]),
            ),
        ];
        for (kind, pass, fail) in cases {
            assert_eq!(
                verdicts(&[(kind, pass), (kind, fail)]),
                [(kind.to_owned(), true), (kind.to_owned(), false)]
            );
        }
        assert_eq!(
            verdicts(&[("no_repeated_call", json!(null))]),
            [("no_repeated_call".to_owned(), true)]
        );
    }

    #[test]
    fn tool_call_f1_takes_a_threshold() {
        let completion = Completion::empty("m", Endpoint::Native);
        let t = trajectory();
        let input = CheckInput::new(&completion).with_trajectory(Some(&t));
        let half = Assertion::parse("tool_call_f1", json!(["search_hotels"]), 1.0, Some(0.6))
            .unwrap()
            .evaluate(&input);
        assert!(half.passed(), "{half}");
        assert!((half.score - 2.0 / 3.0).abs() < 1e-9, "{}", half.score);
    }

    #[test]
    fn bad_values_are_config_errors_and_a_single_call_is_an_error() {
        let err = Assertion::parse("tool_args_match", json!({"name": "x"}), 1.0, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`arguments` is missing"), "{err}");
        let err = Assertion::parse("max_steps", json!(-1), 1.0, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("non-negative integer"), "{err}");
        let completion = Completion::empty("m", Endpoint::Native);
        let single = Assertion::parse("tool_used", json!("x"), 1.0, None)
            .unwrap()
            .evaluate(&CheckInput::new(&completion));
        assert!(single.is_error());
        assert!(single.reason.contains("agent("), "{single}");
    }
}
