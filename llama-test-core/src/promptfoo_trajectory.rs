//! promptfoo's `trajectory:*` assertion types as llama-test's trajectory
//! checks: their values rewritten into the shapes `assert(...)` uses.
//!
//! | promptfoo | llama-test | value |
//! |---|---|---|
//! | `trajectory:tool-used` | `tool_used` | a tool name |
//! | `trajectory:tool-sequence` | `tool_sequence` | `[names]` (exact), or `{steps: [names], mode: exact \| in_order}` |
//! | `trajectory:tool-args-match` | `tool_args_match` | `{name, args}` (or `arguments`): a subset some call's arguments contain |
//! | `trajectory:step-count` | `max_steps` | the most tool calls, or `{max}` |
//! | `tool-call-f1` | `tool_call_f1` | `[names]`, `threshold` default 1 |

use serde_json::{Map, Value, json};

/// Whether a suite check of this llama-test kind (`not_` forms too) reads
/// an agent loop's trajectory, so the suite needs `agent(...)`. promptfoo's
/// `tool-call-f1` also scores one answer's calls, so it does not.
pub fn needs_loop(kind: &str) -> bool {
    kind != "tool_call_f1"
        && crate::checks::find(kind).is_some_and(|(kind, _)| crate::checks::is_trajectory(kind))
}

/// The llama-test kind and value for the promptfoo type `base`.
pub fn map(base: &str, value: Value) -> Result<(&'static str, Value), String> {
    Ok(match base {
        "trajectory:tool-used" => ("tool_used", value),
        "trajectory:tool-sequence" => ("tool_sequence", sequence(value)?),
        "trajectory:tool-args-match" => ("tool_args_match", args_match(value)?),
        "trajectory:step-count" => ("max_steps", step_count(value)?),
        other => {
            return Err(format!(
                "`{other}` is not supported; the trajectory types are `trajectory:tool-used`, \
                 `trajectory:tool-sequence`, `trajectory:tool-args-match` and `trajectory:step-count`"
            ));
        }
    })
}

fn sequence(value: Value) -> Result<Value, String> {
    let Value::Object(map) = value else {
        return Ok(value);
    };
    only(&map, &["steps", "mode"])?;
    let steps = map.get("steps").cloned().ok_or("`steps` is missing")?;
    let exact = match map.get("mode").and_then(Value::as_str) {
        None | Some("exact") => true,
        Some("in_order") => false,
        Some(other) => {
            return Err(format!(
                "unknown `mode` `{other}`; expected `exact` or `in_order`"
            ));
        }
    };
    Ok(json!({"value": steps, "exact": exact}))
}

fn args_match(value: Value) -> Result<Value, String> {
    let Value::Object(map) = value else {
        return Err("expected `{name, args}`".to_owned());
    };
    only(&map, &["name", "args", "arguments"])?;
    let name = map.get("name").cloned().ok_or("`name` is missing")?;
    let arguments = map
        .get("args")
        .or_else(|| map.get("arguments"))
        .cloned()
        .ok_or("`args` is missing")?;
    Ok(json!({"name": name, "arguments": arguments}))
}

fn step_count(value: Value) -> Result<Value, String> {
    match value {
        Value::Object(map) => {
            only(&map, &["max"])?;
            map.get("max")
                .cloned()
                .ok_or_else(|| "`max` is missing".to_owned())
        }
        other => Ok(other),
    }
}

fn only(map: &Map<String, Value>, allowed: &[&str]) -> Result<(), String> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "unknown field `{k}`; expected {}",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::promptfoo::parse;

    #[test]
    fn only_loop_checks_need_a_loop() {
        for kind in [
            "tool_used",
            "not_tool_used",
            "tool_sequence",
            "max_steps",
            "no_repeated_call",
        ] {
            assert!(super::needs_loop(kind), "{kind}");
        }
        for kind in ["tool_call_f1", "function_call", "contains", "no_such_kind"] {
            assert!(!super::needs_loop(kind), "{kind}");
        }
    }

    fn checks(assertions: &str) -> Vec<(String, String, Option<f64>)> {
        let yaml = format!(
            "providers: [llamaapi:Llama-3.3-70B-Instruct]\nprompts: [hi]\ntests:\n  - assert:\n{assertions}"
        );
        let suite = parse(&yaml, |_| Err("no files".into())).unwrap();
        suite.cases[0]
            .checks
            .iter()
            .map(|c| (c.kind.clone(), c.value_json.clone(), c.threshold))
            .collect()
    }

    #[test]
    fn trajectory_types_map_to_the_trajectory_checks() {
        let got = checks(
            "      - {type: trajectory:tool-used, value: search_hotels}\n\
             \x20     - {type: not-trajectory:tool-used, value: get_weather}\n\
             \x20     - {type: trajectory:tool-sequence, value: {steps: [search_hotels, book_hotel], mode: in_order}}\n\
             \x20     - {type: trajectory:tool-args-match, value: {name: book_hotel, args: {nights: 2}}}\n\
             \x20     - {type: trajectory:step-count, value: {max: 3}}\n\
             \x20     - {type: tool-call-f1, value: [search_hotels, book_hotel], threshold: 0.8}\n",
        );
        assert_eq!(
            got,
            [
                ("tool_used".into(), r#""search_hotels""#.into(), None),
                ("not_tool_used".into(), r#""get_weather""#.into(), None),
                (
                    "tool_sequence".into(),
                    r#"{"exact":false,"value":["search_hotels","book_hotel"]}"#.into(),
                    None
                ),
                (
                    "tool_args_match".into(),
                    r#"{"arguments":{"nights":2},"name":"book_hotel"}"#.into(),
                    None
                ),
                ("max_steps".into(), "3".into(), None),
                (
                    "tool_call_f1".into(),
                    r#"["search_hotels","book_hotel"]"#.into(),
                    Some(0.8)
                ),
            ]
        );
    }

    #[test]
    fn bad_trajectory_values_name_the_type() {
        let yaml = "providers: [llamaapi:Llama-3.3-70B-Instruct]\nprompts: [hi]\ntests:\n  - assert:\n      - {type: trajectory:tool-sequence, value: {steps: [a], mode: any}}\n";
        let err = parse(yaml, |_| Err("no files".into())).err().unwrap();
        assert!(
            err.message
                .contains("`trajectory:tool-sequence`: unknown `mode` `any`"),
            "{}",
            err.message
        );
        let yaml = yaml.replace(
            "tool-sequence, value: {steps: [a], mode: any}",
            "goal-success, value: x",
        );
        let err = parse(&yaml, |_| Err("no files".into())).err().unwrap();
        assert!(
            err.message
                .contains("`trajectory:goal-success` is not supported"),
            "{}",
            err.message
        );
    }
}
