//! `llama-test promptfoo convert CONFIG`: the `#[llama_eval]` equivalent of
//! a promptfoo config, one eval per test case × prompt × provider, named as
//! `promptfoo_suite!` names them (so `cargo test tool_calling::` still
//! selects the same tests).
//!
//! The config is read by `llama_test_core::promptfoo` (the parser behind
//! the macro). Each eval gets the prompt rendered with the case's vars and
//! the provider's options as attribute keys; a provider's `tools` and a chat
//! prompt become JSON files under the data directory (the attribute reads
//! them from files). A check with no attribute form (`javascript`,
//! `length`, a `transform`, ...) becomes a `// TODO:` line naming it and
//! its value, never a silent drop.
//!
//! ```
//! use llama_test_cli::convert::{Options, convert};
//! let yaml = "providers: [llamaapi:Llama-3.3-70B-Instruct]\n\
//!             prompts: ['Say {{word}}']\n\
//!             tests:\n  - vars: {word: hi}\n    assert:\n      - type: icontains\n        value: hi\n";
//! let out = convert("tests/promptfoo/hi.yaml", yaml, |_| Err("no files".into()), &Options::default())?;
//! assert!(out.source.contains(r#"prompt = "Say hi","#));
//! assert!(out.source.contains(r#"assert(icontains = "hi")"#));
//! assert!(out.source.contains("fn case_1()"));
//! # Ok::<(), String>(())
//! ```

use std::fmt::Write as _;

use llama_test_core::checks::{self, Shape};
use llama_test_core::promptfoo::{self, Case, Check, Instance, Provider, Rendered};
use serde_json::Value;

/// Where the JSON files the evals read go.
#[derive(Debug, Clone)]
pub struct Options {
    /// The directory, relative to the crate root, of the tools and
    /// messages files (default `tests/data`).
    pub data_dir: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            data_dir: "tests/data".to_owned(),
        }
    }
}

/// A converted config: the Rust source and the JSON files it refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// A test file: `use llama_test::prelude::*;` and one module of evals.
    pub source: String,
    /// `(path relative to the crate root, pretty JSON)` for each file.
    pub files: Vec<(String, String)>,
}

impl Converted {
    /// The source with each JSON file it needs shown first, as a commented
    /// `// TODO: save as PATH` block (for printing without writing files).
    pub fn with_files_inline(&self) -> String {
        let mut text = String::new();
        for (path, json) in &self.files {
            let _ = writeln!(
                text,
                "// TODO: save as `{path}` (or rerun with --write-data):"
            );
            for line in json.lines() {
                let _ = writeln!(text, "//     {line}");
            }
            text.push('\n');
        }
        text.push_str(&self.source);
        text
    }
}

/// Converts the config at `path` (as shown in messages and the header) with
/// `text` its contents; `read` loads a `file://` path relative to the
/// config's directory. Config errors are located as the macro locates them.
pub fn convert(
    path: &str,
    text: &str,
    read: impl FnMut(&str) -> Result<String, String>,
    options: &Options,
) -> Result<Converted, String> {
    let suite = promptfoo::parse(text, read).map_err(|e| match e.file {
        Some(_) => format!("{path}: in {e}"),
        None => format!("{path}:{e}"),
    })?;
    let module = promptfoo::module_name(path);
    let mut out = Converted {
        source: String::new(),
        files: Vec::new(),
    };
    let src = &mut out.source;
    let _ = writeln!(
        src,
        "//! Converted from `{path}` by `llama-test promptfoo convert`."
    );
    if let Some(d) = &suite.description {
        let _ = writeln!(src, "//!\n//! {}", one_line(d));
    }
    let _ = writeln!(
        src,
        "\nuse llama_test::prelude::*;\n\nmod {module} {{\n    use super::*;"
    );
    let instances = promptfoo::instances(&suite).map_err(|e| format!("{path}: {e}"))?;
    for instance in &instances {
        let eval = eval(&module, instance, options, &mut out.files).map_err(|e| {
            format!(
                "{path}: test {} ({}): {e}",
                instance.case_index + 1,
                instance.name
            )
        })?;
        out.source.push('\n');
        out.source.push_str(&eval);
    }
    out.source.push_str("}\n");
    Ok(out)
}

