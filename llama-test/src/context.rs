//! The per-test context: which test is running, how its answers are
//! obtained (the fixture session) and the shared client they go through.
//!
//! Subject calls, grader calls and any follow-up calls the body makes with
//! [`Eval`](crate::Eval) all go through one context, so they all land in the
//! test's single fixture file, in order.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::client::{Client, ClientConfig};
use crate::completion::Completion;
use crate::config::Mode;
use crate::error::{Error, Result};
use crate::fixtures::{FinishOutcome, FixtureSession, TestMeta, fixture_name, fixture_path};
use crate::request::ChatRequest;
use crate::settings::Settings;
use crate::spec::EvalSpec;

/// Names and settings of the running test.
#[derive(Debug)]
pub struct TestInfo {
    /// Stable id: `module__test[__case][__model]`; fixture and snapshot name.
    pub name: String,
    /// The libtest path, e.g. `tool_calling::case_1_nyc`.
    pub test_path: String,
    /// The effective mode (`replay`, `record` or `live`).
    pub mode: Mode,
    /// The fixture file, unless the test runs live.
    pub fixture_path: Option<PathBuf>,
    /// The case's variables.
    pub vars: Vec<(String, String)>,
    /// The model `llm_rubric` uses when a rubric names none.
    pub grader_model: String,
    /// Snapshots asserted so far in this sample, so a test's second
    /// snapshot (e.g. of a follow-up answer) gets a name of its own.
    pub snapshots_taken: AtomicUsize,
    /// Which `repeat` sample the body is running (0-based); only the first
    /// sample's snapshots are compared, the others would drift apart.
    pub sample: AtomicUsize,
    /// `file!()` of the eval, relative to the workspace root.
    pub source_file: &'static str,
    /// `CARGO_MANIFEST_DIR` of the crate holding the eval.
    pub manifest_dir: &'static str,
}

impl TestInfo {
    /// Marks the start of sample `index`.
    pub fn start_sample(&self, index: u32) {
        self.sample.store(index as usize, Ordering::Relaxed);
        self.snapshots_taken.store(0, Ordering::Relaxed);
    }
}

pub(crate) struct TestContext {
    pub info: TestInfo,
    pub session: FixtureSession,
    pub client: Client,
    /// Calls the body made with `Eval` since the last result record.
    followups: std::sync::Mutex<Vec<crate::records::Call>>,
}

impl TestContext {
    /// Opens the context a generated test declared: resolves the mode
    /// (per-test `record` key > `LLAMA_TEST_MODE` > CI default), names its
    /// fixture, applies its client tweaks (`timeout_ms`,
    /// `allow_unlisted_model`) and opens its fixture session.
    pub fn for_spec(spec: &EvalSpec) -> Result<Self> {
        let mode = match spec.mode {
            Some(mode) => mode,
            None => Settings::get()?.mode,
        };
        let root = Settings::get()?.fixture_root(std::path::Path::new(spec.manifest_dir));
        let name = fixture_name(spec.module_path, spec.test_name);
        let path = fixture_path(&root, spec.module_path, spec.test_name);
        let test_path = libtest_path(spec.module_path, spec.test_name);
        let meta = TestMeta {
            name: name.clone(),
            package: spec.package.to_owned(),
            target: integration_target(spec.module_path, spec.package),
            test_path: test_path.clone(),
            ignored: spec.ignored,
        };
        let mut client_config = shared_config()?.clone();
        client_config.providers =
            crate::providers::Providers::for_crate(std::path::Path::new(spec.manifest_dir))?;
        let can_record = can_send(&client_config, spec.model)?;
        if !can_record && let Some(e) = missing_credentials(&client_config, spec.model, mode) {
            return Err(e);
        }
        if let Some(ms) = spec.timeout_ms {
            client_config.timeout = Duration::from_millis(ms);
        }
        client_config.allow_unlisted_models |= spec.allow_unlisted_model;
        apply_file_limits(&mut client_config)?;
        let client = Client::shared(&client_config)?;
        let session = FixtureSession::open(mode, &path, meta, can_record)?;
        let mode = session.mode();
        let file_grader = client_config
            .providers
            .file()
            .grader
            .as_ref()
            .and_then(|g| g.model.clone());
        let grader_model = spec
            .grader
            .map(str::to_owned)
            .or(file_grader)
            .unwrap_or_else(|| crate::checks::rubric::DEFAULT_GRADER_MODEL.to_owned());
        Ok(TestContext {
            info: TestInfo {
                name,
                test_path,
                mode,
                fixture_path: (mode != Mode::Live).then_some(path),
                vars: spec
                    .vars
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                grader_model,
                snapshots_taken: AtomicUsize::new(0),
                sample: AtomicUsize::new(0),
                source_file: spec.source_file,
                manifest_dir: spec.manifest_dir,
            },
            session,
            client,
            followups: Default::default(),
        })
    }

