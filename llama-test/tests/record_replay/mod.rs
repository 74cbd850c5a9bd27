//! Runs the `#[llama_eval]` tests of the current test binary in a child
//! process, the way a user's `cargo test` would: record against the
//! simulated Llama API, then replay under `CI=true` with no key.
//!
//! The evals in each `record_replay_*` binary are `#[ignore]`d, so a plain
//! `cargo test` only runs the driver tests; a driver re-runs
//! `current_exe()` with `--ignored --exact <names>` and the environment of
//! the mode it wants. A child's environment starts from the parent's minus
//! every variable that steers llama-test, insta or libtest, so the parent's
//! `CI=true` (or a developer's `LLAMA_API_KEY`) never leaks into a child.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use llama_test::Output;
use llama_test::fixtures::Fixture;
use llama_test::sim::SimLlamaApi;
use serde_json::{Value, json};

/// The key the simulator accepts in these tests. It looks like a real key
/// so that a leak is easy to spot in any output.
pub const SECRET_KEY: &str = "LLM|1066|rr-sk-9f8e7d6c5b4a-DO-NOT-LEAK";

/// Where an eval body writes what it saw (see [`dump`]).
pub const OUTPUTS_ENV: &str = "RECORD_REPLAY_OUTPUTS";

/// The longest a child may run before it is killed and the test fails.
const CHILD_DEADLINE: Duration = Duration::from_secs(180);

/// Variables removed from every child's environment before the mode's own.
const STEERING_VARS: &[&str] = &[
    "CI",
    "RUST_LOG",
    "RUST_TEST_THREADS",
    "RUST_TEST_NOCAPTURE",
    OUTPUTS_ENV,
];
/// Prefixes of removed variables (`LLAMA_API_KEY`, `LLAMA_TEST_MODE`, `INSTA_UPDATE`, ...).
const STEERING_PREFIXES: &[&str] = &["LLAMA_", "INSTA_"];

/// A simulator accepting [`SECRET_KEY`], started on a runtime of its own
/// (wiremock serves from its own thread, so the driver may block freely).
pub fn start_sim() -> SimLlamaApi {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(SimLlamaApi::builder().api_key(SECRET_KEY).start())
}

/// A child run of some of this binary's ignored evals.
#[must_use = "call `.run()`"]
pub struct Child {
    command: Command,
    filters: Vec<String>,
}

impl Child {
    /// The ignored tests named exactly `names` (libtest paths).
    pub fn exact(names: &[&str]) -> Self {
        let mut child = Self::new(names);
        child.command.arg("--exact");
        child
    }

    /// The ignored tests whose path contains `filter`.
    pub fn matching(filter: &str) -> Self {
        Self::new(&[filter])
    }

    fn new(filters: &[&str]) -> Self {
        let exe = std::env::current_exe().unwrap();
        let mut command = Command::new(exe);
        for (name, _) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            if STEERING_VARS.contains(&name)
                || STEERING_PREFIXES.iter().any(|p| name.starts_with(p))
            {
                command.env_remove(name);
            }
        }
        // No snapshot is ever written by a child.
        command.env("INSTA_UPDATE", "no");
        command.arg("--ignored").args(filters);
        Child {
            command,
            filters: filters.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    /// `LLAMA_TEST_MODE=record` against `sim`, with its key.
    pub fn record(mut self, sim: &SimLlamaApi) -> Self {
        self.command
            .env("LLAMA_TEST_MODE", "record")
            .env("LLAMA_API_BASE_URL", sim.uri())
            .env("LLAMA_API_KEY", sim.api_key());
        self
    }

    /// `CI=true`, no key, no `LLAMA_TEST_MODE`: the default CI replay.
    /// `base_url` (optional) is where a request would go if replay leaked
    /// to the network; pointing it at a simulator lets a test count them.
    pub fn replay_in_ci(mut self, base_url: Option<&str>) -> Self {
        self.command.env("CI", "true");
        if let Some(url) = base_url {
            self.command.env("LLAMA_API_BASE_URL", url);
        }
        self
    }

    /// `LLAMA_TEST_FIXTURES=<dir>`.
    pub fn fixtures(mut self, dir: &Path) -> Self {
        self.command.env("LLAMA_TEST_FIXTURES", dir);
        self
    }

    /// Where the eval bodies write their outputs ([`dump`]).
    pub fn outputs(mut self, dir: &Path) -> Self {
        self.command.env(OUTPUTS_ENV, dir);
        self
    }

    /// Any other variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.command.env(name, value);
        self
    }