/// One eval: doc line, TODOs, the attribute and an empty body.
fn eval(
    module: &str,
    instance: &Instance<'_>,
    options: &Options,
    files: &mut Vec<(String, String)>,
) -> Result<String, String> {
    let (case, provider) = (instance.case, instance.provider);
    let mut keys: Vec<String> = Vec::new();
    let mut todos: Vec<String> = Vec::new();
    keys.push(format!("model = {}", lit(&provider.id)));
    provider_keys(provider, module, options, files, &mut keys)?;
    match instance.render()? {
        Rendered::Text(text) => keys.push(format!("prompt = {}", lit(&text))),
        Rendered::Chat(json) => {
            let path = format!(
                "{}/{module}__{}_messages.json",
                options.data_dir, instance.name
            );
            add_file(files, &path, &json)?;
            keys.push(format!("messages = {}", lit(&path)));
        }
    }
    let declared = provider.tool_names();
    let mut asserts = Vec::new();
    for check in &case.checks {
        match attribute_check(check, case, &declared) {
            Ok(text) => asserts.push(text),
            Err(todo) => todos.push(todo),
        }
    }
    // The attribute's rule, not the suite's: `#[llama_eval]` needs `agent(...)`
    // for every trajectory check, `tool_call_f1` included.
    if case
        .checks
        .iter()
        .any(|c| checks::find(&c.kind).is_some_and(|(kind, _)| checks::is_trajectory(kind)))
    {
        todos.push(
            "the trajectory checks read an agent loop: add `agent(tools = path::to::registry)`, \
             a `fn() -> ToolRegistry` with a Rust implementation of each tool"
                .to_owned(),
        );
    }
    if !asserts.is_empty() {
        keys.push(format!("assert({})", asserts.join(", ")));
    }
    if let Some(t) = case.threshold {
        keys.push(format!("threshold = {}", float(t)));
    }
    if let Some(g) = &case.grader {
        keys.push(format!("grader = {}", lit(g)));
    }
    let mut text = String::new();
    let vars = case
        .vars
        .iter()
        .map(|(k, v)| format!("{k} = {}", one_line(&promptfoo::var_text(v))))
        .collect::<Vec<_>>();
    let _ = writeln!(
        text,
        "    /// {}{}",
        case.description
            .as_deref()
            .map_or_else(|| format!("Test {}", instance.case_index + 1), one_line),
        if vars.is_empty() {
            String::new()
        } else {
            format!(" (vars: {})", vars.join(", "))
        }
    );
    for todo in &todos {
        let _ = writeln!(text, "    // TODO: {todo}");
    }
    if instance.name.contains("__") {
        let _ = writeln!(text, "    #[allow(non_snake_case)]");
    }
    // As rustfmt writes it: one key a line, no comma after the last.
    let _ = writeln!(
        text,
        "    #[llama_eval(\n        {}\n    )]\n    fn {}() {{}}",
        keys.join(",\n        "),
        instance.name
    );
    Ok(text)
}

/// The provider's request options as attribute keys.
fn provider_keys(
    p: &Provider,
    module: &str,
    options: &Options,
    files: &mut Vec<(String, String)>,
    keys: &mut Vec<String>,
) -> Result<(), String> {
    let floats = [
        ("temperature", p.temperature),
        ("top_p", p.top_p),
        ("frequency_penalty", p.frequency_penalty),
        ("presence_penalty", p.presence_penalty),
    ];
    for (key, value) in floats {
        if let Some(v) = value {
            keys.push(format!("{key} = {}", float(v)));
        }
    }
    if let Some(n) = p.max_tokens {
        keys.push(format!("max_tokens = {n}"));
    }
    if p.stream {
        keys.push("stream = true".to_owned());
    }
    if let Some(tools) = &p.tools {
        let label = p.label.as_deref().map_or_else(
            || llama_test_core::names::model_suffix(&p.id),
            llama_test_core::names::sanitize,
        );
        let path = format!("{}/{module}__{label}_tools.json", options.data_dir);
        add_file(files, &path, tools)?;
        keys.push(format!("tools = {}", lit(&path)));
    }
    if let Some(choice) = &p.tool_choice {
        keys.push(format!("tool_choice = {}", lit(choice)));
    }
    if let Some(schema) = &p.json_schema {
        keys.push(format!("json_schema = {}", lit(schema)));
    }
    Ok(())
}

/// Adds a JSON file (pretty-printed); the same path twice must hold the
/// same JSON.
fn add_file(files: &mut Vec<(String, String)>, path: &str, json: &str) -> Result<(), String> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| format!("`{path}`: not JSON: {e}"))?;
    let pretty = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())? + "\n";
    match files.iter().find(|(p, _)| p == path) {
        Some((_, existing)) if *existing == pretty => Ok(()),
        Some(_) => Err(format!(
            "two different files would both be `{path}`; give the providers distinct `label`s"
        )),
        None => {
            files.push((path.to_owned(), pretty));
            Ok(())
        }
    }
}

