//! The `llama-test` binary: reports of the latest run, comparison, fixture
//! hygiene, exit statuses.

use std::path::Path;
use std::process::{Command, Output};

fn llama_test(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_llama-test"))
        .args(args)
        .current_dir(cwd)
        .env_remove("LLAMA_API_KEY")
        .env_remove("LLAMA_TEST_FIXTURES")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn report_writes_every_format_for_the_latest_run() {
    let target = tempfile::tempdir().unwrap();
    let runs = target.path().join("llama-test").join("runs");
    let mut old = crate::support::suite();
    old.truncate(2);
    crate::support::write_run(&runs, "20261130-090000-cargo7", &old);
    crate::support::write_run(&runs, "20261201-101530-cargo8", &crate::support::suite());
    let out = tempfile::tempdir().unwrap();
    let t = target.path().to_str().unwrap();
    let run = llama_test(
        &[
            "report",
            "--target-dir",
            t,
            "--html",
            "r.html",
            "--junit",
            "r.xml",
            "--json",
            "r.json",
            "--markdown",
        ],
        out.path(),
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(
        stdout.starts_with("## llama-test run `20261201-101530-cargo8`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("9 samples: 7 passed, 1 failed, 1 errored"),
        "{stdout}"
    );
    assert!(
        stdout.contains("- **ERROR** `weather::paris::m2`"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["samples"], 9);
    assert_eq!(json["models"].as_array().unwrap().len(), 3);
    assert_eq!(json["rows"].as_array().unwrap().len(), 3);
    assert!(
        std::fs::read_to_string(out.path().join("r.xml"))
            .unwrap()
            .contains("<testsuites")
    );
    assert!(
        std::fs::read_to_string(out.path().join("r.html"))
            .unwrap()
            .contains("<table class=\"matrix\"")
    );

    let older = llama_test(&["report", "--target-dir", t, "cargo7"], out.path());
    assert!(
        text(&older.stdout).contains("2 samples"),
        "{}",
        text(&older.stderr)
    );

    let compared = llama_test(
        &[
            "report",
            "--target-dir",
            t,
            "--compare",
            "cargo7",
            "cargo8",
            "--fail-on-regression",
        ],
        out.path(),
    );
    assert!(
        compared.status.success(),
        "nothing newly failing: {}",
        text(&compared.stdout)
    );
    assert!(
        text(&compared.stdout).contains("7 only in `20261201-101530-cargo8`"),
        "{}",
        text(&compared.stdout)
    );

    let missing = llama_test(&["report", "--target-dir", t, "nosuchrun"], out.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("no run `nosuchrun`"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn fixtures_check_keeps_the_old_tools_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("fixtures");
    std::fs::create_dir_all(&root).unwrap();
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/evals__text_generation__explains_quantum_computing.json"
    );
    std::fs::copy(example, root.join("a.json")).unwrap();
    let ok = llama_test(&["fixtures", "check"], dir.path());
    assert!(
        ok.status.success(),
        "{}{}",
        text(&ok.stdout),
        text(&ok.stderr)
    );
    assert!(text(&ok.stdout).contains("1 fixture(s) checked, 0 with problems"));
    std::fs::write(root.join("b.json"), "{ not json").unwrap();
    let bad = llama_test(
        &["fixtures", "check", "--root", root.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad.stdout));
    let none = llama_test(&["fixtures", "check", "--root", "nowhere"], dir.path());
    assert_eq!(none.status.code(), Some(2));
    let usage = llama_test(&["fixtures", "stale"], dir.path());
    assert_eq!(usage.status.code(), Some(2), "clap's usage error");
}
