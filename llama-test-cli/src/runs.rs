//! Finding runs: `target/llama-test/runs/<run id>/`, the latest by default.

use std::path::{Path, PathBuf};

use llama_test::records::{self, Record};

/// One run, read.
#[derive(Debug)]
pub struct LoadedRun {
    /// The run id (the directory's name).
    pub id: String,
    /// The run directory.
    pub dir: PathBuf,
    /// Its records, in file order.
    pub records: Vec<Record>,
    /// Lines that could not be read, `file:line: why`.
    pub skipped: Vec<String>,
}

/// The cargo target directory: `--target-dir`, else `CARGO_TARGET_DIR`,
/// else `cargo metadata`'s, else `./target`.
pub fn target_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.to_owned();
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    cargo_metadata_target_dir().unwrap_or_else(|| PathBuf::from("target"))
}

fn cargo_metadata_target_dir() -> Option<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    meta["target_directory"].as_str().map(PathBuf::from)
}

/// The newest run under `root`.
pub fn latest_run(root: &Path) -> Result<PathBuf, String> {
    let runs = records::list_runs(root).map_err(|e| {
        format!(
            "no runs under {}: {e}; run `cargo test` first (records are on unless {}=0), \
             or pass --target-dir",
            root.display(),
            records::RECORDS_ENV
        )
    })?;
    runs.last()
        .cloned()
        .ok_or_else(|| format!("no runs under {}; run `cargo test` first", root.display()))
}

/// `run` as given on the command line: a directory, or a run id under
/// `root`, or a unique prefix or suffix of one (`latest` is the newest).
pub fn find_run(root: &Path, run: &str) -> Result<PathBuf, String> {
    let as_path = Path::new(run);
    if as_path.is_dir() {
        return Ok(as_path.to_owned());
    }
    if run == "latest" {
        return latest_run(root);
    }
    let candidates: Vec<PathBuf> = records::list_runs(root)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == run || n.starts_with(run) || n.ends_with(run))
        })
        .collect();
    match candidates.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "no run `{run}`: it is not a directory, nor a run under {}",
            root.display()
        )),
        many => Err(format!(
            "`{run}` matches {} runs under {}; give more of the id",
            many.len(),
            root.display()
        )),
    }
}

/// Reads the run at `dir`.
pub fn load_run(dir: &Path) -> Result<LoadedRun, String> {
    let run = records::read_run(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    Ok(LoadedRun {
        id: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        dir: dir.to_owned(),
        records: run.records,
        skipped: run.skipped,
    })
}
