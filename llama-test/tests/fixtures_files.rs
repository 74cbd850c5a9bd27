//! Fixture files on disk: the usual permissions (the umask decides, not
//! the temp file), atomic even when the writer is killed, and leftover temp
//! files ignored (and listed) by `llama-test-fixtures check`.

mod fixtures_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use fixtures_support::*;
use llama_test::fixtures::format::write_atomic;
use llama_test::fixtures::{Fixture, Recorder, hygiene};

const WRITER_DIR_ENV: &str = "LLAMA_TEST_FILES_WRITER_DIR";

#[cfg(unix)]
#[test]
fn a_recorded_fixture_has_the_umask_s_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for (umask, expected) in [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)] {
        // The umask is per process; this is the only test here that writes
        // files while changing it.
        let old = unsafe { libc::umask(umask) };
        let path = dir.path().join(format!("t{umask:o}.json"));
        let rec = Recorder::new("t", &path);
        rec.record(json_exchange(chat_body("q", 0.2), "a")).unwrap();
        rec.finish(true, None).unwrap();
        unsafe { libc::umask(old) };
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "umask {umask:o}: mode {mode:o}");
    }
}

/// Not a test of its own: the child that `a_killed_writer_never_leaves_a_torn_fixture`
/// runs and kills. Rewrites two large fixtures as fast as it can.
#[test]
#[ignore = "the writer child of a_killed_writer_never_leaves_a_torn_fixture"]
fn writer_child() {
    let Some(dir) = std::env::var_os(WRITER_DIR_ENV) else {
        return;
    };
    let big = "x".repeat(2 << 20);
    for i in 0.. {
        let f = fixture(
            "w",
            vec![json_exchange(chat_body(&format!("{i}{big}"), 0.2), "a")],
        );
        let text = f.to_json_text().unwrap();
        write_atomic(&Path::new(&dir).join(format!("f{}.json", i % 2)), &text).unwrap();
    }
}

#[test]
fn a_killed_writer_never_leaves_a_torn_fixture() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--ignored", "--exact", "writer_child", "--nocapture"])
            .env(WRITER_DIR_ENV, dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300 + 170 * round));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let fixtures = hygiene::fixture_files(dir.path()).unwrap();
    assert!(!fixtures.is_empty());
    for path in &fixtures {
        Fixture::load(path).unwrap_or_else(|e| panic!("torn fixture: {e}"));
    }
    // Whatever the kills left behind is a dot-file temp, never a `.json`.
    for path in hygiene::temp_leftovers(dir.path()) {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".f") && name.ends_with(".tmp"), "{name}");
    }
}

#[test]
fn check_ignores_and_lists_leftover_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = fixture("g", vec![json_exchange(chat_body("q", 0.2), "a")]);
    std::fs::write(dir.path().join("g.json"), good.to_json_text().unwrap()).unwrap();
    std::fs::write(dir.path().join(".g.json.Ab12Cd.tmp"), "{\"half\": ").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_llama-test-fixtures"))
        .args(["check", "--root"])
        .arg(dir.path())
        .env_remove("LLAMA_API_KEY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("1 fixture(s) checked, 0 with problems, 1 leftover temp file(s) ignored"),
        "{stdout}"
    );
    assert!(stdout.contains(".g.json.Ab12Cd.tmp"), "{stdout}");
}
