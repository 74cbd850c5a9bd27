//! The check kinds of `assert(...)`, in one table: each kind's name, the
//! value it takes, whether a `not_` form exists, the options of its
//! `key(...)` form and its threshold. The macro checks the attribute against
//! it at compile time; the runtime's `Assertion::parse` reads the same table.

/// What value a check takes in `key = value` (and as `value = ..`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

impl Shape {
    /// What the shape is, to follow "expects" in an error.
    pub const fn expected(self) -> &'static str {
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

    /// How the documentation's "value" columns name the shape.
    pub const fn doc(self) -> &'static str {
        match self {
            Shape::Text => "string",
            Shape::TextOrNumber | Shape::AnyTextOrNumber => "string or number",
            Shape::TextList => "list of strings",
            Shape::TextOrTextList => "string or list of strings",
            Shape::Count => "integer",
            Shape::Amount => "number (USD)",
            Shape::Flag => "flag",
        }
    }
}

/// The threshold a kind takes, besides the test-level `threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// None: a `threshold` on this kind is an error.
    None,
    /// The largest edit distance that passes, a whole number.
    MaxEdits {
        /// Used when no threshold is given.
        default: usize,
    },
    /// The lowest score (0..=1) that passes.
    MinScore {
        /// Used when no threshold is given; `None`: the check's own verdict.
        default: Option<f64>,
    },
}

/// One check kind.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// The key, e.g. `contains`.
    pub name: &'static str,
    /// `not_<name>`, when the check can be inverted.
    pub not_name: Option<&'static str>,
    /// The value it takes.
    pub shape: Shape,
    /// The options of `name(...)` besides `weight`, `value` first.
    pub options: &'static [&'static str],
    /// Whether and how it takes a `threshold`.
    pub threshold: Threshold,
    /// A typical use, for errors.
    pub example: &'static str,
}

/// The option every `key(...)` takes.
pub const WEIGHT: &str = "weight";

/// promptfoo's default maximum edit distance for `levenshtein`.
pub const DEFAULT_LEVENSHTEIN_THRESHOLD: usize = 5;
/// promptfoo's default minimum score for `rouge_n`.
pub const DEFAULT_ROUGE_THRESHOLD: f64 = 0.75;
/// promptfoo's default minimum score for `bleu`.
pub const DEFAULT_BLEU_THRESHOLD: f64 = 0.5;
/// promptfoo's default minimum F1 for `tool_call_f1`.
pub const DEFAULT_TOOL_CALL_F1_THRESHOLD: f64 = 1.0;

/// The kinds that check an agent loop's trajectory; they need `agent(...)`.
pub const TRAJECTORY_KINDS: &[&str] = &[
    "tool_used",
    "tool_sequence",
    "tool_args_match",
    "max_steps",
    "tool_call_f1",
    "no_repeated_call",
];

const VALUE: &[&str] = &["value"];
const SCORED: &[&str] = &["value", "threshold"];
const FLAG: &[&str] = &[];

macro_rules! kind {
    ($name:literal, not, $($rest:tt)*) => {
        kind!(@ $name, Some(concat!("not_", $name)), $($rest)*)
    };
    ($name:literal, fixed, $($rest:tt)*) => {
        kind!(@ $name, None, $($rest)*)
    };
    (@ $name:literal, $not:expr, $shape:ident, $options:expr, $threshold:expr, $example:expr) => {
        Kind {
            name: $name,
            not_name: $not,
            shape: Shape::$shape,
            options: $options,
            threshold: $threshold,
            example: $example,
        }
    };
}

const NO: Threshold = Threshold::None;

