//! Replay over real loopback HTTP: the shared server, per-test prefixes,
//! repeats in order, and miss reports that name the changed field.

mod fixtures_support;

use fixtures_support::*;
use llama_test::exchange::REPLAY_MISS_HEADER;
use llama_test::fixtures::{FixtureSession, MountedTape, ReplayServer, Tape};
use llama_test::{Error, Mode};
use serde_json::{Value, json};

const PROMPT: &str = "What is the weather in NYC?";

fn mount(test: &str, f: llama_test::fixtures::Fixture) -> MountedTape {
    let meta = meta(test);
    let path = std::path::PathBuf::from(format!("/repo/fixtures/{test}.json"));
    ReplayServer::shared()
        .unwrap()
        .mount(Tape::new(f, &path, meta.rerecord_command()))
}

async fn post(tape: &MountedTape, body: &str) -> reqwest::Response {
    http()
        .post(format!("{}{CHAT_PATH}", tape.prefix()))
        .header("content-type", "application/json")
        .header("authorization", "Bearer not-a-real-key-123")
        .header("user-agent", "something-else/9")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn miss_report(tape: &MountedTape, body: &Value) -> String {
    let res = post(tape, &body.to_string()).await;
    assert_eq!(res.status(), 404);
    assert!(
        res.headers().contains_key(REPLAY_MISS_HEADER),
        "miss header missing"
    );
    res.text().await.unwrap()
}

#[tokio::test]
async fn serves_json_regardless_of_host_headers_and_key_order() {
    let tape = mount(
        "json_case",
        fixture(
            "json_case",
            vec![json_exchange(chat_body(PROMPT, 0.2), "Sunny")],
        ),
    );
    assert!(
        tape.prefix().starts_with("http://127.0.0.1:"),
        "loopback only: {}",
        tape.prefix()
    );

    // Same body, other key order and whitespace, other headers than recorded.
    let body = chat_body(PROMPT, 0.2);
    let reordered = format!(
        "{{ \"tools\": {},\n \"temperature\": 0.2, \"messages\": {}, \"model\": {} }}",
        body["tools"], body["messages"], body["model"]
    );
    let res = post(&tape, &reordered).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.headers()["x-ratelimit-remaining-requests"], "99");
    assert_eq!(res.json::<Value>().await.unwrap(), completion_json("Sunny"));
    assert_eq!(tape.tape().unused(), 0);
}

#[tokio::test]
async fn serves_streams_as_event_stream() {
    let events = [
        json!({"event": {"event_type": "start", "delta": {"type": "text", "text": ""}}}),
        json!({"event": {"event_type": "progress", "delta": {"type": "text", "text": "Hi"}}}),
        json!({"event": {"event_type": "complete", "stop_reason": "stop"}}),
    ];
    let mut body = chat_body(PROMPT, 0.2);
    body["stream"] = json!(true);
    let tape = mount(
        "sse_case",
        fixture("sse_case", vec![sse_exchange(body.clone(), &events)]),
    );

    let res = post(&tape, &body.to_string()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let expected: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    assert_eq!(res.text().await.unwrap(), expected);
}

#[tokio::test]
async fn repeats_are_served_in_recorded_order_then_miss() {
    let body = chat_body(PROMPT, 0.9);
    let recorded = ["one", "two", "three"]
        .map(|a| json_exchange(body.clone(), a))
        .to_vec();
    let tape = mount("repeat_case", fixture("repeat_case", recorded));
    for expected in ["one", "two", "three"] {
        let res: Value = post(&tape, &body.to_string()).await.json().await.unwrap();
        assert_eq!(res["completion_message"]["content"]["text"], expected);
    }
    let report = miss_report(&tape, &body).await;
    assert!(report.contains("recorded 3 time(s)"), "{report}");
    assert_eq!(tape.tape().misses(), 1);
}

#[tokio::test]
async fn tests_are_isolated_by_prefix() {
    let body = chat_body(PROMPT, 0.2);
    let a = mount(
        "iso_a",
        fixture("iso_a", vec![json_exchange(body.clone(), "from a")]),
    );
    let b = mount(
        "iso_b",
        fixture("iso_b", vec![json_exchange(body.clone(), "from b")]),
    );
    let text = body.to_string();
    let (ra, rb) = tokio::join!(post(&a, &text), post(&b, &text));
    assert_eq!(
        ra.json::<Value>().await.unwrap()["completion_message"]["content"]["text"],
        "from a"
    );
    assert_eq!(
        rb.json::<Value>().await.unwrap()["completion_message"]["content"]["text"],
        "from b"
    );

    let gone = format!("{}{CHAT_PATH}", a.prefix());
    drop(a);
    let res = http()
        .post(gone)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers().contains_key(REPLAY_MISS_HEADER));
}

fn two_recordings() -> llama_test::fixtures::Fixture {
    fixture(
        "weather__case_1_nyc",
        vec![
            json_exchange(
                json!({"model": "Llama-3.3-70B-Instruct", "messages": [{"role": "user", "content": "unrelated"}]}),
                "x",
            ),
            json_exchange(chat_body(PROMPT, 0.2), "Sunny"),
        ],
    )
}

