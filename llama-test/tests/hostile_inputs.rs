//! Hostile and broken inputs never panic the harness: property tests (a
//! fixed seed, a bounded number of cases, no failure files) over the SSE
//! assembler, the fixture loader, the assertion and config parsers and
//! the responses the client reads; a response size cap; and fixtures as
//! untrusted input, which can change answers but cannot reach the network
//! or write outside the fixture root.

mod fixtures_support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fixtures_support::*;
use futures_util::{StreamExt, stream};
use llama_test::checks::Assertion;
use llama_test::exchange::RecordedBody;
use llama_test::fixtures::{Fixture, FixtureSession, TestMeta};
use llama_test::request::Endpoint;
use llama_test::sim::SimLlamaApi;
use llama_test::wire::{StreamAssembler, sse};
use llama_test::{ChatRequest, Client, ClientConfig, Error, Message, Mode};
use llama_test_core::ConfigFile;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::json;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Fixed seed, bounded cases, nothing written to disk.
fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x1145_7e57),
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    }
}

// ---------------------------------------------------------------- SSE ----

const COMPAT_STREAM: &str = concat!(
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\n",
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo, \\u00e9t\\u00e9 \"}}]}\n\n",
    ": keep-alive comment\n\n",
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"world\"},\"finish_reason\":\"stop\"}]}\n\n",
    "data: [DONE]\n\n",
);

const NATIVE_STREAM: &str = concat!(
    "data: {\"id\":\"r1\",\"event\":{\"event_type\":\"start\",\"delta\":{\"type\":\"text\",\"text\":\"\"}}}\n\n",
    "data: {\"id\":\"r1\",\"event\":{\"event_type\":\"progress\",\"delta\":{\"type\":\"text\",\"text\":\"Hello\"}}}\n\n",
    "data: {\"id\":\"r1\",\"event\":{\"event_type\":\"progress\",\"delta\":{\"type\":\"text\",\"text\":\" world\"}}}\n\n",
    "data: {\"id\":\"r1\",\"event\":{\"event_type\":\"complete\",\"delta\":{\"type\":\"text\",\"text\":\"\"},\"stop_reason\":\"stop\"}}\n\n",
);

/// Frames and assembles `pieces` as the client does.
fn assemble(pieces: Vec<Vec<u8>>, endpoint: Endpoint) -> Result<String, String> {
    futures_executor_lite(async move {
        let body = stream::iter(pieces.into_iter().map(Ok::<_, std::convert::Infallible>));
        let mut events = std::pin::pin!(sse::events(body));
        let mut assembler = StreamAssembler::new("m", endpoint);
        while let Some(event) = events.next().await {
            let event = event.map_err(|e| e.to_string())?;
            assembler
                .push(&event.event, &event.data)
                .map_err(|e| e.to_string())?;
            if assembler.is_done() {
                break;
            }
        }
        assembler
            .finish()
            .map(|c| c.text)
            .map_err(|e| e.to_string())
    })
}

/// Runs a future that never waits on I/O (the streams above are in memory).
fn futures_executor_lite<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// Cuts `text` at the given (sorted, deduplicated) offsets.
fn chunked(text: &[u8], mut cuts: Vec<usize>) -> Vec<Vec<u8>> {
    cuts.retain(|c| *c > 0 && *c < text.len());
    cuts.sort_unstable();
    cuts.dedup();
    let mut pieces = Vec::new();
    let mut start = 0;
    for cut in cuts {
        pieces.push(text[start..cut].to_vec());
        start = cut;
    }
    pieces.push(text[start..].to_vec());
    pieces
}

