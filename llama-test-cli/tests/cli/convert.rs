//! `llama-test promptfoo convert`: the seed's promptfoo configs as
//! `#[llama_eval]` source. `tests/evals/converted.rs` (in the examples
//! crate, which compiles and replays it) is the converter's output for
//! `tool-calling.yaml`, byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

use llama_test_cli::convert::{Converted, Options, convert};

/// The workspace root, where the examples crate lives.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn convert_seed(name: &str) -> Converted {
    let rel = format!("tests/promptfoo/{name}.yaml");
    let dir = root().join("tests/promptfoo");
    let text = std::fs::read_to_string(root().join(&rel)).unwrap();
    convert(
        &rel,
        &text,
        |p| std::fs::read_to_string(dir.join(p)).map_err(|e| e.to_string()),
        &Options::default(),
    )
    .unwrap()
}

#[test]
fn tool_calling_is_the_committed_example_and_its_tools_file() {
    let out = convert_seed("tool-calling");
    let committed = std::fs::read_to_string(root().join("tests/evals/converted.rs")).unwrap();
    assert_eq!(
        out.source, committed,
        "rerun: llama-test promptfoo convert tests/promptfoo/tool-calling.yaml --write-data > tests/evals/converted.rs"
    );
    let [(path, json)] = out.files.as_slice() else {
        panic!("{:?}", out.files)
    };
    assert_eq!(
        path,
        "tests/data/tool_calling__llama_3_3_70b_instruct_tools.json"
    );
    assert_eq!(json, &std::fs::read_to_string(root().join(path)).unwrap());
    assert!(
        out.source
            .contains(r#"tools = "tests/data/tool_calling__llama_3_3_70b_instruct_tools.json","#)
    );
    assert!(
        out.source
            .contains(r#"prompt = "What's the weather like in New York, NY?","#)
    );
    assert!(
        out.source
            .contains(r#"assert(function_call = "get_weather")"#)
    );
    assert!(
        out.source
            .contains("// TODO: `javascript` output.arguments.location.includes('New York'): has no attribute form"),
        "{}",
        out.source
    );
    assert!(out.source.contains("mod tool_calling {"));
    assert!(out.source.contains("fn case_1() {}"));
}

/// The converted eval sends the suite's request byte for byte: both
/// fixtures (recorded against the simulator) have one request key.
#[test]
fn the_converted_eval_sends_the_suites_request() {
    let key = |name: &str| {
        let text = std::fs::read_to_string(root().join("fixtures").join(name)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["interactions"][0]["key"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        key("evals__converted__tool_calling__case_1.json"),
        key("evals__promptfoo__tool_calling__case_1.json")
    );
}

#[test]
fn options_schemas_chats_and_csv_cases() {
    let json = convert_seed("json-structured-output").source;
    assert!(json.contains("temperature = 0.1,"), "{json}");
    assert!(
        json.contains(r#"json_schema = r#"{"name":"product_review","schema":"#),
        "{json}"
    );
    assert!(json.contains("assert(is_json)\n    )]"), "{json}");
    assert!(
        json.contains("// TODO: `javascript` JSON.parse(output).rating >= 1"),
        "{json}"
    );

    let stream = convert_seed("streaming").source;
    assert!(stream.contains("stream = true,"), "{stream}");
    assert!(
        stream.contains(r#"prompt = "Write a short story about time travel","#),
        "{stream}"
    );

    let multimodal = convert_seed("multimodal");
    assert!(
        multimodal
            .source
            .contains(r#"messages = "tests/data/multimodal__case_1_messages.json","#)
    );
    assert!(
        multimodal.files[0]
            .1
            .contains("https://example.com/image.jpg")
    );
    assert!(
        multimodal
            .source
            .contains(r#"assert(llm_rubric = "Accurately describes the image content")"#)
    );
    let inline = multimodal.with_files_inline();
    assert!(
        inline.starts_with("// TODO: save as `tests/data/multimodal__case_1_messages.json`"),
        "{inline}"
    );

    let csv = convert_seed("forms-csv").source;
    assert!(
        csv.contains("fn case_1_time() {}") && csv.contains("fn case_2_sea() {}"),
        "{csv}"
    );
    assert!(csv.contains(r#"contains_any = ["a", "e", "i"]"#), "{csv}");
    assert!(
        csv.contains("max_latency_ms = 60000"),
        "defaultTest is merged: {csv}"
    );
    assert!(csv.contains("max_tokens = 300,"), "{csv}");
}

#[test]
fn every_check_without_an_attribute_form_is_a_todo() {
    let files = convert_seed("forms-files").source;
    for todo in [
        "// TODO: `javascript` file://forms/check.js: has no attribute form",
        "// TODO: `javascript` file://forms/check.js:mentionsTime: has no attribute form",
        "// TODO: `length` {\"max\":20000,\"min\":20}: has no attribute form",
        "// TODO: `equals` short story: has a `transform` (output.toLowerCase()",
        "// TODO: `is-json`: has a `transform` (file://forms/transform.js:asJson)",
    ] {
        assert_eq!(files.matches(todo).count(), 2, "{todo}\n{files}");
    }
    assert!(
        files.contains("assert(word_count(min = 5), not_icontains = \"young zzz\"),"),
        "{files}"
    );
    assert!(files.contains("threshold = 0.5,"), "{files}");
    assert!(
        files.contains("#[allow(non_snake_case)]\n    #[llama_eval("),
        "{files}"
    );
    assert!(
        files.contains("fn case_1_file_vars__prompt_2() {}"),
        "{files}"
    );
}

#[test]
fn a_weighted_check_and_an_undeclared_tool() {
    let yaml = "providers: [llamaapi:Llama-3.3-70B-Instruct]\nprompts: ['p']\ntests:\n  - assert:\n      - type: icontains\n        value: x\n        weight: 2\n      - type: function-call\n        value: search\n      - type: levenshtein\n        value: abc\n        threshold: 2\n";
    let out = convert("t.yaml", yaml, |_| Err("none".into()), &Options::default()).unwrap();
    assert!(
        out.source
            .contains(r#"icontains(value = "x", weight = 2.0)"#),
        "{}",
        out.source
    );
    assert!(
        out.source
            .contains(r#"levenshtein(value = "abc", threshold = 2.0)"#),
        "{}",
        out.source
    );
    assert!(out.source.contains("// TODO: `function-call` {\"if_undeclared\":\"fail\",\"name\":\"search\"}: the provider declares no tool `search`"), "{}", out.source);
}

/// The trajectory checks convert, and the TODO says the loop they need
/// (the macro's compile error would say it too, without this hint).
#[test]
fn trajectory_checks_come_with_the_agent_todo() {
    let out = convert_seed("agent");
    assert!(
        out.source.contains(
            r#"assert(tool_used = "get_weather", max_steps = 1, tool_call_f1 = ["get_weather"]"#
        ),
        "{}",
        out.source
    );
    assert!(
        out.source.contains(
            "// TODO: the trajectory checks read an agent loop: add `agent(tools = path::to::registry)`"
        ),
        "{}",
        out.source
    );
    // `tool-call-f1` alone runs in a suite without a loop, but the attribute
    // wants `agent(...)` for it, so the converted eval gets the TODO too.
    let yaml = "providers: [llamaapi:Llama-3.3-70B-Instruct]\nprompts: [hi]\ntests:\n  - assert:\n      - type: tool-call-f1\n        value: [get_weather]\n";
    let f1 = convert(
        "f1.yaml",
        yaml,
        |_| Err("no files".into()),
        &Options::default(),
    )
    .unwrap();
    assert!(f1.source.contains("agent loop"), "{}", f1.source);
    // No trajectory check, no TODO.
    let single = convert_seed("text-generation");
    assert!(!single.source.contains("agent loop"), "{}", single.source);
}

#[test]
fn the_command_prints_the_source_and_names_config_errors() {
    let run = Command::new(env!("CARGO_BIN_EXE_llama-test"))
        .args([
            "promptfoo",
            "convert",
            "tests/promptfoo/text-generation.yaml",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("mod text_generation {"), "{stdout}");
    assert!(
        stdout.contains(r#"assert(contains = "quantum")"#),
        "{stdout}"
    );

    let bad = Command::new(env!("CARGO_BIN_EXE_llama-test"))
        .args([
            "promptfoo",
            "convert",
            "llama-test/tests/ui/data/pf_bad_key.yaml",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("pf_bad_key.yaml:3:5: unknown field `confg`"),
        "{stderr}"
    );
}
