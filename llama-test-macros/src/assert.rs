//! `assert(...)`: declarative checks, each encoded as `(kind, JSON value,
//! weight, threshold)` exactly as the runtime's `Assertion::parse_json_text`
//! reads them. Forms: `key = literal`, `key = [literals]`, a bare `key`
//! (value `null`), or `key(value = .., threshold = .., weight = ..)` with the
//! kind's own options (see `options`). A form the runtime would reject for a
//! reason visible here is a compile error instead.

mod options;
mod value_shape;

use llama_test_core::checks::{self, Shape};

use crate::args::{Arg, ArgBody, Value, ValueKind};
use crate::errors::Errors;
use crate::keys::Spanned;

/// One declared check.
pub struct Check {
    /// The key as written, e.g. `contains`, `not_regex`.
    pub kind: String,
    /// The value as JSON text.
    pub value_json: String,
    pub weight: f64,
    pub threshold: Option<f64>,
    /// String values, for the `{{var}}` check.
    pub strings: Vec<Spanned<String>>,
    /// The tool named by `function_call`, checked against `tools`.
    pub function: Option<Spanned<String>>,
    /// An `llm_rubric(grader = "...")` model, checked against the catalogue.
    pub grader: Option<Spanned<String>>,
    /// The key's tokens, for errors across keys.
    pub key_tokens: proc_macro2::TokenStream,
    /// Tools a trajectory check names (`tool_used`, `tool_sequence`, ...),
    /// checked against `tools`.
    pub trajectory_tools: Vec<Spanned<String>>,
}

/// Parses the items of one `assert(...)`.
pub fn parse(items: &[Arg], errors: &mut Errors) -> Vec<Check> {
    items
        .iter()
        .filter_map(|item| parse_check(item, errors))
        .collect()
}

fn parse_check(item: &Arg, errors: &mut Errors) -> Option<Check> {
    let key = item.name();
    let kind = match checks::lookup(&key) {
        Ok((kind, _negated)) => kind,
        Err(message) => {
            errors.push(&item.key, message);
            return None;
        }
    };
    let mut check = Check {
        kind: key.clone(),
        value_json: "null".to_owned(),
        weight: 1.0,
        threshold: None,
        strings: Vec::new(),
        function: None,
        grader: None,
        key_tokens: quote::ToTokens::to_token_stream(&item.key),
        trajectory_tools: Vec::new(),
    };
    let shape = kind.shape;
    let wrong = |errors: &mut Errors, found: &str, tip: &str| {
        errors.push(
            item,
            format!(
                "`{key}` expects {}, e.g. `{}`; found {found}{tip}",
                shape.expected(),
                kind.example
            ),
        );
    };
    match &item.body {
        ArgBody::Flag if shape == Shape::Flag => {}
        ArgBody::Flag => {
            wrong(errors, "no value", bare_tip(&key));
            return None;
        }
        ArgBody::Value(value) => {
            if let Some(found) = value_shape::problem(shape, value) {
                let tip = match shape {
                    Shape::Flag => flag_tip(&key, kind.name, value),
                    _ => String::new(),
                };
                wrong(errors, &found, &tip);
                return None;
            }
            if shape != Shape::Flag {
                check.value_json = to_json(value)?;
                collect_strings(value, &mut check.strings);
            }
            if kind.name == "function_call" {
                check.function = check.strings.first().cloned();
            }
            if kind.name == "tool_args_match" {
                errors.push(
                    item,
                    format!(
                        "`tool_args_match` needs the arguments: `{}` (to check only that a tool \
                         ran, use `tool_used = \"name\"`)",
                        kind.example
                    ),
                );
                return None;
            }
        }
        ArgBody::List(options) => options::parse(&mut check, kind, item, options, errors)?,
    }
    if checks::is_trajectory(kind) && kind.name != "tool_args_match" {
        check.trajectory_tools = check.strings.clone();
    }
    if kind.name == "regex" {
        for pattern in &check.strings {
            // Each `{{var}}` becomes `x`, so the pattern around it is checked.
            let filled = llama_test_core::template::render_with(&pattern.value, |_| Some("x"))
                .unwrap_or_else(|_| pattern.value.clone());
            if let Err(e) = regex_syntax::parse(&filled) {
                errors.push(&pattern.tokens, format!("invalid regex in `{key}`:\n{e}"));
            }
        }
    }
    Some(check)
}

/// What a bare key that needs a value probably meant.
fn bare_tip(key: &str) -> &'static str {
    match key {
        "function_call" => " (to require some tool call, use `tool_call_count(min = 1)`)",
        "not_function_call" => " (to require no tool call at all, use `no_tool_call`)",
        _ => "",
    }
}

/// What a flag given a value probably meant.
fn flag_tip(key: &str, base: &str, value: &Value) -> String {
    match (&value.kind, base) {
        (ValueKind::Bool(false), _) if key.starts_with("not_") => format!(" (write `{base}`)"),
        (ValueKind::Bool(false), "no_tool_call") => {
            " (to require a tool call, use `tool_call_count(min = 1)`)".to_owned()
        }
        (ValueKind::Bool(false), _) => format!(" (write `not_{base}` to invert the check)"),
        (ValueKind::Str(_), "is_json") => " (to validate the JSON against a \
             schema, call `out.assert_json_schema(&schema)` in the test body)"
            .to_owned(),
        _ => String::new(),
    }
}

/// The value as JSON text; `None` for non-literals, which every shape
/// rejects before this is called.
fn to_json(value: &Value) -> Option<String> {
    Some(match &value.kind {
        ValueKind::Str(s) => encode_string(s),
        ValueKind::Int(i) => i.to_string(),
        ValueKind::Float(f) if f.is_finite() => format!("{f:?}"),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Array(items) => {
            let items: Option<Vec<String>> = items.iter().map(to_json).collect();
            format!("[{}]", items?.join(","))
        }
        ValueKind::Float(_) | ValueKind::Other => return None,
    })
}

/// `text` as a JSON string literal, quotes included.
fn encode_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn collect_strings(value: &Value, out: &mut Vec<Spanned<String>>) {
    match &value.kind {
        ValueKind::Str(s) => out.push(Spanned {
            value: s.clone(),
            tokens: value.tokens.clone(),
        }),
        ValueKind::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
