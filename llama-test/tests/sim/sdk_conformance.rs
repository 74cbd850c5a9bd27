//! Meta's official Python SDK (`llama-api-client` 0.6.0 from PyPI) as a
//! conformance client (issue 10): `tests/sdk/conformance.py` drives it
//! against the simulator at `<sim>/v1` the way its README and examples do
//! (text, streaming, tools, a tool-call stream, json_schema, `metrics`,
//! the models list, 401/404 and a mid-stream error), prints one JSON line,
//! and every field is asserted here.
//!
//! The venv is made once and cached (see `python_support`); the test skips
//! only when `python3` is absent. A pip that cannot install the SDK fails.

use std::path::Path;
use std::time::{Duration, Instant};

use llama_test::catalogue::MODELS;
use llama_test::sim::{SimBuilder, SimLlamaApi};
use serde_json::{Value, json};

use crate::python_support::{Python, notice};
use crate::support::MODEL;

const SDK_REQUIREMENT: &str = "llama-api-client==0.6.0";
const SDK_VENV: &str = "venv-llama-api-client-0.6.0";

/// The key both simulators accept; it looks like a real one.
const KEY: &str = "LLM|1066|sdk-conformance-test-key";

/// A run of the script takes about a second; this bounds a hang.
const SCRIPT_DEADLINE: Duration = Duration::from_secs(120);

/// Starts `builder` on a runtime of its own (wiremock serves from its own
/// thread, so the test may block on the script).
fn start(builder: SimBuilder) -> SimLlamaApi {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(builder.api_key(KEY).start())
}

/// The results of check `name` in `mode`.
fn check<'r>(mode: &str, results: &'r Value, name: &str) -> &'r Value {
    let value = &results[name];
    assert!(
        value.is_object() && value.get("raised").is_none(),
        "{mode} client, {name:?} check: {value}"
    );
    value
}

/// Fails with every exception the SDK raised in `mode`, before any field
/// is looked at.
fn assert_nothing_raised(mode: &str, results: &Value) {
    let raised: Vec<String> = results
        .as_object()
        .unwrap_or_else(|| panic!("no results for the {mode} client: {results}"))
        .iter()
        .filter_map(|(name, value)| {
            let raised = value.get("raised")?.as_str().unwrap_or_default();
            let traceback = value["traceback"].as_str().unwrap_or_default();
            Some(format!("- {name:?} check raised {raised}\n{traceback}"))
        })
        .collect();
    assert!(
        raised.is_empty(),
        "Meta's SDK ({mode} client) failed against the simulator:\n{}",
        raised.join("\n")
    );
}

