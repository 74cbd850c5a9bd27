//! Every form `assert(...)` accepts at compile time must also be accepted by
//! the runtime: the specs the evals below register are each parsed with
//! `Assertion::parse_json_text`, exactly as the runtime does before a test
//! sends anything.
//!
//! The evals are `#[ignore]`d: they exist for these checks, not to call a
//! model.

use llama_test::__private::{AssertSpec, EvalRegistration, EvalSpec, inventory};
use llama_test::checks::{ASSERTION_KINDS, Assertion};
use llama_test::{Output, llama_eval};

/// `key = value`, `key = [..]` and bare flags, plain and `not_`.
#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Explain {{topic}}",
    tools = "tests/ui/data/tools.json",
    case(topic = "quantum computing"),
    assert(
        contains = "quantum", contains = 42, icontains = "QUANTUM", starts_with = "Quantum",
        equals = "x", equals = 4.5, regex = "\\bq\\w+", word_count = 50,
        contains_any = ["qubit", "{{topic}}"], contains_all = ["quantum"],
        icontains_any = ["a"], icontains_all = ["b"],
        levenshtein = "Quantum computing", rouge_n = "{{topic}} uses qubits",
        bleu = "a reference", bleu = ["a reference", "another"],
        stop_reason = "stop", is_refusal, is_refusal = true, max_latency_ms = 30000,
        max_tokens_used = 2000, max_cost = 0.002, max_cost = 1, is_json, contains_json = true,
        function_call = "get_weather", no_tool_call, tool_call_count = 0,
        tool_call_order = ["get_weather"], llm_rubric = "Explains {{topic}} simply",
    ),
    assert(
        not_contains = "lorem", not_icontains = "LOREM", not_contains_any = ["a", "b"],
        not_contains_all = ["a", "b"], not_icontains_any = ["a"], not_icontains_all = ["b"],
        not_starts_with = "No", not_equals = "y", not_regex = "^$", not_word_count = 1,
        not_levenshtein = "x", not_rouge_n = "x", not_bleu = "x", not_stop_reason = "length",
        not_is_refusal, not_is_json, not_contains_json, not_function_call = "get_weather",
        not_llm_rubric = "Is rude",
    ),
)]
#[ignore = "declares an eval for the assert-form checks; calls no model"]
fn value_forms(out: Output) {
    let _ = out.text();
}

/// `key(value = .., threshold = .., weight = ..)` and the other option forms.
#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "What's the weather in {{city}}?",
    tools = "tests/ui/data/tools.json",
    case(city = "Paris"),
    assert(
        contains(value = "{{city}}", weight = 2), icontains(value = 7),
        starts_with(value = "The"), equals(value = "", weight = 0),
        regex(value = "\\d+"), stop_reason(value = "stop"),
        contains_any(value = ["a", "b"]), contains_all(value = ["a"], weight = 0.5),
        icontains_any(value = ["a"]), icontains_all(value = ["a"]),
        levenshtein(value = "Sunny in {{city}}", threshold = 3),
        levenshtein(value = "Sunny", threshold = 3.0, weight = 0.5),
        rouge_n(value = "sunny weather", threshold = 0.5, weight = 2),
        bleu(value = ["a reference"], threshold = 0.1, weight = 0.5), bleu(value = "x"),
        word_count(min = 5, max = 500), word_count(min = 5, weight = 2),
        word_count(max = 5), word_count(value = 3, weight = 1),
        max_latency_ms(value = 1000, weight = 0), max_tokens_used(value = 10),
        is_refusal(weight = 2), is_json(weight = 0), contains_json(weight = 1),
        no_tool_call(weight = 3),
        function_call(value = "get_weather", weight = 2),
        function_call(name = "get_weather"),
        function_call(name = "get_weather", arguments = r#"{"location": "{{city}}"}"#),
        tool_call_count(value = 1), tool_call_count(min = 1, max = 2, weight = 2),
        tool_call_count(name = "get_weather", value = 1),
        tool_call_count(name = "get_weather", max = 1),
        tool_call_order(value = ["get_weather"], exact = true),
        tool_call_order(value = ["get_weather"], weight = 2),
        llm_rubric(value = "Names {{city}}", threshold = 0.8),
        llm_rubric(value = "Is kind", grader = "Llama-3.3-8B-Instruct", weight = 2),
    ),
    assert(
        not_contains(value = "lorem", weight = 2), not_regex(value = "^$"),
        not_word_count(min = 1000), not_levenshtein(value = "x", threshold = 0),
        not_rouge_n(value = "lorem ipsum", threshold = 0.2),
        not_bleu(value = ["x", "y"], threshold = 0.9), not_is_refusal(weight = 2),
        not_is_json = true, not_contains_json(weight = 0),
        not_function_call(value = "get_weather"),
        not_function_call(name = "get_weather", arguments = r#"{"unit": "kelvin"}"#),
        not_llm_rubric(value = "Is rude", threshold = 0.5, grader = "Llama-3.3-70B-Instruct"),
    ),
)]
#[ignore = "declares an eval for the assert-form checks; calls no model"]
fn option_forms(out: Output) {
    let _ = out.text();
}

