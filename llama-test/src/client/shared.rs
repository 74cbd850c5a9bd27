//! One rate-limit state per pool and service for every test process on the
//! machine: a small file per pool, read and rewritten under an exclusive
//! file lock (`File::lock`, `flock(2)` on Unix, `LockFileEx` on Windows).
//!
//! `cargo nextest run` starts one process per test, so a limiter in memory
//! would let N processes send N times the quota. With the shared state each
//! request's slot is reserved in the file, so together they stay within it.
//!
//! - On under nextest (`NEXTEST` is set), or with `LLAMA_TEST_SHARED_LIMITS=1`;
//!   off with `LLAMA_TEST_SHARED_LIMITS=0`.
//! - The files live in `LLAMA_TEST_LIMITS_DIR`, else `llama-test-limits/` in
//!   the cargo target directory of the running test binary, else in the
//!   system temp directory.
//! - A file is keyed by pool and service root (the base URL), so two
//!   simulators on two ports never share a quota, and stale files from
//!   earlier runs only hold timestamps that have left the window.
//! - A torn or foreign file is started afresh; an unusable directory falls
//!   back to the in-process limiter with a warning.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::window::Window;
use crate::config::env_var;
use crate::error::{Error, Result};

/// The variable that turns the shared state on (`1`) or off (`0`).
pub const SHARED_LIMITS_ENV: &str = "LLAMA_TEST_SHARED_LIMITS";
/// The variable naming the directory of the state files.
pub const LIMITS_DIR_ENV: &str = "LLAMA_TEST_LIMITS_DIR";

/// The directory of shared state files, when the environment asks for
/// shared limits (explicitly, or by running under nextest).
pub fn dir_from_env() -> Result<Option<PathBuf>> {
    let on = match env_var(SHARED_LIMITS_ENV)?.as_deref().map(str::trim) {
        None | Some("auto") => env_var("NEXTEST")?.is_some(),
        Some("1" | "true" | "on" | "yes") => true,
        Some("0" | "false" | "off" | "no") => false,
        Some(other) => {
            return Err(Error::Config(format!(
                "{SHARED_LIMITS_ENV} is `{other}`; expected `1` (share one rate-limit state \
                 between the test processes on this machine), `0` (each process limits \
                 itself) or `auto` (the default: shared under nextest)"
            )));
        }
    };
    if !on {
        return Ok(None);
    }
    if let Some(dir) = env_var(LIMITS_DIR_ENV)? {
        return Ok(Some(PathBuf::from(dir)));
    }
    Ok(Some(default_dir()))
}

/// `<target dir>/llama-test-limits`: the nearest ancestor of the running
/// binary that holds cargo's `CACHEDIR.TAG`; else the temp directory.
fn default_dir() -> PathBuf {
    let exe = std::env::current_exe().ok();
    exe.as_deref()
        .and_then(|exe| {
            exe.ancestors()
                .skip(1)
                .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        })
        .map(|target| target.join("llama-test-limits"))
        .unwrap_or_else(|| std::env::temp_dir().join("llama-test-limits"))
}

/// The state file of `pool` (its debug name) at `service`.
pub(crate) fn file_for(dir: &Path, pool: &str, service: &str) -> PathBuf {
    let digest = Sha256::digest(format!("{pool}\n{service}").as_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let readable: String = pool
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    dir.join(format!("{readable}-{hash}.window"))
}

/// Runs `change` on the pool's shared window under the file lock, creating
/// it with the declared quota when missing (or unreadable).
pub(crate) fn update<R>(
    path: &Path,
    rpm: u32,
    tpm: u32,
    change: impl FnOnce(&mut Window) -> R,
) -> std::io::Result<R> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    file.lock()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let mut window = Window::decode(&bytes).unwrap_or_else(|| Window::new(rpm, tpm));
    window.declare(rpm, tpm);
    let out = change(&mut window);
    let encoded = window.encode();
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&encoded)?;
    file.set_len(encoded.len() as u64)?;
    // The lock goes with the descriptor.
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_keyed_by_pool_and_service() {
        let dir = Path::new("/x");
        let a = file_for(dir, "Family(Standard)", "http://127.0.0.1:1");
        let b = file_for(dir, "Family(Standard)", "http://127.0.0.1:2");
        assert_ne!(a, b);
        assert!(
            a.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("Family_Standard_-")
        );
    }

    #[test]
    fn updates_persist_and_garbage_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/p.window");
        let now = 1_800_000_000_000;
        for _ in 0..3 {
            update(&path, 2, 1_000, |w| w.reserve(now, 1, u64::MAX))
                .unwrap()
                .unwrap();
        }
        let slots = update(&path, 2, 1_000, |w| w.log.clone()).unwrap();
        assert_eq!(slots.len(), 3);
        assert!(slots[2].at > now + 59_000);
        std::fs::write(&path, b"not a window").unwrap();
        let fresh = update(&path, 2, 1_000, |w| w.log.len()).unwrap();
        assert_eq!(fresh, 0);
    }
}
