//! Runs this test binary again as a child process, the way `cargo test`
//! would, and reads what libtest printed: how the suite checks outcomes a
//! test cannot observe about itself (a `llama-test FAIL` vs. `ERROR`
//! message, a replay miss) and runs record → replay end to end.
//!
//! The child's environment is the parent's minus everything that steers
//! llama-test, insta or libtest (`LLAMA_*`, `INSTA_*`, `CI`, `NEXTEST*`,
//! `RUST_TEST_*`), plus [`CHILD_ENV`] (so the child starts no server and
//! its driver tests return at once), `INSTA_UPDATE=no`, and what the driver
//! asks for.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use llama_test_real::Server;

use super::expected::EXPECTED_ENV;
use super::{BASE_URL_ENV, KEY_ENV};

/// Set in every child.
const CHILD_ENV: &str = "LLAMA_TEST_REAL_CHILD";

/// The longest a child may run (a whole recording on a loaded 2-core box).
const CHILD_DEADLINE: Duration = Duration::from_secs(600);

const SCRUBBED_VARS: &[&str] = &["CI", "RUST_LOG"];
const SCRUBBED_PREFIXES: &[&str] = &["LLAMA_", "INSTA_", "NEXTEST", "RUST_TEST_"];
/// Kept: where the server binary is, and whether it is required.
const KEPT_VARS: &[&str] = &[
    "LLAMA_SERVER_BIN",
    "LLAMA_TINY_MODEL",
    "LLAMA_TEST_REAL_REQUIRE_SERVER",
];

/// Whether this process is a child run.
pub fn is_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// A child run being set up.
#[must_use = "call `.run()`"]
pub struct Child {
    command: Command,
    args: Vec<String>,
}

impl Child {
    /// A child with these libtest arguments.
    pub fn new(args: &[&str]) -> Self {
        let mut command = Command::new(std::env::current_exe().expect("the test binary"));
        for (name, _) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            let steers = SCRUBBED_VARS.contains(&name)
                || SCRUBBED_PREFIXES.iter().any(|p| name.starts_with(p));
            if steers && !KEPT_VARS.contains(&name) {
                command.env_remove(name);
            }
        }
        command
            .env(CHILD_ENV, "1")
            .env("INSTA_UPDATE", "no")
            .args(args);
        Child {
            command,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// The `#[ignore]`d probe `name` (a libtest path) alone.
    pub fn probe(name: &str) -> Self {
        Self::new(&["--ignored", "--exact", name])
    }

    /// `LLAMA_TEST_MODE=<mode>` against `server` with its key.
    pub fn against(self, server: &Server, mode: &str) -> Self {
        self.env("LLAMA_TEST_MODE", mode)
            .env(BASE_URL_ENV, server.base_url())
            .env(KEY_ENV, server.key())
    }

    /// `CI=true` and nothing else: the default CI replay. No server URL,
    /// no key.
    pub fn replay_in_ci(self) -> Self {
        self.env("CI", "true")
    }

    /// `LLAMA_TEST_FIXTURES=<dir>`.
    pub fn fixtures(self, dir: &Path) -> Self {
        self.env("LLAMA_TEST_FIXTURES", dir.to_str().expect("UTF-8 path"))
    }

    /// Where the expected outputs are written and read.
    pub fn expected(self, dir: &Path) -> Self {
        self.env(EXPECTED_ENV, dir.to_str().expect("UTF-8 path"))
    }

    /// Any variable (after the scrub, so it wins).
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.command.env(name, value);
        self
    }

    /// Runs the child to completion, killing it after a deadline.
    pub fn run(mut self) -> ChildRun {
        let started = Instant::now();
        let mut child = self
            .command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the child run");
        let stdout = drain(child.stdout.take().expect("piped"));
        let stderr = drain(child.stderr.take().expect("piped"));
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the child") {
                break status;
            }
            if started.elapsed() > CHILD_DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "child run {:?} did not finish within {CHILD_DEADLINE:?}",
                    self.args
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        ChildRun {
            args: self.args,
            success: status.success(),
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
            elapsed: started.elapsed(),
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
    pub args: Vec<String>,
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl ChildRun {
    /// `(passed, failed)` from libtest's summary line.
    pub fn counts(&self) -> (usize, usize) {
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with("test result:"))
            .unwrap_or_else(|| panic!("no libtest summary in the child's output:\n{self}"));
        let count = |word: &str| {
            line.split([';', '.'])
                .find_map(|part| part.trim().strip_suffix(word)?.trim().parse::<usize>().ok())
                .unwrap_or_else(|| panic!("no `{word}` count in {line:?}"))
        };
        (count("passed"), count("failed"))
    }

    /// Panics with the output unless the child's tests all passed.
    pub fn assert_all_passed(&self) -> &Self {
        assert!(
            self.success && self.counts().1 == 0,
            "the child run failed:\n{self}"
        );
        self
    }

    /// Asserts the single probe failed and returns its panic message.
    pub fn single_failure(&self) -> String {
        assert!(!self.success, "the probe was expected to fail:\n{self}");
        assert_eq!(self.counts(), (0, 1), "one probe, failed:\n{self}");
        let start = self
            .stdout
            .find("---- ")
            .unwrap_or_else(|| panic!("no failure section:\n{self}"));
        let rest = &self.stdout[start..];
        let end = rest.find("\nfailures:\n").unwrap_or(rest.len());
        rest[..end].to_owned()
    }
}

impl fmt::Display for ChildRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "child run {:?}, success: {}, {:.1?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args, self.success, self.elapsed, self.stdout, self.stderr
        )
    }
}
