//! `bedrock:` models end to end: Converse and ConverseStream against the
//! simulator's Bedrock dialect, with SigV4 (verified by the simulator) or a
//! Bedrock API key; record, then replay offline with no credentials to
//! identical outputs; Bedrock's error bodies as typed errors; no credential
//! in any fixture or log line.
//!
//! Live and record runs read the AWS variables, which tests never set in
//! this process (tests run in parallel threads): the `#[ignore]`d tests
//! below run in child processes started by the driver tests with the
//! environment they need (see `child.rs`). Replay and error
//! mapping need no credentials and run in-process.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::child::{
    Child, SECRET_KEY, all_files, dump, fixture_file, is_child, json_files, load_fixture, start_sim,
};
use hmac::{Hmac, Mac};
use llama_test::exchange::{
    Exchange, RecordedBody, RecordedEvent, RecordedRequest, RecordedResponse,
};
use llama_test::fixtures::{FixtureSession, Recorder, TestMeta, secrets::scan_text};
use llama_test::prelude::*;
use llama_test::sim::{SIM_AWS_ACCESS_KEY_ID, SIM_AWS_SECRET_ACCESS_KEY, SimLlamaApi};
use llama_test::{ChatRequest, Client, ClientConfig, Error, Message, StopReason, Tool};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MODEL: &str = "bedrock:meta.llama3-3-70b-instruct-v1:0";
const CONVERSE: &str = "/bedrock/model/meta.llama3-3-70b-instruct-v1%3A0/converse";
const CONVERSE_STREAM: &str = "/bedrock/model/meta.llama3-3-70b-instruct-v1%3A0/converse-stream";
const REGION: &str = "eu-west-3";
/// A session token shaped like AWS's, so a leak is easy to spot.
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEPT-sim-session-token-DO-NOT-LEAK-0123456789";
/// Where a child's expectations come from (see [`client_rejected`]).
const EXPECT_VAR: &str = "BEDROCK_TEST_EXPECT_VAR";

// ---------------------------------------------------------------------------
// Evals run by the record/replay driver.

#[llama_eval(
    model = "bedrock:meta.llama3-3-70b-instruct-v1:0",
    prompt = "Explain quantum computing in simple terms",
    temperature = 0,
    max_tokens = 256,
    assert(contains = "quantum")
)]
#[ignore = "run in a child process by the driver tests"]
fn text(out: Output) {
    assert!(!out.completion().streamed);
    dump(&[&out]);
}

#[llama_eval(
    model = "bedrock:meta.llama3-3-70b-instruct-v1:0",
    stream = true,
    prompt = "Write a short story about time travel",
    assert(contains = "time")
)]
#[ignore = "run in a child process by the driver tests"]
fn streaming_text(out: Output) {
    let completion = out.completion();
    assert!(completion.streamed);
    assert!(completion.time_to_first_token.is_some());
    dump(&[&out]);
}

#[llama_eval(
    model = "bedrock:meta.llama3-3-70b-instruct-v1:0",
    tools = "tests/end_to_end/data/get_weather.json",
    prompt = "What's the weather like in New York, NY?",
    assert(function_call = "get_weather")
)]
#[ignore = "run in a child process by the driver tests"]
fn tool_call(out: Output) {
    dump(&[&out]);
}

#[llama_eval(
    model = "bedrock:meta.llama3-3-70b-instruct-v1:0",
    stream = true,
    tools = "tests/end_to_end/data/get_weather.json",
    prompt = "What's the weather like in Boston, MA?",
    assert(function_call = "get_weather")
)]
#[ignore = "run in a child process by the driver tests"]
fn streaming_tool_call(out: Output) {
    dump(&[&out]);
}

#[llama_eval(
    model = "bedrock:meta.llama3-3-70b-instruct-v1:0",
    json_schema = "tests/end_to_end/data/product_review.json",
    prompt = "Review this product: wireless headphones with short battery life",
    assert(is_json)
)]
#[ignore = "run in a child process by the driver tests"]
fn json_schema(out: Output) {
    let rating = out.assert_is_json()["rating"].as_f64().unwrap();
    assert!((1.0..=5.0).contains(&rating), "{rating}");
    dump(&[&out]);
}

