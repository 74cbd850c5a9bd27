//! Source text of the benchmark suites: `n` evals, a third each of text +
//! `contains`, JSON schema and tool call (issue 3's mix), written three ways:
//!
//! - [`llama_eval_source`]: `#[llama_eval]` tests, what a user writes;
//! - [`runtime_call_source`]: the same tests as plain `#[test]` fns calling
//!   `llama_test::__private::run` with a hand-written `EvalSpec` (what the
//!   macro expands to), for the compile-time comparison;
//! - [`baseline_source`]: plain `#[test]` fns doing the same checks on the
//!   recorded JSON without llama-test, the floor for the replay benchmark.
//!
//! Also included by `build.rs`, so it uses `std` only.

use std::fmt::Write;

/// How many evals the benchmarks use (issue 3 and 4).
pub const DEFAULT_COUNT: usize = 300;

/// The build-time variable that sets how many evals `tests/evals300.rs`
/// and `tests/plain300.rs` hold (`replay300 --count N` sets it).
pub const COUNT_VAR: &str = "LLAMA_TEST_BENCH_COUNT";

/// Places for the tool-call prompts; the simulator passes the place it
/// finds in a prompt to the tool as `location`.
const CITIES: &[&str] = &[
    "New York, NY",
    "Paris, France",
    "Menlo Park, CA",
    "Tokyo, Japan",
    "Lagos, Nigeria",
    "Lima, Peru",
    "Oslo, Norway",
    "Austin, TX",
    "Seoul, South Korea",
    "Nairobi, Kenya",
];

/// Which of the three kinds an eval is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text generation with a `contains` check.
    Text,
    /// JSON structured output against a schema, with a range check.
    Json,
    /// A `get_weather` tool call with a location check.
    Tool,
}

/// One generated eval.
#[derive(Debug, Clone, Copy)]
pub struct Eval {
    pub kind: Kind,
    /// 1-based number within its kind.
    pub number: usize,
}

impl Eval {
    /// The test fn name, e.g. `text_001`; also its fixture name.
    pub fn name(&self) -> String {
        let prefix = match self.kind {
            Kind::Text => "text",
            Kind::Json => "json",
            Kind::Tool => "tool",
        };
        format!("{prefix}_{:03}", self.number)
    }

    /// The model the eval asks.
    pub fn model(&self) -> &'static str {
        match self.kind {
            Kind::Json => "Llama-4-Maverick-17B-128E-Instruct-FP8",
            Kind::Text | Kind::Tool => "Llama-3.3-70B-Instruct",
        }
    }

    /// The user prompt.
    pub fn prompt(&self) -> String {
        let n = self.number;
        match self.kind {
            Kind::Text => format!("Explain topic {n:03} of quantum computing in simple terms"),
            Kind::Json => format!(
                "Review product {n:03}: wireless headphones with great sound quality but short battery life"
            ),
            Kind::Tool => format!(
                "Request {n:03}: what's the weather like in {}?",
                CITIES[n % CITIES.len()]
            ),
        }
    }

    /// The word the text eval's `contains` check looks for.
    pub fn expected_text(&self) -> String {
        format!("topic {:03}", self.number)
    }
}

/// `n` evals: text, JSON and tool call in turn.
pub fn evals(n: usize) -> Vec<Eval> {
    let kinds = [Kind::Text, Kind::Json, Kind::Tool];
    (0..n)
        .map(|i| Eval {
            kind: kinds[i % 3],
            number: i / 3 + 1,
        })
        .collect()
}

/// Body statements shared by the `#[llama_eval]` and hand-written forms
/// (`out` is the `Output`).
fn body(eval: &Eval) -> &'static str {
    match eval.kind {
        Kind::Text => "",
        Kind::Json => {
            "let rating = out.assert_is_json()[\"rating\"].as_f64().unwrap_or(0.0);\n    \
             assert!((1.0..=5.0).contains(&rating), \"rating {rating} is outside 1..=5\");"
        }
        Kind::Tool => {
            "let call = out.assert_function_call(\"get_weather\");\n    \
             assert!(call.arguments[\"location\"].as_str().is_some_and(|l| !l.is_empty()));"
        }
    }
}

