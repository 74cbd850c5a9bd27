//! Record → replay offline → identical `Output`; a drifted prompt is caught
//! on replay.
//!
//! Every eval of the suite checks the first half through
//! [`same_output`]: the committed `expected/` files were written by the
//! recording run, and replaying the committed fixtures must reproduce them
//! exactly (text, tool calls with their ids, usage, stop reason, latency).
//! [`live_record_then_offline_replay`] does both halves in one run against a
//! fresh server.

use llama_test::prelude::*;
use serde_json::Value;

use crate::support::child::{Child, is_child};
use crate::support::expected::same_output;
use crate::support::{BASE_URL_ENV, live_server, notice, recorded, recording, skip};

#[llama_eval(
    model = "llamacpp:tiny",
    prompt = "What is the capital of France?",
    temperature = 0,
    max_tokens = 16,
    top_k = 40,
    repetition_penalty = 1.0,
    assert(stop_reason = "length", word_count(min = 1), max_tokens_used = 200)
)]
fn capital(out: Output) {
    let usage = out.usage().expect("llama.cpp reports usage");
    assert_eq!(usage.completion_tokens, 16);
    assert_eq!(
        usage.total_tokens,
        usage.prompt_tokens + usage.completion_tokens
    );
    assert_eq!(out.model(), "tiny");
    same_output(&out, "");
}

/// What went over the wire, as recorded: the provider's path, llama.cpp's
/// sampling names, the alias as the model (never the model file's path).
#[test]
fn recorded_request_uses_llamacpp_names() {
    let Some(fixture) = recorded(
        "record_replay::recorded_request_uses_llamacpp_names",
        "record_replay::capital",
    ) else {
        return;
    };
    let interaction = &fixture["interactions"][0];
    let request = &interaction["request"];
    assert_eq!(request["path"], "/llamacpp/v1/chat/completions");
    let body = &request["body"];
    assert_eq!(body["model"], "tiny");
    assert_eq!(body["top_k"], 40);
    assert_eq!(body["repeat_penalty"], 1.0);
    assert!(body.get("repetition_penalty").is_none(), "{body}");
    let response = &interaction["response"];
    assert_eq!(response["status"], 200);
    let answer = &response["body"]["json"];
    assert_eq!(answer["model"], "tiny", "{answer}");
    assert_eq!(answer["object"], "chat.completion");
    assert!(
        answer["timings"].is_object(),
        "llama.cpp's timings: {answer}"
    );
    assert_eq!(answer["system_fingerprint"], "b1-0c1e570");
}

/// A prompt edited after recording is a replay miss naming the change,
/// never a silent re-record or a stale answer: `probes::drifted_capital`
/// asks for Spain and is replayed from `capital`'s recording (France).
#[test]
fn drifted_prompt_is_caught_on_replay() {
    if is_child() {
        return;
    }
    let test = "record_replay::drifted_prompt_is_caught_on_replay";
    let Some(mut fixture) = recorded(test, "record_replay::capital") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    fixture["test"] = "real__probes__drifted_capital".into();
    std::fs::write(
        dir.path().join("real__probes__drifted_capital.json"),
        serde_json::to_string_pretty(&fixture).unwrap(),
    )
    .unwrap();
    let run = Child::probe("probes::drifted_capital")
        .replay_in_ci()
        .fixtures(dir.path())
        .run();
    let failure = run.single_failure();
    assert!(failure.contains("llama-test ERROR"), "{failure}");
    assert!(!failure.contains("llama-test FAIL"), "{failure}");
    assert!(
        failure.contains("Spain") && failure.contains("France"),
        "the miss shows both prompts: {failure}"
    );
    assert!(
        failure.contains("LLAMA_TEST_MODE=record"),
        "and how to re-record: {failure}"
    );
}