/// Two interactions: the `toolUse`, then the answer to its `toolResult`.
#[llama_eval(
    model = "bedrock:meta.llama3-3-70b-instruct-v1:0",
    tools = "tests/end_to_end/data/get_weather.json",
    prompt = "What's the weather like in Paris, France?"
)]
#[ignore = "run in a child process by the driver tests"]
async fn tool_result_follow_up(out: Output) {
    let call = out.assert_function_call("get_weather");
    assert!(call.id.starts_with("tooluse_"), "{}", call.id);
    let answer = out
        .follow_up()
        .tool_result(&call.id, r#"{"temperature": 21, "unit": "celsius"}"#)
        .run()
        .await;
    answer.assert_contains("21");
    dump(&[&out, &answer]);
}

/// Sorts first, so with one test thread the later tests' log lines reach
/// stderr.
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

const EVALS: &[&str] = &[
    "bedrock::text",
    "bedrock::streaming_text",
    "bedrock::tool_call",
    "bedrock::streaming_tool_call",
    "bedrock::json_schema",
    "bedrock::tool_result_follow_up",
];
/// One request per eval, plus the follow-up.
const EVAL_REQUESTS: usize = 7;

// ---------------------------------------------------------------------------
// Client calls run in children (they read the AWS variables).

/// A client whose providers come from this (child) process's environment.
fn env_client() -> Client {
    let mut config = ClientConfig::new("http://127.0.0.1:9");
    config.rate_limited = false;
    Client::new(config).unwrap()
}

fn ask(text: &str) -> ChatRequest {
    ChatRequest::new(MODEL).message(Message::user(text))
}

fn weather_tools() -> Vec<Tool> {
    let value: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/end_to_end/data/get_weather.json").unwrap(),
    )
    .unwrap();
    Tool::list_from_json(&value, "get_weather.json").unwrap()
}

/// What a streamed and a plain answer must agree on.
fn answer(completion: &llama_test::Completion) -> Value {
    json!({
        "model": completion.model,
        "text": completion.text,
        "tool_calls": completion.tool_calls,
        "stop_reason": completion.stop_reason.as_ref().map(StopReason::as_str),
        "usage": completion.usage,
    })
}

#[tokio::test]
#[ignore = "run in a child process by the driver tests"]
async fn client_text() {
    let (completion, exchange) = env_client()
        .chat_exchange(&ask("Say hello to Bedrock"))
        .await
        .unwrap();
    assert!(
        completion.text.contains("hello to Bedrock"),
        "{completion:?}"
    );
    assert_eq!(completion.stop_reason, Some(StopReason::Stop));
    assert_eq!(exchange.request.path, CONVERSE);
    assert!(exchange.request.body.get("model").is_none());
    assert!(matches!(exchange.response.body, RecordedBody::Json(_)));
}

/// ConverseStream assembled from event-stream frames equals Converse, for
/// text, a tool call and a JSON-schema answer.
#[tokio::test]
#[ignore = "run in a child process by the driver tests"]
async fn client_streamed_equals_plain() {
    let client = env_client();
    let mut tools = ask("What's the weather like in Lisbon, Portugal?");
    tools.tools = weather_tools();
    let mut schema = ask("Review this product: a kettle that whistles");
    schema.response_format = Some(llama_test::JsonSchemaFormat {
        name: "review".into(),
        schema: serde_json::from_str(
            &std::fs::read_to_string("tests/end_to_end/data/product_review.json").unwrap(),
        )
        .unwrap(),
    });
    for request in [ask("Tell me about the river Tagus"), tools, schema] {
        let (plain, plain_exchange) = client.chat_exchange(&request).await.unwrap();
        let mut streamed_request = request.clone();
        streamed_request.stream = true;
        let (streamed, exchange) = client.chat_exchange(&streamed_request).await.unwrap();
        assert_eq!(answer(&plain), answer(&streamed));
        assert!(!plain.streamed && streamed.streamed);
        assert!(streamed.time_to_first_token.is_some());
        assert_eq!(plain_exchange.request.path, CONVERSE);
        assert_eq!(exchange.request.path, CONVERSE_STREAM);
        assert_eq!(plain_exchange.request.body, exchange.request.body);
        let RecordedBody::EventStream(events) = &exchange.response.body else {
            panic!("{:?}", exchange.response.body);
        };
        assert_eq!(events[0].event, "messageStart");
        assert_eq!(events.last().unwrap().event, "metadata");
        assert!(
            events.iter().all(|e| e.payload.get("p").is_none()),
            "padding is stripped: {events:?}"
        );
    }
}

