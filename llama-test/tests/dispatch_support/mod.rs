//! Runs this test binary again as a child process against the simulated
//! Llama API, and reads what libtest printed.

#![allow(dead_code)] // Each test file uses a different part.

use std::fmt;

use llama_test::sim::SimLlamaApi;
use serde_json::Value;

/// The native chat path.
pub const CHAT: &str = "/v1/chat/completions";

/// Set in the child, so its driver tests (not ignored) return at once if a
/// flag ever makes the child run them.
const CHILD_ENV: &str = "LLAMA_TEST_DISPATCH_CHILD";

/// Whether this process is a child started by [`run_child`].
pub fn is_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// What the child process did.
pub struct Child {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Child {
    /// `ok`, `FAILED` or `ignored` for a test path.
    pub fn result_of(&self, test: &str) -> Option<&str> {
        let prefix = format!("test {test} ... ");
        self.stdout
            .lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
            .map(str::trim)
    }

    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.stdout
            .lines()
            .filter(|l| l.starts_with("test ") && l.ends_with(" ... ok"))
            .count()
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
    pub fn assert_all_passed(&self) {
        assert!(
            self.success && self.stdout.contains(" 0 failed"),
            "the child run failed:\n{self}"
        );
    }
}

impl fmt::Display for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "success: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.success, self.stdout, self.stderr
        )
    }
}

/// Runs this test binary with `args`, in `live` mode against `sim`, with
/// an empty fixture root; `env` overrides (an empty value unsets).
pub async fn run_child(sim: &SimLlamaApi, args: &[&str], env: &[(&str, &str)]) -> Child {
    let fixtures = tempfile::tempdir().unwrap();
    let mut command = tokio::process::Command::new(std::env::current_exe().unwrap());
    command
        .args(args)
        .env(CHILD_ENV, "1")
        .env("LLAMA_TEST_MODE", "live")
        .env("LLAMA_API_BASE_URL", sim.uri())
        .env("LLAMA_API_KEY", sim.api_key())
        .env("LLAMA_TEST_FIXTURES", fixtures.path())
        // The parent's runner must not shape the child's run.
        .env_remove("NEXTEST")
        .env_remove("CI")
        .env_remove("LLAMA_TEST_PREFETCH")
        .env_remove("RUST_TEST_THREADS")
        .env_remove("LLAMA_TEST_FIXTURE_REPORT");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await.unwrap();
    Child {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The last user message of every chat request the simulator received, in
/// arrival order (refused ones included).
pub fn chat_prompts(sim: &SimLlamaApi) -> Vec<String> {
    sim.received_requests()
        .iter()
        .filter(|r| r.path == CHAT)
        .map(|r| {
            let body = r.body_json().unwrap_or_default();
            let user = body["messages"]
                .as_array()
                .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
                .cloned()
                .unwrap_or_default();
            match &user["content"] {
                Value::String(text) => text.clone(),
                Value::Array(parts) => parts
                    .iter()
                    .filter_map(|p| p["text"].as_str())
                    .collect::<Vec<_>>()
                    .join(""),
                _ => String::new(),
            }
        })
        .collect()
}

/// `prompts` in sorted order, to compare sets that arrive concurrently.
pub fn sorted(mut prompts: Vec<String>) -> Vec<String> {
    prompts.sort();
    prompts
}

/// The expected prompts, sorted.
pub fn expect(prompts: &[&str]) -> Vec<String> {
    sorted(prompts.iter().map(|p| (*p).to_owned()).collect())
}