/// The whole suite recorded against a fresh server into a temporary
/// directory (the prefetch sends every eval at once, 64 of them to the
/// same endpoint), then replayed from it with `CI=true`, no key and no
/// server URL: every eval passes both times, and each replayed `Output`
/// equals the recorded one (see [`same_output`]). The fresh answers also
/// equal the committed ones: the server and the model are deterministic,
/// except for the whitespace inside a tool call's arguments under batching
/// (see the comparison below).
#[test]
fn live_record_then_offline_replay() {
    let test = "record_replay::live_record_then_offline_replay";
    if is_child() {
        return;
    }
    if recording() {
        return skip(test, "this run records into fixtures/ already");
    }
    let Some(server) = live_server(test) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let fixtures = dir.path().join("fixtures");
    let expected = dir.path().join("expected");
    let record = Child::new(&[])
        .against(server, "record")
        .fixtures(&fixtures)
        .expected(&expected)
        .run();
    if !record.success {
        let kept = dir.keep();
        panic!(
            "recording failed (its files are kept in {}):\n{record}",
            kept.display()
        );
    }
    let replay = Child::new(&[])
        .replay_in_ci()
        .fixtures(&fixtures)
        .expected(&expected)
        // Where a leaked request would go: nothing listens there.
        .env(BASE_URL_ENV, "http://127.0.0.1:9")
        .run();
    replay.assert_all_passed();
    assert_eq!(record.counts(), replay.counts());
    let files: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(files.len() >= 64 + 6, "{} fixtures", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(server.key()),
            "{} holds the key",
            path.display()
        );
        crate::hygiene::assert_clean(&path, &text);
    }
    // The fresh server answers what the committed recording holds: same
    // text, tool names and parsed arguments, usage and stop reasons (ids
    // and latency differ per call). One exception: llama.cpp's continuous
    // batching is not batch-invariant on CPU, so which requests share a
    // batch can change the whitespace the grammar lets a tool call's
    // arguments hold (seen: `">{" }` for `">{"}`, 41 tokens for 39, when
    // the cores were busy). A tool call is therefore compared by its parsed
    // arguments, without its raw text and completion token count.
    let volatile = |mut v: Value| {
        for field in ["id", "latency_ms"] {
            v[field] = Value::Null;
        }
        let mut has_calls = false;
        for call in v["tool_calls"].as_array_mut().into_iter().flatten() {
            call["id"] = Value::Null;
            call["raw_arguments"] = Value::Null;
            has_calls = true;
        }
        if has_calls && v["usage"].is_object() {
            v["usage"]["completion_tokens"] = Value::Null;
            v["usage"]["total_tokens"] = Value::Null;
        }
        v
    };
    // A follow-up sends its parent's raw arguments back, so when those
    // drifted its prompt differs too, and its answer is not compared.
    let committed = crate::support::manifest_dir().join("expected");
    let read = |path: &std::path::Path| -> Option<Value> {
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
    };
    let raw_arguments = |v: &Value| -> Vec<Value> {
        let calls = v["tool_calls"].as_array().into_iter().flatten();
        calls.map(|call| call["raw_arguments"].clone()).collect()
    };
    let mut compared = 0;
    for entry in std::fs::read_dir(&expected).unwrap() {
        let fresh = entry.unwrap().path();
        let name = fresh.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(old) = read(&committed.join(&name)) else {
            continue;
        };
        let new = read(&fresh).unwrap();
        if let Some(parent) = name.strip_suffix("__follow_up.json") {
            let parent = format!("{parent}.json");
            let (fresh_parent, old_parent) = (
                read(&expected.join(&parent)),
                read(&committed.join(&parent)),
            );
            if fresh_parent.map(|v| raw_arguments(&v)) != old_parent.map(|v| raw_arguments(&v)) {
                notice(&format!(
                    "{test}: {name} not compared: {parent}'s raw arguments drifted"
                ));
                continue;
            }
        }
        assert_eq!(
            volatile(new),
            volatile(old),
            "{} differs from the committed recording",
            fresh.display()
        );
        compared += 1;
    }
    assert!(compared >= 64, "{compared} outputs compared");
    notice(&format!(
        "{test}: the suite recorded in {:.1?} ({} tests passed), replayed offline in {:.1?}",
        record.elapsed,
        record.counts().0,
        replay.elapsed
    ));
}