/// The request is refused: an [`Error::Auth`] naming `$BEDROCK_TEST_EXPECT_VAR`,
/// never `LLAMA_API_KEY`, never a credential value.
#[tokio::test]
#[ignore = "run in a child process by the driver tests"]
async fn client_rejected() {
    let expected = std::env::var(EXPECT_VAR).unwrap();
    let err = env_client().chat(&ask("hi")).await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(matches!(err, Error::Auth { status: 403, .. }), "{text}");
    assert!(text.contains(&expected), "{text}");
    assert!(!text.contains("LLAMA_API_KEY"), "{text}");
    for var in [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_BEARER_TOKEN_BEDROCK",
    ] {
        if let Ok(value) = std::env::var(var) {
            assert!(!text.contains(&value), "{var} leaked: {text}");
        }
    }
}

/// Nothing is sent: an [`Error::Config`] naming `$BEDROCK_TEST_EXPECT_VAR`.
#[tokio::test]
#[ignore = "run in a child process by the driver tests"]
async fn client_not_configured() {
    let expected = std::env::var(EXPECT_VAR).unwrap();
    let err = env_client().chat(&ask("hi")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains(&expected)),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Drivers.

fn sim_base(sim: &SimLlamaApi) -> String {
    format!("{}/bedrock", sim.uri())
}

/// A child signing with SigV4 (temporary credentials) for the simulator.
fn sigv4(child: Child, sim: &SimLlamaApi) -> Child {
    child
        .env("LLAMA_TEST_BEDROCK_BASE_URL", &sim_base(sim))
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", SIM_AWS_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SIM_AWS_SECRET_ACCESS_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
}

fn today_scope_date() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    llama_test::fixtures::format::date_from_unix_days((secs / 86_400) as i64).replace('-', "")
}

#[test]
fn sigv4_signs_every_request_and_the_simulator_verifies_it() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    sigv4(
        Child::exact(&[
            "bedrock::client_text",
            "bedrock::client_streamed_equals_plain",
        ]),
        &sim,
    )
    .run()
    .assert_passed(2);
    let requests = sim.received_requests();
    assert_eq!(requests.len(), 7, "1 + 3 plain + 3 streamed");
    for request in &requests {
        assert!(
            request.authorized,
            "the simulator rejected the signature: {request:?}"
        );
        assert_eq!(request.method, "POST");
        assert!(
            request.path == CONVERSE || request.path == CONVERSE_STREAM,
            "{}",
            request.path
        );
        let date = request.header("x-amz-date").unwrap();
        assert_eq!(date.len(), 16, "{date}");
        let day = &date[..8];
        // Tests cross midnight rarely; the scope date is the signing day.
        assert!(day == today_scope_date() || date.ends_with("Z"), "{date}");
        assert_eq!(
            request.header("authorization").unwrap(),
            format!(
                "AWS4-HMAC-SHA256 Credential={SIM_AWS_ACCESS_KEY_ID}/{day}/{REGION}/bedrock/\
                 aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, \
                 Signature=[REDACTED]"
            )
        );
        assert_eq!(request.header("x-amz-security-token"), Some("[REDACTED]"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        let accept = match request.path == CONVERSE_STREAM {
            true => "application/vnd.amazon.eventstream",
            false => "application/json",
        };
        assert_eq!(request.header("accept"), Some(accept));
        let body = request.body_json().unwrap();
        assert!(
            body["messages"][0]["content"][0]["text"].is_string(),
            "{body}"
        );
    }
    // Tool and schema requests carry Converse's own fields.
    let bodies: Vec<Value> = requests.iter().filter_map(|r| r.body_json()).collect();
    assert!(bodies.iter().any(|b| {
        b.pointer("/toolConfig/tools/0/toolSpec/name") == Some(&json!("get_weather"))
    }));
    assert!(
        bodies
            .iter()
            .any(|b| { b.pointer("/outputConfig/textFormat/type") == Some(&json!("json_schema")) })
    );
}

#[test]
fn a_bedrock_api_key_is_a_bearer_token_and_wins_over_sigv4() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    sigv4(Child::exact(&["bedrock::client_text"]), &sim)
        .env("AWS_BEARER_TOKEN_BEDROCK", SECRET_KEY)
        .run()
        .assert_passed(1);
    let requests = sim.received_requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].authorized);
    assert_eq!(requests[0].header("authorization"), Some("[REDACTED]"));
    assert_eq!(requests[0].header("x-amz-date"), None, "not signed");
    assert_eq!(requests[0].header("x-amz-security-token"), None);
}

