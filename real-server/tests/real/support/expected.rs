//! "Record → replay gives an identical `Output`", checked on every eval: a
//! recording run writes what each output held to `expected/<name>.json`
//! (next to `fixtures/`), and a replay run must reproduce it exactly.
//!
//! Compared: the model, text, tool calls (ids, names, raw and parsed
//! arguments), usage, stop reason, whether it streamed, the response id,
//! reasoning, a generation error and the latency (replay reports the
//! recorded one). Not compared: time to first token (replay measures its
//! own).
//!
//! `LLAMA_TEST_REAL_EXPECTED` moves the directory (the live round trip
//! uses a temporary one).

use std::path::PathBuf;

use llama_test::{Mode, Output};
use serde_json::{Value, json};

/// Overrides `<crate>/expected`.
pub const EXPECTED_ENV: &str = "LLAMA_TEST_REAL_EXPECTED";

/// What an output is compared on.
pub fn output_json(out: &Output) -> Value {
    let c = out.completion();
    json!({
        "model": c.model,
        "id": c.id,
        "text": c.text,
        "tool_calls": c.tool_calls.iter().map(|t| json!({
            "id": t.id,
            "name": t.name,
            "raw_arguments": t.raw_arguments,
            "arguments": t.arguments,
        })).collect::<Vec<_>>(),
        "stop_reason": c.stop_reason.as_ref().map(|s| s.as_str().to_owned()),
        "usage": c.usage.map(|u| json!({
            "prompt_tokens": u.prompt_tokens,
            "completion_tokens": u.completion_tokens,
            "total_tokens": u.total_tokens,
        })),
        "streamed": c.streamed,
        "reasoning": c.reasoning,
        "generation_error": c.generation_error,
        "latency_ms": u64::try_from(c.latency.as_millis()).unwrap_or(u64::MAX),
    })
}

fn dir() -> PathBuf {
    match std::env::var_os(EXPECTED_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => super::manifest_dir().join("expected"),
    }
}

/// Records (`record`) or checks (`replay`, `auto`) `out` under its test's
/// name plus `label` (for a second output of the same test, e.g.
/// `"follow_up"`). `live` checks nothing: live answers are not recordings.
pub fn same_output(out: &Output, label: &str) {
    let name = match label {
        "" => out.snapshot_name().to_owned(),
        l => format!("{}__{l}", out.snapshot_name()),
    };
    let path = dir().join(format!("{name}.json"));
    let actual = output_json(out);
    let write = || {
        std::fs::create_dir_all(dir()).expect("create the expected-output dir");
        let text = serde_json::to_string_pretty(&actual).expect("JSON") + "\n";
        std::fs::write(&path, text).expect("write the expected output");
    };
    match super::mode() {
        Mode::Record => write(),
        Mode::Live => {}
        Mode::Replay | Mode::Auto => {
            let Ok(text) = std::fs::read_to_string(&path) else {
                if super::mode() == Mode::Auto {
                    return write();
                }
                panic!(
                    "no expected output {} for this replay; record it with \
                     LLAMA_TEST_MODE=record cargo test -p llama-test-real",
                    path.display()
                );
            };
            let expected: Value = serde_json::from_str(&text).expect("expected output is JSON");
            assert!(
                expected == actual,
                "replay did not reproduce the recorded output {}:\nrecorded: {}\nreplayed: {}",
                path.display(),
                serde_json::to_string_pretty(&expected).unwrap_or_default(),
                serde_json::to_string_pretty(&actual).unwrap_or_default()
            );
        }
    }
}
