//! Where a process writes its records: the run directory and the run id.
//!
//! `cargo test` starts every test binary of one invocation as its own child,
//! so the binaries share their parent: the run id is the parent cargo
//! process's start time (UTC, from `/proc`) and its process id, e.g.
//! `20261201-101530-cargo12345`. Under nextest every test process gets
//! `NEXTEST_RUN_ID`, so the id is `<start>-nextest<first 8 hex digits>`.
//! Otherwise (a test binary started by hand or by another tool, or not on
//! Linux) each process is a run of its own: `<start>-pid<pid>`; set
//! `LLAMA_TEST_RUN_DIR` to group such processes.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::env_var;

/// The variable that names the run directory itself.
pub const RUN_DIR_ENV: &str = "LLAMA_TEST_RUN_DIR";
/// The variable that turns records off (`0`).
pub const RECORDS_ENV: &str = "LLAMA_TEST_RECORDS";

/// Clock ticks per second in `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux).
const USER_HZ: u64 = 100;

/// `<target>/llama-test/runs`, the parent of the run directories.
pub fn runs_root(target_dir: &Path) -> PathBuf {
    target_dir.join("llama-test").join("runs")
}

/// This process's run directory and run id, or `None` when records are off.
pub fn resolve() -> Result<Option<(PathBuf, String)>, String> {
    let on = crate::settings::switch(
        RECORDS_ENV,
        true,
        "`1` (write a result record per eval sample, the default) or `0` (write none)",
    )
    .map_err(|e| e.to_string())?;
    if !on {
        return Ok(None);
    }
    if let Some(dir) = env_var(RUN_DIR_ENV).map_err(|e| e.to_string())? {
        let dir = PathBuf::from(dir);
        let id = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".to_owned());
        return Ok(Some((dir, id)));
    }
    let id = run_id();
    Ok(Some((runs_root(&target_dir()).join(&id), id)))
}

/// The run id of this process (see the module docs).
pub fn run_id() -> String {
    let parent = parent_pid();
    let parent_start = parent.and_then(process_start);
    if let Ok(nextest) = std::env::var("NEXTEST_RUN_ID") {
        let short: String = nextest
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        let start = parent_start.map_or_else(SystemTime::now, |(_, t)| t);
        return format!("{}-nextest{short}", stamp(start));
    }
    match parent_start {
        Some((name, start)) if name.starts_with("cargo") => {
            format!("{}-cargo{}", stamp(start), parent.unwrap_or_default())
        }
        _ => {
            let own = std::process::id();
            let start = process_start(own).map_or_else(SystemTime::now, |(_, t)| t);
            format!("{}-pid{own}", stamp(start))
        }
    }
}

#[cfg(unix)]
fn parent_pid() -> Option<u32> {
    Some(std::os::unix::process::parent_id())
}

#[cfg(not(unix))]
fn parent_pid() -> Option<u32> {
    None
}

/// A process's command name and start time, from `/proc` (Linux only).
fn process_start(pid: u32) -> Option<(String, SystemTime)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ...`: comm may hold spaces and parentheses.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_owned();
    // Fields after comm start at field 3 (state); starttime is field 22.
    let starttime: u64 = stat.get(close + 2..)?.split(' ').nth(19)?.parse().ok()?;
    let boot = boot_time()?;
    let since_boot = Duration::from_millis(starttime * 1000 / USER_HZ);
    Some((name, boot + since_boot))
}

fn boot_time() -> Option<SystemTime> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("btime "))?;
    let secs: u64 = line["btime ".len()..].trim().parse().ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// `20261201-101530` (UTC), sortable and safe in file names.
pub fn stamp(time: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(time);
    format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}")
}

/// `2026-12-01T10:15:30Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(time);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// UTC calendar fields of `time` (Howard Hinnant's `civil_from_days`).
fn civil(time: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    (year, month, day, h as u32, mi as u32, s as u32)
}

/// The cargo target directory this test binary was built into: the nearest
/// ancestor of the executable holding cargo's `CACHEDIR.TAG`; else
/// `CARGO_TARGET_DIR`; else `./target`.
pub fn target_dir() -> PathBuf {
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe
            .ancestors()
            .skip(1)
            .take(5)
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
    {
        return dir.to_owned();
    }
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from("target"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        let t = UNIX_EPOCH + Duration::from_secs(1_798_761_600 + 3_723);
        assert_eq!(rfc3339(t), "2027-01-01T01:02:03Z");
        assert_eq!(stamp(t), "20270101-010203");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn this_process_has_a_start_time() {
        let (name, start) = process_start(std::process::id()).expect("/proc is readable");
        assert!(!name.is_empty());
        let age = SystemTime::now().duration_since(start).unwrap_or_default();
        assert!(age < Duration::from_secs(3600), "{age:?}");
    }
}