    /// See [`TestContext::followups`] (the field).
    pub fn followups(&self) -> std::sync::MutexGuard<'_, Vec<crate::records::Call>> {
        self.followups.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends a request through this test's session.
    pub async fn send(&self, request: &ChatRequest) -> Result<Completion> {
        let sending = self.session.send(&self.client, request);
        crate::progress::track(self.info.mode, sending).await
    }

    /// Sends a prefetched subject request through this test's session. A
    /// 429 storm slows it down rather than failing it: 429s are waited out
    /// within the rate-limit wait budget, not counted as retries.
    pub async fn send_prefetch(&self, request: &ChatRequest) -> Result<Completion> {
        let sending = self.session.send(&self.client, request);
        crate::progress::track(self.info.mode, sending).await
    }

    /// Ends the session; in record mode writes the fixture when every
    /// request succeeded. A replay that left recordings unused warns: the
    /// test now sends fewer requests than were recorded, so the fixture is
    /// stale even though the test passed.
    pub fn finish(&self, all_succeeded: bool) -> Result<()> {
        let key = self.client.config().api_key.as_deref();
        let outcome = self.session.finish(all_succeeded, key)?;
        if let FinishOutcome::Replayed { unused, .. } = outcome
            && unused > 0
            && all_succeeded
        {
            crate::notice::notice(&format!(
                "llama-test: {} left {unused} recorded interaction(s) unused; re-record it with:\n  {}",
                self.info.test_path,
                self.session.meta().rerecord_command()
            ));
        }
        Ok(())
    }

    /// The grader as the checks module wants it: a closure over this context.
    pub fn grader(self: &Arc<Self>) -> impl crate::checks::Grader + use<> {
        let context = Arc::clone(self);
        move |request: ChatRequest| {
            let context = Arc::clone(&context);
            async move { context.send(&request).await }
        }
    }

    /// Variables as borrowed pairs, for templating.
    pub fn vars(&self) -> Vec<(&str, &str)> {
        self.info
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

/// `tool_calling::case_1_nyc` from `crate::tool_calling` + `case_1_nyc`.
pub(crate) fn libtest_path(module_path: &str, test_name: &str) -> String {
    module_path
        .split("::")
        .skip(1)
        .chain(std::iter::once(test_name))
        .collect::<Vec<_>>()
        .join("::")
}

/// The `--test` target of an integration test: its crate name, unless the
/// crate is the package's library (unit tests).
fn integration_target(module_path: &str, package: &str) -> Option<String> {
    let krate = module_path.split("::").next()?;
    (krate != package.replace('-', "_")).then(|| krate.to_owned())
}

/// Whether `model`'s provider can be called: it has its key, or needs none
/// (a local server). `auto` mode records a missing fixture only then.
fn can_send(config: &ClientConfig, model: &str) -> Result<bool> {
    let target = config.providers.parse(model)?;
    if target.is_llamaapi() {
        return Ok(config.api_key.is_some());
    }
    let provider = config.providers.get(&target.provider)?;
    if provider.kind == crate::providers::ProviderKind::Bedrock {
        // A Bedrock API key or SigV4 credentials.
        return Ok(crate::bedrock::Auth::from_env().is_ok());
    }
    Ok(provider.key.is_some() || !provider.key_required)
}

/// `[limits]` of llama-test.toml, where the environment does not say.
fn apply_file_limits(config: &mut ClientConfig) -> Result<()> {
    let Some(limits) = config.providers.file().limits else {
        return Ok(());
    };
    let settings = Settings::get()?;
    if let Some(seconds) = limits.rate_limit_wait
        && settings.rate_limit_wait.is_none()
    {
        config.rate_limit_wait = Duration::from_secs(seconds);
    }
    if let Some(mb) = limits.max_response_mb
        && settings.max_response_bytes.is_none()
    {
        config.max_response_bytes = mb.saturating_mul(1 << 20);
    }
    Ok(())
}

/// Why a test of `model` cannot call its provider in `mode`, naming the
/// provider's own variables, for providers whose credentials are not one key
/// (Bedrock); `None` leaves the message to the fixture session.
fn missing_credentials(config: &ClientConfig, model: &str, mode: Mode) -> Option<Error> {
    if !matches!(mode, Mode::Live | Mode::Record) {
        return None;
    }
    let provider = config
        .providers
        .get(&config.providers.parse(model).ok()?.provider)
        .ok()?;
    if provider.kind != crate::providers::ProviderKind::Bedrock {
        return None;
    }
    crate::bedrock::Auth::from_env().err()
}

/// The client settings of the process's [`Settings`], built once.
fn shared_config() -> Result<&'static ClientConfig> {
    static CONFIG: OnceLock<ClientConfig> = OnceLock::new();
    let settings = Settings::get()?;
    Ok(CONFIG.get_or_init(|| ClientConfig::from_settings(settings)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_path_drops_the_crate() {
        assert_eq!(
            libtest_path("examples::tool_calling", "case_1_nyc"),
            "tool_calling::case_1_nyc"
        );
        assert_eq!(
            libtest_path("basic", "explains_quantum"),
            "explains_quantum"
        );
    }
}