proptest! {
    #![proptest_config(config(96))]

    /// Any chunking, even inside a multi-byte character, gives the same answer.
    #[test]
    fn sse_any_chunking_gives_the_same_answer(
        cuts in prop::collection::vec(0usize..COMPAT_STREAM.len(), 0..40),
        native_cuts in prop::collection::vec(0usize..NATIVE_STREAM.len(), 0..40),
    ) {
        let compat = assemble(chunked(COMPAT_STREAM.as_bytes(), cuts), Endpoint::Compat);
        prop_assert_eq!(compat, Ok("Hello, été world".to_owned()));
        let native = assemble(chunked(NATIVE_STREAM.as_bytes(), native_cuts), Endpoint::Native);
        prop_assert_eq!(native, Ok("Hello world".to_owned()));
    }

    /// Garbage lines anywhere, and a stream cut anywhere (no terminator, no
    /// `[DONE]`, half an event): an answer or an error, never a panic.
    #[test]
    fn sse_garbage_and_truncation_never_panic(
        at_line in 0usize..12,
        garbage in prop::collection::vec(
            prop_oneof![
                Just("{\"error\":{\"message\":\"boom\"}}".to_owned()),
                Just("data: {not json".to_owned()),
                Just("event: weird".to_owned()),
                Just("data: [DONE]".to_owned()),
                Just("retry: -5".to_owned()),
                "[^\r\n]{0,40}",
            ],
            0..4,
        ),
        cut in 0usize..1_000,
        cuts in prop::collection::vec(0usize..1_000, 0..10),
        compat in any::<bool>(),
    ) {
        let (text, endpoint) = match compat {
            true => (COMPAT_STREAM, Endpoint::Compat),
            false => (NATIVE_STREAM, Endpoint::Native),
        };
        let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        let at = at_line.min(lines.len());
        for (i, g) in garbage.into_iter().enumerate() {
            lines.insert(at + i, g);
        }
        let mut bytes = lines.join("\n").into_bytes();
        bytes.truncate(cut.min(bytes.len()));
        let _ = assemble(chunked(&bytes, cuts), endpoint);
    }

    /// Arbitrary bytes, including invalid UTF-8.
    #[test]
    fn sse_arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        cuts in prop::collection::vec(0usize..600, 0..10),
        compat in any::<bool>(),
    ) {
        let endpoint = if compat { Endpoint::Compat } else { Endpoint::Native };
        let _ = assemble(chunked(&bytes, cuts), endpoint);
    }
}

// ----------------------------------------------------- fixture loader ----

fn valid_fixture_text() -> String {
    fixture(
        "hostile",
        vec![
            json_exchange(chat_body("What is the weather?", 0.2), "Sunny"),
            sse_exchange(
                chat_body("stream it", 0.0),
                &[json!({"event": {"event_type": "complete"}})],
            ),
        ],
    )
    .to_json_text()
    .unwrap()
}

fn load_bytes(bytes: &[u8]) -> Result<Fixture, Error> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.json");
    std::fs::write(&path, bytes).unwrap();
    let loaded = Fixture::load(&path);
    if let Err(e) = &loaded {
        let text = e.to_string();
        assert!(
            text.contains("hostile.json"),
            "the error names the file: {text}"
        );
    }
    loaded
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn fixture_loader_takes_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        let _ = load_bytes(&bytes);
    }

    /// A real fixture with bytes flipped, dropped or cut off.
    #[test]
    fn fixture_loader_takes_damaged_fixtures(
        edits in prop::collection::vec((0usize..4_000, any::<u8>()), 0..8),
        cut in 0usize..5_000,
    ) {
        let mut bytes = valid_fixture_text().into_bytes();
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut);
        let _ = load_bytes(&bytes);
    }

    #[test]
    fn fixture_loader_names_wrong_versions(version in any::<u32>().prop_filter("not 1", |v| *v != 1)) {
        let text = valid_fixture_text().replacen("\"version\": 1", &format!("\"version\": {version}"), 1);
        let err = load_bytes(text.as_bytes()).unwrap_err().to_string();
        prop_assert!(err.contains(&format!("format version {version}")), "{}", err);
    }
}

#[test]
fn a_huge_fixture_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    // Sparse: no disk space is used.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(300 << 20)
        .unwrap();
    let started = Instant::now();
    let err = Fixture::load(&path).unwrap_err().to_string();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        err.contains("huge.json") && err.contains("over the 256 MiB"),
        "{err}"
    );
}

// ------------------------------------------------------------ parsers ----

const KINDS: &[&str] = &[
    "contains",
    "not_contains",
    "icontains",
    "equals",
    "regex",
    "is_json",
    "json_schema",
    "function_call",
    "levenshtein",
    "llm_rubric",
    "starts_with",
    "contains_any",
    "contains_all",
    "cost",
    "latency",
];

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn assertion_parser_never_panics(
        kind in prop_oneof![prop::sample::select(KINDS).prop_map(str::to_owned), "[a-z_!]{0,20}"],
        value in prop_oneof![
            Just("null".to_owned()),
            Just("\"(unclosed\"".to_owned()),
            Just("{\"type\": 5}".to_owned()),
            Just("[1, \"a\", null]".to_owned()),
            Just("1e400".to_owned()),
            "\\PC{0,30}",
        ],
        weight in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), -5.0f64..5.0],
        threshold in proptest::option::of(prop_oneof![Just(f64::NAN), -2.0f64..2.0]),
    ) {
        let _ = Assertion::parse_json_text(&kind, &value, weight, threshold, &[("city", "Paris")]);
    }

    /// Any text, and TOML built from the file's own vocabulary.
    #[test]
    fn config_file_parser_never_panics(
        text in "\\PC{0,200}",
        lines in prop::collection::vec(
            prop_oneof![
                Just("[providers.lab]".to_owned()),
                Just("[providers.together]".to_owned()),
                Just("[providers.openrouter.models.\"m\"]".to_owned()),
                Just("[limits]".to_owned()),
                Just("[grader]".to_owned()),
                Just("kind = \"openai\"".to_owned()),
                Just("kind = \"grpc\"".to_owned()),
                Just("base_url = \"http://x\"".to_owned()),
                Just("rpm = -1".to_owned()),
                Just("rpm = 99999999999".to_owned()),
                Just("rate_limit_wait = 1.5".to_owned()),
                Just("extra_body = { a = [1, 2] }".to_owned()),
                Just("headers = { \"X\" = 1 }".to_owned()),
                Just("images = \"yes\"".to_owned()),
                "[a-z_]{1,10} = [0-9]{1,5}",
            ],
            0..10,
        ),
    ) {
        let _ = ConfigFile::parse(&text, "llama-test.toml");
        if let Err(e) = ConfigFile::parse(&lines.join("\n"), "llama-test.toml") {
            prop_assert!(e.starts_with("llama-test.toml"), "{}", e);
        }
    }
}

