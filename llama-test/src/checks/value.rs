//! Reading assertion values: the JSON shapes each key accepts, with errors
//! that say which shape was expected. Also `{{var}}` substitution.

use serde_json::{Map, Value};

use super::Bounds;

/// A value-shape problem; the caller adds the key.
pub(super) type ValueResult<T> = Result<T, String>;

/// A non-empty string, or a number written as text.
pub(super) fn text(value: &Value) -> ValueResult<String> {
    match value {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        Value::String(_) => Err("the value is an empty string".to_owned()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!(
            "expected a string or number, got {}",
            kind_of(other)
        )),
    }
}

/// A non-empty list of strings: a JSON array of strings/numbers, or a
/// comma-separated string (`"a, \"b,c\""`) as promptfoo accepts.
pub(super) fn list(value: &Value) -> ValueResult<Vec<String>> {
    let items = match value {
        Value::Array(items) => items.iter().map(text).collect::<ValueResult<Vec<_>>>()?,
        Value::String(s) => split_csv(s),
        other => {
            return Err(format!(
                "expected an array of strings, got {}",
                kind_of(other)
            ));
        }
    };
    if items.is_empty() {
        // An empty `contains_all` would pass vacuously: refuse it.
        return Err("the list is empty".to_owned());
    }
    Ok(items)
}

/// A number (exact) or `{min, max}` with at least one end.
pub(super) fn bounds(value: &Value, extra: &[&str]) -> ValueResult<Bounds> {
    match value {
        Value::Number(_) => Ok(Bounds::exactly(count(value, "the value")?)),
        Value::Object(map) => {
            let mut allowed = vec!["min", "max"];
            allowed.extend_from_slice(extra);
            check_fields(map, &allowed)?;
            let min = map.get("min").map(|v| count(v, "`min`")).transpose()?;
            let max = map.get("max").map(|v| count(v, "`max`")).transpose()?;
            match (min, max) {
                (None, None) => Err("give `min`, `max` or both".to_owned()),
                (Some(a), Some(b)) if a > b => Err(format!("`min` {a} is greater than `max` {b}")),
                _ => Ok(Bounds { min, max }),
            }
        }
        other => Err(format!(
            "expected a number or {{min, max}}, got {}",
            kind_of(other)
        )),
    }
}

/// A non-negative integer.
pub(super) fn count(value: &Value, what: &str) -> ValueResult<u64> {
    value
        .as_u64()
        .ok_or_else(|| format!("{what} must be a non-negative integer, got {value}"))
}

/// A bare flag: `null` (written without a value) or `true`.
pub(super) fn flag(value: &Value, key: &str) -> ValueResult<()> {
    match value {
        Value::Null | Value::Bool(true) => Ok(()),
        Value::Bool(false) => Err(format!("`{key} = false` is not supported; use `not_{key}`")),
        other => Err(format!(
            "expected no value or `true`, got {}",
            kind_of(other)
        )),
    }
}

/// Splits an object form `{value, threshold, ...}` from a plain value:
/// returns the inner value and the object's other fields.
pub(super) fn with_options<'v>(
    value: &'v Value,
    options: &[&str],
) -> ValueResult<(&'v Value, Option<&'v Map<String, Value>>)> {
    match value {
        Value::Object(map) if map.contains_key("value") => {
            let mut allowed = vec!["value"];
            allowed.extend_from_slice(options);
            check_fields(map, &allowed)?;
            Ok((&map["value"], Some(map)))
        }
        _ => Ok((value, None)),
    }
}

/// Rejects unknown fields, so a typo is an error rather than ignored.
pub(super) fn check_fields(map: &Map<String, Value>, allowed: &[&str]) -> ValueResult<()> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        None => Ok(()),
        Some(unknown) => Err(format!(
            "unknown field `{unknown}`; expected {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// A threshold as a finite number.
pub(super) fn number(value: &Value, what: &str) -> ValueResult<f64> {
    value
        .as_f64()
        .filter(|f| f.is_finite())
        .ok_or_else(|| format!("{what} must be a number, got {value}"))
}

/// `a string`, `an object`, ... for messages.
pub(super) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "no value",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Replaces `{{ name }}` in every string of `value` with the variable's
/// value. An unknown name is an error (a rubric that silently lost its
/// variable is a promptfoo trap). Names start with a letter or `_`, so regex
/// quantifiers such as `\d{{2}}`-like text are left alone.
pub(super) fn render_vars(value: &Value, vars: &[(&str, &str)]) -> ValueResult<Value> {
    crate::template::render_json(value, vars, "value").map_err(|e| e.to_string())
}

/// Comma-separated values with `"..."` quoting (`""` or `\"` inside quotes
/// is a literal quote); items are trimmed and empty items dropped.
fn split_csv(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '\\' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => items.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_lists_follow_promptfoo() {
        assert_eq!(split_csv(r#"a1, "b,2""#), ["a1", "b,2"]);
        assert_eq!(split_csv(r#""say ""hi""", x"#), ["say \"hi\"", "x"]);
    }

    #[test]
    fn vars_render_and_unknown_ones_are_errors() {
        let vars = [("city", "New York")];
        let v = render_vars(
            &json!({"value": "in {{ city }}", "n": [1, "{{city}}"]}),
            &vars,
        )
        .unwrap();
        assert_eq!(v, json!({"value": "in New York", "n": [1, "New York"]}));
        let e = render_vars(&json!("{{town}}"), &vars).unwrap_err();
        assert!(e.contains("`{{town}}`") && e.contains("city"), "{e}");
        assert_eq!(
            render_vars(&json!(r"\d{{2}}"), &[]).unwrap(),
            json!(r"\d{{2}}")
        );
    }
}
