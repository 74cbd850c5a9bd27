//! Evals declared with `#[llama_eval]` in a real test crate: their expansion
//! must type-check against `llama_test::__private`, and the `EvalSpec` each
//! registers must carry exactly what the attribute declared.
//!
//! The evals are `#[ignore]`d: they exist for the registry checks below, not
//! to call a model.

use llama_test::__private::{Endpoint, EvalRegistration, EvalSpec, Mode, inventory};
use llama_test::{Output, llama_eval};

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Explain quantum computing in simple terms",
    assert(contains = "quantum", not_icontains_any = ["lorem", "ipsum"], is_json)
)]
#[ignore = "declares an eval for the registry checks; calls no model"]
fn explains_quantum(out: Output) {
    assert!(!out.text().is_empty());
}

/// Two cases × two models: four tests in `mod weather`.
#[llama_eval(
    models = ["Llama-3.3-70B-Instruct", "llamaapi:chat:Llama-3.3-8B-Instruct"],
    system = "Answer with a tool call.",
    prompt = "What's the weather like in {{ city }}?",
    tools = "tests/ui/data/tools.json",
    tool_choice = "get_weather",
    case(name = "NYC", city = "New York, NY"),
    case(city = "Paris"),
    assert(function_call = "get_weather", rouge_n(value = "{{city}}", threshold = 0.5, weight = 2)),
)]
#[ignore = "declares an eval for the registry checks; calls no model"]
async fn weather(out: &Output) {
    assert!(!out.text().is_empty());
}

#[llama_eval(
    model = "llamaapi:Llama-4-Scout-17B-16E-Instruct-FP8",
    prompt = "What do you see?",
    image = "tests/ui/data/pixel.png",
    images = ["https://example.com/cat.jpg"],
    messages = "tests/ui/data/chat.json",
    json_schema = "tests/ui/data/product_review.schema.json",
    endpoint = "compat",
    temperature = 1,
    top_p = 0.9,
    max_tokens = 256,
    frequency_penalty = 0.5,
    presence_penalty = -0.5,
    stream,
    threshold = 0.75,
    repeat = 5,
    min_pass = 0.8,
    timeout_ms = 30000,
    record = "replay",
    grader = "Llama-4-Maverick-17B-128E-Instruct-FP8",
)]
#[ignore = "declares an eval for the registry checks; calls no model"]
async fn every_option() {}

/// The native endpoint's own options (the compat endpoint refuses them).
#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Hi",
    top_k = 40,
    repetition_penalty = 1.1,
    extra_body = r#"{"user": "evals"}"#
)]
#[ignore = "declares an eval for the registry checks; calls no model"]
fn native_options() {}

#[llama_eval(
    model = "my-finetune",
    allow_unlisted_model = true,
    prompt = "Hi",
    json_schema = r#"{"type": "object"}"#,
    crate = "crate::registry::reexport::renamed"
)]
#[ignore = "declares an eval for the registry checks; calls no model"]
fn renamed_crate_path(_: Output) {}

mod reexport {
    pub use llama_test as renamed;
}

fn spec(test_path: &str) -> &'static EvalSpec {
    let found: Vec<&EvalSpec> = inventory::iter::<EvalRegistration>
        .into_iter()
        .map(|r| r.0)
        .filter(|s| format!("{}::{}", s.module_path, s.test_name).ends_with(test_path))
        .collect();
    assert_eq!(found.len(), 1, "evals named {test_path}: {found:#?}");
    found[0]
}

