//! The benchmark's evals as promptfoo configs (issue 12): the same `n`
//! evals as [`crate::generate`] (1/3 text, 1/3 JSON schema, 1/3 tool
//! call), one config per kind, since a config crosses its providers and
//! prompts with every case. Each case's prompt is a var; the checks are
//! the attribute form's plus, with `javascript`, the body's checks written
//! as promptfoo `javascript` assertions (the rating range, a non-empty
//! location).
//!
//! ```
//! use llama_test_bench::promptfoo_yaml::configs;
//! let files = configs(6, "[]", "{}", true);
//! assert_eq!(files.len(), 3);
//! assert!(files[0].1.contains("value: \"topic 002\""));
//! assert!(files[1].1.contains("type: javascript"));
//! ```

use std::fmt::Write;

use crate::generate::{Kind, evals};

/// `(file name, YAML)` for the text, JSON and tool-call configs of `n`
/// evals. `tools` is the `get_weather` tools JSON, `schema` the product
/// review schema JSON (both valid YAML as they are); `javascript` adds the
/// body's checks as `javascript` assertions.
pub fn configs(n: usize, tools: &str, schema: &str, javascript: bool) -> Vec<(String, String)> {
    let one_line = |json: &str| json.split_whitespace().collect::<Vec<_>>().join(" ");
    let heads = [
        (
            Kind::Text,
            "text.yaml",
            "  - id: llamaapi:Llama-3.3-70B-Instruct\n".to_owned(),
        ),
        (
            Kind::Json,
            "json.yaml",
            format!(
                "  - id: llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8\n    config:\n      temperature: 0.1\n      \
                 response_format:\n        type: json_schema\n        json_schema:\n          name: product_review\n          \
                 schema: {}\n",
                one_line(schema)
            ),
        ),
        (
            Kind::Tool,
            "tool.yaml",
            format!(
                "  - id: llamaapi:Llama-3.3-70B-Instruct\n    config:\n      tools: {}\n",
                one_line(tools)
            ),
        ),
    ];
    let all = evals(n);
    heads
        .into_iter()
        .map(|(kind, file, provider)| {
            let mut yaml = format!(
                "description: benchmark {file}\nproviders:\n{provider}prompts:\n  - '{{{{prompt}}}}'\ntests:\n"
            );
            for eval in all.iter().filter(|e| e.kind == kind) {
                let _ = write!(
                    yaml,
                    "  - description: {}\n    vars:\n      prompt: {:?}\n    assert:\n",
                    eval.name(),
                    eval.prompt()
                );
                let checks: &[(&str, String)] = &match kind {
                    Kind::Text => vec![("contains", format!("{:?}", eval.expected_text()))],
                    Kind::Json => vec![
                        ("is-json", String::new()),
                        (
                            "javascript",
                            "'JSON.parse(output).rating >= 1 && JSON.parse(output).rating <= 5'"
                                .to_owned(),
                        ),
                    ],
                    Kind::Tool => vec![
                        ("function-call", "get_weather".to_owned()),
                        (
                            "javascript",
                            "'output.arguments.location.length > 0'".to_owned(),
                        ),
                    ],
                };
                for (kind, value) in checks {
                    if *kind == "javascript" && !javascript {
                        continue;
                    }
                    let _ = writeln!(yaml, "      - type: {kind}");
                    if !value.is_empty() {
                        let _ = writeln!(yaml, "        value: {value}");
                    }
                }
            }
            (file.to_owned(), yaml)
        })
        .collect()
}

/// A test file running the configs under `data_dir` with `promptfoo_suite!`.
pub fn suite_source(data_dir: &str) -> String {
    ["text", "json", "tool"]
        .iter()
        .map(|k| format!("llama_test::promptfoo_suite!(\"{data_dir}/{k}.yaml\");\n"))
        .collect()
}
