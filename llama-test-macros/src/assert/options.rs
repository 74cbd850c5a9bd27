//! The `key(...)` form of a check: `value` plus `threshold`, `weight` and the
//! kind's own options (`min`/`max`, `name`/`arguments`, `exact`, `grader`).
//!
//! `threshold` and `weight` travel in the spec's own fields, never inside
//! the value: the runtime rejects a threshold given twice and an unknown
//! `weight` field. What remains is encoded as the runtime reads it: the bare
//! value when only `value` is left, otherwise an object.

use llama_test_core::checks::{Kind, Shape, Threshold, WEIGHT};

use super::{Check, collect_strings, encode_string, to_json};
use crate::args::{Arg, ArgBody, Value, ValueKind};
use crate::errors::Errors;
use crate::keys::Spanned;
use crate::names::{backticked, hint};

/// An example for `arguments`, shared by the messages that need one.
const ARGUMENTS_EXAMPLE: &str =
    r##"function_call(name = "get_weather", arguments = r#"{"location": "Paris"}"#)"##;

/// Fills `check` from `key(options...)`; `None` once a problem is reported.
pub fn parse(
    check: &mut Check,
    kind: &Kind,
    item: &Arg,
    options: &[Arg],
    errors: &mut Errors,
) -> Option<()> {
    let key = check.kind.clone();
    let mut given: Vec<(String, &Value)> = Vec::new();
    let before = errors.len();
    for option in options {
        let name = option.name();
        if let Err(message) = allowed(kind, &key, &name) {
            errors.push(&option.key, message);
            continue;
        }
        let ArgBody::Value(value) = &option.body else {
            errors.push(
                option,
                format!("`{name}` needs a value, e.g. `{name} = ...`"),
            );
            continue;
        };
        if given.iter().any(|(n, _)| *n == name) {
            errors.push(
                &option.key,
                format!("`{name}` is given twice in `{key}(...)`"),
            );
            continue;
        }
        match validate(kind, &name, value) {
            Ok(()) => given.push((name, value)),
            Err(message) => errors.push(value, format!("`{name}` of `{key}` {message}")),
        }
    }
    if errors.len() > before {
        return None;
    }
    let get = |name: &str| given.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
    if let Err(message) = combination(kind, &key, &get) {
        errors.push(item, message);
        return None;
    }
    check.threshold = get("threshold").and_then(number);
    check.weight = get(WEIGHT).and_then(number).unwrap_or(1.0);
    for name in ["value", "name", "arguments", "grader"] {
        if let Some(value) = get(name) {
            collect_strings(value, &mut check.strings);
        }
    }
    if kind.name == "function_call" {
        check.function = get("name").or(get("value")).and_then(spanned_text);
    }
    if kind.name == "tool_args_match" {
        check
            .trajectory_tools
            .extend(get("name").and_then(spanned_text));
    }
    check.grader = get("grader").and_then(spanned_text);
    check.value_json = encode(kind, &given)?;
    Some(())
}

/// Whether `name` is an option of this kind; otherwise the message.
fn allowed(kind: &Kind, key: &str, name: &str) -> Result<(), String> {
    if name == WEIGHT || kind.options.contains(&name) {
        return Ok(());
    }
    let mut options = kind.options.to_vec();
    options.push(WEIGHT);
    let mut message = format!(
        "unknown option `{name}` for `{key}`{}",
        hint(name, &options)
    );
    if name == "threshold" {
        message = format!(
            "`threshold` has no meaning for `{key}`: it applies to {} \
             (for the test's pass mark, use the top-level `threshold = ...`)",
            llama_test_core::checks::threshold_kinds(true)
        );
    }
    message.push_str(&format!("; `{key}(...)` takes {}", backticked(&options)));
    Err(message)
}

/// Checks one option's value; the message follows "`name` of `key` ".
fn validate(kind: &Kind, name: &str, value: &Value) -> Result<(), String> {
    let shape_problem = |shape: Shape| match super::value_shape::problem(shape, value) {
        None => Ok(()),
        Some(found) => Err(format!("expects {}; found {found}", shape.expected())),
    };
    match name {
        "value" => shape_problem(kind.shape),
        "min" | "max" => shape_problem(Shape::Count),
        "name" | "grader" => shape_problem(Shape::Text),
        WEIGHT => match number(value) {
            Some(w) if w >= 0.0 => Ok(()),
            _ => Err(format!(
                "expects a number ≥ 0 (0 makes the check informational); found {}",
                found(value)
            )),
        },
        "threshold" if matches!(kind.threshold, Threshold::MaxEdits { .. }) => {
            match number(value) {
                Some(t) if t >= 0.0 && t.fract() == 0.0 => Ok(()),
                _ => Err(format!(
                    "is the largest edit distance that passes: a whole number ≥ 0; found {}",
                    found(value)
                )),
            }
        }
        "threshold" => match number(value) {
            Some(_) => Ok(()),
            None => Err(format!("expects a number; found {}", found(value))),
        },
        "exact" => match value.kind {
            ValueKind::Bool(_) => Ok(()),
            _ => Err(format!("expects `true` or `false`; found {}", found(value))),
        },
        "arguments" => arguments_problem(value).map_or(Ok(()), Err),
        _ => Ok(()),
    }
}