fn registry() -> llama_test::ToolRegistry {
    llama_test::ToolRegistry::new().tool("get_weather", |args| async move {
        Ok(serde_json::json!({"echo": args}))
    })
}

/// The agent loop's trajectory checks, in every form.
#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "What's the weather in {{city}}?",
    tools = "tests/ui/data/tools.json",
    case(city = "Paris"),
    agent(max_steps = 3, tools = registry, then_tool_choice = "none"),
    assert(
        tool_used = "get_weather", not_tool_used = "get_weather",
        tool_used(value = "get_weather", weight = 2),
        tool_sequence = ["get_weather"], tool_sequence(value = ["get_weather"], exact = false),
        tool_args_match(name = "get_weather", arguments = r#"{"location": "{{city}}"}"#),
        max_steps = 2, max_steps(value = 1, weight = 0),
        tool_call_f1 = ["get_weather"], tool_call_f1(value = ["get_weather"], threshold = 0.5),
        no_repeated_call, no_repeated_call(weight = 2),
    ),
)]
#[ignore = "declares an eval for the assert-form checks; calls no model"]
fn trajectory_forms(out: Output) {
    let _ = out.text();
}

fn my_specs() -> Vec<&'static EvalSpec> {
    inventory::iter::<EvalRegistration>
        .into_iter()
        .map(|r| r.0)
        .filter(|s| s.module_path.starts_with(module_path!()))
        .collect()
}

fn parse(spec: &EvalSpec, check: &AssertSpec) -> llama_test::Result<Assertion> {
    Assertion::parse_json_text(
        check.kind,
        check.value,
        check.weight,
        check.threshold,
        spec.vars,
    )
}

#[test]
fn every_form_that_compiles_parses_at_runtime() {
    let specs = my_specs();
    assert_eq!(specs.len(), 3, "{specs:#?}");
    let mut checked = 0;
    let mut rejected = Vec::new();
    for spec in &specs {
        for check in spec.asserts {
            checked += 1;
            match parse(spec, check) {
                Ok(assertion) => {
                    assert_eq!(assertion.key(), check.kind);
                    assert_eq!(assertion.weight(), check.weight, "{check:?}");
                    assert_eq!(assertion.is_negated(), check.kind.starts_with("not_"));
                }
                Err(e) => rejected.push(format!("{}: {check:?}: {e}", spec.fn_name)),
            }
        }
    }
    assert!(checked > 90, "only {checked} checks were declared");
    assert!(
        rejected.is_empty(),
        "the runtime rejects forms the macro accepted:\n{}",
        rejected.join("\n")
    );
}

#[test]
fn the_evals_use_every_assertion_key() {
    let used: Vec<&str> = my_specs()
        .iter()
        .flat_map(|s| s.asserts.iter().map(|a| a.kind))
        .collect();
    let unused: Vec<&&str> = ASSERTION_KINDS
        .iter()
        .filter(|k| !used.contains(k))
        .collect();
    assert!(unused.is_empty(), "keys no eval here uses: {unused:?}");
}

fn spec_named(fn_name: &str) -> &'static EvalSpec {
    my_specs()
        .into_iter()
        .find(|s| s.fn_name == fn_name)
        .unwrap()
}

#[test]
fn threshold_and_weight_travel_beside_the_value() {
    let specs = spec_named("option_forms").asserts;
    let find = |kind: &str, value: &str| {
        specs
            .iter()
            .find(|a| a.kind == kind && a.value == value)
            .map(|a| (a.weight, a.threshold))
            .unwrap_or_else(|| panic!("no {kind} = {value} in {specs:#?}"))
    };
    assert_eq!(find("rouge_n", r#""sunny weather""#), (2.0, Some(0.5)));
    assert_eq!(find("levenshtein", r#""Sunny""#), (0.5, Some(3.0)));
    assert_eq!(find("word_count", r#"{"min":5}"#), (2.0, None));
    assert_eq!(find("is_refusal", "null"), (2.0, None));
    assert_eq!(
        find(
            "tool_call_count",
            r#"{"name":"get_weather","min":1,"max":1}"#
        ),
        (1.0, None)
    );
    assert_eq!(
        find(
            "function_call",
            r#"{"name":"get_weather","arguments":{"location": "{{city}}"}}"#
        ),
        (1.0, None)
    );
    assert_eq!(
        find(
            "llm_rubric",
            r#"{"value":"Is kind","grader":"Llama-3.3-8B-Instruct"}"#
        ),
        (2.0, None)
    );
}
