//! Stale-fixture detection and the `llama-test-fixtures` tool.

mod fixtures_support;

use std::path::Path;
use std::process::Command;

use fixtures_support::*;
use llama_test::Mode;
use llama_test::fixtures::FixtureSession;
use llama_test::fixtures::hygiene::{REPORT_ENV, used_in_this_process};

const TOOL: &str = env!("CARGO_BIN_EXE_llama-test-fixtures");

fn write_fixture(path: &Path, answer: &str) {
    let name = path.file_stem().unwrap().to_str().unwrap();
    let text = fixture(name, vec![json_exchange(chat_body("q", 0.2), answer)])
        .to_json_text()
        .unwrap();
    std::fs::write(path, text).unwrap();
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(TOOL)
        .args(args)
        .env_remove("LLAMA_API_KEY")
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap(),
        text(out.stdout),
        text(out.stderr),
    )
}

#[test]
fn sessions_report_used_fixtures_and_the_tool_lists_the_rest() {
    let root = tempfile::tempdir().unwrap();
    let report = root.path().join("report.txt");
    let (used, recorded, stale) = (
        root.path().join("used.json"),
        root.path().join("recorded.json"),
        root.path().join("stale.json"),
    );
    write_fixture(&used, "a");
    write_fixture(&stale, "b");
    // SAFETY: the only test in this binary that opens sessions (which read
    // the variable); the others only spawn processes.
    unsafe { std::env::set_var(REPORT_ENV, &report) };

    FixtureSession::open(Mode::Replay, &used, meta("used"), false).unwrap();
    FixtureSession::open(Mode::Replay, &used, meta("used"), false).unwrap();
    FixtureSession::open(Mode::Auto, &recorded, meta("recorded"), true).unwrap();
    write_fixture(&recorded, "c"); // what the record run would have written

    let lines = std::fs::read_to_string(&report).unwrap();
    assert_eq!(lines.lines().count(), 2, "each fixture once: {lines}");
    assert_eq!(used_in_this_process().len(), 2);

    let (code, stdout, _) = run(&[
        "stale",
        "--report",
        report.to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "stale fixtures fail the check");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [std::fs::canonicalize(&stale).unwrap().to_str().unwrap()]
    );
}

#[test]
fn stale_delete_removes_only_unused_files() {
    let root = tempfile::tempdir().unwrap();
    let (keep, old) = (root.path().join("keep.json"), root.path().join("old.json"));
    write_fixture(&keep, "a");
    write_fixture(&old, "b");
    let report = root.path().join("report.txt");
    std::fs::write(&report, format!("{}\n", keep.display())).unwrap();

    let (code, stdout, _) = run(&[
        "stale",
        "--report",
        report.to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
        "--delete",
    ]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("deleted") && stdout.contains("old.json"),
        "{stdout}"
    );
    assert!(keep.exists() && !old.exists());

    let (code, _, stderr) = run(&[
        "stale",
        "--report",
        report.to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn check_flags_corrupt_and_leaky_fixtures_without_printing_secrets() {
    let root = tempfile::tempdir().unwrap();
    write_fixture(&root.path().join("good.json"), "fine");
    write_fixture(&root.path().join("leaky.json"), "Bearer abcdef123456789xyz");
    std::fs::write(root.path().join("corrupt.json"), "{\n  \"version\": 1,,\n}").unwrap();

    let (code, stdout, _) = run(&["check", "--root", root.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.contains("corrupt.json:2:"), "{stdout}");
    assert!(
        stdout.contains("leaky.json contains a `Bearer <token>`"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("abcdef123456789xyz"),
        "secret printed: {stdout}"
    );
    assert!(!stdout.contains("good.json"), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("3 fixture(s) checked, 2 with problems"),
        "{stdout}"
    );
}

#[test]
fn a_clean_check_reports_its_summary_on_stdout() {
    let root = tempfile::tempdir().unwrap();
    write_fixture(&root.path().join("good.json"), "fine");
    let (code, stdout, stderr) = run(&["check", "--root", root.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "1 fixture(s) checked, 0 with problems\n");
    assert_eq!(stderr, "");
}

#[test]
fn help_anywhere_prints_usage_and_succeeds() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["check", "--help"],
        &["stale", "--report", "r.txt", "-h"],
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(
            stdout.starts_with("usage:") && stdout.contains("llama-test-fixtures check"),
            "{args:?}: {stdout}"
        );
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn a_missing_root_is_one_error_line_naming_the_path() {
    let missing = tempfile::tempdir().unwrap().path().join("no-such-fixtures");
    let missing = missing.to_str().unwrap();
    for args in [
        &["check", "--root", missing][..],
        &["stale", "--report", "r.txt", "--root", missing],
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(stdout, "", "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: fixture root ")
                && stderr.contains(missing)
                && stderr.contains("does not exist"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("usage"), "{args:?}: {stderr}");
    }
}

#[test]
fn bad_arguments_print_usage() {
    let (code, _, stderr) = run(&["stale"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--report") && stderr.contains("usage"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown command `frobnicate`"), "{stderr}");
}