/// `arguments` is a JSON object written as a string.
fn arguments_problem(value: &Value) -> Option<String> {
    let expected = format!("expects a JSON object as a string, e.g. `{ARGUMENTS_EXAMPLE}`");
    let ValueKind::Str(text) = &value.kind else {
        return Some(format!("{expected}; found {}", found(value)));
    };
    match llama_test_core::files::parse_json(text) {
        Ok(serde_json::Value::Object(_)) => None,
        Ok(other) => Some(format!(
            "{expected}; found {}",
            llama_test_core::files::describe(&other)
        )),
        Err(e) => Some(format!("is not valid JSON: {e}")),
    }
}

/// What must (not) be given together; the message is spanned on the check.
fn combination<'a>(
    kind: &Kind,
    key: &str,
    get: &impl Fn(&str) -> Option<&'a Value>,
) -> Result<(), String> {
    let has = |name: &str| get(name).is_some();
    if kind.options.contains(&"min") {
        let range = has("min") || has("max");
        if has("value") && range {
            return Err(format!(
                "give either `value` (exactly that many) or `min`/`max` in `{key}(...)`, not both"
            ));
        }
        if !has("value") && !range {
            return Err(format!(
                "`{key}(...)` needs `value = N` (exactly N) or `min`/`max`, e.g. `{key}(min = 1, max = 5)`"
            ));
        }
        if let (Some(min), Some(max)) = (get("min").and_then(number), get("max").and_then(number))
            && min > max
        {
            return Err(format!(
                "`min` {min} is greater than `max` {max} in `{key}(...)`"
            ));
        }
        return Ok(());
    }
    if kind.name == "tool_args_match" {
        return match (has("value"), has("name"), has("arguments")) {
            (false, true, true) => Ok(()),
            _ => Err(format!(
                "`{key}(...)` takes the tool's `name` and the `arguments` subset, e.g. `{}`",
                kind.example
            )),
        };
    }
    if kind.name == "function_call" {
        return match (has("value"), has("name"), has("arguments")) {
            (true, true, _) => Err(format!(
                "give the tool either as `value` or as `name` in `{key}(...)`, not both"
            )),
            (true, false, true) => Err(format!(
                "`arguments` goes with `name`: `{ARGUMENTS_EXAMPLE}`"
            )),
            (false, false, _) => Err(format!(
                "`{key}(...)` needs the tool's `name`, e.g. `{ARGUMENTS_EXAMPLE}`"
            )),
            _ => Ok(()),
        };
    }
    if kind.shape != Shape::Flag && !has("value") {
        return Err(format!(
            "`{key}(...)` needs `value = ...`, as in `{}`",
            kind.example
        ));
    }
    Ok(())
}

/// The value as the runtime reads it: `null` for a flag, the bare value when
/// only `value` (or a `function_call`'s `name`) is left, else an object.
fn encode(kind: &Kind, given: &[(String, &Value)]) -> Option<String> {
    if kind.shape == Shape::Flag {
        return Some("null".to_owned());
    }
    let has_name = given.iter().any(|(n, _)| n == "name");
    let mut fields: Vec<(&str, String)> = Vec::new();
    for (name, value) in given {
        match name.as_str() {
            "threshold" | WEIGHT => {}
            // The text was checked to be a JSON object; the runtime parses it.
            "arguments" => match &value.kind {
                ValueKind::Str(text) => fields.push(("arguments", text.trim().to_owned())),
                _ => return None,
            },
            // `tool_call_count(name = .., value = N)`: exactly N calls to it.
            "value" if has_name && kind.options.contains(&"min") => {
                let n = to_json(value)?;
                fields.push(("min", n.clone()));
                fields.push(("max", n));
            }
            other => fields.push((other, to_json(value)?)),
        }
    }
    Some(match fields.as_slice() {
        [("value", only)] => only.clone(),
        [("name", only)] if kind.name == "function_call" => only.clone(),
        _ => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(n, v)| format!("{}:{v}", encode_string(n)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
    })
}

/// A finite number literal.
fn number(value: &Value) -> Option<f64> {
    match value.kind {
        ValueKind::Int(i) => Some(i as f64),
        ValueKind::Float(f) if f.is_finite() => Some(f),
        _ => None,
    }
}

/// How a value reads after "found".
fn found(value: &Value) -> String {
    match value.kind {
        ValueKind::Int(i) => i.to_string(),
        ValueKind::Float(f) => f.to_string(),
        ref other => other.describe().to_owned(),
    }
}

fn spanned_text(value: &Value) -> Option<Spanned<String>> {
    match &value.kind {
        ValueKind::Str(s) => Some(Spanned {
            value: s.clone(),
            tokens: value.tokens.clone(),
        }),
        _ => None,
    }
}
