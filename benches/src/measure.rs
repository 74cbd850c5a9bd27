//! Running a child process and measuring it: wall time, CPU time and peak
//! resident memory (`ru_maxrss` of that child, from `wait4`).

use std::fs::File;
use std::io::{Read, Seek};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one measured run of a child produced.
#[derive(Debug, Clone)]
pub struct Measured {
    /// From spawn to exit, as the parent saw it.
    pub wall: Duration,
    /// User + system CPU time of the child.
    pub cpu: Duration,
    /// Peak resident set size of the child, in KiB.
    pub max_rss_kib: u64,
    /// Exit code 0.
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Measured {
    /// Peak memory in MiB.
    pub fn max_rss_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }

    /// The `N passed` count of libtest's summary line, if there is one.
    pub fn passed(&self) -> Option<usize> {
        self.summary_count("passed")
    }

    /// The `N failed` count of libtest's summary line, if there is one.
    pub fn failed(&self) -> Option<usize> {
        self.summary_count("failed")
    }

    /// The `N <label>` count of libtest's `test result:` line.
    fn summary_count(&self, label: &str) -> Option<usize> {
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with("test result:"))?;
        line.split([';', '.'])
            .find_map(|part| part.trim().strip_suffix(label)?.trim().parse().ok())
    }
}

/// Runs `command` to completion with stdout and stderr captured in temp
/// files (so a chatty child never blocks on a full pipe) and measures it.
pub fn run(command: &mut Command) -> std::io::Result<Measured> {
    let mut stdout = tempfile::tempfile()?;
    let mut stderr = tempfile::tempfile()?;
    let started = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::from(stdout.try_clone()?))
        .stderr(Stdio::from(stderr.try_clone()?))
        .spawn()?;
    let (status, usage) = wait_with_usage(child.id())?;
    let wall = started.elapsed();
    Ok(Measured {
        wall,
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
        // Linux reports KiB (macOS bytes; this benchmark targets Linux).
        max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        stdout: read_all(&mut stdout)?,
        stderr: read_all(&mut stderr)?,
    })
}

/// Reaps `pid` and returns its status and its own resource usage (not the
/// sum over all children, as `RUSAGE_CHILDREN` would give).
fn wait_with_usage(pid: u32) -> std::io::Result<(libc::c_int, libc::rusage)> {
    let pid = libc::pid_t::try_from(pid).map_err(std::io::Error::other)?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live, writable locals; `pid` is our
        // own child, not yet reaped (std's `Child` is never waited on).
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            return Ok((status, usage));
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

fn timeval(t: libc::timeval) -> Duration {
    // `time_t` and `suseconds_t` are `i64` here but not on every target.
    #[allow(clippy::useless_conversion)]
    let micros = i64::from(t.tv_sec) * 1_000_000 + i64::from(t.tv_usec);
    Duration::from_micros(u64::try_from(micros).unwrap_or(0))
}

fn read_all(file: &mut File) -> std::io::Result<String> {
    file.rewind()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Minimum, median and maximum of some samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    /// The spread of `samples`; `None` when there are none.
    pub fn of(samples: impl IntoIterator<Item = f64>) -> Option<Self> {
        let mut sorted: Vec<f64> = samples.into_iter().collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let mid = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            sorted[mid]
        } else {
            (sorted[mid - 1] + sorted[mid]) / 2.0
        };
        Some(Spread {
            min: sorted[0],
            median,
            max: sorted[sorted.len() - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_a_child_and_captures_its_output() {
        let m = run(Command::new("sh").args([
            "-c",
            "echo 'test result: ok. 7 passed; 0 failed'; echo err >&2; exit 3",
        ]))
        .unwrap();
        assert!(!m.success);
        assert_eq!(m.passed(), Some(7));
        assert_eq!(m.failed(), Some(0));
        assert_eq!(m.stderr.trim(), "err");
        assert!(m.max_rss_kib > 0);
        assert!(m.wall > Duration::ZERO);
        assert!(run(&mut Command::new("true")).unwrap().success);
    }

    #[test]
    fn the_spread_has_a_median() {
        let s = Spread::of([3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.min, s.median, s.max), (1.0, 2.0, 3.0));
        assert_eq!(Spread::of([1.0, 2.0]).unwrap().median, 1.5);
        assert_eq!(Spread::of([]), None);
    }
}