// ---------------------------------------------------------- responses ----

/// A server whose every answer is the bytes and content type in `slot`.
struct Scripted(Arc<Mutex<(Vec<u8>, &'static str)>>);

impl Respond for Scripted {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let (body, mime) = self.0.lock().unwrap().clone();
        ResponseTemplate::new(200).set_body_raw(body, mime)
    }
}

fn client_for(uri: &str, cap: Option<u64>) -> Client {
    let mut config = ClientConfig::new(uri);
    config.api_key = Some("test-key".into());
    config.rate_limited = false;
    config.max_retries = 0;
    if let Some(cap) = cap {
        config.max_response_bytes = cap;
    }
    Client::new(config).unwrap()
}

fn ask(stream: bool) -> ChatRequest {
    let mut request = ChatRequest::new("Llama-3.3-70B-Instruct").message(Message::user("hi"));
    request.stream = stream;
    request
}

#[test]
fn responses_non_utf8_truncated_or_garbage_are_errors_not_panics() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let slot = Arc::new(Mutex::new((Vec::new(), "application/json")));
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(Scripted(Arc::clone(&slot)))
            .mount(&server)
            .await;
        server
    });
    let client = client_for(&server.uri(), None);
    let answer = completion_json("a complete answer")
        .to_string()
        .into_bytes();
    let mut runner = proptest::test_runner::TestRunner::new(config(64));
    let strategy = (
        prop::collection::vec(any::<u8>(), 0..300),
        0usize..400,
        0u8..4,
    );
    runner
        .run(&strategy, |(noise, cut, shape)| {
            let (body, mime, stream) = match shape {
                // Truncated JSON.
                0 => (
                    answer[..cut.min(answer.len())].to_vec(),
                    "application/json",
                    false,
                ),
                // Arbitrary (mostly non-UTF-8) bytes as JSON.
                1 => (noise.clone(), "application/json", false),
                // Arbitrary bytes as a stream.
                2 => (noise.clone(), "text/event-stream", true),
                // A stream whose event data is not UTF-8.
                _ => {
                    let mut b = b"data: ".to_vec();
                    b.extend_from_slice(&[0xff, 0xfe]);
                    b.extend_from_slice(&noise);
                    b.extend_from_slice(b"\n\n");
                    (b, "text/event-stream", true)
                }
            };
            let truncated = shape == 0 && cut < answer.len();
            *slot.lock().unwrap() = (body, mime);
            let result = runtime.block_on(client.chat(&ask(stream)));
            if truncated {
                let err = result.unwrap_err().to_string();
                prop_assert!(err.contains("not JSON"), "{}", err);
            }
            Ok(())
        })
        .unwrap();
}

/// Serves one response on a raw socket: `head` then `body_len` bytes of
/// `fill`, written lazily (a 100 MB body costs no memory here), until the
/// client hangs up.
fn endless_server(head: String, body_len: usize, fill: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let Ok((mut socket, _)) = listener.accept() else {
            return;
        };
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request);
        if socket.write_all(head.as_bytes()).is_err() {
            return;
        }
        let mut sent = 0;
        while sent < body_len {
            let n = fill.len().min(body_len - sent);
            if socket.write_all(&fill[..n]).is_err() {
                return;
            }
            sent += n;
        }
    });
    uri
}

const HUNDRED_MB: usize = 100 << 20;

