//! `assert(...)`: declarative checks, each encoded as `(kind, JSON value,
//! weight, threshold)` for the runtime. Forms: `key = literal`,
//! `key = [literals]`, a bare `key` (value `null`), or
//! `key(value = .., threshold = .., weight = ..)` (value: a JSON object of
//! those items; threshold and weight are also passed as fields).

use crate::args::{Arg, ArgBody, Value, ValueKind};
use crate::errors::Errors;
use crate::json::encode_string;
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
    /// The tool named by `function_call = "..."`, checked against `tools`.
    pub function: Option<Spanned<String>>,
}

/// What value a check takes.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Text,
    TextOrNumber,
    TextList,
    TextOrTextList,
    Integer,
    Flag,
    FlagOrText,
}

/// `(key, shape, example)` for every check; each also works with `not_`.
const KINDS: &[(&str, Shape, &str)] = &[
    ("contains", Shape::TextOrNumber, r#"contains = "quantum""#),
    ("icontains", Shape::TextOrNumber, r#"icontains = "quantum""#),
    (
        "contains_any",
        Shape::TextList,
        r#"contains_any = ["a", "b"]"#,
    ),
    (
        "contains_all",
        Shape::TextList,
        r#"contains_all = ["a", "b"]"#,
    ),
    (
        "icontains_any",
        Shape::TextList,
        r#"icontains_any = ["a", "b"]"#,
    ),
    (
        "icontains_all",
        Shape::TextList,
        r#"icontains_all = ["a", "b"]"#,
    ),
    ("starts_with", Shape::TextOrNumber, r#"starts_with = "Yes""#),
    ("equals", Shape::TextOrNumber, r#"equals = "42""#),
    ("regex", Shape::Text, r#"regex = "\\d+ degrees""#),
    ("word_count", Shape::Integer, "word_count = 50"),
    (
        "levenshtein",
        Shape::Text,
        r#"levenshtein(value = "hello", threshold = 3)"#,
    ),
    (
        "rouge_n",
        Shape::Text,
        r#"rouge_n(value = "reference text", threshold = 0.75)"#,
    ),
    (
        "bleu",
        Shape::TextOrTextList,
        r#"bleu(value = "reference text", threshold = 0.5)"#,
    ),
    ("stop_reason", Shape::Text, r#"stop_reason = "stop""#),
    ("is_refusal", Shape::Flag, "is_refusal"),
    ("max_latency_ms", Shape::Integer, "max_latency_ms = 5000"),
    ("max_tokens_used", Shape::Integer, "max_tokens_used = 500"),
    ("is_json", Shape::FlagOrText, "is_json"),
    ("contains_json", Shape::FlagOrText, "contains_json"),
    (
        "function_call",
        Shape::FlagOrText,
        r#"function_call = "get_weather""#,
    ),
    ("no_tool_call", Shape::Flag, "no_tool_call"),
    ("tool_call_count", Shape::Integer, "tool_call_count = 1"),
    (
        "tool_call_order",
        Shape::TextList,
        r#"tool_call_order = ["search", "summarize"]"#,
    ),
    (
        "llm_rubric",
        Shape::Text,
        r#"llm_rubric = "Accurately describes the image""#,
    ),
];

/// Every accepted check name, `not_` forms included.
pub fn kind_names() -> Vec<String> {
    let base = KINDS.iter().map(|(k, _, _)| (*k).to_owned());
    base.clone()
        .chain(base.map(|k| format!("not_{k}")))
        .collect()
}

/// Parses the items of one `assert(...)`.
pub fn parse(items: &[Arg], errors: &mut Errors) -> Vec<Check> {
    items
        .iter()
        .filter_map(|item| parse_check(item, errors))
        .collect()
}

fn parse_check(item: &Arg, errors: &mut Errors) -> Option<Check> {
    let kind = item.name();
    let base = kind.strip_prefix("not_").unwrap_or(&kind);
    let Some(&(_, shape, example)) = KINDS.iter().find(|(k, _, _)| *k == base) else {
        let names = kind_names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let base_names: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).collect();
        errors.push(
            &item.key,
            format!(
                "unknown check `{kind}`{}; expected one of: {}, each also as `not_...`",
                crate::names::hint(&kind, &names),
                crate::names::backticked(&base_names)
            ),
        );
        return None;
    };
    let mut check = Check {
        kind: kind.clone(),
        value_json: "null".to_owned(),
        weight: 1.0,
        threshold: None,
        strings: Vec::new(),
        function: None,
    };
    let wrong = |errors: &mut Errors, found: &str| {
        errors.push(
            item,
            format!(
                "`{kind}` expects {}, e.g. `{example}`; found {found}",
                shape.expected()
            ),
        );
    };
    match &item.body {
        ArgBody::Flag if matches!(shape, Shape::Flag | Shape::FlagOrText) => {}
        ArgBody::Flag => {
            wrong(errors, "no value");
            return None;
        }
        ArgBody::Value(value) => {
            if !shape.accepts(&value.kind) {
                wrong(errors, value.kind.describe());
                return None;
            }
            check.value_json = to_json(value)?;
            collect_strings(value, &mut check.strings);
        }
        ArgBody::List(options) => {
            parse_options(&mut check, shape, options, errors)?;
        }
    }
    if base == "regex" {
        for pattern in &check.strings {
            let filled = crate::template::fill_placeholders(&pattern.value);
            if let Err(e) = regex_syntax::parse(&filled) {
                errors.push(&pattern.tokens, format!("invalid regex in `{kind}`:\n{e}"));
            }
        }
    }
    if base == "function_call" {
        check.function = check.strings.first().cloned();
    }
    Some(check)
}

/// `key(value = .., threshold = .., weight = ..)`; `word_count` also takes
/// `min` and `max`.
fn parse_options(
    check: &mut Check,
    shape: Shape,
    options: &[Arg],
    errors: &mut Errors,
) -> Option<()> {
    let mut fields = Vec::new();
    let allowed: &[&str] = if check.kind.ends_with("word_count") {
        &["value", "min", "max", "threshold", "weight"]
    } else {
        &["value", "threshold", "weight"]
    };
    for option in options {
        let name = option.name();
        if !allowed.contains(&name.as_str()) {
            errors.push(
                &option.key,
                format!(
                    "unknown option `{name}` for `{}`{}; expected one of: {}",
                    check.kind,
                    crate::names::hint(&name, allowed),
                    crate::names::backticked(allowed)
                ),
            );
            continue;
        }
        let ArgBody::Value(value) = &option.body else {
            errors.push(
                option,
                format!("`{name}` needs a value, e.g. `{name} = 0.8`"),
            );
            continue;
        };
        let ok = match (name.as_str(), &value.kind) {
            ("value", kind) => shape.accepts(kind),
            ("threshold" | "weight", ValueKind::Int(_) | ValueKind::Float(_)) => true,
            ("min" | "max", ValueKind::Int(i)) => *i >= 0,
            _ => false,
        };
        if !ok {
            let expected = match name.as_str() {
                "value" => shape.expected(),
                "min" | "max" => "a non-negative integer",
                _ => "a number",
            };
            errors.push(
                value,
                format!(
                    "`{name}` of `{}` expects {expected}; found {}",
                    check.kind,
                    value.kind.describe()
                ),
            );
            continue;
        }
        let number = match value.kind {
            ValueKind::Int(i) => i as f64,
            ValueKind::Float(f) => f,
            _ => 0.0,
        };
        match name.as_str() {
            "threshold" => check.threshold = Some(number),
            "weight" if number < 0.0 => {
                errors.push(value, "`weight` must not be negative");
                continue;
            }
            "weight" => check.weight = number,
            _ => collect_strings(value, &mut check.strings),
        }
        fields.push(format!("{}:{}", encode_string(&name), to_json(value)?));
    }
    check.value_json = format!("{{{}}}", fields.join(","));
    Some(())
}

impl Shape {
    fn accepts(self, kind: &ValueKind) -> bool {
        let text = matches!(kind, ValueKind::Str(_));
        let number = matches!(kind, ValueKind::Int(_) | ValueKind::Float(_));
        let text_list = matches!(kind, ValueKind::Array(items)
            if items.iter().all(|i| matches!(i.kind, ValueKind::Str(_))));
        match self {
            Shape::Text | Shape::FlagOrText => text,
            Shape::TextOrNumber => text || number,
            Shape::TextList => text_list,
            Shape::TextOrTextList => text || text_list,
            Shape::Integer => matches!(kind, ValueKind::Int(i) if *i >= 0),
            Shape::Flag => matches!(kind, ValueKind::Bool(true)),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Shape::Text => "a string",
            Shape::TextOrNumber => "a string or a number",
            Shape::TextList => "a list of strings",
            Shape::TextOrTextList => "a string or a list of strings",
            Shape::Integer => "a non-negative integer",
            Shape::Flag => "no value",
            Shape::FlagOrText => "no value or a string",
        }
    }
}

/// The value as JSON text; `None` for non-literals (already reported).
fn to_json(value: &Value) -> Option<String> {
    Some(match &value.kind {
        ValueKind::Str(s) => encode_string(s),
        ValueKind::Int(i) => i.to_string(),
        ValueKind::Float(f) => format!("{f:?}"),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Array(items) => {
            let items: Option<Vec<String>> = items.iter().map(to_json).collect();
            format!("[{}]", items?.join(","))
        }
        ValueKind::Other => return None,
    })
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
mod tests {
    use super::*;
    use quote::quote;

    fn checks(tokens: proc_macro2::TokenStream) -> (Vec<Check>, Vec<String>) {
        let mut errors = Errors::new();
        let items = crate::args::parse_args(tokens, &mut errors);
        let checks = parse(&items, &mut errors);
        (checks, errors.messages())
    }

    #[test]
    fn encodes_each_form_as_json() {
        let (checks, errors) = checks(quote! {
            contains = "quantum \"q\"", not_icontains_any = ["a", "b"], is_json,
            word_count = 50, equals = 4.5,
            rouge_n(value = "ref", threshold = 0.75, weight = 2),
            word_count(min = 5, max = 50),
        });
        assert!(errors.is_empty(), "{errors:?}");
        let encoded: Vec<(&str, &str)> = checks
            .iter()
            .map(|c| (c.kind.as_str(), c.value_json.as_str()))
            .collect();
        assert_eq!(
            encoded,
            [
                ("contains", r#""quantum \"q\"""#),
                ("not_icontains_any", r#"["a","b"]"#),
                ("is_json", "null"),
                ("word_count", "50"),
                ("equals", "4.5"),
                ("rouge_n", r#"{"value":"ref","threshold":0.75,"weight":2}"#),
                ("word_count", r#"{"min":5,"max":50}"#),
            ]
        );
        assert_eq!((checks[5].weight, checks[5].threshold), (2.0, Some(0.75)));
        assert_eq!((checks[0].weight, checks[0].threshold), (1.0, None));
        assert_eq!(checks[1].strings.len(), 2);
    }

    #[test]
    fn rejects_unknown_checks_wrong_values_and_bad_regexes() {
        let (checks, errors) = checks(quote! {
            contians = "x", contains_any = "a", is_refusal = "yes", contains,
            regex = "(unclosed", regex = "^{{city}}+$", rouge_n(value = "r", cutoff = 1),
        });
        assert_eq!(checks.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("unknown check `contians`; did you mean `contains`?"));
        assert!(errors[0].ends_with("`llm_rubric`, each also as `not_...`"));
        assert!(errors[1].starts_with("`contains_any` expects a list of strings"));
        assert!(errors[2].starts_with("`is_refusal` expects no value"));
        assert!(errors[3].starts_with("`contains` expects a string or a number"));
        assert!(
            errors[4].starts_with("invalid regex in `regex`"),
            "{}",
            errors[4]
        );
        assert!(errors[5].starts_with("unknown option `cutoff` for `rouge_n`"));
        assert_eq!(errors.len(), 6);
    }

    #[test]
    fn function_call_names_the_tool() {
        let (checks, _) = checks(quote!(function_call = "get_weather", not_function_call));
        assert_eq!(
            checks[0].function.as_ref().map(|f| f.value.as_str()),
            Some("get_weather")
        );
        assert!(checks[1].function.is_none());
    }
}
