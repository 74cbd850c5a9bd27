//! Issue 3 acceptance: a changed prompt, temperature or tool schema fails
//! replay with a miss report naming the changed field, through the real
//! `#[llama_eval]` path.
//!
//! `recorded` is recorded against the simulator; each `changed_*` sibling
//! differs from it in one field and is given a copy of its fixture (as if
//! the eval had been edited after recording), then replayed under
//! `CI=true` with no key.

use std::path::Path;

use crate::child::{Child, fixture_file, load_fixture, start_sim};
use llama_test::prelude::*;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    tools = "tests/end_to_end/data/get_weather.json",
    temperature = 0.2,
    prompt = "What's the weather like in Paris?"
)]
#[ignore = "run in a child process by the driver test"]
fn recorded(out: Output) {
    out.assert_function_call("get_weather");
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    tools = "tests/end_to_end/data/get_weather.json",
    temperature = 0.2,
    prompt = "What's the weather like in Rome?"
)]
#[ignore = "run in a child process by the driver test"]
fn changed_prompt(out: Output) {
    out.assert_function_call("get_weather");
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    tools = "tests/end_to_end/data/get_weather.json",
    temperature = 0.7,
    prompt = "What's the weather like in Paris?"
)]
#[ignore = "run in a child process by the driver test"]
fn changed_temperature(out: Output) {
    out.assert_function_call("get_weather");
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    tools = "tests/end_to_end/data/get_weather_city_country.json",
    temperature = 0.2,
    prompt = "What's the weather like in Paris?"
)]
#[ignore = "run in a child process by the driver test"]
fn changed_tool_schema(out: Output) {
    out.assert_function_call("get_weather");
}

/// Gives `test` a copy of `recorded`'s fixture under its own name.
fn copy_recording(fixtures: &Path, test: &str) {
    let mut fixture = load_fixture(&fixtures.join(fixture_file("record_replay_perturb::recorded")));
    let file = fixture_file(test);
    fixture.test = file.trim_end_matches(".json").to_owned();
    let path = fixtures.join(file);
    std::fs::write(path, fixture.to_json_text().unwrap()).unwrap();
}

#[test]
fn a_changed_field_fails_replay_with_a_diff_naming_it() {
    let sim = start_sim();
    let fixtures = tempfile::tempdir().unwrap();
    Child::exact(&["record_replay_perturb::recorded"])
        .record(&sim)
        .fixtures(fixtures.path())
        .run()
        .assert_passed(1);
    drop(sim);

    // The unchanged eval replays.
    Child::exact(&["record_replay_perturb::recorded"])
        .replay_in_ci(None)
        .fixtures(fixtures.path())
        .run()
        .assert_passed(1);

    let cases = [
        (
            "record_replay_perturb::changed_prompt",
            r#"messages[0].content: "What's the weather like in Paris?" -> "What's the weather like in Rome?""#,
        ),
        (
            "record_replay_perturb::changed_temperature",
            "temperature: 0.2 -> 0.7",
        ),
        (
            "record_replay_perturb::changed_tool_schema",
            r#"tools[0].function.parameters.properties.location.description: "City and state, e.g. San Francisco, CA" -> "City and country, e.g. Paris, France""#,
        ),
    ];
    for (test, diff_line) in cases {
        copy_recording(fixtures.path(), test);
        let run = Child::exact(&[test])
            .replay_in_ci(None)
            .fixtures(fixtures.path())
            .run();
        run.assert_counts(0, 1);
        let report = run.all_output();
        assert!(report.contains("replay miss"), "{test}:\n{report}");
        assert!(
            report.contains(diff_line),
            "{test} should report `{diff_line}`:\n{report}"
        );
        let changed: Vec<&str> = report
            .lines()
            .skip_while(|l| !l.contains("changed fields"))
            .skip(1)
            .take_while(|l| l.starts_with("    "))
            .collect();
        assert_eq!(
            changed.len(),
            1,
            "{test}: only the changed field is named:\n{report}"
        );
        let command = format!(
            "LLAMA_TEST_MODE=record cargo test -p llama-test --test end_to_end -- {test} --exact"
        );
        assert!(
            report.contains(&command),
            "{test}: the re-record command:\n{report}"
        );
    }
}
