//! The process's settings: every run-wide variable llama-test reads, read
//! once, the way insta reads its settings.
//!
//! Order: a test's own attribute > the environment > `llama-test.toml`
//! (per crate, see [`crate::providers`]) > the default. Each variable is
//! parsed strictly by its reader in [`crate::config`]; a bad value is an
//! ERROR naming the variable and what it accepts, and every bad variable is
//! reported at once, so one run shows all there is to fix.
//!
//! Read once means a test binary sees one mode, one fixture root and one
//! key for its whole run, whatever a test does to the environment later.
//! The public constructors ([`ClientConfig::from_env`](crate::ClientConfig::from_env),
//! [`Mode::from_env`]) still read the environment when called.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crate::config::{self, Mode, env_var};
use crate::error::{Error, Result};

/// The variable that turns the suite-wide prefetch off (`0`) or on (`1`,
/// the default).
pub const PREFETCH_ENV: &str = "LLAMA_TEST_PREFETCH";
/// The variable naming the file every used fixture path is appended to.
pub const FIXTURE_REPORT_ENV: &str = "LLAMA_TEST_FIXTURE_REPORT";
/// The variable that makes every fixture write `fsync` before its rename.
pub const FIXTURE_FSYNC_ENV: &str = "LLAMA_TEST_FIXTURE_FSYNC";

/// Run-wide settings, from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `LLAMA_TEST_MODE`, else `replay` under CI, else `auto`.
    pub mode: Mode,
    /// `CI` is set and not `false`/`0`/empty.
    pub ci: bool,
    /// The process runs under nextest (`NEXTEST` is set): one process per
    /// test, so no prefetch and a rate-limit state shared between processes.
    pub nextest: bool,
    /// `LLAMA_TEST_FIXTURES` as written (relative to each crate's manifest
    /// directory unless absolute).
    pub fixtures: Option<PathBuf>,
    /// `LLAMA_TEST_PREFETCH`: send the selected tests' requests ahead.
    pub prefetch: bool,
    /// `LLAMA_TEST_FIXTURE_REPORT`: where used fixture paths are appended.
    pub fixture_report: Option<PathBuf>,
    /// `LLAMA_TEST_FIXTURE_FSYNC`: sync each fixture before its rename.
    pub fixture_fsync: bool,
    /// `LLAMA_API_BASE_URL` without a trailing slash, else the service.
    pub base_url: String,
    /// `LLAMA_API_KEY`.
    pub api_key: Option<String>,
    /// `LLAMA_TEST_RATE_LIMIT_WAIT`, when set (else the file's, else 10 min).
    pub rate_limit_wait: Option<Duration>,
    /// `LLAMA_TEST_MAX_RESPONSE_MB` in bytes, when set.
    pub max_response_bytes: Option<u64>,
    /// The shared rate-limit state's directory, when it is on
    /// (`LLAMA_TEST_SHARED_LIMITS`, `LLAMA_TEST_LIMITS_DIR`, nextest).
    pub shared_limits: Option<PathBuf>,
}

impl Settings {
    /// The settings of this process, read on first use.
    pub fn get() -> Result<&'static Settings> {
        static SETTINGS: OnceLock<std::result::Result<Settings, String>> = OnceLock::new();
        SETTINGS
            .get_or_init(|| Settings::from_env().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Error::Config(e.clone()))
    }

    /// Reads the environment now, reporting every bad variable together.
    pub fn from_env() -> Result<Settings> {
        let mut p = Problems::default();
        let settings = Settings {
            mode: p.note(Mode::from_env(), Mode::Auto),
            ci: config::is_ci(),
            nextest: p.note(env_var("NEXTEST"), None).is_some(),
            fixtures: p
                .note(env_var("LLAMA_TEST_FIXTURES"), None)
                .map(PathBuf::from),
            prefetch: p.note(
                switch(
                    PREFETCH_ENV,
                    true,
                    "`1` (send the requests of all selected tests concurrently, the default) \
                     or `0` (each test sends its own)",
                ),
                true,
            ),
            fixture_report: p.note(env_var(FIXTURE_REPORT_ENV), None).map(PathBuf::from),
            fixture_fsync: p.note(
                switch(
                    FIXTURE_FSYNC_ENV,
                    false,
                    "`1` (sync every fixture to disk before it replaces the old one) or `0` \
                     (the default: the atomic rename alone)",
                ),
                false,
            ),
            base_url: p.note(
                config::base_url_from_env(),
                config::DEFAULT_BASE_URL.to_owned(),
            ),
            api_key: p.note(config::api_key_from_env(), None),
            rate_limit_wait: p.note(config::rate_limit_wait_from_env(), None),
            max_response_bytes: p.note(config::max_response_bytes_from_env(), None),
            shared_limits: p.note(crate::client::shared::dir_from_env(), None),
        };
        match p.0.is_empty() {
            true => Ok(settings),
            false => Err(Error::Config(p.0.join("\n"))),
        }
    }

    /// The fixture root of the crate at `manifest_dir`:
    /// `LLAMA_TEST_FIXTURES` (relative to `manifest_dir` unless absolute),
    /// else `<manifest_dir>/fixtures`.
    pub fn fixture_root(&self, manifest_dir: &Path) -> PathBuf {
        match &self.fixtures {
            Some(dir) => manifest_dir.join(dir),
            None => manifest_dir.join("fixtures"),
        }
    }
}

/// The bad variables met so far; each one's default stands in, so the
/// variables after it are still checked.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn note<T>(&mut self, read: Result<T>, default: T) -> T {
        read.unwrap_or_else(|e| {
            self.0.push(e.to_string());
            default
        })
    }
}

/// An on/off variable: unset is `default`; `1`/`true`/`on`/`yes` and
/// `0`/`false`/`off`/`no` are accepted, anything else names `meanings`.
pub(crate) fn switch(name: &str, default: bool, meanings: &str) -> Result<bool> {
    match env_var(name)?.as_deref().map(str::trim) {
        None => Ok(default),
        Some("1" | "true" | "on" | "yes") => Ok(true),
        Some("0" | "false" | "off" | "no") => Ok(false),
        Some(other) => Err(Error::Config(format!(
            "{name} is `{other}`; expected {meanings}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_fixture_root_is_taken_from_the_crate() {
        let mut settings = Settings {
            mode: Mode::Replay,
            ci: true,
            nextest: false,
            fixtures: None,
            prefetch: true,
            fixture_report: None,
            fixture_fsync: false,
            base_url: config::DEFAULT_BASE_URL.to_owned(),
            api_key: None,
            rate_limit_wait: None,
            max_response_bytes: None,
            shared_limits: None,
        };
        let krate = Path::new("/work/crate");
        assert_eq!(settings.fixture_root(krate), krate.join("fixtures"));
        settings.fixtures = Some("recorded".into());
        assert_eq!(settings.fixture_root(krate), krate.join("recorded"));
        settings.fixtures = Some("/abs/fixtures".into());
        assert_eq!(settings.fixture_root(krate), PathBuf::from("/abs/fixtures"));
    }
}
