//! Runs the current test binary again as a child process, the way a user's
//! `cargo test` would, against the simulated Llama API, and reads what
//! libtest printed.
//!
//! The `#[llama_eval]` probes of a binary that uses this are `#[ignore]`d,
//! so a plain `cargo test` only runs its driver tests; a driver re-runs
//! `current_exe()` with `--ignored` plus libtest filters and the
//! environment of the mode it wants.
//!
//! One rule for the child's environment: it starts from the parent's minus
//! every variable that steers llama-test, insta, libtest or nextest
//! (`LLAMA_*`, `INSTA_*`, `CI`, `NEXTEST*`, `RUST_TEST_*`, `AWS_*`, `RUST_LOG`), so
//! the parent's `CI=true` or a developer's `LLAMA_API_KEY` never leaks into
//! a child; then `INSTA_UPDATE=no`, [`CHILD_ENV`], a fresh empty fixture
//! root, and whatever the driver asks for.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use llama_test::Output;
use llama_test::fixtures::{Fixture, fixture_name};
use llama_test::sim::{SimBuilder, SimLlamaApi};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The key the simulator accepts in these tests. It looks like a real key
/// so that a leak is easy to spot in any output.
pub const SECRET_KEY: &str = "LLM|1066|rr-sk-9f8e7d6c5b4a-DO-NOT-LEAK";

/// Set in every child, so a driver test (not ignored) can return at once
/// if a flag ever makes the child run it ([`is_child`]).
const CHILD_ENV: &str = "LLAMA_TEST_CHILD";

/// Where an eval body writes what it saw (see [`dump`]).
pub const OUTPUTS_ENV: &str = "LLAMA_TEST_CHILD_OUTPUTS";

/// The longest a child may run before it is killed and the test fails.
const CHILD_DEADLINE: Duration = Duration::from_secs(180);

/// Variables removed from every child's environment.
const SCRUBBED_VARS: &[&str] = &["CI", "RUST_LOG"];
/// Prefixes of removed variables (`LLAMA_API_KEY`, `LLAMA_TEST_MODE`,
/// `INSTA_UPDATE`, `NEXTEST_RUN_ID`, `RUST_TEST_THREADS`, the AWS
/// credentials and region of `bedrock:` models, ...).
const SCRUBBED_PREFIXES: &[&str] = &["LLAMA_", "INSTA_", "NEXTEST", "RUST_TEST_", "AWS_"];

/// Whether this process is a child started by [`Child`].
pub fn is_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// A simulator accepting [`SECRET_KEY`]; see [`start_sim_with`].
pub fn start_sim() -> SimLlamaApi {
    start_sim_with(SimLlamaApi::builder())
}

/// Starts `builder` with [`SECRET_KEY`] on a runtime of its own (wiremock
/// serves from its own thread, so the driver may block freely).
pub fn start_sim_with(builder: SimBuilder) -> SimLlamaApi {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(builder.api_key(SECRET_KEY).start())
}

/// A child run of this binary, built up like a command line.
#[must_use = "call `.run()`"]
pub struct Child {
    command: Command,
    args: Vec<String>,
    /// The default fixture root, removed when the run is over.
    empty_fixtures: TempDir,
}

