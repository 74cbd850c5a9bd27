//! The fixture file: stable bytes, round trip, useful load errors, names
//! and keys.

mod fixtures_support;

use fixtures_support::*;
use llama_test::fixtures::format::{FORMAT_VERSION, write_atomic};
use llama_test::fixtures::key::{canonical_json, request_key};
use llama_test::fixtures::{Fixture, fixture_path};
use serde_json::{Value, json};

#[test]
fn round_trip_keeps_everything_and_bytes_are_stable() {
    let f = fixture(
        "tool_calling__case_1_nyc",
        vec![
            json_exchange(chat_body("Weather in NYC?", 0.2), "Sunny"),
            sse_exchange(
                chat_body("Stream it", 0.0),
                &[json!({"event": {"event_type": "start"}})],
            ),
        ],
    );
    let text = f.to_json_text().unwrap();
    assert!(
        text.ends_with("}\n") && !text.ends_with("\n\n"),
        "one trailing newline"
    );
    assert!(
        text.contains("\n  \"version\": 1,\n"),
        "pretty, two-space indent:\n{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.json");
    write_atomic(&path, &text).unwrap();
    let loaded = Fixture::load(&path).unwrap();
    assert_eq!(loaded, f);
    // Loading and writing again gives the very same bytes.
    assert_eq!(loaded.to_json_text().unwrap(), text);
}

#[test]
fn field_order_is_fixed_and_body_keys_are_sorted() {
    let body: Value =
        serde_json::from_str(r#"{"z": 1, "model": "m", "a": {"y": 2, "b": 3}}"#).unwrap();
    let text = fixture("t", vec![json_exchange(body, "x")])
        .to_json_text()
        .unwrap();
    let pos = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing in\n{text}"))
    };
    assert!(pos("\"version\"") < pos("\"test\""));
    assert!(pos("\"test\"") < pos("\"recorded_with\""));
    assert!(pos("\"recorded_with\"") < pos("\"interactions\""));
    assert!(
        pos("\"key\"") < pos("\"model\": \"Llama") && pos("\"recorded_on\"") < pos("\"request\"")
    );
    assert!(pos("\"request\"") < pos("\"response\""));
    assert!(pos("\"a\": {") < pos("\"model\": \"m\"") && pos("\"model\": \"m\"") < pos("\"z\": 1"));
    assert!(pos("\"b\": 3") < pos("\"y\": 2"));
}

#[test]
fn corrupted_file_error_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken__test.json");
    std::fs::write(
        &path,
        "{\n  \"version\": 1,\n  \"test\": \"x\",\n  oops\n}\n",
    )
    .unwrap();
    let err = Fixture::load(&path).unwrap_err().to_string();
    assert!(err.contains(&format!("{}:4:3", path.display())), "{err}");
    assert!(err.contains("re-record"), "{err}");
}

#[test]
fn structurally_wrong_file_also_names_the_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrong.json");
    std::fs::write(&path, "{\n  \"version\": 1,\n  \"test\": 5\n}\n").unwrap();
    let err = Fixture::load(&path).unwrap_err().to_string();
    assert!(err.contains(&format!("{}:3:", path.display())), "{err}");
}

#[test]
fn unknown_version_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.json");
    std::fs::write(&path, r#"{"version": 99, "whatever": true}"#).unwrap();
    let err = Fixture::load(&path).unwrap_err().to_string();
    assert!(err.contains("format version 99"), "{err}");
    assert!(
        err.contains(&format!("reads version {FORMAT_VERSION}")),
        "{err}"
    );
}

#[test]
fn fixture_path_joins_crate_modules_and_test() {
    let root = std::path::Path::new("/repo/fixtures");
    assert_eq!(
        fixture_path(root, "examples::tool_calling", "case_1_nyc"),
        root.join("examples__tool_calling__case_1_nyc.json")
    );
    assert_eq!(
        fixture_path(root, "examples", "explains_quantum"),
        root.join("examples__explains_quantum.json")
    );
    assert_eq!(
        fixture_path(root, "examples::compare::case_2", "llama_3_3_70b_instruct"),
        root.join("examples__compare__case_2__llama_3_3_70b_instruct.json")
    );
}

#[test]
fn key_ignores_key_order_and_whitespace_but_not_content() {
    let a: Value = serde_json::from_str(
        r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.2}"#,
    )
    .unwrap();
    let b: Value = serde_json::from_str(
        "{ \"temperature\": 0.2,\n \"messages\": [ {\"content\": \"hi\", \"role\": \"user\"} ],\n \"model\": \"m\" }",
    )
    .unwrap();
    assert_eq!(
        request_key("POST", CHAT_PATH, &a),
        request_key("POST", CHAT_PATH, &b)
    );
    assert_eq!(
        canonical_json(&b),
        r#"{"messages":[{"content":"hi","role":"user"}],"model":"m","temperature":0.2}"#
    );
    let mut c = a.clone();
    c["temperature"] = json!(0.7);
    assert_ne!(
        request_key("POST", CHAT_PATH, &a),
        request_key("POST", CHAT_PATH, &c)
    );
    let mut d = a.clone();
    d["stream"] = json!(true);
    assert_ne!(
        request_key("POST", CHAT_PATH, &a),
        request_key("POST", CHAT_PATH, &d)
    );
}
