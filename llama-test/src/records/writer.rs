//! Appending records: one file per process (`<run dir>/<pid>.jsonl`), one
//! `write(2)` of one whole line per record, under a process-wide lock, so
//! threads never interleave and processes never share a file. A process
//! killed mid-run leaves whole lines; a line cut by a kill inside that one
//! write (possible only for a record larger than a page) has no newline
//! and readers skip it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use super::record::Record;
use super::run_dir;

struct Writer {
    file: Mutex<File>,
    run_id: String,
    path: PathBuf,
}

/// The process's writer; `None` when records are off or the run directory
/// cannot be written (said once on stderr).
fn writer() -> Option<&'static Writer> {
    static WRITER: OnceLock<Option<Writer>> = OnceLock::new();
    WRITER.get_or_init(open).as_ref()
}

/// Whether records are being written.
pub fn enabled() -> bool {
    writer().is_some()
}

/// Where this process's records go, when they are written.
pub fn path() -> Option<&'static Path> {
    writer().map(|w| w.path.as_path())
}

fn open() -> Option<Writer> {
    let (dir, run_id) = match run_dir::resolve() {
        Ok(Some(found)) => found,
        Ok(None) => return None,
        Err(message) => {
            crate::notice::notice(&format!("llama-test: no result records: {message}"));
            return None;
        }
    };
    let path = dir.join(format!("{}.jsonl", std::process::id()));
    match open_file(&dir, &path) {
        Ok(file) => Some(Writer {
            file: Mutex::new(file),
            run_id,
            path,
        }),
        Err(e) => {
            crate::notice::notice(&format!(
                "llama-test: cannot write result records to {}: {e}; set {}=<dir> to write them \
                 elsewhere, or {}=0 to turn them off",
                path.display(),
                run_dir::RUN_DIR_ENV,
                run_dir::RECORDS_ENV
            ));
            None
        }
    }
}

fn open_file(dir: &Path, path: &Path) -> std::io::Result<File> {
    std::fs::create_dir_all(dir)?;
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)?;
    // A file left by an earlier process with the same id may end in a cut
    // line: start on a fresh one.
    let len = file.metadata()?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            file.write_all(b"\n")?;
        }
    }
    Ok(file)
}

/// Appends `record` (its run id and process id filled in here), secrets
/// redacted. Errors are said once on stderr; they never fail the test.
pub fn append(mut record: Record) {
    let Some(writer) = writer() else { return };
    record.run_id = writer.run_id.clone();
    record.pid = std::process::id();
    let Some(mut line) = encode(&record) else {
        return;
    };
    line.push('\n');
    let mut file = writer.file.lock().unwrap_or_else(|p| p.into_inner());
    if let Err(e) = file.write_all(line.as_bytes()) {
        static SAID: OnceLock<()> = OnceLock::new();
        SAID.get_or_init(|| {
            crate::notice::notice(&format!(
                "llama-test: cannot append to {}: {e}",
                writer.path.display()
            ))
        });
    }
}

/// The record as one JSON line with every credential redacted. Redacting
/// the text could, in theory, cut an escape sequence; then every string is
/// redacted on its own instead.
fn encode(record: &Record) -> Option<String> {
    let text = serde_json::to_string(record).ok()?;
    let redacted = crate::error::redact_secrets(&text, None);
    if redacted == text || serde_json::from_str::<serde::de::IgnoredAny>(&redacted).is_ok() {
        return Some(redacted);
    }
    let mut value = serde_json::to_value(record).ok()?;
    redact_strings(&mut value);
    serde_json::to_string(&value).ok()
}

fn redact_strings(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => *s = crate::error::redact_secrets(s, None),
        Value::Array(items) => items.iter_mut().for_each(redact_strings),
        Value::Object(map) => map.values_mut().for_each(redact_strings),
        _ => {}
    }
}
