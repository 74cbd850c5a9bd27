//! Issue 3 acceptance, end to end through `#[llama_eval]`: a group of evals
//! (text, JSON schema, tool call, streaming, a multi-turn tool exchange)
//! recorded against the simulated Llama API replays with no key and
//! `CI=true` to identical outputs without sending a request; and no
//! fixture or log line of those runs contains the key.
//!
//! The evals below are `#[ignore]`d: the driver tests run them in child
//! processes (see `child.rs`).

use std::time::Duration;

use crate::child::{
    Child, SECRET_KEY, all_files, dump, fixture_file, json_files, load_fixture, start_sim,
};
use llama_test::prelude::*;
use llama_test::sim::Fault;
use serde_json::Value;

#[llama_eval(
    model = "llamaapi:Llama-3.3-70B-Instruct",
    prompt = "Explain quantum computing in simple terms",
    assert(contains = "quantum")
)]
#[ignore = "run in a child process by the driver tests"]
fn text_contains(out: Output) {
    dump(&[&out]);
}

#[llama_eval(
    model = "Llama-4-Maverick-17B-128E-Instruct-FP8",
    temperature = 0.1,
    json_schema = "tests/end_to_end/data/product_review.json",
    prompt = "Review this product: {{product}}",
    case(
        name = "headphones",
        product = "Wireless headphones with short battery life"
    ),
    assert(is_json)
)]
#[ignore = "run in a child process by the driver tests"]
fn json_schema(out: Output) {
    let rating = out.assert_is_json()["rating"].as_f64().unwrap();
    assert!((1.0..=5.0).contains(&rating), "{rating}");
    dump(&[&out]);
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    tools = "tests/end_to_end/data/get_weather.json",
    prompt = "What's the weather like in New York, NY?",
    assert(function_call = "get_weather")
)]
#[ignore = "run in a child process by the driver tests"]
fn tool_call(out: Output) {
    dump(&[&out]);
}

#[llama_eval(
    model = "Llama-3.3-8B-Instruct",
    stream = true,
    temperature = 0.7,
    prompt = "Write a short story about time travel",
    assert(contains = "time")
)]
#[ignore = "run in a child process by the driver tests"]
fn streaming_text(out: Output) {
    assert!(out.completion().streamed);
    dump(&[&out]);
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    endpoint = "compat",
    stream = true,
    tools = "tests/end_to_end/data/get_weather.json",
    prompt = "What's the weather like in Boston, MA?",
    assert(function_call = "get_weather")
)]
#[ignore = "run in a child process by the driver tests"]
fn streaming_tool_call(out: Output) {
    dump(&[&out]);
}

