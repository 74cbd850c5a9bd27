//! `llama-test fixtures check|stale`: the former `llama-test-fixtures`.
//!
//! Exit status: 0 clean, 1 problems found (stale fixtures, a fixture that
//! does not parse or holds a credential), 2 the command could not run.

use std::path::{Path, PathBuf};

use llama_test::fixtures::hygiene;

/// Why a command stopped without a verdict (exit status 2).
pub type Failure = String;

/// The fixture root, which must be an existing directory: listing a missing
/// one would report "0 fixtures" and let a misconfigured CI gate pass.
pub fn root(explicit: Option<&Path>) -> Result<PathBuf, Failure> {
    let root = match explicit {
        Some(r) => r.to_owned(),
        None => {
            let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
            llama_test::config::fixture_root(&cwd).map_err(|e| e.to_string())?
        }
    };
    if root.is_dir() {
        return Ok(root);
    }
    let problem = if root.exists() {
        "is not a directory"
    } else {
        "does not exist"
    };
    Err(format!(
        "fixture root {} {problem}; pass --root <dir> or set LLAMA_TEST_FIXTURES \
         (the default is ./fixtures in the current directory)",
        root.display()
    ))
}

/// Lists (or deletes) fixtures no test used in the run recorded in
/// `report` (`LLAMA_TEST_FIXTURE_REPORT=<file> cargo test`). Returns
/// whether the fixtures are clean.
pub fn stale(report: &Path, root: Option<&Path>, delete: bool) -> Result<bool, Failure> {
    let root = self::root(root)?;
    let used = hygiene::read_report(report).map_err(|e| e.to_string())?;
    let stale = hygiene::stale_fixtures(&root, &used).map_err(|e| e.to_string())?;
    for path in &stale {
        if delete {
            std::fs::remove_file(path)
                .map_err(|e| format!("could not delete {}: {e}", path.display()))?;
            println!("deleted {}", path.display());
        } else {
            println!("{}", path.display());
        }
    }
    // stderr: stdout is the list of stale files, for scripts.
    eprintln!(
        "{} stale fixture(s), {} used in the report",
        stale.len(),
        used.len()
    );
    Ok(stale.is_empty() || delete)
}

/// Parses every fixture and scans it for credentials. Returns whether all
/// are clean.
pub fn check(root: Option<&Path>) -> Result<bool, Failure> {
    let key = llama_test::config::api_key_from_env().map_err(|e| e.to_string())?;
    let files = hygiene::fixture_files(&self::root(root)?).map_err(|e| e.to_string())?;
    let mut failures = 0;
    for path in &files {
        if let Err(e) = hygiene::check_file(path, key.as_deref()) {
            failures += 1;
            println!("{e}");
        }
    }
    println!(
        "{} fixture(s) checked, {failures} with problems",
        files.len()
    );
    Ok(failures == 0)
}