impl Child {
    /// A child with these libtest arguments, nothing else selected.
    pub fn new(args: &[&str]) -> Self {
        let mut command = Command::new(std::env::current_exe().unwrap());
        for (name, _) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            if SCRUBBED_VARS.contains(&name)
                || SCRUBBED_PREFIXES.iter().any(|p| name.starts_with(p))
            {
                command.env_remove(name);
            }
        }
        let empty_fixtures = tempfile::tempdir().unwrap();
        command
            .env(CHILD_ENV, "1")
            // No snapshot is ever written by a child.
            .env("INSTA_UPDATE", "no")
            // Never the crate's own fixtures, unless a driver says so.
            .env("LLAMA_TEST_FIXTURES", empty_fixtures.path())
            // A child's samples are no run of the suite's: no result
            // records, unless a driver asks (`.records(dir)`).
            .env("LLAMA_TEST_RECORDS", "0")
            .args(args);
        Child {
            command,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            empty_fixtures,
        }
    }

    /// Writes result records into `dir` (the run directory).
    pub fn records(self, dir: &Path) -> Self {
        self.env("LLAMA_TEST_RECORDS", "1")
            .env("LLAMA_TEST_RUN_DIR", dir.to_str().unwrap())
    }

    /// The ignored tests named exactly `names` (libtest paths).
    pub fn exact(names: &[&str]) -> Self {
        let mut args = vec!["--ignored", "--exact"];
        args.extend_from_slice(names);
        Self::new(&args)
    }

    /// The ignored tests whose path contains `filter`.
    pub fn matching(filter: &str) -> Self {
        Self::new(&["--ignored", filter])
    }

    /// `LLAMA_TEST_MODE=live` against `sim`, with its key.
    pub fn live(self, sim: &SimLlamaApi) -> Self {
        self.against(sim, "live")
    }

    /// `LLAMA_TEST_MODE=record` against `sim`, with its key.
    pub fn record(self, sim: &SimLlamaApi) -> Self {
        self.against(sim, "record")
    }

    fn against(self, sim: &SimLlamaApi, mode: &str) -> Self {
        self.env("LLAMA_TEST_MODE", mode)
            .env("LLAMA_API_BASE_URL", &sim.uri())
            .env("LLAMA_API_KEY", sim.api_key())
    }

    /// `LLAMA_TEST_MODE=replay`, no key. `base_url` (optional) is where a
    /// request would go if replay leaked to the network; pointing it at a
    /// simulator lets a test count them.
    pub fn replay(self, base_url: Option<&str>) -> Self {
        self.env("LLAMA_TEST_MODE", "replay").base_url(base_url)
    }

    /// `CI=true`, no key, no `LLAMA_TEST_MODE`: the default CI replay.
    /// `base_url` as for [`replay`](Self::replay).
    pub fn replay_in_ci(self, base_url: Option<&str>) -> Self {
        self.env("CI", "true").base_url(base_url)
    }

    fn base_url(self, base_url: Option<&str>) -> Self {
        match base_url {
            Some(url) => self.env("LLAMA_API_BASE_URL", url),
            None => self,
        }
    }

    /// `LLAMA_TEST_FIXTURES=<dir>` instead of a fresh empty one.
    pub fn fixtures(self, dir: &Path) -> Self {
        self.env("LLAMA_TEST_FIXTURES", dir.to_str().unwrap())
    }

    /// Where the eval bodies write their outputs ([`dump`]).
    pub fn outputs(self, dir: &Path) -> Self {
        self.env(OUTPUTS_ENV, dir.to_str().unwrap())
    }

    /// Any other variable (after the scrub, so it always wins).
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.command.env(name, value);
        self
    }

    /// `--test-threads=<n>`.
    pub fn threads(self, n: usize) -> Self {
        self.arg(&format!("--test-threads={n}"))
    }

    /// `--nocapture`: every line a test prints reaches the child's streams.
    pub fn nocapture(self) -> Self {
        self.arg("--nocapture")
    }

    fn arg(mut self, arg: &str) -> Self {
        self.command.arg(arg);
        self.args.push(arg.to_owned());
        self
    }

    /// Starts the child with its output discarded, for a driver that
    /// stops it itself.
    pub fn spawn(mut self) -> std::process::Child {
        self.command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
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
                let _ = child.wait();
                panic!(
                    "child run {:?} did not finish within {CHILD_DEADLINE:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                    self.args,
                    stdout.join().unwrap_or_default(),
                    stderr.join().unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        drop(self.empty_fixtures);
        ChildRun {
            args: self.args,
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
    /// The libtest arguments, for messages.
    pub args: Vec<String>,
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
            .unwrap_or_else(|| panic!("no libtest summary in the child's output:\n{self}"));
        // "test result: ok. 6 passed; 0 failed; 0 ignored; ... finished in 0.14s"
        let count = |word: &str| {
            line.split([';', '.'])
                .find_map(|part| part.trim().strip_suffix(word)?.trim().parse::<usize>().ok())
                .unwrap_or_else(|| panic!("no `{word}` count in {line:?}"))
        };
        (count("passed"), count("failed"))
    }

    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.counts().0
    }

    /// `ok`, `FAILED` or `ignored` for a test path.
    pub fn result_of(&self, test: &str) -> Option<&str> {
        let prefix = format!("test {test} ... ");
        self.stdout
            .lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
            .map(str::trim)
    }

    /// What a failed test printed (its panic message).
    pub fn failure_of(&self, test: &str) -> String {
        let header = format!("---- {test} stdout ----");
        let Some(start) = self.stdout.find(&header) else {
            return format!("<no failure output for {test}>\n{self}");
        };
        let rest = &self.stdout[start + header.len()..];
        let end = ["\n---- ", "\nfailures:"]
            .iter()
            .filter_map(|m| rest.find(m))
            .min()
            .unwrap_or(rest.len());
        rest[..end].to_owned()
    }

    /// Panics with the child's output unless every selected test passed.
    pub fn assert_all_passed(&self) -> &Self {
        assert!(
            self.success && self.stdout.contains(" 0 failed"),
            "the child run failed:\n{self}"
        );
        self
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
            "expected {passed} passed and {failed} failed:\n{self}"
        );
        self
    }
}

impl fmt::Display for ChildRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "child run {:?}, success: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args, self.success, self.stdout, self.stderr
        )
    }
}

/// Writes what an eval saw to `$LLAMA_TEST_CHILD_OUTPUTS/<fixture name>.json`
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

/// The fixture file name of `test` (a libtest path such as
/// `record_replay_roundtrip::json_schema::case_1_headphones`) in this
/// test binary; the dumped
/// outputs of [`dump`] use the same name.
pub fn fixture_file(test: &str) -> String {
    let binary = module_path!().split("::").next().unwrap_or_default();
    format!("{}.json", fixture_name(binary, test))
}

/// Loads a fixture, failing the test with the loader's message.
pub fn load_fixture(path: &Path) -> Fixture {
    Fixture::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