fn metric(mode: &str, metrics: &Value, name: &str) -> u64 {
    let entry = &metrics[name];
    assert_eq!(entry["unit"], "tokens", "{mode}: {name} in {metrics}");
    let value = entry["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("{mode}: no {name} in {metrics}"));
    assert!(
        value > 0.0 && value.fract() == 0.0,
        "{mode}: {name} = {value} in {metrics}"
    );
    value as u64
}

fn assert_metrics(mode: &str, metrics: &Value) {
    let prompt = metric(mode, metrics, "num_prompt_tokens");
    let completion = metric(mode, metrics, "num_completion_tokens");
    assert_eq!(
        metric(mode, metrics, "num_total_tokens"),
        prompt + completion,
        "{mode}: {metrics}"
    );
}

/// Every check of one mode (`default` or `strict`) of the script.
fn assert_checks(mode: &str, results: &Value) {
    let check = |name: &str| check(mode, results, name);
    // Plain text, with `metrics` as usage.
    let text = check("text");
    assert_eq!(text["role"], "assistant", "{mode}: {text}");
    assert_eq!(text["stop_reason"], "stop", "{mode}: {text}");
    assert!(text["id"].is_string(), "{mode}: {text}");
    assert!(
        text["text"].as_str().unwrap().contains("quantum"),
        "{mode}: {text}"
    );
    assert_eq!(text["tool_calls"], json!([]), "{mode}: {text}");
    assert_metrics(mode, &text["metrics"]);

    // Streaming: every chunk parses, text assembles from the deltas.
    let stream = check("stream");
    let types: Vec<&str> = stream["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(types.first(), Some(&"start"), "{mode}: {stream}");
    assert_eq!(
        &types[types.len() - 2..],
        ["complete", "metrics"],
        "{mode}: {stream}"
    );
    assert!(types.contains(&"progress"), "{mode}: {stream}");
    assert!(
        stream["text"].as_str().unwrap().contains("time travel"),
        "{mode}: {stream}"
    );
    assert_eq!(stream["stop_reason"], "stop", "{mode}: {stream}");
    assert_eq!(
        stream["ids"].as_array().unwrap().len(),
        1,
        "{mode}: {stream}"
    );
    assert_metrics(mode, &stream["metrics"]);

    // Tools: name and parsed arguments, then the follow-up turn built from
    // the echoed completion message.
    let tools = check("tools");
    let calls = tools["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{mode}: {tools}");
    assert_eq!(calls[0]["name"], "get_weather", "{mode}: {tools}");
    assert_eq!(
        calls[0]["arguments"],
        json!({"location": "New York, NY"}),
        "{mode}: {tools}"
    );
    assert!(
        calls[0]["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{mode}: {tools}"
    );
    // As the live API does (wire notes §3).
    assert_eq!(tools["stop_reason"], "stop", "{mode}: {tools}");
    assert!(
        tools["follow_up_text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{mode}: {tools}"
    );
    assert_eq!(tools["follow_up_tool_calls"], 0, "{mode}: {tools}");

    // A tool-call stream assembled by id.
    let tool_stream = check("tool_stream");
    let calls = tool_stream["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{mode}: {tool_stream}");
    assert_eq!(calls[0]["name"], "get_weather", "{mode}: {tool_stream}");
    assert!(calls[0]["id"].is_string(), "{mode}: {tool_stream}");
    assert_eq!(
        calls[0]["arguments"],
        json!({"location": "Bellevue"}),
        "{mode}: {tool_stream}"
    );
    assert!(
        matches!(
            tool_stream["stop_reason"].as_str(),
            Some("stop" | "tool_calls")
        ),
        "{mode}: {tool_stream}"
    );

    // json_schema: the text parses and validates.
    let structured = check("json_schema");
    assert!(
        jsonschema::is_valid(&structured["schema"], &structured["parsed"]),
        "{mode}: {structured}"
    );

    // Models.
    let models = check("models");
    let served: Vec<&str> = MODELS.iter().map(|m| m.id).collect();
    assert_eq!(models["ids"], json!(served), "{mode}: {models}");
    assert_eq!(models["objects"], json!(["model"]), "{mode}: {models}");
    assert_eq!(models["retrieved"], MODEL, "{mode}: {models}");

    // Errors map onto the SDK's exception classes.
    let wrong_key = check("wrong_key");
    assert_eq!(
        wrong_key["class"], "AuthenticationError",
        "{mode}: {wrong_key}"
    );
    assert_eq!(
        wrong_key["is_authentication_error"], true,
        "{mode}: {wrong_key}"
    );
    assert_eq!(wrong_key["status_code"], 401, "{mode}: {wrong_key}");
    let unknown = check("unknown_model");
    assert_eq!(unknown["class"], "NotFoundError", "{mode}: {unknown}");
    assert_eq!(unknown["status_code"], 404, "{mode}: {unknown}");
    assert!(
        unknown["body"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Llama-9-Imaginary")),
        "{mode}: {unknown}"
    );
    // A bare JSON line mid-stream is the SDK's patched `APIError`.
    let mid_stream = check("mid_stream_error");
    assert_eq!(mid_stream["class"], "APIError", "{mode}: {mid_stream}");
    assert!(mid_stream["body"].is_object(), "{mode}: {mid_stream}");
    assert_eq!(
        mid_stream["events_before_error"],
        json!(["start", "progress"]),
        "{mode}: {mid_stream}"
    );
}

#[test]
fn meta_python_sdk_parses_every_simulator_answer() {
    let Some(python) = Python::find() else {
        notice(
            "SKIPPED sdk_conformance::meta_python_sdk_parses_every_simulator_answer: no `python3` \
             on PATH (install Python 3.9+ to run Meta's Python SDK against the simulator)",
        );
        return;
    };
    let started = Instant::now();
    let venv = python.venv(SDK_VENV, SDK_REQUIREMENT, "llama_api_client");
    let venv_time = started.elapsed();

    let sim = start(SimLlamaApi::builder());
    let broken = start(SimLlamaApi::builder().error_mid_stream_after(2));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/conformance.py");
    let ran = Instant::now();
    let output = venv.run(
        &script,
        [
            format!("{}/v1", sim.uri()),
            KEY.to_owned(),
            MODEL.to_owned(),
            format!("{}/v1", broken.uri()),
        ],
        SCRIPT_DEADLINE,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "conformance.py failed ({}):\n{stderr}",
        output.status
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let results: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("conformance.py printed no JSON line ({e}):\n{stdout}\n{stderr}")
    });
    notice(&format!(
        "sdk_conformance: venv {venv_time:.1?}, script {:.1?} ({})",
        ran.elapsed(),
        python.version()
    ));

    assert_eq!(results["sdk_version"], "0.6.0", "{results}");
    for mode in ["default", "strict"] {
        assert_nothing_raised(mode, &results[mode]);
        assert_checks(mode, &results[mode]);
    }

    // What the SDK sent: its own headers, `Accept: application/json` on
    // streams too (the header this test exists for).
    let chats: Vec<_> = sim
        .received_requests()
        .into_iter()
        .filter(|r| r.path == "/v1/chat/completions")
        .collect();
    // Per mode: text, stream, tools (2), tool stream, json_schema, unknown
    // model, wrong key.
    assert_eq!(chats.len(), 16, "chat requests");
    let header = |r: &llama_test::sim::ReceivedRequest, name: &str| {
        r.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut streamed = 0;
    for request in &chats {
        assert!(
            header(request, "user-agent").starts_with("LlamaAPIClient/Python 0.6.0"),
            "{request:?}"
        );
        assert_eq!(header(request, "accept"), "application/json", "{request:?}");
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        streamed += usize::from(body["stream"] == true);
    }
    assert_eq!(streamed, 4, "the stream and tool-stream checks, per mode");
}