/// Two interactions in one fixture: the tool call, then the final answer.
#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    tools = "tests/end_to_end/data/get_weather.json",
    prompt = "What's the weather like in Paris, France?"
)]
#[ignore = "run in a child process by the driver tests"]
async fn tool_result_follow_up(out: Output) {
    let call = out.assert_function_call("get_weather");
    let answer = out
        .follow_up()
        .tool_result(&call.id, r#"{"temperature": 21, "unit": "celsius"}"#)
        .run()
        .await;
    answer.assert_contains("21");
    dump(&[&out, &answer]);
}

/// Sorts first (libtest runs tests in name order), so with one test thread
/// every later test's log lines reach stderr, `log` records included.
#[test]
#[ignore = "run in a child process by the driver tests"]
fn _0_install_log_subscriber() {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init()
        .unwrap();
}

const GROUP: &[&str] = &[
    "record_replay_roundtrip::text_contains",
    "record_replay_roundtrip::json_schema::case_1_headphones",
    "record_replay_roundtrip::tool_call",
    "record_replay_roundtrip::streaming_text",
    "record_replay_roundtrip::streaming_tool_call",
    "record_replay_roundtrip::tool_result_follow_up",
];
/// Requests the group sends: one per eval, plus the follow-up.
const GROUP_REQUESTS: usize = 7;

#[test]
fn recorded_group_replays_identically_offline_without_a_key() {
    let sim = start_sim();
    let fixtures = tempfile::tempdir().unwrap();
    let recorded = tempfile::tempdir().unwrap();
    let replayed = tempfile::tempdir().unwrap();

    Child::exact(GROUP)
        .record(&sim)
        .fixtures(fixtures.path())
        .outputs(recorded.path())
        .run()
        .assert_passed(GROUP.len());
    assert_eq!(sim.request_count(), GROUP_REQUESTS);
    let written = json_files(fixtures.path());
    assert_eq!(written.len(), GROUP.len(), "{written:?}");
    let follow_up = load_fixture(&fixtures.path().join(fixture_file(
        "record_replay_roundtrip::tool_result_follow_up",
    )));
    assert_eq!(follow_up.interactions.len(), 2);
    let stream = load_fixture(
        &fixtures
            .path()
            .join(fixture_file("record_replay_roundtrip::streaming_text")),
    );
    assert!(
        serde_json::to_string(&stream.interactions[0].response.body)
            .unwrap()
            .contains("progress"),
        "the stream is stored as its events"
    );

    // Replay: the simulator still answers at LLAMA_API_BASE_URL, so any
    // request that leaked past the fixtures would be counted.
    Child::exact(GROUP)
        .replay_in_ci(Some(&sim.uri()))
        .fixtures(fixtures.path())
        .outputs(replayed.path())
        .run()
        .assert_passed(GROUP.len());
    assert_eq!(
        sim.request_count(),
        GROUP_REQUESTS,
        "replay reached the API"
    );
    drop(sim);

    let recorded = json_files(recorded.path());
    let replayed = json_files(replayed.path());
    assert_eq!(recorded.len(), GROUP.len());
    assert_eq!(
        recorded.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        replayed.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for ((name, before), (_, after)) in recorded.iter().zip(&replayed) {
        let before: Value = serde_json::from_slice(&std::fs::read(before).unwrap()).unwrap();
        let after: Value = serde_json::from_slice(&std::fs::read(after).unwrap()).unwrap();
        assert_eq!(before, after, "{name}: replay differs from the recording");
    }
    // The comparison covers what each kind of eval is about.
    let output = |test: &str| -> Value {
        let name = fixture_file(test);
        let path = recorded.iter().find(|(n, _)| *n == name).unwrap();
        serde_json::from_slice(&std::fs::read(&path.1).unwrap()).unwrap()
    };
    assert!(
        output("record_replay_roundtrip::text_contains")[0]["text"]
            .as_str()
            .unwrap()
            .contains("quantum")
    );
    assert!(
        output("record_replay_roundtrip::json_schema::case_1_headphones")[0]["json"]["rating"]
            .is_number()
    );
    let tool = output("record_replay_roundtrip::tool_call");
    assert_eq!(tool[0]["tool_calls"][0]["name"], "get_weather");
    assert_eq!(tool[0]["stop_reason"], "tool_calls");
    assert!(!tool[0]["tool_calls"][0]["id"].as_str().unwrap().is_empty());
    assert_eq!(
        output("record_replay_roundtrip::streaming_text")[0]["streamed"],
        true
    );
    assert_eq!(
        output("record_replay_roundtrip::streaming_tool_call")[0]["tool_calls"][0]["arguments"]["location"],
        "Boston, MA"
    );
    assert_eq!(
        output("record_replay_roundtrip::tool_result_follow_up")[1]["stop_reason"],
        "stop"
    );
}

#[test]
fn no_fixture_or_log_line_contains_the_key() {
    let sim = start_sim();
    assert_eq!(sim.api_key(), SECRET_KEY);
    let fixtures = tempfile::tempdir().unwrap();
    let with_logs = |names: &[&str]| {
        let mut all = vec!["record_replay_roundtrip::_0_install_log_subscriber"];
        all.extend_from_slice(names);
        Child::exact(&all)
            .threads(1)
            .nocapture()
            .env("RUST_LOG", "trace")
            .fixtures(fixtures.path())
    };

    // A successful recording of the whole group.
    let recording = with_logs(GROUP).record(&sim).run();
    recording.assert_passed(GROUP.len() + 1);

    // A failing one: 500s that outlast the retries, with bodies echoing
    // the request's `Authorization` header, as a careless server might.
    sim.echo_auth_in_errors();
    sim.fail_next_with(
        3,
        Fault::status(500).with_retry_after_ms(Duration::from_millis(10)),
    );
    let failing = with_logs(&["record_replay_roundtrip::text_contains"])
        .record(&sim)
        .run();
    failing.assert_counts(1, 1);
    let log = failing.all_output();
    assert!(
        log.contains("retrying"),
        "the retry warnings were logged:\n{log}"
    );
    assert!(log.contains("llama-test ERROR"), "{log}");
    assert!(log.contains("500"), "{log}");
    assert!(
        log.contains("Bearer [REDACTED]"),
        "the echoed header was redacted:\n{log}"
    );
    sim.reset();

    // And the replay of the recording.
    let replay = with_logs(GROUP).replay_in_ci(None).run();
    replay.assert_passed(GROUP.len() + 1);

    let secret_part = SECRET_KEY.rsplit('|').next().unwrap();
    for run in [&recording, &failing, &replay] {
        for (number, line) in run.all_output().lines().enumerate() {
            assert!(
                !line.contains(secret_part),
                "output line {number} of {:?} leaks the key: {line}",
                run.args
            );
        }
    }
    let files = all_files(fixtures.path());
    assert_eq!(files.len(), GROUP.len(), "only the fixtures, no temp files");
    for (path, text) in files {
        assert!(
            !text.contains(secret_part),
            "{} contains the key",
            path.display()
        );
        assert!(
            !text.to_ascii_lowercase().contains("authorization"),
            "{}",
            path.display()
        );
        assert!(!text.contains("Bearer"), "{}", path.display());
    }
}
