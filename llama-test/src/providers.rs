//! Providers as a run sees them: the built-in presets
//! ([`llama_test_core::providers`]) tuned by `llama-test.toml` and then by the
//! environment, resolved once per crate.
//!
//! | provider id | key variable | base URL variable |
//! |---|---|---|
//! | `llamaapi:` (bare ids) | `LLAMA_API_KEY` | `LLAMA_API_BASE_URL` |
//! | `openrouter:` | `OPENROUTER_API_KEY` | `LLAMA_TEST_OPENROUTER_BASE_URL` |
//! | `togetherai:` | `TOGETHER_API_KEY` | `LLAMA_TEST_TOGETHERAI_BASE_URL` |
//! | `groq:` | `GROQ_API_KEY` | `LLAMA_TEST_GROQ_BASE_URL` |
//! | `fireworks:` | `FIREWORKS_API_KEY` | `LLAMA_TEST_FIREWORKS_BASE_URL` |
//! | `cerebras:` | `CEREBRAS_API_KEY` | `LLAMA_TEST_CEREBRAS_BASE_URL` |
//! | `azure:` | `AZURE_API_KEY` (`api-key` header) | `LLAMA_TEST_AZURE_BASE_URL` (required), or `AZURE_API_HOST` |
//! | `bedrock:` | `AWS_BEARER_TOKEN_BEDROCK`, or SigV4 from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` | `LLAMA_TEST_BEDROCK_BASE_URL`, region from `AWS_REGION` |
//! | `ollama:chat:` | `OLLAMA_API_KEY` (optional) | `LLAMA_TEST_OLLAMA_BASE_URL` |
//! | `vllm:` | `VLLM_API_KEY` (optional) | `LLAMA_TEST_VLLM_BASE_URL` |
//! | `llamacpp:` | `LLAMACPP_API_KEY` (optional) | `LLAMA_TEST_LLAMACPP_BASE_URL` |
//! | `lmstudio:` | `LMSTUDIO_API_KEY` (optional) | `LLAMA_TEST_LMSTUDIO_BASE_URL` |
//! | `ogx:` | `OGX_API_KEY` (optional) | `LLAMA_TEST_OGX_BASE_URL` |
//! | `openai:chat:` | `OPENAI_API_KEY` | `LLAMA_TEST_OPENAI_BASE_URL` |
//!
//! Order: environment > `llama-test.toml` > preset.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

pub use llama_test_core::config_file::{ConfigFile, ModelConfig};
pub use llama_test_core::providers::{
    Auth, ModelRef, PRESETS, Preset, ProviderKind, base_url_env, preset,
};

use crate::config::env_var;
use crate::error::{Error, Result};

/// One provider, fully resolved for sending.
#[derive(Clone)]
pub struct Provider {
    /// Canonical name, e.g. `openrouter`; also the first path segment of its
    /// recorded requests, so fixtures name the provider, never the host.
    pub name: String,
    /// Wire protocol.
    pub kind: ProviderKind,
    /// Service root without trailing slash; `None` when it must be
    /// configured (Azure).
    pub base_url: Option<String>,
    /// Chat path appended to the base URL (`{model}` is filled for Bedrock).
    pub path: String,
    /// The key variable's name, for error messages.
    pub key_env: Option<String>,
    /// The key, when set.
    pub key: Option<String>,
    /// Whether live calls need the key.
    pub key_required: bool,
    /// How the key is sent.
    pub auth: Auth,
    /// Extra headers for every request.
    pub headers: Vec<(String, String)>,
    /// Requests per minute for the shared limiter, when known.
    pub rpm: Option<u32>,
    /// Tokens per minute for the shared limiter, when known.
    pub tpm: Option<u32>,
    /// Merged into every request body.
    pub extra_body: Map<String, Value>,
    /// Sampling fields accepted, `(attribute name, wire name)`.
    pub sampling: &'static [(&'static str, &'static str)],
    /// Ask streams for a trailing usage chunk.
    pub stream_usage: bool,
    /// Declared capabilities and prices.
    pub models: BTreeMap<String, ModelConfig>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("path", &self.path)
            .field("key_env", &self.key_env)
            .field("key", &self.key.as_ref().map(|_| "[REDACTED]"))
            .field("rpm", &self.rpm)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// The preset tuned by the file's table and then the environment.
    fn resolve(name: &str, file: &ConfigFile) -> Result<Provider> {
        let table = file.provider(name).cloned().unwrap_or_default();
        let preset = preset(name);
        let kind = file.kind_of(name).ok_or_else(|| {
            Error::Config(format!(
                "provider `{name}` has no kind; see llama-test.toml"
            ))
        })?;
        let key_env = table
            .api_key_env
            .clone()
            .or_else(|| preset.and_then(|p| p.key_env).map(str::to_owned));
        let key = match &key_env {
            Some(var) => env_var(var)?.map(|k| k.trim().to_owned()),
            None => None,
        };
        let env_base = env_var(&base_url_env(name))?;
        let azure_host = match name {
            "azure" => env_var("AZURE_API_HOST")?.map(|h| format!("https://{h}")),
            _ => None,
        };
        let base_url = env_base
            .or(azure_host)
            .or(table.base_url.clone())
            .or_else(|| preset.and_then(|p| p.base_url).map(str::to_owned))
            .map(|u| u.trim().trim_end_matches('/').to_owned());
        if let Some(url) = &base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(Error::Config(format!(
                "the base URL of provider `{name}` is `{url}`; expected an http:// or https:// URL \
                 (set {} or `base_url` in llama-test.toml)",
                base_url_env(name)
            )));
        }
        let default_path = match kind {
            ProviderKind::Bedrock => "/model/{model}/converse",
            _ => "/v1/chat/completions",
        };
        Ok(Provider {
            name: name.to_owned(),
            kind,
            base_url,
            path: table
                .path
                .clone()
                .or_else(|| preset.map(|p| p.path.to_owned()))
                .unwrap_or_else(|| default_path.to_owned()),
            key_env,
            key,
            key_required: preset.is_some_and(|p| p.key_required),
            auth: preset.map_or(Auth::Bearer, |p| p.auth),
            headers: table.headers.into_iter().collect(),
            rpm: limit_from_env(name, "RPM")?.or(table.rpm),
            tpm: limit_from_env(name, "TPM")?.or(table.tpm),
            extra_body: table.extra_body.unwrap_or_default(),
            sampling: llama_test_core::providers::accepted_sampling(name, kind),
            stream_usage: preset.is_none_or(|p| p.stream_usage),
            models: table.models,
        })
    }

    /// The base URL for a live call, or an error naming what to set.
    pub fn live_base_url(&self) -> Result<&str> {
        self.base_url.as_deref().ok_or_else(|| {
            Error::Config(format!(
                "provider `{}` has no base URL: set {} (e.g. `https://<resource>.openai.azure.com`) \
                 or `base_url` under [providers.{}] in llama-test.toml",
                self.name,
                base_url_env(&self.name),
                self.name
            ))
        })
    }

    /// What the file declares about `model`.
    pub fn model(&self, model: &str) -> Option<&ModelConfig> {
        self.models.get(model)
    }
}

