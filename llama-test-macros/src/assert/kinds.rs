//! The check kinds `assert(...)` accepts: the value each takes, the options
//! of its `key(...)` form and whether a `not_` form exists. This mirrors the
//! runtime's `llama_test::checks::ASSERTION_KINDS` and `NEGATABLE_KINDS`; a
//! proc macro cannot depend on the runtime crate, so a test below keeps the
//! two in step by reading the runtime's source.

use crate::args::{Value, ValueKind};
use crate::names::{backticked, hint};

/// What value a check takes in `key = value` (and as `value = ..`).
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Shape {
    /// A non-empty string.
    Text,
    /// A non-empty string or a number.
    TextOrNumber,
    /// Any string (empty too) or a number: `equals`.
    AnyTextOrNumber,
    /// A non-empty list of non-empty strings.
    TextList,
    /// [`Shape::Text`] or [`Shape::TextList`]: `bleu`'s references.
    TextOrTextList,
    /// A non-negative integer (a `u64`).
    Count,
    /// A non-negative number: `max_cost`'s US dollars.
    Amount,
    /// No value (a bare key) or `true`.
    Flag,
}

/// One check kind.
pub struct Kind {
    pub name: &'static str,
    pub shape: Shape,
    /// Whether `not_<name>` exists.
    pub negatable: bool,
    /// The options of `name(...)` besides `weight`.
    pub options: &'static [&'static str],
    pub example: &'static str,
}

/// The options every `key(...)` takes.
pub const WEIGHT: &str = "weight";

const VALUE: &[&str] = &["value"];
const SIMILARITY: &[&str] = &["value", "threshold"];
const FLAG: &[&str] = &[];