/// `n` `#[llama_eval]` tests. `data_dir` holds `get_weather.json` and
/// `product_review.json`, relative to the crate's manifest; `ignore` marks
/// them `#[ignore]` (run with `--ignored`).
pub fn llama_eval_source(n: usize, data_dir: &str, ignore: bool) -> String {
    let mut src = String::from("use llama_test::prelude::*;\n");
    for eval in evals(n) {
        let (name, model, prompt) = (eval.name(), eval.model(), eval.prompt());
        let keys = match eval.kind {
            Kind::Text => format!("assert(contains = {:?})", eval.expected_text()),
            Kind::Json => format!(
                "temperature = 0.1,\n    json_schema = \"{data_dir}/product_review.json\",\n    assert(is_json)"
            ),
            Kind::Tool => format!(
                "tools = \"{data_dir}/get_weather.json\",\n    assert(function_call = \"get_weather\")"
            ),
        };
        let ignore = if ignore {
            "#[ignore = \"a benchmark eval; run with --ignored\"]\n"
        } else {
            ""
        };
        let param = if eval.kind == Kind::Text {
            ""
        } else {
            "out: Output"
        };
        let _ = write!(
            src,
            "\n#[llama_eval(\n    model = {model:?},\n    prompt = {prompt:?},\n    {keys}\n)]\n\
             {ignore}fn {name}({param}) {{\n    {}\n}}\n",
            body(&eval)
        );
    }
    src
}

/// The same `n` tests as plain `#[test]` fns that call the runtime
/// directly with a hand-written `EvalSpec` and registration: exactly what
/// `#[llama_eval]` generates, without the macro. `ignore` as in
/// [`llama_eval_source`].
pub fn runtime_call_source(n: usize, data_dir: &str, ignore: bool) -> String {
    let mut src = String::from(
        "use llama_test::__private::{AssertSpec, Endpoint, EvalRegistration, EvalSpec, FileSpec, Sampling, inventory, run};\n",
    );
    for eval in evals(n) {
        let (name, model, prompt) = (eval.name(), eval.model(), eval.prompt());
        let file = |file: &str| {
            format!(
                "Some(FileSpec {{ path: \"{data_dir}/{file}\", contents: include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{data_dir}/{file}\")) }})"
            )
        };
        let (temperature, tools, json_schema, check) = match eval.kind {
            Kind::Text => (
                "None".to_owned(),
                "None".to_owned(),
                "None".to_owned(),
                (
                    "contains",
                    format!("{:?}", format!("{:?}", eval.expected_text())),
                ),
            ),
            Kind::Json => (
                "Some(0.1)".to_owned(),
                "None".to_owned(),
                file("product_review.json"),
                ("is_json", "\"null\"".to_owned()),
            ),
            Kind::Tool => (
                "None".to_owned(),
                file("get_weather.json"),
                "None".to_owned(),
                ("function_call", "\"\\\"get_weather\\\"\"".to_owned()),
            ),
        };
        let (kind, value) = check;
        let param = if eval.kind == Kind::Text { "_" } else { "out" };
        let ignore = if ignore {
            "\n#[ignore = \"a benchmark eval; run with --ignored\"]"
        } else {
            ""
        };
        let _ = write!(
            src,
            r#"
#[test]{ignore}
fn {name}() {{
    static SPEC: EvalSpec = EvalSpec {{
        module_path: module_path!(), fn_name: "{name}", test_name: "{name}",
        case_name: None, model_suffix: None, manifest_dir: env!("CARGO_MANIFEST_DIR"),
        package: env!("CARGO_PKG_NAME"), source_file: file!(), line: line!(), model: "{model}", endpoint: Endpoint::Native,
        system: None, prompt: Some({prompt:?}), messages: None, images: &[],
        sampling: Sampling {{ temperature: {temperature}, top_p: None, top_k: None, max_tokens: None,
            repetition_penalty: None, frequency_penalty: None, presence_penalty: None }},
        stream: false, tools: {tools}, tool_choice: None, json_schema: {json_schema}, extra_body: None,
        vars: &[], asserts: &[AssertSpec {{ kind: "{kind}", value: {value}, weight: 1.0, threshold: None, transform: None, metric: None }}],
        threshold: None, repeat: 1, min_pass: None, timeout_ms: None, mode: None,
        grader: None, agent: None, allow_unlisted_model: false, ignored: {ignored},
    }};
    inventory::submit! {{ EvalRegistration(&SPEC) }}
    run(&SPEC, |{param}| async move {{
        {}
    }});
}}
"#,
            body(&eval),
            ignored = !ignore.is_empty(),
        );
    }
    src
}

