//! Run configuration from the environment: mode, base URL, key, fixture root.
//!
//! Order: per-test attribute > environment > default. Values are parsed
//! strictly; a bad value is an error naming the variable and what it accepts.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The service root when `LLAMA_API_BASE_URL` is not set.
pub const DEFAULT_BASE_URL: &str = "https://api.llama.com";

/// The mode names, as `LLAMA_TEST_MODE` and `record = "..."` take them.
pub use llama_test_core::choices::MODES;

/// How a test gets its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Replay what is recorded; record what is missing when a key is set;
    /// otherwise fail. The local default.
    Auto,
    /// Fixtures only, never the network. The default when `CI` is set.
    Replay,
    /// Call the API and rewrite the fixture.
    Record,
    /// Call the API and write nothing.
    Live,
}

impl Mode {
    /// Parses a mode name; `source` names where it came from in the error.
    pub fn parse(value: &str, source: &str) -> Result<Self> {
        match value.trim() {
            "auto" => Ok(Mode::Auto),
            "replay" => Ok(Mode::Replay),
            "record" => Ok(Mode::Record),
            "live" => Ok(Mode::Live),
            other => {
                let hint = llama_test_core::suggest::did_you_mean(other, MODES)
                    .map(|m| format!(" (did you mean `{m}`?)"))
                    .unwrap_or_default();
                Err(Error::Config(format!(
                    "{source} is `{other}`{hint}; expected one of: `auto`, `replay`, `record`, `live`"
                )))
            }
        }
    }

    /// The mode name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Auto => "auto",
            Mode::Replay => "replay",
            Mode::Record => "record",
            Mode::Live => "live",
        }
    }

    /// `LLAMA_TEST_MODE`, else `replay` under CI, else `auto`.
    pub fn from_env() -> Result<Self> {
        match env_var("LLAMA_TEST_MODE")? {
            Some(v) => Mode::parse(&v, "LLAMA_TEST_MODE"),
            None if is_ci() => Ok(Mode::Replay),
            None => Ok(Mode::Auto),
        }
    }
}

/// `CI` is set and not `false`/`0`/empty (as insta reads it).
pub fn is_ci() -> bool {
    match std::env::var("CI") {
        Ok(v) => !matches!(v.trim(), "" | "0" | "false" | "FALSE" | "False"),
        Err(_) => false,
    }
}

/// Reads an env var; unset and empty are `None`; non-UTF-8 is an error.
pub fn env_var(name: &str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::Config(format!("{name} is not valid UTF-8")))
        }
    }
}

/// `LLAMA_API_BASE_URL` without a trailing slash, else [`DEFAULT_BASE_URL`].
pub fn base_url_from_env() -> Result<String> {
    let url = env_var("LLAMA_API_BASE_URL")?.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let trimmed = url.trim().trim_end_matches('/').to_owned();
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        return Err(Error::Config(format!(
            "LLAMA_API_BASE_URL is `{trimmed}`; expected an http:// or https:// URL such as `{DEFAULT_BASE_URL}` \
             (the paths /v1/... and /compat/v1/... are appended)"
        )));
    }
    Ok(trimmed)
}

/// `LLAMA_API_KEY`, if set.
pub fn api_key_from_env() -> Result<Option<String>> {
    Ok(env_var("LLAMA_API_KEY")?.map(|k| k.trim().to_owned()))
}

/// `LLAMA_TEST_RATE_LIMIT_WAIT`: seconds (`600`, `90.5`) or a duration
/// (`10m`, `1h30m`, `45s`); `0` fails at the first 429.
pub fn rate_limit_wait_from_env() -> Result<Option<std::time::Duration>> {
    let name = crate::client::RATE_LIMIT_WAIT_ENV;
    let Some(value) = env_var(name)? else {
        return Ok(None);
    };
    parse_wait(&value).map(Some).ok_or_else(|| {
        Error::Config(format!(
            "{name} is `{}`; expected the rate-limit wait budget per request in seconds              (e.g. `600`, the default) or as a duration (`10m`, `1h30m`, `45s`)",
            value.trim()
        ))
    })
}