#[test]
fn auth_failures_are_typed_and_name_the_aws_variables_not_the_secrets() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    sim.echo_auth_in_errors();
    // A wrong secret: the simulator's signature differs.
    sigv4(Child::exact(&["bedrock::client_rejected"]), &sim)
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "not-the-secret-0123456789-DO-NOT-LEAK",
        )
        .env(EXPECT_VAR, "AWS_SECRET_ACCESS_KEY")
        .run()
        .assert_passed(1);
    // A wrong Bedrock API key, echoed back by the server.
    sigv4(Child::exact(&["bedrock::client_rejected"]), &sim)
        .env(
            "AWS_BEARER_TOKEN_BEDROCK",
            "ABSKwrong-bedrock-key-0123456789",
        )
        .env(EXPECT_VAR, "AWS_BEARER_TOKEN_BEDROCK")
        .run()
        .assert_passed(1);
    let requests = sim.received_requests();
    assert_eq!(requests.len(), 2, "auth failures are not retried");
    assert!(requests.iter().all(|r| !r.authorized));
}

#[test]
fn missing_credentials_or_region_are_config_errors_naming_the_variables() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    Child::exact(&["bedrock::client_not_configured"])
        .env("LLAMA_TEST_BEDROCK_BASE_URL", &sim_base(&sim))
        .env("AWS_REGION", REGION)
        .env(EXPECT_VAR, "AWS_ACCESS_KEY_ID")
        .run()
        .assert_passed(1);
    Child::exact(&["bedrock::client_not_configured"])
        .env("AWS_BEARER_TOKEN_BEDROCK", SECRET_KEY)
        .env(EXPECT_VAR, "AWS_REGION")
        .run()
        .assert_passed(1);
    // A record run without credentials says which ones, before any request.
    let run = Child::exact(&["bedrock::text"])
        .env("LLAMA_TEST_MODE", "record")
        .env("AWS_REGION", REGION)
        .run();
    run.assert_counts(0, 1);
    let failure = run.failure_of("bedrock::text");
    assert!(failure.contains("AWS_BEARER_TOKEN_BEDROCK"), "{failure}");
    assert!(failure.contains("AWS_ACCESS_KEY_ID"), "{failure}");
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn recorded_evals_replay_identically_offline_with_no_credentials() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let fixtures = tempfile::tempdir().unwrap();
    let recorded = tempfile::tempdir().unwrap();
    let replayed = tempfile::tempdir().unwrap();
    let with_logs = |child: Child| {
        child
            .threads(1)
            .nocapture()
            .env("RUST_LOG", "trace")
            .fixtures(fixtures.path())
    };
    let mut all = vec!["bedrock::_0_install_log_subscriber"];
    all.extend_from_slice(EVALS);

    let recording = with_logs(sigv4(Child::exact(&all), &sim))
        .env("LLAMA_TEST_MODE", "record")
        .outputs(recorded.path())
        .run();
    recording.assert_passed(all.len());
    assert_eq!(sim.request_count(), EVAL_REQUESTS);
    assert!(sim.received_requests().iter().all(|r| r.authorized));

    // The fixtures: provider-named paths, decoded events, no credential.
    let written = json_files(fixtures.path());
    assert_eq!(written.len(), EVALS.len(), "{written:?}");
    for (name, file) in &written {
        let fixture = load_fixture(file);
        for interaction in &fixture.interactions {
            assert_eq!(interaction.model, "meta.llama3-3-70b-instruct-v1:0");
            let streamed = name.contains("streaming");
            let expected = if streamed { CONVERSE_STREAM } else { CONVERSE };
            assert_eq!(interaction.request.path, expected, "{name}");
            match &interaction.response.body {
                RecordedBody::EventStream(events) => {
                    assert!(streamed, "{name}");
                    assert!(events.iter().any(|e| e.event == "messageStop"));
                    assert!(events.iter().all(|e| e.payload.get("p").is_none()));
                }
                RecordedBody::Json(body) => {
                    assert!(!streamed, "{name}");
                    assert!(body.pointer("/output/message").is_some(), "{body}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }
    let stream = std::fs::read_to_string(
        fixtures
            .path()
            .join(fixture_file("bedrock::streaming_text")),
    );
    assert!(stream.unwrap().contains("\"event_stream\""));
    let follow_up = load_fixture(
        &fixtures
            .path()
            .join(fixture_file("bedrock::tool_result_follow_up")),
    );
    assert_eq!(follow_up.interactions.len(), 2);
    assert!(
        follow_up.interactions[1]
            .request
            .body
            .to_string()
            .contains("toolResult"),
        "the follow-up sends the result as a toolResult block"
    );

    // Replay: no AWS variable at all, and the simulator counts any leak.
    let replay = with_logs(Child::exact(&all))
        .replay_in_ci(Some(&sim.uri()))
        .env("LLAMA_TEST_BEDROCK_BASE_URL", &sim_base(&sim))
        .outputs(replayed.path())
        .run();
    replay.assert_passed(all.len());
    assert_eq!(sim.request_count(), EVAL_REQUESTS, "replay reached the API");

    let recorded = json_files(recorded.path());
    let replayed = json_files(replayed.path());
    assert_eq!(recorded.len(), EVALS.len());
    for ((name, before), (_, after)) in recorded.iter().zip(&replayed) {
        let before: Value = serde_json::from_slice(&std::fs::read(before).unwrap()).unwrap();
        let after: Value = serde_json::from_slice(&std::fs::read(after).unwrap()).unwrap();
        assert_eq!(before, after, "{name}: replay differs from the recording");
    }
    let output = |test: &str| -> Value {
        let name = fixture_file(test);
        let path = &recorded.iter().find(|(n, _)| *n == name).unwrap().1;
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };
    assert_eq!(
        output("bedrock::tool_call")[0]["tool_calls"][0]["name"],
        "get_weather"
    );
    assert_eq!(output("bedrock::tool_call")[0]["stop_reason"], "tool_calls");
    assert_eq!(output("bedrock::streaming_text")[0]["streamed"], true);
    assert_eq!(
        output("bedrock::streaming_tool_call")[0]["tool_calls"][0]["arguments"]["location"],
        "Boston, MA"
    );
    assert!(output("bedrock::json_schema")[0]["json"]["rating"].is_number());
    assert!(
        output("bedrock::text")[0]["usage"]["total_tokens"]
            .as_u64()
            .unwrap()
            > 0
    );

    // No credential in any fixture, or any line either run printed.
    let secrets = [
        SIM_AWS_SECRET_ACCESS_KEY,
        SESSION_TOKEN,
        SIM_AWS_ACCESS_KEY_ID,
    ];
    for (path, text) in all_files(fixtures.path()) {
        assert_eq!(scan_text(&text, None), None, "{}", path.display());
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{} holds a credential",
                path.display()
            );
        }
        assert!(!text.contains("AWS4-HMAC-SHA256"), "{}", path.display());
    }
    for run in [&recording, &replay] {
        let output = run.all_output();
        assert!(output.contains("TRACE"), "the runs logged:\n{output}");
        for (number, line) in output.lines().enumerate() {
            for secret in [SIM_AWS_SECRET_ACCESS_KEY, SESSION_TOKEN] {
                assert!(
                    !line.contains(secret),
                    "line {number} leaks a secret: {line}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// In-process: the simulator's SigV4 check against an independent signature.

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `20260101T120000Z` for now.
fn amz_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let day = llama_test::fixtures::format::date_from_unix_days((secs / 86_400) as i64);
    let t = secs % 86_400;
    format!(
        "{}T{:02}{:02}{:02}Z",
        day.replace('-', ""),
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// SigV4 by hand, from the specification (no signing crate): the
/// canonical request (the path encoded once more, `%3A` -> `%253A`), the
/// string to sign, the HMAC key chain.
fn sign_by_hand(host: &str, path: &str, body: &[u8], secret: &str, amz_date: &str) -> String {
    let day = &amz_date[..8];
    let scope = format!("{day}/{REGION}/bedrock/aws4_request");
    let canonical_path = path.replace('%', "%25");
    let canonical = format!(
        "POST\n{canonical_path}\n\ncontent-type:application/json\nhost:{host}\nx-amz-date:{amz_date}\n\n\
         content-type;host;x-amz-date\n{}",
        hex(&Sha256::digest(body))
    );
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = [day, REGION, "bedrock", "aws4_request"]
        .iter()
        .fold(format!("AWS4{secret}").into_bytes(), |key, part| {
            hmac(&key, part)
        });
    format!(
        "AWS4-HMAC-SHA256 Credential={SIM_AWS_ACCESS_KEY_ID}/{scope}, \
         SignedHeaders=content-type;host;x-amz-date, Signature={}",
        hex(&hmac(&key, &to_sign))
    )
}

#[tokio::test]
async fn the_simulator_accepts_an_independently_computed_signature_and_nothing_else() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = SimLlamaApi::builder().api_key(SECRET_KEY).start().await;
    let host = sim.uri().trim_start_matches("http://").to_owned();
    let http = reqwest::Client::new();
    let body =
        json!({"messages": [{"role": "user", "content": [{"text": "Hello, signer"}]}]}).to_string();
    let send = |authorization: String, amz_date: String, body: String, path: &'static str| {
        http.post(format!("{}{path}", sim.uri()))
            .header("content-type", "application/json")
            .header("x-amz-date", amz_date)
            .header("authorization", authorization)
            .body(body)
            .send()
    };
    let date = amz_now();
    let good = sign_by_hand(
        &host,
        CONVERSE,
        body.as_bytes(),
        SIM_AWS_SECRET_ACCESS_KEY,
        &date,
    );
    let response = send(good.clone(), date.clone(), body.clone(), CONVERSE)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert!(
        answer
            .pointer("/output/message/content/0/text")
            .unwrap()
            .as_str()
            .unwrap()
            .contains("Hello, signer"),
        "{answer}"
    );
    assert_eq!(answer["stopReason"], "end_turn");
    assert!(answer["usage"]["totalTokens"].as_u64().unwrap() > 0);

    let refused = |status: u16, kind: &'static str| {
        move |response: reqwest::Response| {
            assert_eq!(response.status().as_u16(), status);
            let errortype = response.headers()["x-amzn-errortype"].to_str().unwrap();
            assert!(errortype.starts_with(kind), "{errortype}");
        }
    };
    // The same signature over other bytes, or another path.
    refused(403, "InvalidSignatureException")(
        send(
            good.clone(),
            date.clone(),
            body.replace("Hello", "Hullo"),
            CONVERSE,
        )
        .await
        .unwrap(),
    );
    refused(403, "InvalidSignatureException")(
        send(good, date.clone(), body.clone(), CONVERSE_STREAM)
            .await
            .unwrap(),
    );
    // Another secret; a stale date.
    let wrong = sign_by_hand(&host, CONVERSE, body.as_bytes(), "another-secret", &date);
    refused(403, "InvalidSignatureException")(
        send(wrong, date.clone(), body.clone(), CONVERSE)
            .await
            .unwrap(),
    );
    let stale = "20200101T000000Z".to_owned();
    let old = sign_by_hand(
        &host,
        CONVERSE,
        body.as_bytes(),
        SIM_AWS_SECRET_ACCESS_KEY,
        &stale,
    );
    refused(403, "InvalidSignatureException")(
        send(old, stale, body.clone(), CONVERSE).await.unwrap(),
    );
    // Another key id; no credentials.
    let other_id = sign_by_hand(
        &host,
        CONVERSE,
        body.as_bytes(),
        SIM_AWS_SECRET_ACCESS_KEY,
        &date,
    )
    .replace(SIM_AWS_ACCESS_KEY_ID, "AKIAEXAMPLEOTHERKEY0");
    refused(403, "UnrecognizedClientException")(
        send(other_id, date.clone(), body.clone(), CONVERSE)
            .await
            .unwrap(),
    );
    let bare = http
        .post(format!("{}{CONVERSE}", sim.uri()))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    refused(403, "MissingAuthenticationTokenException")(bare);
    // An unknown model is Bedrock's 400.
    let unknown = http
        .post(format!(
            "{}/bedrock/model/meta.llama9-instruct-v1%3A0/converse",
            sim.uri()
        ))
        .header("content-type", "application/json")
        .bearer_auth(SECRET_KEY)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let message: Value = unknown.json().await.unwrap();
    assert_eq!(
        message["message"],
        "The provided model identifier is invalid."
    );
    let log = sim.received_requests();
    assert_eq!(log.iter().filter(|r| r.authorized).count(), 2, "{log:?}");
}

// ---------------------------------------------------------------------------
// In-process: Bedrock's error bodies, through a plain mock server under one
// base URL (as replay sends them, so no credentials are read).

fn unsigned_client(server: &MockServer) -> Client {
    let mut config = ClientConfig::new(server.uri());
    config.rate_limited = false;
    config.providers_under_base_url = true;
    Client::new(config).unwrap()
}

fn bedrock_error(status: u16, kind: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"message": message}))
        .insert_header(
            "x-amzn-errortype",
            format!("{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/").as_str(),
        )
}

fn converse_answer(text: &str) -> Value {
    json!({
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 5, "outputTokens": 2, "totalTokens": 7},
        "metrics": {"latencyMs": 42},
    })
}

#[tokio::test]
async fn throttling_is_retried_and_bedrock_errors_are_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CONVERSE))
        .respond_with(
            bedrock_error(429, "ThrottlingException", "Too many requests, please wait")
                .insert_header("retry-after-ms", "10"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CONVERSE))
        .respond_with(ResponseTemplate::new(200).set_body_json(converse_answer("Bonjour")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let client = unsigned_client(&server);
    let completion = client.chat(&ask("hi")).await.unwrap();
    assert_eq!(completion.text, "Bonjour");
    assert_eq!(completion.usage.unwrap().total_tokens, 7);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(bedrock_error(
            403,
            "AccessDeniedException",
            "You don't have access to the model with the specified model ID.",
        ))
        .mount(&server)
        .await;
    let err = client.chat(&ask("hi")).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Auth { status: 403, .. }), "{text}");
    assert!(text.contains("AccessDeniedException"), "{text}");
    assert!(text.contains("AWS_BEARER_TOKEN_BEDROCK"), "{text}");
    assert!(text.contains("AWS_ACCESS_KEY_ID"), "{text}");
    assert!(!text.contains("LLAMA_API_KEY"), "{text}");

    for (status, kind, check) in [
        (400, "ValidationException", "BadRequest"),
        (500, "InternalServerException", "Server"),
        (503, "ServiceUnavailableException", "Server"),
        // 429s are waited out within the wait budget; with none left, the
        // budget error carries Bedrock's own.
        (429, "ThrottlingException", "RateLimitWait"),
    ] {
        let mut config = client.config().clone();
        config.rate_limit_wait = std::time::Duration::ZERO;
        let client = Client::new(config).unwrap();
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(
                bedrock_error(status, kind, "simulated").insert_header("retry-after-ms", "1"),
            )
            .mount(&server)
            .await;
        let err = client.chat(&ask("hi")).await.unwrap_err();
        let shown = format!("{err:?}");
        assert!(shown.starts_with(check), "{status}: {shown}");
        assert!(
            err.to_string().contains(&format!("{kind}: simulated")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn a_cut_or_failing_event_stream_is_a_stream_error() {
    let server = MockServer::start().await;
    let events = |names: &[(&str, Value)]| {
        let pairs: Vec<(String, Value)> = names
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect();
        llama_test::bedrock::encode_frames(&pairs).unwrap()
    };
    let start = ("messageStart", json!({"role": "assistant"}));
    let delta = (
        "contentBlockDelta",
        json!({"contentBlockIndex": 0, "delta": {"text": "Once"}}),
    );
    let client = unsigned_client(&server);
    let mut request = ask("a story");
    request.stream = true;
    let cases = [
        (events(&[start.clone(), delta.clone()]), "messageStop"),
        (
            events(&[
                start.clone(),
                delta.clone(),
                ("throttlingException", json!({"message": "slow down"})),
            ]),
            "throttlingException",
        ),
        (events(&[start, delta])[..20].to_vec(), "inside frame"),
    ];
    for (body, expected) in cases {
        server.reset().await;
        Mock::given(method("POST"))
            .and(path(CONVERSE_STREAM))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(body, "application/vnd.amazon.eventstream"),
            )
            .mount(&server)
            .await;
        let err = client.chat(&request).await.unwrap_err();
        assert!(
            matches!(&err, Error::Stream { message } if message.contains(expected)),
            "{expected}: {err}"
        );
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "not retried"
        );
    }
}

// ---------------------------------------------------------------------------
// In-process: fixtures.

fn meta(name: &str) -> TestMeta {
    TestMeta {
        name: name.into(),
        package: "llama-test".into(),
        target: Some("bedrock".into()),
        test_path: name.into(),
        ignored: false,
    }
}

fn stream_fixture() -> Value {
    json!({
        "version": 1,
        "test": "bedrock__handwritten",
        "recorded_with": "llama-test 0.1.0",
        "interactions": [{
            "key": "sha256:ignored",
            "model": "",
            "recorded_on": "2026-01-01",
            "request": {
                "method": "POST",
                "path": CONVERSE_STREAM,
                "body": {"messages": [{"role": "user", "content": [{"text": "a story"}]}]},
            },
            "response": {
                "status": 200,
                "headers": {"content-type": "application/vnd.amazon.eventstream"},
                "body": {"event_stream": [
                    {"event": "messageStart", "payload": {"role": "assistant"}},
                    {"event": "contentBlockDelta", "payload": {"contentBlockIndex": 0, "delta": {"text": "Once upon "}}},
                    {"event": "contentBlockDelta", "payload": {"contentBlockIndex": 0, "delta": {"text": "a time."}}},
                    {"event": "contentBlockStop", "payload": {"contentBlockIndex": 0}},
                    {"event": "messageStop", "payload": {"stopReason": "end_turn"}},
                    {"event": "metadata", "payload": {"usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7}, "metrics": {"latencyMs": 120}}},
                ]},
                "latency_ms": 150,
            },
        }],
    })
}

#[tokio::test]
async fn an_event_stream_fixture_replays_through_the_frame_decoder() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bedrock__handwritten.json");
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&stream_fixture()).unwrap(),
    )
    .unwrap();
    let session = FixtureSession::open(
        llama_test::Mode::Replay,
        &file,
        meta("bedrock__handwritten"),
        false,
    )
    .unwrap();
    // Replay sends nowhere else: the client's own URL is unreachable.
    let client = Client::new(ClientConfig::new("http://127.0.0.1:9")).unwrap();
    let mut request = ask("a story");
    request.stream = true;
    let completion = session.send(&client, &request).await.unwrap();
    assert_eq!(completion.text, "Once upon a time.");
    assert!(completion.streamed);
    assert_eq!(completion.stop_reason, Some(StopReason::Stop));
    assert_eq!(completion.usage.unwrap().total_tokens, 7);
    assert_eq!(completion.latency, Duration::from_millis(150));
    assert!(matches!(
        session.finish(true, None).unwrap(),
        llama_test::fixtures::FinishOutcome::Replayed {
            unused: 0,
            misses: 0
        }
    ));
}

