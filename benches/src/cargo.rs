//! Cargo plumbing for the benchmarks: where the workspace is, building test
//! binaries and finding their paths, and a clean environment for the test
//! processes they run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Errors of the benchmark drivers, printed as they are.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The workspace root (this package lives in `<root>/benches`).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `cargo`: the one that runs us (`$CARGO`), else the one on `PATH`.
///
/// Without the variables `cargo run` sets for this package
/// (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`, ...): build scripts such as
/// ring's list them in `rerun-if-env-changed`, so inheriting them would
/// rebuild those crates on every nested build.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let set_by_cargo_run = [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|p| name.starts_with(p));
        if set_by_cargo_run || matches!(name, "CARGO_PRIMARY_PACKAGE" | "OUT_DIR") {
            command.env_remove(name);
        }
    }
    command
}

/// The workspace's target directory (`CARGO_TARGET_DIR` or `<root>/target`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

/// Builds this package's test targets `names` (with the `bench` feature)
/// and returns each one's executable. Build output goes to our stderr.
pub fn build_bench_tests(release: bool, names: &[&str]) -> Result<HashMap<String, PathBuf>> {
    build_bench_tests_of(release, names, crate::generate::DEFAULT_COUNT)
}

/// [`build_bench_tests`] with the generated suites holding `count` evals.
pub fn build_bench_tests_of(
    release: bool,
    names: &[&str],
    count: usize,
) -> Result<HashMap<String, PathBuf>> {
    let mut command = cargo();
    command
        .env(crate::generate::COUNT_VAR, count.to_string())
        .current_dir(workspace_root())
        .args(["test", "--no-run", "--package", "llama-test-bench"])
        .args([
            "--features",
            "bench",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit());
    if release {
        command.arg("--release");
    }
    for name in names {
        command.args(["--test", name]);
    }
    let output = command.output()?;
    if !output.status.success() {
        return Err(format!("building the benchmark tests failed ({})", output.status).into());
    }
    let mut found = HashMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let name = message["target"]["name"].as_str().unwrap_or_default();
        if message["reason"] == "compiler-artifact"
            && names.contains(&name)
            && let Some(exe) = message["executable"].as_str()
        {
            found.insert(name.to_owned(), PathBuf::from(exe));
        }
    }
    for name in names {
        if !found.contains_key(*name) {
            return Err(format!("cargo did not report an executable for test `{name}`").into());
        }
    }
    Ok(found)
}

/// A command for a test binary with none of the variables that steer
/// llama-test, insta or libtest inherited, so the benchmark decides the
/// mode, key, fixture root and thread count. (`NEXTEST*` too: under
/// nextest llama-test turns prefetching off.)
pub fn test_binary(exe: &Path) -> Command {
    let mut command = Command::new(exe);
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if matches!(
            name,
            "CI" | "RUST_LOG" | "RUST_TEST_THREADS" | "RUST_TEST_NOCAPTURE"
        ) || name.starts_with("LLAMA_")
            || name.starts_with("INSTA_")
            || name.starts_with("NEXTEST")
        {
            command.env_remove(name);
        }
    }
    command.env("INSTA_UPDATE", "no");
    command
}
