//! Synthetic runs: records as the runtime writes them, in a run directory.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use llama_test::records::{
    Answer, CheckRecord, RECORD_VERSION, Record, RecordedMessage, RecordedToolCall, TokenUsage,
};

/// What a model wrote that must never become markup.
pub const HOSTILE: &str = "<script>alert('x')</script> & \"quotes\" ]]> \u{1}bell";

/// The models of the synthetic suite.
pub const MODELS: [&str; 3] = [
    "Llama-3.3-70B-Instruct",
    "openrouter:meta-llama/llama-3.3-70b-instruct",
    "llamacpp:tiny",
];

/// One sample.
pub fn record(test: &str, model_id: &str, verdict: &str, answer: &str) -> Record {
    let (provider, model) = match model_id.split_once(':') {
        Some((p, m)) => (p.to_owned(), m.to_owned()),
        None => ("llamaapi".to_owned(), model_id.to_owned()),
    };
    let function = test.rsplit_once("::").map_or(test, |(f, _)| f).to_owned();
    let check_verdict = if verdict == "PASS" { "PASS" } else { verdict };
    Record {
        version: RECORD_VERSION,
        run_id: "synthetic".into(),
        time: "2026-12-01T10:15:30Z".into(),
        pid: 1,
        package: "demo".into(),
        binary: "evals".into(),
        test: test.into(),
        name: test.replace("::", "__"),
        function,
        case: None,
        file: "tests/evals/demo.rs".into(),
        line: 7,
        model_id: model_id.into(),
        provider,
        model,
        vars: BTreeMap::from([("city".to_owned(), "New York, NY".to_owned())]),
        messages: vec![RecordedMessage {
            role: "user".into(),
            text: "What is the weather in {{city}}?".into(),
            images: 0,
        }],
        answer: (verdict != "ERROR").then(|| Answer {
            text: answer.into(),
            tool_calls: vec![RecordedToolCall {
                name: "get_weather".into(),
                arguments: "{\"location\":\"New York\"}".into(),
            }],
            stop_reason: Some("stop".into()),
            ..Answer::default()
        }),
        checks: match verdict {
            "ERROR" => Vec::new(),
            _ => vec![CheckRecord {
                name: "contains".into(),
                verdict: check_verdict.into(),
                score: if verdict == "PASS" { 1.0 } else { 0.0 },
                weight: 1.0,
                threshold: None,
                reason: if verdict == "PASS" {
                    "output did contain \"sunny\": found".into()
                } else {
                    "expected output to contain \"sunny\", but it was not found".into()
                },
                metric: None,
            }],
        },
        verdict: verdict.into(),
        score: (verdict != "ERROR").then_some(if verdict == "PASS" { 1.0 } else { 0.0 }),
        threshold: None,
        message: (verdict == "ERROR").then(|| "transport error: connection refused".to_owned()),
        latency_ms: Some(120 + answer.len() as u64),
        ttft_ms: None,
        usage: Some(TokenUsage {
            prompt: 1000,
            completion: 500,
            total: 1500,
        }),
        cost_usd: Some(0.00027),
        followups: Vec::new(),
        fixture: Some(format!("fixtures/{}.json", test.replace("::", "__"))),
        mode: "replay".into(),
        sample: 0,
        repeat: 1,
        min_pass: None,
    }
}

/// The synthetic suite: three cases on three models, one FAIL (a hostile
/// answer), one ERROR, the rest PASS.
pub fn suite() -> Vec<Record> {
    let mut records = Vec::new();
    for (case, test) in ["weather::nyc", "weather::paris", "greeting::hello"]
        .into_iter()
        .enumerate()
    {
        for (m, model) in MODELS.into_iter().enumerate() {
            let (verdict, answer) = match (case, m) {
                (0, 1) => ("FAIL", HOSTILE),
                (1, 2) => ("ERROR", ""),
                _ => ("PASS", "It is sunny."),
            };
            let mut r = record(&format!("{test}::m{m}"), model, verdict, answer);
            r.function = test.to_owned();
            records.push(r);
        }
    }
    records
}

/// Writes `records` as `<dir>/<name>/1.jsonl` and returns the run directory.
pub fn write_run(dir: &Path, name: &str, records: &[Record]) -> PathBuf {
    let run = dir.join(name);
    std::fs::create_dir_all(&run).unwrap();
    let mut file = std::fs::File::create(run.join("1.jsonl")).unwrap();
    for r in records {
        writeln!(file, "{}", serde_json::to_string(r).unwrap()).unwrap();
    }
    run
}

/// The cargo target directory of these tests (the test binary's).
pub fn target_dir() -> PathBuf {
    llama_test::records::target_dir()
}

/// A program on the PATH, or `None` (the test then says what to install;
/// under CI a missing tool fails the test instead).
pub fn tool(name: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let message = format!("`{name}` is not installed: apt-get install {package}");
        if llama_test::config::is_ci() {
            panic!("{message} (.ci/run installs it)");
        }
        eprintln!("skipped: {message}");
    }
    found
}