fn data_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/ui/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn a_single_eval_registers_its_spec_under_the_function_name() {
    let s = spec("registry::explains_quantum");
    assert_eq!(
        (s.fn_name, s.test_name, s.case_name, s.model_suffix),
        ("explains_quantum", "explains_quantum", None, None)
    );
    assert!(s.module_path.ends_with("registry"), "{}", s.module_path);
    assert_eq!(s.model, "Llama-3.3-70B-Instruct");
    assert_eq!(s.prompt, Some("Explain quantum computing in simple terms"));
    assert_eq!(s.manifest_dir, env!("CARGO_MANIFEST_DIR"));
    assert!(s.source_file.ends_with("registry.rs"), "{}", s.source_file);
    assert!(s.line > 1);
    let asserts: Vec<(&str, &str)> = s.asserts.iter().map(|a| (a.kind, a.value)).collect();
    assert_eq!(
        asserts,
        [
            ("contains", r#""quantum""#),
            ("not_icontains_any", r#"["lorem","ipsum"]"#),
            ("is_json", "null"),
        ]
    );
    // Defaults for everything the attribute left out.
    assert_eq!(
        (s.endpoint, s.stream, s.repeat),
        (Endpoint::Native, false, 1)
    );
    assert!(s.images.is_empty() && s.vars.is_empty());
    assert!(s.messages.is_none() && s.tools.is_none() && s.json_schema.is_none());
    assert_eq!(
        (s.sampling.temperature, s.min_pass, s.mode, s.grader),
        (None, None, None, None)
    );
    assert!(!s.allow_unlisted_model);
}

#[test]
fn cases_times_models_make_one_named_test_each() {
    let names: Vec<(&str, Option<&str>, Option<&str>, &str)> = [
        "weather::case_1_nyc__llama_3_3_70b_instruct",
        "weather::case_1_nyc__llama_3_3_8b_instruct",
        "weather::case_2__llama_3_3_70b_instruct",
        "weather::case_2__llama_3_3_8b_instruct",
    ]
    .into_iter()
    .map(spec)
    .map(|s| (s.fn_name, s.case_name, s.model_suffix, s.model))
    .collect();
    assert_eq!(
        names,
        [
            (
                "weather",
                Some("case_1_nyc"),
                Some("llama_3_3_70b_instruct"),
                "Llama-3.3-70B-Instruct"
            ),
            (
                "weather",
                Some("case_1_nyc"),
                Some("llama_3_3_8b_instruct"),
                "llamaapi:chat:Llama-3.3-8B-Instruct"
            ),
            (
                "weather",
                Some("case_2"),
                Some("llama_3_3_70b_instruct"),
                "Llama-3.3-70B-Instruct"
            ),
            (
                "weather",
                Some("case_2"),
                Some("llama_3_3_8b_instruct"),
                "llamaapi:chat:Llama-3.3-8B-Instruct"
            ),
        ]
    );
    let nyc = spec("weather::case_1_nyc__llama_3_3_8b_instruct");
    assert!(
        nyc.module_path.ends_with("registry::weather"),
        "{}",
        nyc.module_path
    );
    assert_eq!(nyc.vars, [("city", "New York, NY")]);
    assert_eq!(
        spec("weather::case_2__llama_3_3_8b_instruct").vars,
        [("city", "Paris")]
    );
    assert_eq!(nyc.prompt, Some("What's the weather like in {{ city }}?"));
    assert_eq!(nyc.system, Some("Answer with a tool call."));
    assert_eq!(nyc.tool_choice, Some("get_weather"));
    let tools = nyc.tools.unwrap();
    assert_eq!(tools.path, "tests/ui/data/tools.json");
    assert_eq!(tools.contents.as_bytes(), data_file("tools.json"));
    let rouge = &nyc.asserts[1];
    assert_eq!(
        (rouge.kind, rouge.value, rouge.weight, rouge.threshold),
        ("rouge_n", r#""{{city}}""#, 2.0, Some(0.5))
    );
}

#[test]
fn every_option_reaches_the_spec() {
    let s = spec("registry::every_option");
    assert_eq!(s.model, "llamaapi:Llama-4-Scout-17B-16E-Instruct-FP8");
    assert_eq!(s.images.len(), 2);
    assert_eq!(s.images[0].source, "tests/ui/data/pixel.png");
    assert_eq!(s.images[0].bytes, Some(&data_file("pixel.png")[..]));
    assert_eq!(
        (s.images[1].source, s.images[1].bytes),
        ("https://example.com/cat.jpg", None)
    );
    let messages = s.messages.unwrap();
    assert_eq!(messages.path, "tests/ui/data/chat.json");
    assert_eq!(messages.contents.as_bytes(), data_file("chat.json"));
    let schema = s.json_schema.unwrap();
    assert_eq!(
        schema.contents.as_bytes(),
        data_file("product_review.schema.json")
    );
    assert_eq!(s.endpoint, Endpoint::Compat);
    assert_eq!(
        (
            s.sampling.temperature,
            s.sampling.top_p,
            s.sampling.max_tokens
        ),
        (Some(1.0), Some(0.9), Some(256))
    );
    assert_eq!(
        (s.sampling.frequency_penalty, s.sampling.presence_penalty),
        (Some(0.5), Some(-0.5))
    );
    let native = spec("native_options");
    assert_eq!(
        (
            native.sampling.top_k,
            native.sampling.repetition_penalty,
            native.extra_body,
        ),
        (Some(40), Some(1.1), Some(r#"{"user": "evals"}"#))
    );
    assert!(s.stream);
    assert_eq!(
        (s.threshold, s.repeat, s.min_pass, s.timeout_ms),
        (Some(0.75), 5, Some(0.8), Some(30000))
    );
    assert_eq!(s.mode, Some(Mode::Replay));
    assert_eq!(s.grader, Some("Llama-4-Maverick-17B-128E-Instruct-FP8"));
}

#[test]
fn unlisted_models_inline_schemas_and_renamed_crates_work() {
    let s = spec("registry::renamed_crate_path");
    assert_eq!(s.model, "my-finetune");
    assert!(s.allow_unlisted_model);
    let schema = s.json_schema.unwrap();
    assert_eq!(
        (schema.path, schema.contents),
        ("<inline>", r#"{"type": "object"}"#)
    );
}

#[test]
fn each_generated_test_registers_exactly_once() {
    let mine: Vec<String> = inventory::iter::<EvalRegistration>
        .into_iter()
        .filter(|r| r.0.module_path.contains("registry"))
        .map(|r| format!("{}::{}", r.0.module_path, r.0.test_name))
        .collect();
    let mut unique = mine.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((mine.len(), unique.len()), (8, 8), "{mine:#?}");
}
