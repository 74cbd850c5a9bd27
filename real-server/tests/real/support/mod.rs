//! Support code of the suite: the server the evals talk to ([`before_main`]),
//! the expected outputs replay must reproduce ([`expected`]), and child runs
//! of this binary ([`child`]).
//!
//! # Which server
//!
//! The evals' settings (`LLAMA_TEST_LLAMACPP_BASE_URL`, `LLAMACPP_API_KEY`)
//! are read once per process, by the first eval that starts, and the
//! prefetch sends every selected eval's request as soon as that happens.
//! So when the mode needs the network (`record`, `live`), a server is
//! started before `main` and the two variables are exported for it, before
//! libtest starts a single thread. In `replay` (the default under
//! `CI=true`) and `auto` nothing is started: the committed fixtures answer.
//! A `LLAMA_TEST_LLAMACPP_BASE_URL` already set names your own server, and
//! none is started either.
//!
//! Tests that need a live server whatever the mode (the error tests, the
//! live round trip) share one more, started on first use ([`live_server`]);
//! without a built server they print a skip line, or fail under
//! `LLAMA_TEST_REAL_REQUIRE_SERVER=1`.

pub mod child;
pub mod expected;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use llama_test::Mode;
use llama_test_real::{Paths, Server, require_server};

/// The provider's base-URL and key variables (see `llama-test/src/providers.rs`).
pub const BASE_URL_ENV: &str = "LLAMA_TEST_LLAMACPP_BASE_URL";
pub const KEY_ENV: &str = "LLAMACPP_API_KEY";

/// The server started before `main`, when the mode needs one.
static BEFORE_MAIN: OnceLock<Server> = OnceLock::new();

// A process-wide constructor (what the `ctor` crate does), so the server is
// up and its variables exported before libtest runs anything.
#[used]
#[unsafe(link_section = ".init_array")]
static START_BEFORE_MAIN: extern "C" fn() = before_main;

extern "C" fn before_main() {
    if child::is_child() || std::env::args().any(|a| a == "--list") {
        return;
    }
    let mode = match Mode::from_env() {
        Ok(mode @ (Mode::Record | Mode::Live)) => mode,
        // A bad mode is reported by the first eval, with the variable named.
        _ => return,
    };
    if let Some(url) = std::env::var_os(BASE_URL_ENV) {
        notice(&format!(
            "llama-test-real: {BASE_URL_ENV} is set; mode `{}` uses the server at {}",
            mode.as_str(),
            url.to_string_lossy()
        ));
        return;
    }
    match Paths::find().and_then(|paths| Server::start(&paths)) {
        Ok(server) => {
            // SAFETY: before `main`, no other thread exists yet.
            unsafe {
                std::env::set_var(BASE_URL_ENV, server.base_url());
                std::env::set_var(KEY_ENV, server.key());
            }
            notice(&format!(
                "llama-test-real: mode `{}`: started llama-server (pid {}) at {}",
                mode.as_str(),
                server.pid().unwrap_or_default(),
                server.base_url()
            ));
            let _ = BEFORE_MAIN.set(server);
        }
        Err(e) => {
            notice(&format!(
                "llama-test-real: LLAMA_TEST_MODE={} sends every eval to llama-server, which could \
                 not be started: {e}\n(or point {BASE_URL_ENV} and {KEY_ENV} at a running server)",
                mode.as_str()
            ));
            std::process::exit(2);
        }
    }
}

/// A live server for tests that need one whatever the mode: the one
/// started before `main`, else one started now (once per process). `None`
/// after printing a skip line for `test` when llama-server is not built;
/// a panic instead under `LLAMA_TEST_REAL_REQUIRE_SERVER=1`.
pub fn live_server(test: &str) -> Option<&'static Server> {
    if let Some(server) = BEFORE_MAIN.get() {
        return Some(server);
    }
    static LAZY: OnceLock<Result<Server, String>> = OnceLock::new();
    let started = LAZY.get_or_init(|| Paths::find().and_then(|p| Server::start_detached(&p)));
    match started {
        Ok(server) => Some(server),
        Err(e) if require_server() => {
            panic!("{test} needs llama-server (LLAMA_TEST_REAL_REQUIRE_SERVER is set): {e}")
        }
        Err(e) => {
            skip(test, e);
            None
        }
    }
}

/// Prints `SKIP <test>: <why>` where libtest does not capture it.
pub fn skip(test: &str, why: &str) {
    notice(&format!("SKIP {test}: {why}"));
}

/// Writes a line to stderr past libtest's capture (it captures `print!`
/// and `eprint!`, not `io::stderr()`).
pub fn notice(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// The mode this process runs its evals in.
pub fn mode() -> Mode {
    Mode::from_env().unwrap_or(Mode::Auto)
}

/// Whether this run records or runs live (the fixtures are being written).
pub fn recording() -> bool {
    matches!(mode(), Mode::Record | Mode::Live)
}

/// `real-server/`.
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture root this process uses (`LLAMA_TEST_FIXTURES` or `fixtures/`).
pub fn fixture_root() -> PathBuf {
    llama_test::config::fixture_root(manifest_dir()).expect("LLAMA_TEST_FIXTURES is valid")
}

/// A fixture of this binary by its test path, e.g. `tools::required_call`.
pub fn fixture_file(test_path: &str) -> PathBuf {
    fixture_root().join(format!("real__{}.json", test_path.replace("::", "__")))
}

/// A committed fixture as JSON, or `None` (with a skip line) while this
/// run records, when the file may not be written yet.
pub fn recorded(test: &str, test_path: &str) -> Option<serde_json::Value> {
    if recording() {
        skip(
            test,
            "checks the recorded fixture; runs on replay (this run is recording)",
        );
        return None;
    }
    let path = fixture_file(test_path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); record it: LLAMA_TEST_MODE=record cargo test -p llama-test-real",
            path.display()
        )
    });
    Some(serde_json::from_str(&text).expect("a fixture is JSON"))
}

/// Runs the `#[ignore]`d probe `probe`, which must fail, and returns its
/// failure message: replayed from the committed fixtures, or recorded into
/// them (against the live server) when this run records. `None` after a
/// skip line when recording needs a server that is not built.
pub fn failing_probe(test: &str, probe: &str) -> Option<String> {
    let run = child::Child::probe(probe).fixtures(&fixture_root());
    let run = match mode() {
        m @ (Mode::Record | Mode::Live) => run.against(live_server(test)?, m.as_str()),
        _ => run.replay_in_ci(),
    };
    Some(run.run().single_failure())
}

/// Runs the `#[ignore]`d probe `probe` (declared `record = "live"`) against
/// `base_url` with `key`; it must fail: returns its failure message.
pub fn live_probe(probe: &str, base_url: &str, key: &str) -> String {
    child::Child::probe(probe)
        .env(BASE_URL_ENV, base_url)
        .env(KEY_ENV, key)
        .run()
        .single_failure()
}