/// The check in `assert(...)`'s syntax, or the TODO line saying why not.
fn attribute_check(check: &Check, case: &Case, declared: &[String]) -> Result<String, String> {
    let value: Value = serde_json::from_str(&check.value_json)
        .map_err(|e| format!("`{}`: the value is not JSON: {e}", check.kind))?;
    let value = promptfoo::render_json(&value, &case.vars).unwrap_or(value);
    let shown = match &value {
        Value::Null => String::new(),
        other => format!(" {}", one_line(&short(other))),
    };
    let todo = |why: &str| format!("`{}`{shown}: {why}", written(&check.kind));
    if let Some(t) = &check.transform_json {
        let code = serde_json::from_str::<Value>(t).map_or_else(|_| t.clone(), |v| short(&v));
        return Err(todo(&format!(
            "has a `transform` ({}), which has no attribute form; apply it to `out` in the body \
             (`fn ...(out: Output)`) and check the result",
            one_line(&code)
        )));
    }
    let Ok((kind, _)) = checks::lookup(&check.kind) else {
        return Err(todo(
            "has no attribute form; check it in the body (`fn ...(out: Output)`) with \
             `out.text()`, `out.json()` or `out.tool_calls()`",
        ));
    };
    let mut options: Vec<String> = Vec::new();
    let head = match (&value, kind.name) {
        (Value::Null, _) if kind.shape == Shape::Flag => None,
        (Value::Object(m), "word_count") => {
            for key in ["min", "max"] {
                if let Some(n) = m.get(key) {
                    options.push(format!("{key} = {n}"));
                }
            }
            None
        }
        (Value::Object(m), "function_call") => {
            let name = m.get("name").and_then(Value::as_str).unwrap_or_default();
            if !declared.iter().any(|d| d == name) {
                return Err(todo(&format!(
                    "the provider declares no tool `{name}` (a FAIL in the suite; `#[llama_eval]` \
                     rejects it at compile time)"
                )));
            }
            match m.get("arguments") {
                None => Some(lit(name)),
                Some(args) => {
                    options.push(format!("name = {}", lit(name)));
                    options.push(format!("arguments = {}", lit(&args.to_string())));
                    None
                }
            }
        }
        // A list check written as promptfoo's comma-separated string.
        (Value::String(s), _) if kind.shape == Shape::TextList => {
            if s.contains('"') {
                return Err(todo(
                    "a quoted comma-separated list; write it as `[\"a\", \"b\"]`",
                ));
            }
            let items: Vec<String> = s
                .split(',')
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(lit)
                .collect();
            Some(format!("[{}]", items.join(", ")))
        }
        (Value::String(s), _) => Some(lit(s)),
        (Value::Number(n), _) => Some(n.to_string()),
        (Value::Array(items), _) if items.iter().all(Value::is_string) => Some(format!(
            "[{}]",
            items
                .iter()
                .filter_map(Value::as_str)
                .map(lit)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => {
            return Err(todo(
                "this value has no attribute form; check it in the body (`fn ...(out: Output)`)",
            ));
        }
    };
    if let Some(t) = check.threshold {
        options.push(format!("threshold = {}", float(t)));
    }
    if check.weight != 1.0 {
        options.push(format!("weight = {}", float(check.weight)));
    }
    let key = &check.kind;
    Ok(match (head, options.is_empty()) {
        (None, true) => key.clone(),
        (Some(v), true) => format!("{key} = {v}"),
        (None, false) => format!("{key}({})", options.join(", ")),
        (Some(v), false) => format!("{key}(value = {v}, {})", options.join(", ")),
    })
}

/// The kind as promptfoo spells it, for TODO lines.
fn written(kind: &str) -> String {
    match kind {
        "max_cost" => "cost".to_owned(),
        "max_latency_ms" => "latency".to_owned(),
        "stop_reason" => "finish-reason".to_owned(),
        "valid_tool_calls" => "is-valid-openai-tools-call".to_owned(),
        "not_valid_tool_calls" => "not-is-valid-openai-tools-call".to_owned(),
        other => other.replace('_', "-"),
    }
}

/// A value for a TODO line: code as it is, file scripts by their file.
fn short(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.contains_key("source") => {
            let file = m.get("file").and_then(Value::as_str).unwrap_or_default();
            match m.get("function").and_then(Value::as_str) {
                Some(f) => format!("file://{file}:{f}"),
                None => format!("file://{file}"),
            }
        }
        other => other.to_string(),
    }
}

/// `text` on one line, shortened.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(200) {
        Some((at, _)) => format!("{}...", &joined[..at]),
        None => joined,
    }
}

/// A Rust string literal: raw when the text has quotes or backslashes.
fn lit(text: &str) -> String {
    if !text.contains(['"', '\\']) {
        return format!("{text:?}");
    }
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{text}\"{h}")
}

/// A float literal that reads back as the same number (`0.7`, `1.0`).
fn float(v: f64) -> String {
    format!("{v:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_read_back() {
        assert_eq!(lit("plain"), "\"plain\"");
        assert_eq!(lit("a \"b\""), "r#\"a \"b\"\"#");
        assert_eq!(lit("x \"# y"), "r##\"x \"# y\"##");
        assert_eq!(lit("\\d+"), "r#\"\\d+\"#");
        assert_eq!(float(0.7), "0.7");
        assert_eq!(float(1.0), "1.0");
    }
}