#[rustfmt::skip]
pub const KINDS: &[Kind] = &[
    kind("contains", Shape::TextOrNumber, true, VALUE, r#"contains = "quantum""#),
    kind("icontains", Shape::TextOrNumber, true, VALUE, r#"icontains = "quantum""#),
    kind("contains_any", Shape::TextList, true, VALUE, r#"contains_any = ["a", "b"]"#),
    kind("contains_all", Shape::TextList, true, VALUE, r#"contains_all = ["a", "b"]"#),
    kind("icontains_any", Shape::TextList, true, VALUE, r#"icontains_any = ["a", "b"]"#),
    kind("icontains_all", Shape::TextList, true, VALUE, r#"icontains_all = ["a", "b"]"#),
    kind("starts_with", Shape::TextOrNumber, true, VALUE, r#"starts_with = "Yes""#),
    kind("equals", Shape::AnyTextOrNumber, true, VALUE, r#"equals = "42""#),
    kind("regex", Shape::Text, true, VALUE, r#"regex = "\\d+ degrees""#),
    kind("word_count", Shape::Count, true, &["value", "min", "max"], "word_count(min = 5, max = 50)"),
    kind("levenshtein", Shape::Text, true, SIMILARITY, r#"levenshtein(value = "hello", threshold = 3)"#),
    kind("rouge_n", Shape::Text, true, SIMILARITY, r#"rouge_n(value = "reference text", threshold = 0.75)"#),
    kind("bleu", Shape::TextOrTextList, true, SIMILARITY, r#"bleu(value = "reference text", threshold = 0.5)"#),
    kind("stop_reason", Shape::Text, true, VALUE, r#"stop_reason = "stop""#),
    kind("is_refusal", Shape::Flag, true, FLAG, "is_refusal"),
    kind("max_latency_ms", Shape::Count, false, VALUE, "max_latency_ms = 5000"),
    kind("max_tokens_used", Shape::Count, false, VALUE, "max_tokens_used = 500"),
    kind("max_cost", Shape::Amount, false, VALUE, "max_cost = 0.002"),
    kind("is_json", Shape::Flag, true, FLAG, "is_json"),
    kind("contains_json", Shape::Flag, true, FLAG, "contains_json"),
    kind("function_call", Shape::Text, true, &["value", "name", "arguments"], r#"function_call = "get_weather""#),
    kind("no_tool_call", Shape::Flag, false, FLAG, "no_tool_call"),
    kind("tool_call_count", Shape::Count, false, &["value", "min", "max", "name"], "tool_call_count = 1"),
    kind("tool_call_order", Shape::TextList, false, &["value", "exact"], r#"tool_call_order = ["search", "summarize"]"#),
    kind("llm_rubric", Shape::Text, true, &["value", "threshold", "grader"], r#"llm_rubric = "Accurately describes the image""#),
];

const fn kind(
    name: &'static str,
    shape: Shape,
    negatable: bool,
    options: &'static [&'static str],
    example: &'static str,
) -> Kind {
    Kind {
        name,
        shape,
        negatable,
        options,
        example,
    }
}

/// Every accepted key: the base kinds, then the `not_` forms.
pub fn all_names() -> Vec<String> {
    let bases = KINDS.iter().map(|k| k.name.to_owned());
    let negated = KINDS
        .iter()
        .filter(|k| k.negatable)
        .map(|k| format!("not_{}", k.name));
    bases.chain(negated).collect()
}

/// The kind a key names and whether it is the `not_` form; otherwise the
/// error message (with a did-you-mean and the accepted keys).
pub fn lookup(key: &str) -> Result<(&'static Kind, bool), String> {
    let find = |name: &str| KINDS.iter().find(|k| k.name == name);
    if let Some(kind) = find(key) {
        return Ok((kind, false));
    }
    if let Some(kind) = key.strip_prefix("not_").and_then(find) {
        if kind.negatable {
            return Ok((kind, true));
        }
        return Err(format!(
            "`{key}` does not exist: `{}` has no `not_` form{}",
            kind.name,
            negation_alternative(kind.name)
        ));
    }
    let names = all_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let bases: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    let fixed: Vec<&str> = KINDS
        .iter()
        .filter(|k| !k.negatable)
        .map(|k| k.name)
        .collect();
    Err(format!(
        "unknown check `{key}`{}; expected one of: {}; each also as `not_...` except {}",
        hint(key, &names),
        backticked(&bases),
        backticked(&fixed)
    ))
}

/// What to write instead of a `not_` form that does not exist.
fn negation_alternative(base: &str) -> &'static str {
    match base {
        "no_tool_call" => {
            "; to require a tool call, use `tool_call_count(min = 1)` or `function_call = \"name\"`"
        }
        "tool_call_count" => {
            "; give the allowed range instead: `tool_call_count(min = .., max = ..)`"
        }
        _ => "",
    }
}

impl Shape {
    /// `None` when `value` fits; otherwise what was found, for
    /// "expects X; found Y".
    pub fn problem(self, value: &Value) -> Option<String> {
        let found = |what: &str| Some(what.to_owned());
        match (self, &value.kind) {
            (Shape::Flag, ValueKind::Bool(true)) => None,
            (Shape::AnyTextOrNumber, ValueKind::Str(_)) => None,
            (Shape::Text | Shape::TextOrNumber | Shape::TextOrTextList, ValueKind::Str(s)) => {
                s.is_empty().then(|| "an empty string".to_owned())
            }
            (Shape::TextOrNumber | Shape::AnyTextOrNumber, ValueKind::Int(_)) => None,
            (Shape::TextOrNumber | Shape::AnyTextOrNumber, ValueKind::Float(f)) => {
                (!f.is_finite()).then(|| "a number too large for JSON".to_owned())
            }
            (Shape::TextList | Shape::TextOrTextList, ValueKind::Array(items)) => {
                list_problem(items)
            }
            (Shape::Amount, ValueKind::Int(i)) => (*i < 0).then(|| i.to_string()),
            (Shape::Amount, ValueKind::Float(f)) => {
                (!f.is_finite() || *f < 0.0).then(|| f.to_string())
            }
            (Shape::Count, ValueKind::Int(i)) => {
                (u64::try_from(*i).is_err()).then(|| i.to_string())
            }
            (_, other) => found(other.describe()),
        }
    }

    /// What the shape is, to follow "expects".
    pub fn expected(self) -> &'static str {
        match self {
            Shape::Text => "a non-empty string",
            Shape::TextOrNumber => "a non-empty string or a number",
            Shape::AnyTextOrNumber => "a string or a number",
            Shape::TextList => "a non-empty list of non-empty strings",
            Shape::TextOrTextList => "a non-empty string or a list of them",
            Shape::Count => "a non-negative integer",
            Shape::Amount => "a non-negative number (US dollars)",
            Shape::Flag => "no value",
        }
    }
}

fn list_problem(items: &[Value]) -> Option<String> {
    if items.is_empty() {
        // An empty `contains_all` would pass vacuously; the runtime refuses it.
        return Some("an empty list".to_owned());
    }
    items.iter().find_map(|item| match &item.kind {
        ValueKind::Str(s) if s.is_empty() => Some("a list holding an empty string".to_owned()),
        ValueKind::Str(_) => None,
        other => Some(format!("a list holding {}", other.describe())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The string literals of `pub const NAME: &[&str] = &[...];` in the
    /// runtime's source.
    fn runtime_list(name: &str) -> Vec<String> {
        let source = include_str!("../../../llama-test/src/checks/assertion.rs");
        let start = source
            .find(&format!("pub const {name}: &[&str] = &["))
            .unwrap_or_else(|| panic!("`{name}` is gone from assertion.rs"));
        let body = &source[start..];
        let body = &body[body.find("= &[").unwrap() + 4..body.find("];").unwrap()];
        body.split(',')
            .map(|item| item.trim().trim_matches('"').to_owned())
            .filter(|item| !item.is_empty())
            .collect()
    }

    #[test]
    fn matches_the_runtime_kinds() {
        let mut ours = all_names();
        let mut runtime = runtime_list("ASSERTION_KINDS");
        ours.sort();
        runtime.sort();
        assert_eq!(ours, runtime);
        let mut negatable: Vec<&str> = KINDS
            .iter()
            .filter(|k| k.negatable)
            .map(|k| k.name)
            .collect();
        let mut runtime_negatable = runtime_list("NEGATABLE_KINDS");
        negatable.sort();
        runtime_negatable.sort();
        assert_eq!(negatable, runtime_negatable);
    }

    #[test]
    fn not_forms_exist_only_where_the_runtime_has_them() {
        assert!(matches!(lookup("not_contains"), Ok((k, true)) if k.name == "contains"));
        assert!(matches!(lookup("tool_call_count"), Ok((_, false))));
        let no_not = lookup("not_no_tool_call").err().unwrap();
        assert!(
            no_not.starts_with("`not_no_tool_call` does not exist: `no_tool_call` has no `not_` form; to require a tool call, use `tool_call_count(min = 1)`"),
            "{no_not}"
        );
        let unknown = lookup("contians").err().unwrap();
        assert!(
            unknown.starts_with("unknown check `contians`; did you mean `contains`?"),
            "{unknown}"
        );
        assert!(
            unknown.ends_with(
                "each also as `not_...` except `max_latency_ms`, `max_tokens_used`, \
                 `max_cost`, `no_tool_call`, `tool_call_count`, `tool_call_order`"
            ),
            "{unknown}"
        );
        let typo = lookup("not_contians").err().unwrap();
        assert!(typo.contains("did you mean `not_contains`?"), "{typo}");
    }
}