/// Seconds or a Go-style duration, finite and at most a week.
pub(crate) fn parse_wait(value: &str) -> Option<std::time::Duration> {
    let value = value.trim();
    let seconds = match value.parse::<f64>() {
        Ok(s) => s,
        Err(_) if value.ends_with(|c: char| c.is_ascii_alphabetic()) => {
            crate::client::reset::go_duration(value)?.as_secs_f64()
        }
        Err(_) => return None,
    };
    (seconds.is_finite() && (0.0..=7.0 * 86_400.0).contains(&seconds))
        .then(|| std::time::Duration::from_secs_f64(seconds))
}

/// The variable capping response sizes.
pub const MAX_RESPONSE_ENV: &str = "LLAMA_TEST_MAX_RESPONSE_MB";

/// `LLAMA_TEST_MAX_RESPONSE_MB`: a whole number of mebibytes, at least 1.
pub fn max_response_bytes_from_env() -> Result<Option<u64>> {
    let Some(value) = env_var(MAX_RESPONSE_ENV)? else {
        return Ok(None);
    };
    match value.trim().parse::<u64>() {
        Ok(mb @ 1..=1_048_576) => Ok(Some(mb << 20)),
        _ => Err(Error::Config(format!(
            "{MAX_RESPONSE_ENV} is `{}`; expected the largest response body to read, in              mebibytes, a whole number from 1 to 1048576 (default 32)",
            value.trim()
        ))),
    }
}

/// `LLAMA_TEST_FIXTURES`, else `<manifest_dir>/fixtures`. A relative
/// `LLAMA_TEST_FIXTURES` is taken relative to `manifest_dir`.
pub fn fixture_root(manifest_dir: &Path) -> Result<PathBuf> {
    Ok(match env_var("LLAMA_TEST_FIXTURES")? {
        Some(p) if Path::new(&p).is_absolute() => PathBuf::from(p),
        Some(p) => manifest_dir.join(p),
        None => manifest_dir.join("fixtures"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_parsing_is_strict_and_names_the_variable() {
        assert_eq!(Mode::parse("replay", "X").unwrap(), Mode::Replay);
        let err = Mode::parse("replya", "LLAMA_TEST_MODE")
            .unwrap_err()
            .to_string();
        assert!(err.contains("LLAMA_TEST_MODE"), "{err}");
        assert!(err.contains("`auto`, `replay`, `record`, `live`"), "{err}");
        assert!(err.contains("did you mean `replay`?"), "{err}");
        let err = Mode::parse("Record", "X").unwrap_err().to_string();
        assert!(err.contains("did you mean `record`?"), "{err}");
    }

    #[test]
    fn wait_budgets_are_seconds_or_durations() {
        use std::time::Duration;
        assert_eq!(parse_wait("600"), Some(Duration::from_secs(600)));
        assert_eq!(parse_wait(" 1.5 "), Some(Duration::from_millis(1500)));
        assert_eq!(parse_wait("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_wait("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_wait("0"), Some(Duration::ZERO));
        for bad in [
            "",
            "-1",
            "ten",
            "10 minutes",
            "NaN",
            "inf",
            "1e9",
            "5x",
            "m",
        ] {
            assert_eq!(parse_wait(bad), None, "{bad}");
        }
    }

    /// The hint is the one did-you-mean rule of every error that names a
    /// choice (it used to be a Levenshtein bound of its own here, which
    /// offered `auto` for `au`).
    #[test]
    fn mode_hints_are_the_shared_did_you_mean() {
        for input in ["replya", "RECORD", "au", "rec", "lvie", "banana", "liv"] {
            let err = Mode::parse(input, "X").unwrap_err().to_string();
            let expected = llama_test_core::suggest::did_you_mean(input, MODES)
                .map(|m| format!(" (did you mean `{m}`?)"))
                .unwrap_or_default();
            assert!(
                err.starts_with(&format!("X is `{input}`{expected}; expected one of")),
                "{input}: {err}"
            );
        }
    }
}