/// Every check kind, in the order errors and documentation list them.
#[rustfmt::skip]
pub const KINDS: &[Kind] = &[
    kind!("contains", not, TextOrNumber, VALUE, NO, r#"contains = "quantum""#),
    kind!("icontains", not, TextOrNumber, VALUE, NO, r#"icontains = "quantum""#),
    kind!("contains_any", not, TextList, VALUE, NO, r#"contains_any = ["a", "b"]"#),
    kind!("contains_all", not, TextList, VALUE, NO, r#"contains_all = ["a", "b"]"#),
    kind!("icontains_any", not, TextList, VALUE, NO, r#"icontains_any = ["a", "b"]"#),
    kind!("icontains_all", not, TextList, VALUE, NO, r#"icontains_all = ["a", "b"]"#),
    kind!("starts_with", not, TextOrNumber, VALUE, NO, r#"starts_with = "Yes""#),
    kind!("equals", not, AnyTextOrNumber, VALUE, NO, r#"equals = "42""#),
    kind!("regex", not, Text, VALUE, NO, r#"regex = "\\d+ degrees""#),
    kind!("word_count", not, Count, &["value", "min", "max"], NO, "word_count(min = 5, max = 50)"),
    kind!("levenshtein", not, Text, SCORED,
        Threshold::MaxEdits { default: DEFAULT_LEVENSHTEIN_THRESHOLD },
        r#"levenshtein(value = "hello", threshold = 3)"#),
    kind!("rouge_n", not, Text, SCORED,
        Threshold::MinScore { default: Some(DEFAULT_ROUGE_THRESHOLD) },
        r#"rouge_n(value = "reference text", threshold = 0.75)"#),
    kind!("bleu", not, TextOrTextList, SCORED,
        Threshold::MinScore { default: Some(DEFAULT_BLEU_THRESHOLD) },
        r#"bleu(value = "reference text", threshold = 0.5)"#),
    kind!("stop_reason", not, Text, VALUE, NO, r#"stop_reason = "stop""#),
    kind!("is_refusal", not, Flag, FLAG, NO, "is_refusal"),
    kind!("max_latency_ms", fixed, Count, VALUE, NO, "max_latency_ms = 5000"),
    kind!("max_tokens_used", fixed, Count, VALUE, NO, "max_tokens_used = 500"),
    kind!("max_cost", fixed, Amount, VALUE, NO, "max_cost = 0.002"),
    kind!("is_json", not, Flag, FLAG, NO, "is_json"),
    kind!("contains_json", not, Flag, FLAG, NO, "contains_json"),
    kind!("function_call", not, Text, &["value", "name", "arguments"], NO,
        r#"function_call = "get_weather""#),
    kind!("no_tool_call", fixed, Flag, FLAG, NO, "no_tool_call"),
    kind!("tool_call_count", fixed, Count, &["value", "min", "max", "name"], NO, "tool_call_count = 1"),
    kind!("tool_call_order", fixed, TextList, &["value", "exact"], NO,
        r#"tool_call_order = ["search", "summarize"]"#),
    // Agent loops (`agent(...)`): they read the trajectory, not the answer.
    kind!("tool_used", not, Text, VALUE, NO, r#"tool_used = "get_weather""#),
    kind!("tool_sequence", fixed, TextList, &["value", "exact"], NO,
        r#"tool_sequence = ["search_hotels", "book_hotel"]"#),
    kind!("tool_args_match", fixed, Text, &["value", "name", "arguments"], NO,
        r##"tool_args_match(name = "get_weather", arguments = r#"{"location": "Paris"}"#)"##),
    kind!("max_steps", fixed, Count, VALUE, NO, "max_steps = 4"),
    kind!("tool_call_f1", fixed, TextList, SCORED,
        Threshold::MinScore { default: Some(DEFAULT_TOOL_CALL_F1_THRESHOLD) },
        r#"tool_call_f1 = ["search_hotels", "book_hotel"]"#),
    kind!("no_repeated_call", fixed, Flag, FLAG, NO, "no_repeated_call"),
    kind!("llm_rubric", not, Text, &["value", "threshold", "grader"],
        Threshold::MinScore { default: None },
        r#"llm_rubric = "Accurately describes the image""#),
];

/// Kinds a promptfoo suite (`promptfoo_suite!`) may use besides [`KINDS`]:
/// the runtime accepts them, the attribute does not offer them (its checks
/// are Rust code in the test body). Same fields as [`KINDS`].
#[rustfmt::skip]
pub const SUITE_KINDS: &[Kind] = &[
    kind!("javascript", not, Text, &["value", "threshold"],
        Threshold::MinScore { default: None },
        r#"javascript = "output.length < 200""#),
    kind!("length", not, Count, &["value", "min", "max"], NO, "length(min = 10, max = 500)"),
    kind!("valid_tool_calls", fixed, Flag, FLAG, NO, "valid_tool_calls"),
];

/// A [`SUITE_KINDS`] kind by key and whether it is the `not_` form.
pub fn find_suite_kind(key: &str) -> Option<(&'static Kind, bool)> {
    SUITE_KINDS.iter().find_map(|k| {
        if k.name == key {
            Some((k, false))
        } else if k.not_name == Some(key) {
            Some((k, true))
        } else {
            None
        }
    })
}

const fn name_count(negatable_only: bool) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < KINDS.len() {
        if KINDS[i].not_name.is_some() {
            n += 1;
        }
        i += 1;
    }
    if negatable_only { n } else { n + KINDS.len() }
}

const ALL: [&str; name_count(false)] = {
    let mut out = [""; name_count(false)];
    let mut i = 0;
    let mut next = KINDS.len();
    while i < KINDS.len() {
        out[i] = KINDS[i].name;
        if let Some(not) = KINDS[i].not_name {
            out[next] = not;
            next += 1;
        }
        i += 1;
    }
    out
};

const NEGATABLE: [&str; name_count(true)] = {
    let mut out = [""; name_count(true)];
    let mut i = 0;
    let mut next = 0;
    while i < KINDS.len() {
        if KINDS[i].not_name.is_some() {
            out[next] = KINDS[i].name;
            next += 1;
        }
        i += 1;
    }
    out
};

/// Every accepted key: the kinds in table order, then the `not_` forms.
pub const ALL_NAMES: &[&str] = &ALL;

/// The kinds that also exist as `not_<kind>`.
pub const NEGATABLE_NAMES: &[&str] = &NEGATABLE;

/// The kind a key names and whether it is the `not_` form.
pub fn find(key: &str) -> Option<(&'static Kind, bool)> {
    if let Some(kind) = KINDS.iter().find(|k| k.name == key) {
        return Some((kind, false));
    }
    KINDS
        .iter()
        .find(|k| k.not_name == Some(key))
        .map(|k| (k, true))
}

/// The kind `key` would be without its `not_` prefix, when that form does
/// not exist (`not_max_latency_ms`).
pub fn without_not_form(key: &str) -> Option<&'static Kind> {
    let base = key.strip_prefix("not_")?;
    KINDS
        .iter()
        .find(|k| k.name == base && k.not_name.is_none())
}

/// Whether `kind` (a base name) checks the trajectory of an agent loop.
pub fn is_trajectory(kind: &Kind) -> bool {
    TRAJECTORY_KINDS.contains(&kind.name)
}

/// The accepted key a mistyped one most likely meant.
pub fn suggest(key: &str) -> Option<&'static str> {
    crate::suggest::did_you_mean(key, ALL_NAMES).filter(|s| *s != key)
}

/// The kind a key names and whether it is the `not_` form; otherwise the
/// attribute's error (with a did-you-mean and the accepted keys).
pub fn lookup(key: &str) -> Result<(&'static Kind, bool), String> {
    if let Some(found) = find(key) {
        return Ok(found);
    }
    if let Some(kind) = without_not_form(key) {
        return Err(format!(
            "`{key}` does not exist: `{}` has no `not_` form{}",
            kind.name,
            negation_alternative(kind.name)
        ));
    }
    let bases: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    let fixed: Vec<&str> = KINDS
        .iter()
        .filter(|k| k.not_name.is_none())
        .map(|k| k.name)
        .collect();
    let hint = suggest(key)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(format!(
        "unknown check `{key}`{hint}; expected one of: {}; each also as `not_...` except {}",
        crate::suggest::backticked(&bases),
        crate::suggest::backticked(&fixed)
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

/// The kinds that take a `threshold`, as `a, b, c and d` (each in
/// backticks when `backticks`).
pub fn threshold_kinds(backticks: bool) -> String {
    let names: Vec<String> = KINDS
        .iter()
        .filter(|k| k.threshold != Threshold::None)
        .map(|k| match backticks {
            true => format!("`{}`", k.name),
            false => k.name.to_owned(),
        })
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_lists_follow_the_table() {
        assert_eq!(ALL_NAMES.len(), KINDS.len() + NEGATABLE_NAMES.len());
        for kind in KINDS {
            assert_eq!(
                find(kind.name).map(|(k, n)| (k.name, n)),
                Some((kind.name, false))
            );
            if let Some(not) = kind.not_name {
                assert_eq!(not, format!("not_{}", kind.name));
                assert!(NEGATABLE_NAMES.contains(&kind.name));
                assert_eq!(find(not).map(|(k, n)| (k.name, n)), Some((kind.name, true)));
            }
            // A threshold is an option exactly where the kind takes one.
            assert_eq!(
                kind.options.contains(&"threshold"),
                kind.threshold != Threshold::None,
                "{}",
                kind.name
            );
            assert!(kind.shape == Shape::Flag || kind.options.first() == Some(&"value"));
        }
        assert_eq!(
            threshold_kinds(true),
            "`levenshtein`, `rouge_n`, `bleu`, `tool_call_f1` and `llm_rubric`"
        );
    }

    #[test]
    fn trajectory_kinds_are_in_the_table() {
        for name in TRAJECTORY_KINDS {
            let (kind, _) = find(name).unwrap_or_else(|| panic!("`{name}` is not a kind"));
            assert!(is_trajectory(kind));
        }
        assert!(!is_trajectory(find("function_call").unwrap().0));
    }

    #[test]
    fn starts_with_takes_a_string_or_a_number() {
        let (kind, _) = find("starts_with").unwrap();
        assert_eq!(kind.shape, Shape::TextOrNumber);
        assert_eq!(kind.shape.doc(), "string or number");
    }

    #[test]
    fn lookup_explains_missing_not_forms_and_typos() {
        assert!(matches!(lookup("not_contains"), Ok((k, true)) if k.name == "contains"));
        assert!(matches!(lookup("tool_call_count"), Ok((_, false))));
        let no_not = lookup("not_no_tool_call").err().unwrap();
        assert!(
            no_not.starts_with(
                "`not_no_tool_call` does not exist: `no_tool_call` has no `not_` form; \
                 to require a tool call, use `tool_call_count(min = 1)`"
            ),
            "{no_not}"
        );
        let unknown = lookup("contians").err().unwrap();
        assert!(
            unknown.starts_with("unknown check `contians`; did you mean `contains`?"),
            "{unknown}"
        );
        assert!(
            unknown.ends_with(
                "each also as `not_...` except `max_latency_ms`, `max_tokens_used`, `max_cost`, \
                 `no_tool_call`, `tool_call_count`, `tool_call_order`, `tool_sequence`, \
                 `tool_args_match`, `max_steps`, `tool_call_f1`, `no_repeated_call`"
            ),
            "{unknown}"
        );
        let typo = lookup("not_contians").err().unwrap();
        assert!(typo.contains("did you mean `not_contains`?"), "{typo}");
    }
}
