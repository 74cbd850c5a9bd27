//! The attribute's keys, with an example for each (used in "unknown key" and
//! "wrong type" errors), and typed extraction of their values.

use proc_macro2::TokenStream;

use crate::args::{Arg, ArgBody, Value, ValueKind};
use crate::errors::Errors;

/// A value with the tokens it came from, for errors found later.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub tokens: TokenStream,
}

/// Every key `#[llama_eval(...)]` accepts, with a usage example.
pub const KEYS: &[(&str, &str)] = &[
    ("model", r#"model = "Llama-3.3-70B-Instruct""#),
    (
        "models",
        r#"models = ["Llama-3.3-70B-Instruct", "Llama-3.3-8B-Instruct"]"#,
    ),
    (
        "prompt",
        r#"prompt = "What's the weather like in {{city}}?""#,
    ),
    ("system", r#"system = "You are a helpful assistant.""#),
    ("messages", r#"messages = "tests/data/chat.json""#),
    ("image", r#"image = "tests/data/cat.png""#),
    (
        "images",
        r#"images = ["tests/data/a.png", "https://example.com/b.jpg"]"#,
    ),
    ("temperature", "temperature = 0.7"),
    ("top_p", "top_p = 0.9"),
    ("top_k", "top_k = 40"),
    ("max_tokens", "max_tokens = 256"),
    ("repetition_penalty", "repetition_penalty = 1.1"),
    ("frequency_penalty", "frequency_penalty = 0.5"),
    ("presence_penalty", "presence_penalty = 0.5"),
    ("stream", "stream = true"),
    ("tools", r#"tools = "tests/data/tools.json""#),
    ("tool_choice", r#"tool_choice = "auto""#),
    ("json_schema", r#"json_schema = "tests/data/schema.json""#),
    ("endpoint", r#"endpoint = "compat""#),
    (
        "extra_body",
        r##"extra_body = r#"{"logit_bias": [[5018, 20]]}"#"##,
    ),
    ("case", r#"case(name = "nyc", city = "New York, NY")"#),
    ("assert", r#"assert(contains = "quantum")"#),
    (
        "agent",
        "agent(max_steps = 6, tools = crate::tools::registry)",
    ),
    ("threshold", "threshold = 0.8"),
    ("repeat", "repeat = 5"),
    ("min_pass", "min_pass = 0.8"),
    ("timeout_ms", "timeout_ms = 30000"),
    ("record", r#"record = "replay""#),
    (
        "grader",
        r#"grader = "Llama-4-Maverick-17B-128E-Instruct-FP8""#,
    ),
    ("allow_unlisted_model", "allow_unlisted_model = true"),
    ("crate", r#"crate = "llama_test""#),
];

pub fn key_names() -> Vec<&'static str> {
    KEYS.iter().map(|(name, _)| *name).collect()
}

fn example(key: &str) -> String {
    KEYS.iter()
        .find(|(name, _)| *name == key)
        .map_or_else(|| format!("{key} = ..."), |(_, e)| (*e).to_owned())
}

/// "`temperature` expects a number, e.g. `temperature = 0.7`; found a string"
pub fn type_error(arg: &Arg, expected: &str, errors: &mut Errors) {
    let found = match &arg.body {
        ArgBody::Flag => "nothing".to_owned(),
        ArgBody::Value(v) => v.kind.describe().to_owned(),
        ArgBody::List(_) => format!("`{}(...)`", arg.key),
    };
    errors.push(
        value_span(arg),
        format!(
            "`{}` expects {expected}, e.g. `{}`; found {found}",
            arg.key,
            example(&arg.name())
        ),
    );
}

/// The value's tokens when there is one, else the whole item: errors about a
/// value point at the value.
pub fn value_span(arg: &Arg) -> &TokenStream {
    match &arg.body {
        ArgBody::Value(v) => &v.tokens,
        _ => &arg.tokens,
    }
}

fn value(arg: &Arg) -> Option<&Value> {
    match &arg.body {
        ArgBody::Value(v) => Some(v),
        _ => None,
    }
}

pub fn string(arg: &Arg, errors: &mut Errors) -> Option<Spanned<String>> {
    match value(arg) {
        Some(Value {
            kind: ValueKind::Str(s),
            tokens,
        }) => Some(Spanned {
            value: s.clone(),
            tokens: tokens.clone(),
        }),
        _ => {
            type_error(arg, "a string", errors);
            None
        }
    }
}

/// A list of strings; a single string is accepted as a one-item list.
pub fn string_list(arg: &Arg, errors: &mut Errors) -> Option<Spanned<Vec<Spanned<String>>>> {
    let v = value(arg);
    let items = match v.map(|v| &v.kind) {
        Some(ValueKind::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(ValueKind::Str(_)) => v.into_iter().collect(),
        _ => {
            type_error(arg, "a list of strings", errors);
            return None;
        }
    };
    let mut out = Vec::new();
    for item in items {
        match &item.kind {
            ValueKind::Str(s) => out.push(Spanned {
                value: s.clone(),
                tokens: item.tokens.clone(),
            }),
            other => errors.push(
                item,
                format!(
                    "`{}` expects a list of strings, e.g. `{}`; found {}",
                    arg.key,
                    example(&arg.name()),
                    other.describe()
                ),
            ),
        }
    }
    Some(Spanned {
        value: out,
        tokens: v.map(|v| v.tokens.clone()).unwrap_or_default(),
    })
}

/// A float; integer literals are accepted (`temperature = 1`).
pub fn number(arg: &Arg, errors: &mut Errors) -> Option<Spanned<f64>> {
    let found = match value(arg).map(|v| &v.kind) {
        Some(ValueKind::Float(f)) if f.is_finite() => Some(*f),
        Some(ValueKind::Int(i)) => Some(*i as f64),
        _ => None,
    };
    let Some(found) = found else {
        type_error(arg, "a number", errors);
        return None;
    };
    Some(Spanned {
        value: found,
        tokens: arg.tokens.clone(),
    })
}

/// A number that must lie within `min..=max`.
pub fn number_in(arg: &Arg, min: f64, max: f64, errors: &mut Errors) -> Option<f64> {
    let n = number(arg, errors)?;
    if !(min..=max).contains(&n.value) {
        errors.push(
            value_span(arg),
            format!(
                "`{}` must be between {min} and {max}; found {}",
                arg.key, n.value
            ),
        );
        return None;
    }
    Some(n.value)
}

/// A non-negative integer that fits `T`.
pub fn integer<T: TryFrom<i128>>(arg: &Arg, errors: &mut Errors) -> Option<T> {
    match value(arg).map(|v| &v.kind) {
        Some(ValueKind::Int(i)) => match T::try_from(*i) {
            Ok(v) if *i >= 0 => Some(v),
            _ => {
                errors.push(
                    value_span(arg),
                    format!(
                        "`{}` expects a non-negative integer, e.g. `{}`; found {i}",
                        arg.key,
                        example(&arg.name())
                    ),
                );
                None
            }
        },
        _ => {
            type_error(arg, "a non-negative integer", errors);
            None
        }
    }
}

/// `key`, `key = true` or `key = false`.
pub fn flag(arg: &Arg, errors: &mut Errors) -> Option<bool> {
    match &arg.body {
        ArgBody::Flag => Some(true),
        ArgBody::Value(Value {
            kind: ValueKind::Bool(b),
            ..
        }) => Some(*b),
        _ => {
            type_error(arg, "`true` or `false`", errors);
            None
        }
    }
}

/// One of a fixed set of strings, with a did-you-mean for near misses.
pub fn choice(arg: &Arg, choices: &[&str], errors: &mut Errors) -> Option<Spanned<String>> {
    let s = string(arg, errors)?;
    if choices.contains(&s.value.as_str()) {
        return Some(s);
    }
    errors.push(
        &s.tokens,
        format!(
            "unknown `{}` value `{}`{}; expected one of: {}",
            arg.key,
            s.value,
            crate::names::hint(&s.value, choices),
            crate::names::backticked(choices)
        ),
    );
    None
}

/// The items of `key(...)`; anything else is a type error.
pub fn list<'a>(arg: &'a Arg, errors: &mut Errors) -> Option<&'a [Arg]> {
    match &arg.body {
        ArgBody::List(items) => Some(items),
        _ => {
            type_error(arg, "a parenthesized list", errors);
            None
        }
    }
}

/// The unknown-key error with a did-you-mean and the accepted keys.
pub fn unknown_key(arg: &Arg, errors: &mut Errors) {
    let name = arg.name();
    let keys = key_names();
    errors.push(
        &arg.key,
        format!(
            "unknown key `{name}`{}; expected one of: {}",
            crate::names::hint(&name, &keys),
            crate::names::backticked(&keys)
        ),
    );
}
