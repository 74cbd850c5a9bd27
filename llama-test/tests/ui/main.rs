//! `#[llama_eval]` at compile time: trybuild `pass` cases (one per key) and
//! `fail` cases whose `.stderr` show the span and help of each error, plus
//! the registered specs of evals declared in this crate (`ui/registry.rs`).

mod registry;

/// trybuild compiles the cases in its own project directory, and that is what
/// `CARGO_MANIFEST_DIR` names while they build. The cases' data files are
/// copied there so their paths read exactly as in a user's crate.
fn stage_data_for_trybuild() {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/data");
    let target_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is <target>/tmp");
    let staged = target_dir.join("tests/trybuild/llama-test/tests/ui/data");
    std::fs::create_dir_all(&staged).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), staged.join(entry.file_name())).unwrap();
    }
}

#[test]
fn ui() {
    stage_data_for_trybuild();
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