#[test]
fn event_stream_bodies_serialize_next_to_the_old_variants() {
    let body = RecordedBody::EventStream(vec![RecordedEvent::new(
        "messageStop",
        json!({"stopReason": "end_turn"}),
    )]);
    let text = serde_json::to_value(&body).unwrap();
    assert_eq!(
        text,
        json!({"event_stream": [{"event": "messageStop", "payload": {"stopReason": "end_turn"}}]})
    );
    assert_eq!(serde_json::from_value::<RecordedBody>(text).unwrap(), body);
    // The older forms are unchanged.
    assert_eq!(
        serde_json::from_value::<RecordedBody>(json!({"sse": ["{}"]})).unwrap(),
        RecordedBody::Sse(vec!["{}".into()])
    );
    assert_eq!(
        serde_json::from_value::<RecordedBody>(json!({"json": {"a": 1}})).unwrap(),
        RecordedBody::Json(json!({"a": 1}))
    );
}

fn exchange_with(body: RecordedBody) -> Exchange {
    Exchange {
        request: RecordedRequest {
            method: "POST".into(),
            path: CONVERSE.into(),
            body: json!({"messages": []}),
        },
        response: RecordedResponse {
            status: 200,
            headers: Default::default(),
            body,
            latency_ms: Some(1),
        },
    }
}

