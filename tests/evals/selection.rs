//! Test names are stable paths, so libtest filters select eval groups.

use std::process::Command;

fn listed(args: &[&str]) -> Vec<String> {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let output = Command::new(exe)
        .args(args)
        .arg("--list")
        .output()
        .expect("the test binary can list its tests");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_module_filter_selects_exactly_its_evals() {
    assert_eq!(
        listed(&["tool_calling"]),
        [
            // The seed's tool-calling config, converted and as a suite:
            // libtest filters are substrings, so `tool_calling` picks every
            // form of the one example.
            "converted::tool_calling::case_1",
            "promptfoo::tool_calling::case_1",
            "tool_calling::answers_from_the_tool_result::case_1_nyc",
            "tool_calling::get_weather::case_1_nyc",
            "tool_calling::no_tool_when_choice_is_none",
        ]
    );
}

#[test]
fn a_group_filter_selects_one_test_per_model() {
    assert_eq!(
        listed(&["compares_models::"]),
        [
            "model_comparison::compares_models::llama_3_3_70b_instruct",
            "model_comparison::compares_models::llama_3_3_8b_instruct",
            "model_comparison::compares_models::llama_4_maverick_17b_128e_instruct_fp8",
        ]
    );
}