/// Every provider a crate can name, resolved lazily and cached.
#[derive(Debug)]
pub struct Providers {
    file: ConfigFile,
    keys: BTreeMap<String, String>,
    resolved: Mutex<BTreeMap<String, Arc<Provider>>>,
}

impl Providers {
    /// Providers with no `llama-test.toml`.
    pub fn builtin() -> Arc<Providers> {
        Arc::new(Providers::from_file(ConfigFile::default()))
    }

    /// Providers tuned by a parsed config file.
    pub fn from_file(file: ConfigFile) -> Providers {
        Providers {
            file,
            keys: BTreeMap::new(),
            resolved: Mutex::new(BTreeMap::new()),
        }
    }

    /// Uses `key` for `provider` instead of its key variable (for programs
    /// that hold keys elsewhere, and for tests, which must not change the
    /// process environment while other threads read it).
    pub fn with_key(mut self, provider: &str, key: impl Into<String>) -> Providers {
        self.keys.insert(provider.to_owned(), key.into());
        self
    }

    /// The providers of the crate at `manifest_dir` (its `llama-test.toml`),
    /// read once per process and directory.
    pub fn for_crate(manifest_dir: &Path) -> Result<Arc<Providers>> {
        type Cache = Mutex<Vec<(std::path::PathBuf, Arc<Providers>)>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((_, p)) = cache.iter().find(|(dir, _)| dir == manifest_dir) {
            return Ok(Arc::clone(p));
        }
        let file = ConfigFile::load(manifest_dir).map_err(Error::Config)?;
        let providers = Arc::new(Providers::from_file(file));
        cache.push((manifest_dir.to_owned(), Arc::clone(&providers)));
        Ok(providers)
    }

    /// The config file these providers came from.
    pub fn file(&self) -> &ConfigFile {
        &self.file
    }

    /// Splits a model id into provider and model.
    pub fn parse(&self, id: &str) -> Result<ModelRef> {
        ModelRef::parse(id, Some(&self.file)).map_err(Error::Config)
    }

    /// The resolved provider `name`.
    pub fn get(&self, name: &str) -> Result<Arc<Provider>> {
        let mut resolved = self.resolved.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = resolved.get(name) {
            return Ok(Arc::clone(p));
        }
        let mut provider = Provider::resolve(name, &self.file)?;
        if let Some(key) = self.keys.get(name) {
            provider.key = Some(key.clone());
        }
        let provider = Arc::new(provider);
        resolved.insert(name.to_owned(), Arc::clone(&provider));
        Ok(provider)
    }
}

/// `LLAMA_TEST_<PROVIDER>_RPM` / `_TPM` (`what` is `RPM` or `TPM`): a
/// quota that wins over `rpm`/`tpm` in llama-test.toml, e.g. for CI jobs
/// sharing one key. `LLAMA_TEST_LLAMAAPI_RPM` sets every Llama API family.
pub fn limit_env(provider: &str, what: &str) -> String {
    let upper: String = provider
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_uppercase(),
            false => '_',
        })
        .collect();
    format!("LLAMA_TEST_{upper}_{what}")
}

/// Reads [`limit_env`]: a whole number, at least 1.
pub fn limit_from_env(provider: &str, what: &str) -> Result<Option<u32>> {
    let name = limit_env(provider, what);
    let Some(value) = env_var(&name)? else {
        return Ok(None);
    };
    match value.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(Error::Config(format!(
            "{name} is `{}`; expected a whole number of {} per minute, at least 1",
            value.trim(),
            if what == "RPM" { "requests" } else { "tokens" }
        ))),
    }
}

/// Every secret value in the environment that some provider may send: the
/// key variables of all presets and of `extra` declared providers, and the
/// AWS credentials. Redaction and the fixture scan look for all of them.
pub fn secret_values() -> Vec<String> {
    static VALUES: OnceLock<Vec<String>> = OnceLock::new();
    VALUES
        .get_or_init(|| {
            let mut names: Vec<&str> = PRESETS.iter().filter_map(|p| p.key_env).collect();
            names.extend([
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_ACCESS_KEY_ID",
            ]);
            names
                .into_iter()
                .filter_map(|n| std::env::var(n).ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| v.len() >= crate::fixtures::secrets::MIN_KEY_LEN)
                .collect()
        })
        .clone()
}