#[test]
fn the_recorder_refuses_sigv4_credentials_and_mid_stream_exceptions() {
    let dir = tempfile::tempdir().unwrap();
    // Built at run time, so this file does not look like a leak itself.
    let echoed = [
        json!({"message": format!(
            "bad request, header was {}-HMAC-SHA256 Credential=AKID/20260101/us-east-1/bedrock/aws4_request",
            "AWS4"
        )}),
        json!({"headers": {format!("x-amz-{}", "security-token"): "IQoJb3JpZ2luX2Vj"}}),
        json!({"message": format!("key {}IOSFODNN7EXAMPLE is unknown", "AKIA")}),
    ];
    for (i, body) in echoed.into_iter().enumerate() {
        let path = dir.path().join(format!("f{i}.json"));
        let recorder = Recorder::new("f", &path);
        recorder
            .record(exchange_with(RecordedBody::Json(body)))
            .unwrap();
        let err = recorder.finish(true, None).unwrap_err();
        assert!(err.to_string().contains("refusing"), "{err}");
        assert!(!path.exists());
    }
    let recorder = Recorder::new("g", dir.path().join("g.json"));
    let failed = recorder.record(exchange_with(RecordedBody::EventStream(vec![
        RecordedEvent::new("messageStart", json!({})),
        RecordedEvent::new("modelStreamErrorException", json!({"message": "boom"})),
    ])));
    assert!(
        failed
            .unwrap_err()
            .to_string()
            .contains("modelStreamErrorException")
    );
}
