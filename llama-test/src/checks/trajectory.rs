//! Checks on an agent loop's [`Trajectory`]: which tools were used, in what
//! order, with what arguments, how many steps, F1 against an expected set
//! of calls, and no repeated call. Failures list every step.

use std::collections::BTreeMap;

use serde_json::Value;

use super::CheckResult;
use super::tools::is_subset;
use crate::agent::Trajectory;

fn steps_actual(trajectory: &Trajectory) -> String {
    format!("the steps were:\n{}", trajectory.describe())
}

/// Some step called `name`.
pub fn tool_used(trajectory: &Trajectory, name: &str) -> CheckResult {
    let passed = trajectory.steps.iter().any(|s| s.name == name);
    CheckResult::check(
        "tool_used",
        passed,
        format!("use the tool `{name}`"),
        steps_actual(trajectory),
    )
}

/// The tool names in order equal `expected` (`exact`), or contain it as an
/// in-order subsequence.
pub fn tool_sequence(trajectory: &Trajectory, expected: &[&str], exact: bool) -> CheckResult {
    let names = trajectory.tool_names();
    let passed = if exact {
        names == expected
    } else {
        let mut it = names.iter();
        expected.iter().all(|e| it.any(|n| n == e))
    };
    let how = if exact {
        "exactly"
    } else {
        "in order (others may come between)"
    };
    CheckResult::check(
        "tool_sequence",
        passed,
        format!("call the tools [{}] {how}", expected.join(", ")),
        format!(
            "it called [{}]; {}",
            names.join(", "),
            steps_actual(trajectory)
        ),
    )
}

/// Some call of `name` has arguments containing `subset`.
pub fn tool_args_match(trajectory: &Trajectory, name: &str, subset: &Value) -> CheckResult {
    let passed = trajectory
        .steps
        .iter()
        .any(|s| s.name == name && is_subset(subset, &s.arguments));
    CheckResult::check(
        "tool_args_match",
        passed,
        format!("call `{name}` with arguments containing {subset}"),
        steps_actual(trajectory),
    )
}

/// At most `max` tool calls were made, and the loop ended with an answer.
pub fn max_steps(trajectory: &Trajectory, max: usize) -> CheckResult {
    let n = trajectory.steps.len();
    let passed = n <= max && !trajectory.hit_step_limit;
    let mut actual = format!("it made {n} tool call(s) in {} turn(s)", trajectory.turns);
    if trajectory.hit_step_limit {
        actual.push_str(" and hit the loop's step limit");
    }
    CheckResult::check(
        "max_steps",
        passed,
        format!("finish within {max} tool call(s)"),
        format!("{actual}; {}", steps_actual(trajectory)),
    )
}

/// F1 of the calls made against `expected` calls (name plus an argument
/// subset, `Value::Null` for any arguments), each actual call matching at
/// most one expected call; passes when F1 ≥ `threshold`.
pub fn tool_call_f1(
    trajectory: &Trajectory,
    expected: &[(&str, Value)],
    threshold: f64,
) -> CheckResult {
    let calls: Vec<(&str, &Value)> = trajectory
        .steps
        .iter()
        .map(|s| (s.name.as_str(), &s.arguments))
        .collect();
    calls_f1(&calls, expected, threshold, steps_actual(trajectory))
}

/// [`tool_call_f1`] over any list of `(name, arguments)` calls, e.g. the
/// calls of a single answer; `actual` describes them in the report.
pub(crate) fn calls_f1(
    calls: &[(&str, &Value)],
    expected: &[(&str, Value)],
    threshold: f64,
    actual: String,
) -> CheckResult {
    let mut used = vec![false; calls.len()];
    let mut matched = 0usize;
    for (name, subset) in expected {
        let hit = calls
            .iter()
            .enumerate()
            .position(|(i, (called, arguments))| {
                !used[i] && called == name && (subset.is_null() || is_subset(subset, arguments))
            });
        if let Some(i) = hit {
            used[i] = true;
            matched += 1;
        }
    }
    let actual_n = calls.len();
    let precision = if actual_n == 0 {
        0.0
    } else {
        matched as f64 / actual_n as f64
    };
    let recall = if expected.is_empty() {
        1.0
    } else {
        matched as f64 / expected.len() as f64
    };
    let f1 = if expected.is_empty() && actual_n == 0 {
        1.0
    } else if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    let names: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    CheckResult::scored(
        "tool_call_f1",
        f1 >= threshold,
        f1,
        format!(
            "have tool-call F1 ≥ {threshold} against [{}]",
            names.join(", ")
        ),
        format!(
            "F1 = {f1:.3} (precision {precision:.3}, recall {recall:.3}, {matched} matched); {actual}"
        ),
    )
}

