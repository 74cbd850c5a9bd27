//! Reading a run directory back.

use std::path::{Path, PathBuf};

use super::record::{RECORD_VERSION, Record};

/// The records of one run, with the lines that could not be read.
#[derive(Debug, Default)]
pub struct Run {
    /// The run directory.
    pub dir: PathBuf,
    /// Every record, in file order (files by name).
    pub records: Vec<Record>,
    /// `file:line: why` for every line skipped (cut off by a kill, not a
    /// record, another record version).
    pub skipped: Vec<String>,
}

/// Reads every `*.jsonl` file of `dir`.
pub fn read_run(dir: &Path) -> std::io::Result<Run> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut run = Run {
        dir: dir.to_owned(),
        ..Run::default()
    };
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        let complete = text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let at = format!("{}:{}", file.display(), i + 1);
            if line.trim().is_empty() {
                continue;
            }
            if i + 1 == lines.len() && !complete {
                run.skipped
                    .push(format!("{at}: cut off (the process was killed mid-write)"));
                continue;
            }
            match serde_json::from_str::<Record>(line) {
                Ok(record) if record.version == RECORD_VERSION => run.records.push(record),
                Ok(record) => run.skipped.push(format!(
                    "{at}: record version {}, this reader knows {RECORD_VERSION}",
                    record.version
                )),
                Err(e) => run.skipped.push(format!("{at}: not a record: {e}")),
            }
        }
    }
    Ok(run)
}

/// The run directories under `root`, oldest first (by name, whose prefix
/// is the start time, then by modification time).
pub fn list_runs(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut runs: Vec<(String, std::time::SystemTime, PathBuf)> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let modified = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            (
                e.file_name().to_string_lossy().into_owned(),
                modified,
                e.path(),
            )
        })
        .collect();
    runs.sort_by(|a, b| (&a.0[..a.0.len().min(15)], a.1).cmp(&(&b.0[..b.0.len().min(15)], b.1)));
    Ok(runs.into_iter().map(|(_, _, p)| p).collect())
}
