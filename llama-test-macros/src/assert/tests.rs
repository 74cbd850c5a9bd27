use super::*;
use quote::quote;

fn checks(tokens: proc_macro2::TokenStream) -> (Vec<Check>, Vec<String>) {
    let mut errors = Errors::new();
    let items = crate::args::parse_args(tokens, &mut errors);
    let checks = parse(&items, &mut errors);
    (checks, errors.messages())
}

/// `(kind, value JSON, weight, threshold)` of each check.
fn encoded(checks: &[Check]) -> Vec<(&str, &str, f64, Option<f64>)> {
    checks
        .iter()
        .map(|c| {
            (
                c.kind.as_str(),
                c.value_json.as_str(),
                c.weight,
                c.threshold,
            )
        })
        .collect()
}

#[test]
fn encodes_values_lists_and_flags() {
    let (checks, errors) = checks(quote! {
        contains = "quantum \"q\"", not_icontains_any = ["a", "b"], is_json,
        contains_json = true, word_count = 50, equals = 4.5, equals = "",
    });
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        encoded(&checks),
        [
            ("contains", r#""quantum \"q\"""#, 1.0, None),
            ("not_icontains_any", r#"["a","b"]"#, 1.0, None),
            ("is_json", "null", 1.0, None),
            ("contains_json", "null", 1.0, None),
            ("word_count", "50", 1.0, None),
            ("equals", "4.5", 1.0, None),
            ("equals", r#""""#, 1.0, None),
        ]
    );
    assert_eq!(checks[1].strings.len(), 2);
}

#[test]
fn threshold_and_weight_never_go_into_the_value() {
    let (checks, errors) = checks(quote! {
        rouge_n(value = "ref", threshold = 0.75, weight = 2),
        levenshtein(value = "x", threshold = 3),
        contains(value = "x", weight = 0),
        is_refusal(weight = 2),
        llm_rubric(value = "Is kind", grader = "Llama-3.3-8B-Instruct", threshold = 0.5),
        word_count(min = 5, max = 50, weight = 2),
        tool_call_count(value = 2),
        tool_call_count(name = "get_weather", value = 1),
        tool_call_order(value = ["a", "b"], exact = true),
        function_call(value = "get_weather", weight = 2),
        function_call(name = "get_weather"),
        not_function_call(name = "get_weather", arguments = r#" {"unit": "kelvin"} "#),
    });
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        encoded(&checks),
        [
            ("rouge_n", r#""ref""#, 2.0, Some(0.75)),
            ("levenshtein", r#""x""#, 1.0, Some(3.0)),
            ("contains", r#""x""#, 0.0, None),
            ("is_refusal", "null", 2.0, None),
            (
                "llm_rubric",
                r#"{"value":"Is kind","grader":"Llama-3.3-8B-Instruct"}"#,
                1.0,
                Some(0.5)
            ),
            ("word_count", r#"{"min":5,"max":50}"#, 2.0, None),
            ("tool_call_count", "2", 1.0, None),
            (
                "tool_call_count",
                r#"{"name":"get_weather","min":1,"max":1}"#,
                1.0,
                None
            ),
            (
                "tool_call_order",
                r#"{"value":["a","b"],"exact":true}"#,
                1.0,
                None
            ),
            ("function_call", r#""get_weather""#, 2.0, None),
            ("function_call", r#""get_weather""#, 1.0, None),
            (
                "not_function_call",
                r#"{"name":"get_weather","arguments":{"unit": "kelvin"}}"#,
                1.0,
                None
            ),
        ]
    );
    let grader = checks[4].grader.as_ref().map(|g| g.value.as_str());
    assert_eq!(grader, Some("Llama-3.3-8B-Instruct"));
}

#[test]
fn function_call_names_the_tool_in_every_form() {
    let (checks, errors) = checks(quote! {
        function_call = "a", function_call(value = "b"), not_function_call(name = "c"),
    });
    assert!(errors.is_empty(), "{errors:?}");
    let tools: Vec<Option<&str>> = checks
        .iter()
        .map(|c| c.function.as_ref().map(|f| f.value.as_str()))
        .collect();
    assert_eq!(tools, [Some("a"), Some("b"), Some("c")]);
}

#[test]
fn rejects_what_the_runtime_would_reject() {
    let (checks, errors) = checks(quote! {
        contians = "x", not_max_latency_ms = 5, contains_any = "a", contains_all = [],
        contains = "", is_refusal = "yes", is_json = "schema.json", not_is_json = false,
        function_call, not_function_call, tool_call_count = -1, regex = "(unclosed",
    });
    // Only the regex check is kept: its pattern error is reported on the pattern.
    assert_eq!(checks.len(), 1, "{errors:?}");
    let expected = [
        "unknown check `contians`; did you mean `contains`?",
        "`not_max_latency_ms` does not exist: `max_latency_ms` has no `not_` form",
        "`contains_any` expects a non-empty list of non-empty strings, e.g. \
         `contains_any = [\"a\", \"b\"]`; found a string",
        "`contains_all` expects a non-empty list of non-empty strings, e.g. \
         `contains_all = [\"a\", \"b\"]`; found an empty list",
        "`contains` expects a non-empty string or a number, e.g. `contains = \"quantum\"`; \
         found an empty string",
        "`is_refusal` expects no value, e.g. `is_refusal`; found a string",
        "`is_json` expects no value, e.g. `is_json`; found a string (to validate the JSON \
         against a schema, call `out.assert_json_schema(&schema)` in the test body)",
        "`not_is_json` expects no value, e.g. `is_json`; found a bool (write `is_json`)",
        "`function_call` expects a non-empty string, e.g. `function_call = \"get_weather\"`; \
         found no value (to require some tool call, use `tool_call_count(min = 1)`)",
        "`not_function_call` expects a non-empty string, e.g. `function_call = \"get_weather\"`; \
         found no value (to require no tool call at all, use `no_tool_call`)",
        "`tool_call_count` expects a non-negative integer, e.g. `tool_call_count = 1`; found -1",
    ];
    for (message, start) in errors.iter().zip(expected) {
        assert!(
            message.starts_with(start),
            "{message}\n  does not start with\n{start}"
        );
    }
    assert!(
        errors[11].starts_with("invalid regex in `regex`"),
        "{}",
        errors[11]
    );
    assert_eq!(errors.len(), 12, "{errors:#?}");
}

#[test]
fn rejects_bad_options() {
    let (checks, errors) = checks(quote! {
        contains(value = "x", threshold = 1),
        rouge_n(value = "r", cutoff = 1),
        levenshtein(value = "x", threshold = 0.5),
        bleu(value = "x", weight = -1),
        word_count(min = 5, max = 1),
        word_count(value = 5, min = 1),
        tool_call_count(name = "f"),
        contains(weight = 2),
        is_json(value = true),
        function_call(name = "f", arguments = "[1]"),
        function_call(value = "f", arguments = "{}"),
        rouge_n(value = "r", value = "s"),
    });
    assert!(checks.is_empty(), "{errors:?}");
    let expected = [
        "`threshold` has no meaning for `contains`: it applies to `levenshtein`, `rouge_n`, \
         `bleu`, `tool_call_f1` and `llm_rubric` (for the test's pass mark, use the top-level `threshold = ...`); \
         `contains(...)` takes `value`, `weight`",
        "unknown option `cutoff` for `rouge_n`; `rouge_n(...)` takes `value`, `threshold`, `weight`",
        "`threshold` of `levenshtein` is the largest edit distance that passes: a whole number \
         ≥ 0; found 0.5",
        "`weight` of `bleu` expects a number ≥ 0 (0 makes the check informational); found -1",
        "`min` 5 is greater than `max` 1 in `word_count(...)`",
        "give either `value` (exactly that many) or `min`/`max` in `word_count(...)`, not both",
        "`tool_call_count(...)` needs `value = N` (exactly N) or `min`/`max`",
        "`contains(...)` needs `value = ...`, as in `contains = \"quantum\"`",
        "unknown option `value` for `is_json`; `is_json(...)` takes `weight`",
        "`arguments` of `function_call` expects a JSON object as a string",
        "`arguments` goes with `name`",
        "`value` is given twice in `rouge_n(...)`",
    ];
    for (message, start) in errors.iter().zip(expected) {
        assert!(
            message.starts_with(start),
            "{message}\n  does not start with\n{start}"
        );
    }
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
}

/// The attribute's docs say "string or number" exactly for the kinds the
/// table of check kinds gives a number to, as the runtime's docs do.
#[test]
fn the_docs_offer_numbers_where_the_table_does() {
    let docs = include_str!("../lib.rs");
    for kind in llama_test_core::checks::KINDS {
        let row = docs
            .lines()
            .filter(|l| l.starts_with("/// | `"))
            .find(|l| {
                let keys = l.split('|').nth(1).unwrap_or_default();
                keys.split(',')
                    .any(|k| k.trim() == format!("`{}`", kind.name))
            })
            .unwrap_or_else(|| panic!("no docs row for `{}`", kind.name));
        let value = row.split('|').nth(2).unwrap_or_default();
        let takes_numbers = matches!(kind.shape, Shape::TextOrNumber | Shape::AnyTextOrNumber);
        assert_eq!(
            value.contains("string or number"),
            takes_numbers,
            "`{}`: {row}",
            kind.name
        );
    }
}