/// No two calls have the same name and arguments.
pub fn no_repeated_call(trajectory: &Trajectory) -> CheckResult {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut repeated = None;
    for (i, s) in trajectory.steps.iter().enumerate() {
        let key = (s.name.clone(), s.arguments.to_string());
        if let Some(first) = seen.get(&key) {
            repeated = Some(format!(
                "step {} repeats step {}: {}({})",
                i + 1,
                first + 1,
                s.name,
                s.arguments
            ));
            break;
        }
        seen.insert(key, i);
    }
    CheckResult::check(
        "no_repeated_call",
        repeated.is_none(),
        "make no call twice with the same arguments",
        format!(
            "{}; {}",
            repeated.as_deref().unwrap_or("no call was repeated"),
            steps_actual(trajectory)
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::agent::Step;

    fn step(turn: usize, name: &str, args: Value) -> Step {
        Step {
            turn,
            id: format!("call_{turn}_{name}"),
            name: name.into(),
            arguments: args,
            result: Ok(json!({"ok": true})),
            latency: Duration::ZERO,
            tokens: None,
        }
    }

    fn trajectory() -> Trajectory {
        Trajectory {
            steps: vec![
                step(0, "search", json!({"query": "hotels in Rome", "limit": 3})),
                step(1, "book", json!({"hotel_id": "h1", "nights": 2})),
            ],
            turns: 3,
            final_answer: "Booked.".into(),
            max_steps: 6,
            ..Trajectory::default()
        }
    }

    #[test]
    fn tool_used_passes_and_fails() {
        assert!(tool_used(&trajectory(), "book").passed());
        let miss = tool_used(&trajectory(), "cancel");
        assert!(!miss.passed());
        assert!(miss.actual.contains("search("), "{}", miss.actual);
    }

    #[test]
    fn tool_sequence_exact_and_subsequence() {
        let t = trajectory();
        assert!(tool_sequence(&t, &["search", "book"], true).passed());
        assert!(!tool_sequence(&t, &["book", "search"], true).passed());
        assert!(!tool_sequence(&t, &["search"], true).passed());
        assert!(tool_sequence(&t, &["search"], false).passed());
        assert!(tool_sequence(&t, &["search", "book"], false).passed());
        assert!(!tool_sequence(&t, &["book", "search"], false).passed());
    }

    #[test]
    fn tool_args_match_is_a_subset_per_call() {
        let t = trajectory();
        assert!(tool_args_match(&t, "search", &json!({"query": "hotels in Rome"})).passed());
        assert!(!tool_args_match(&t, "search", &json!({"hotel_id": "h1"})).passed());
        assert!(!tool_args_match(&t, "book", &json!({"nights": 3})).passed());
    }

    #[test]
    fn max_steps_counts_calls_and_the_limit() {
        let mut t = trajectory();
        assert!(max_steps(&t, 2).passed());
        assert!(!max_steps(&t, 1).passed());
        t.hit_step_limit = true;
        let hit = max_steps(&t, 5);
        assert!(!hit.passed());
        assert!(hit.actual.contains("step limit"), "{}", hit.actual);
    }

    #[test]
    fn tool_call_f1_scores_against_the_expected_set() {
        let t = trajectory();
        let all = tool_call_f1(&t, &[("search", Value::Null), ("book", Value::Null)], 1.0);
        assert!(all.passed());
        assert_eq!(all.score, 1.0);
        let half = tool_call_f1(&t, &[("search", Value::Null), ("cancel", Value::Null)], 0.9);
        assert!(!half.passed());
        assert!((half.score - 0.5).abs() < 1e-9, "{}", half.score);
        let args = tool_call_f1(&t, &[("book", json!({"nights": 5}))], 0.1);
        assert!(!args.passed());
    }

    #[test]
    fn no_repeated_call_names_the_repeat() {
        let mut t = trajectory();
        assert!(no_repeated_call(&t).passed());
        t.steps
            .push(step(2, "book", json!({"hotel_id": "h1", "nights": 2})));
        let r = no_repeated_call(&t);
        assert!(!r.passed());
        assert!(r.actual.contains("step 3 repeats step 2"), "{}", r.actual);
    }
}