/// `n` plain `#[test]` fns that do each eval's checks on its recorded
/// response with serde_json alone: the same suite minus llama-test's
/// runtime, client and replay server. `recorded_by` is the test binary
/// (crate) that recorded the evals at its top level: llama-test names
/// their fixtures `$LLAMA_TEST_FIXTURES/<recorded_by>__<test>.json`.
pub fn baseline_source(n: usize, recorded_by: &str) -> String {
    let mut src = r#"
/// The recorded native response of the fixture `name`.
fn recorded_answer(name: &str) -> serde_json::Value {
    let root = std::env::var("LLAMA_TEST_FIXTURES").expect("LLAMA_TEST_FIXTURES is set");
    let path = format!("{root}/RECORDED_BY__{name}.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let fixture: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
    fixture["interactions"][0]["response"]["body"]["json"]["completion_message"].clone()
}
"#
    .replace("RECORDED_BY", recorded_by);
    for eval in evals(n) {
        let name = eval.name();
        let check = match eval.kind {
            Kind::Text => format!(
                "assert!(message[\"content\"][\"text\"].as_str().unwrap().contains({:?}));",
                eval.expected_text()
            ),
            Kind::Json => "let review: serde_json::Value = serde_json::from_str(message[\"content\"][\"text\"].as_str().unwrap()).unwrap();\n    \
                 let rating = review[\"rating\"].as_f64().unwrap();\n    \
                 assert!((1.0..=5.0).contains(&rating));"
                .to_owned(),
            Kind::Tool => "let call = &message[\"tool_calls\"][0][\"function\"];\n    \
                 assert_eq!(call[\"name\"], \"get_weather\");\n    \
                 let arguments: serde_json::Value = serde_json::from_str(call[\"arguments\"].as_str().unwrap()).unwrap();\n    \
                 assert!(arguments[\"location\"].as_str().is_some_and(|l| !l.is_empty()));"
                .to_owned(),
        };
        let _ = write!(
            src,
            "\n#[test]\n#[ignore = \"a benchmark baseline; run with --ignored\"]\nfn {name}() {{\n    let message = recorded_answer({name:?});\n    {check}\n}}\n"
        );
    }
    src
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_third_of_each_kind_with_unique_names() {
        let all = evals(DEFAULT_COUNT);
        for kind in [Kind::Text, Kind::Json, Kind::Tool] {
            assert_eq!(all.iter().filter(|e| e.kind == kind).count(), 100);
        }
        let mut names: Vec<String> = all.iter().map(Eval::name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), DEFAULT_COUNT);
        assert_eq!(names[0], "json_001");
    }

    #[test]
    fn every_form_has_one_test_per_eval() {
        let count = |src: &str, pat: &str| src.matches(pat).count();
        assert_eq!(
            count(&llama_eval_source(30, "data", true), "#[llama_eval("),
            30
        );
        assert_eq!(count(&llama_eval_source(30, "data", true), "#[ignore"), 30);
        assert_eq!(count(&llama_eval_source(30, "data", false), "#[ignore"), 0);
        assert_eq!(
            count(&runtime_call_source(30, "data", false), "#[test]"),
            30
        );
        assert_eq!(count(&baseline_source(30, "evals300"), "#[test]"), 30);
        assert!(baseline_source(3, "evals300").contains("/evals300__{name}.json"));
    }
}