#[tokio::test]
async fn miss_on_changed_prompt_names_the_field_and_the_rerecord_command() {
    let tape = mount("weather__case_1_nyc", two_recordings());
    let report = miss_report(&tape, &chat_body("What is the weather in Paris?", 0.2)).await;
    assert!(
        report.contains(r#"messages[0].content: "What is the weather in NYC?" -> "What is the weather in Paris?""#),
        "{report}"
    );
    assert!(
        report.contains("interaction 2 of 2"),
        "nearest recording: {report}"
    );
    assert!(
        report.contains("/repo/fixtures/weather__case_1_nyc.json"),
        "{report}"
    );
    assert!(
        report.contains("What is the weather in Paris?"),
        "the asked request: {report}"
    );
    assert!(
        report.contains(
            "LLAMA_TEST_MODE=record cargo test -p llama-test-examples --test examples -- weather::case_1_nyc --exact"
        ),
        "{report}"
    );
}

#[tokio::test]
async fn miss_on_changed_temperature_names_it() {
    let tape = mount("temp_case", two_recordings());
    let report = miss_report(&tape, &chat_body(PROMPT, 0.7)).await;
    assert!(report.contains("temperature: 0.2 -> 0.7"), "{report}");
    assert!(
        !report.contains("messages[0].content"),
        "only the changed field: {report}"
    );
}

#[tokio::test]
async fn miss_on_changed_tool_schema_names_it() {
    let tape = mount("tool_case", two_recordings());
    let mut body = chat_body(PROMPT, 0.2);
    body["tools"][0]["function"]["parameters"]["properties"]["unit"] = json!({"type": "string"});
    let report = miss_report(&tape, &body).await;
    assert!(
        report.contains("tools[0].function.parameters.properties.unit: added"),
        "{report}"
    );
}

fn scratch_fixture(dir: &tempfile::TempDir, name: &str) -> std::path::PathBuf {
    let path = dir.path().join(format!("{name}.json"));
    let text = fixture(name, vec![json_exchange(chat_body(PROMPT, 0.2), "Sunny")])
        .to_json_text()
        .unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn replay_of_a_missing_fixture_says_so_and_how_to_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("never_recorded.json");
    let err = FixtureSession::open(Mode::Replay, &path, meta("never_recorded"), false).unwrap_err();
    assert!(matches!(err, Error::Fixture(_)));
    let msg = err.to_string();
    assert!(
        msg.contains("has no recording") && msg.contains(&path.display().to_string()),
        "{msg}"
    );
    assert!(
        msg.contains("LLAMA_API_KEY") && msg.contains("LLAMA_TEST_MODE=record cargo test"),
        "{msg}"
    );
}

#[test]
fn auto_replays_existing_fixtures_without_a_key_and_records_missing_ones_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = scratch_fixture(&dir, "auto_case");
    let session = FixtureSession::open(Mode::Auto, &path, meta("auto_case"), false).unwrap();
    assert_eq!(session.mode(), Mode::Replay);

    let missing = dir.path().join("auto_missing.json");
    let session = FixtureSession::open(Mode::Auto, &missing, meta("auto_missing"), true).unwrap();
    assert_eq!(session.mode(), Mode::Record);

    let msg = FixtureSession::open(Mode::Auto, &missing, meta("auto_missing"), false)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("LLAMA_API_KEY") && msg.contains("LLAMA_TEST_MODE"),
        "{msg}"
    );
}

#[test]
fn network_modes_need_a_key_and_replay_needs_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = scratch_fixture(&dir, "key_case");
    for mode in [Mode::Record, Mode::Live] {
        let err = FixtureSession::open(mode, &path, meta("key_case"), false).unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("LLAMA_API_KEY")),
            "{err}"
        );
    }
    assert_eq!(
        FixtureSession::open(Mode::Replay, &path, meta("key_case"), false)
            .unwrap()
            .mode(),
        Mode::Replay
    );
    assert_eq!(
        FixtureSession::open(Mode::Live, &path, meta("key_case"), true)
            .unwrap()
            .mode(),
        Mode::Live
    );
}

#[test]
fn replay_of_a_corrupt_fixture_names_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.json");
    std::fs::write(
        &path,
        "{\n  \"version\": 1,\n  \"test\": \"corrupt\"\n  \"interactions\": []\n}\n",
    )
    .unwrap();
    let msg = FixtureSession::open(Mode::Replay, &path, meta("corrupt"), false)
        .unwrap_err()
        .to_string();
    assert!(msg.contains(&format!("{}:4:3", path.display())), "{msg}");
}

#[tokio::test]
async fn a_replay_session_serves_its_fixture_and_reports_usage() {
    let dir = tempfile::tempdir().unwrap();
    let path = scratch_fixture(&dir, "session_case");
    let session = FixtureSession::open(Mode::Replay, &path, meta("session_case"), false).unwrap();
    let base = session.replay_base_url().unwrap().to_owned();
    let res = http()
        .post(format!("{base}{CHAT_PATH}"))
        .body(chat_body(PROMPT, 0.2).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), completion_json("Sunny"));
    assert_eq!(
        session.finish(true, None).unwrap(),
        llama_test::fixtures::FinishOutcome::Replayed {
            unused: 0,
            misses: 0
        }
    );
}