    /// `--test-threads=<n>`.
    pub fn threads(mut self, n: usize) -> Self {
        self.command.arg(format!("--test-threads={n}"));
        self
    }

    /// `--nocapture`: every line a test prints reaches the child's streams.
    pub fn nocapture(mut self) -> Self {
        self.command.arg("--nocapture");
        self
    }

    /// Runs the child to completion (killing it after a deadline).
    pub fn run(mut self) -> ChildRun {
        let mut child = self
            .command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = drain(child.stdout.take().unwrap());
        let stderr = drain(child.stderr.take().unwrap());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > CHILD_DEADLINE {
                let _ = child.kill();
                panic!(
                    "child run of {:?} did not finish within {CHILD_DEADLINE:?}",
                    self.filters
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        ChildRun {
            filters: self.filters,
            success: status.success(),
            stdout: stdout.join().unwrap(),
            stderr: stderr.join().unwrap(),
        }
    }
}

fn drain(mut stream: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// What a child run printed and how it ended.
pub struct ChildRun {
    pub filters: Vec<String>,
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl ChildRun {
    /// stdout and stderr together.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// `(passed, failed)` from libtest's summary line.
    pub fn counts(&self) -> (usize, usize) {
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with("test result:"))
            .unwrap_or_else(|| {
                panic!(
                    "no libtest summary in the child's output:\n{}",
                    self.all_output()
                )
            });
        // "test result: ok. 6 passed; 0 failed; 0 ignored; ... finished in 0.14s"
        let count = |word: &str| {
            line.split([';', '.'])
                .find_map(|part| part.trim().strip_suffix(word)?.trim().parse::<usize>().ok())
                .unwrap_or_else(|| panic!("no `{word}` count in {line:?}"))
        };
        (count("passed"), count("failed"))
    }

    /// Asserts that exactly `n` tests ran and all passed.
    pub fn assert_passed(&self, n: usize) -> &Self {
        self.assert_counts(n, 0)
    }

    /// Asserts libtest's counts of passed and failed tests (and that the
    /// exit status agrees).
    pub fn assert_counts(&self, passed: usize, failed: usize) -> &Self {
        assert!(
            self.success == (failed == 0) && self.counts() == (passed, failed),
            "expected {passed} passed and {failed} failed for {:?}:\n{}",
            self.filters,
            self.all_output()
        );
        self
    }
}

/// Writes what an eval saw to `$RECORD_REPLAY_OUTPUTS/<fixture name>.json`
/// (nothing when the variable is unset), so a driver can compare the
/// record run with the replay run.
pub fn dump(outputs: &[&Output]) {
    let Some(dir) = std::env::var_os(OUTPUTS_ENV) else {
        return;
    };
    let name = outputs[0].snapshot_name();
    let value: Vec<Value> = outputs.iter().map(|o| observed(o)).collect();
    let path = Path::new(&dir).join(format!("{name}.json"));
    std::fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

/// Everything about an answer that replay must reproduce (not latency).
fn observed(out: &Output) -> Value {
    let completion = out.completion();
    json!({
        "model": out.model(),
        "text": out.text(),
        "json": out.json::<Value>().ok(),
        "tool_calls": out.tool_calls(),
        "stop_reason": out.stop_reason().map(|s| s.as_str().to_owned()),
        "usage": out.usage(),
        "streamed": completion.streamed,
    })
}

/// The JSON files directly in `dir`, by file name.
pub fn json_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .collect();
    files.sort();
    files
}

/// Every file under `dir` with its text, recursively (temp files included).
pub fn all_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            out.push((path, text));
        }
    }
    out
}

/// Loads a fixture, failing the test with the loader's message.
pub fn load_fixture(path: &Path) -> Fixture {
    Fixture::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