#[test]
fn a_100_mb_body_is_a_clear_error_at_the_cap() {
    static FILL: [u8; 64 << 10] = [b' '; 64 << 10];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Declared up front: refused before reading.
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {HUNDRED_MB}\r\n\r\n"
    );
    let client = client_for(&endless_server(head, HUNDRED_MB, &FILL), None);
    let err = runtime.block_on(client.chat(&ask(false))).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(
        text.contains("larger than the 32 MiB response cap"),
        "{text}"
    );
    assert!(text.contains("LLAMA_TEST_MAX_RESPONSE_MB"), "{text}");

    // Streamed without a length (SSE keep-alive comments forever): cut off
    // at the cap, here 1 MiB.
    static COMMENTS: [u8; 64 << 10] = {
        let mut fill = [b':'; 64 << 10];
        let mut i = 63;
        while i < fill.len() {
            fill[i] = b'\n';
            i += 64;
        }
        fill
    };
    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
    let client = client_for(
        &endless_server(head.to_owned(), HUNDRED_MB, &COMMENTS),
        Some(1 << 20),
    );
    let started = Instant::now();
    let err = runtime.block_on(client.chat(&ask(true))).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(20));
    let text = err.to_string();
    assert!(
        text.contains("stream is larger than the 1 MiB response cap"),
        "{text}"
    );
}

// --------------------------------------------------- untrusted fixtures ----

fn all_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A change made to a recorded response by hand.
type Edit<'a> = Box<dyn Fn(&mut llama_test::exchange::RecordedResponse) + 'a>;

/// A fixture edited by hand (or by a malicious PR): a redirect to a
/// "remote" server, a bogus status, a 429 with a day-long `retry-after`,
/// a `test` name and paths that climb out of the root, and markup. Replay
/// only ever answers from loopback, nothing reaches the "remote" server
/// (a simulator standing in for the network), no replay stalls, and
/// nothing is written anywhere.
#[test]
fn fixtures_are_untrusted_input() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let remote = runtime.block_on(SimLlamaApi::start());
    let sandbox = tempfile::tempdir().unwrap();
    let root = sandbox.path().join("fixtures");
    std::fs::create_dir(&root).unwrap();
    let cases: Vec<(&str, Edit<'_>)> = vec![
        (
            "redirect",
            Box::new(|r| {
                r.status = 307;
                r.headers.insert(
                    "location".into(),
                    format!("{}/v1/chat/completions", remote.uri()),
                );
            }),
        ),
        ("bogus_status", Box::new(|r| r.status = 0)),
        (
            "slow_429",
            Box::new(|r| {
                r.status = 429;
                r.headers.insert("retry-after".into(), "86400".into());
                r.body = RecordedBody::Json(json!({"error": "slow down"}));
            }),
        ),
        (
            "markup",
            Box::new(|r| {
                r.body = RecordedBody::Json(completion_json("<script>alert(1)</script>"));
                r.latency_ms = Some(u64::MAX);
            }),
        ),
    ];
    let before = all_files(sandbox.path());
    let request = ChatRequest::new("Llama-3.3-70B-Instruct").message(Message::user("hi"));
    let body = llama_test::wire::request_body(&request).unwrap();
    for (name, edit) in &cases {
        let mut exchange = json_exchange(body.clone(), "ok");
        exchange.request.path = "/../../../../etc/v1/chat/completions".into();
        edit(&mut exchange.response);
        let mut f = fixture("../../escaped", vec![exchange.clone()]);
        // The matching interaction too, so the edited answer is served.
        let mut matching = exchange;
        matching.request.path = CHAT_PATH.into();
        f.interactions
            .push(fixture("x", vec![matching]).interactions.remove(0));
        let path = root.join(format!("{name}.json"));
        std::fs::write(&path, f.to_json_text().unwrap()).unwrap();
        let before_run = all_files(sandbox.path());
        let meta = TestMeta {
            name: (*name).into(),
            package: "llama-test".into(),
            target: Some("hostile_inputs".into()),
            test_path: (*name).into(),
            ignored: false,
        };
        let session = FixtureSession::open(Mode::Replay, &path, meta, false).unwrap();
        // The live client points at the "remote" server with its key.
        let live = remote.client_config();
        let client = Client::new(live).unwrap();
        let started = Instant::now();
        let result = runtime.block_on(session.send(&client, &request));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name}: replay stalled"
        );
        match *name {
            "markup" => {
                let answer = result.unwrap();
                // Answers may change; that is all a fixture can do.
                assert_eq!(answer.text, "<script>alert(1)</script>");
            }
            "redirect" | "bogus_status" => {
                let err = result.unwrap_err().to_string();
                assert!(err.contains("which replay does not serve"), "{name}: {err}");
            }
            _ => {
                let err = result.unwrap_err().to_string();
                assert!(
                    err.contains("429") || err.contains("slow down"),
                    "{name}: {err}"
                );
            }
        }
        let _ = session.finish(true, None);
        assert_eq!(all_files(sandbox.path()), before_run, "{name} wrote a file");
    }
    assert_eq!(remote.request_count(), 0, "replay reached the network");
    assert_eq!(all_files(sandbox.path()).len(), before.len() + cases.len());
}
