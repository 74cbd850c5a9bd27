//! `llama-test.toml`, beside the crate's `Cargo.toml`: provider settings,
//! new named providers, declared model capabilities and prices, the default
//! grader. Read by the macro at compile time (provider names, capabilities)
//! and by the runtime (everything); environment variables override it.
//!
//! ```toml
//! [providers.llamacpp]                 # tune a built-in preset
//! base_url = "http://127.0.0.1:8080"
//! api_key_env = "LLAMACPP_API_KEY"
//! rpm = 600
//! extra_body = { logit_bias = [[5018, 20]] }
//!
//! [providers.lab]                      # a new provider: `model = "lab:my-llama"`
//! kind = "openai"
//! base_url = "https://llm.internal.example"
//! api_key_env = "LAB_KEY"
//! headers = { "X-Team" = "evals" }
//!
//! [providers.openrouter.models."meta-llama/llama-3.3-70b-instruct"]
//! images = false
//! context = 131072
//! price_in = 0.12
//! price_out = 0.30
//!
//! [grader]
//! model = "openrouter:meta-llama/llama-3.3-70b-instruct"
//!
//! [limits]
//! rate_limit_wait = 600                # seconds one request may wait out 429s
//! max_response_mb = 32                 # largest response body read
//! ```
//!
//! Parsing is strict: an unknown key, a wrong type or a new provider without
//! `kind` is an error naming the file, line, column and key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use crate::providers::{self, ProviderKind};

/// The file name, looked up in the crate root.
pub const FILE_NAME: &str = "llama-test.toml";

/// A parsed `llama-test.toml`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `[providers.NAME]` tables.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// `[grader]`.
    #[serde(default)]
    pub grader: Option<GraderConfig>,
    /// `[limits]`.
    #[serde(default)]
    pub limits: Option<LimitsConfig>,
}

/// `[limits]`: how long requests wait for rate limits, how much they read.
/// `LLAMA_TEST_RATE_LIMIT_WAIT` and `LLAMA_TEST_MAX_RESPONSE_MB` win.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Seconds one request may spend waiting out 429s and the quota
    /// (default 600).
    pub rate_limit_wait: Option<u64>,
    /// The largest response body read, in MiB (default 32).
    pub max_response_mb: Option<u64>,
}

/// `[providers.NAME]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// `openai`, `llamaapi` or `bedrock`; required for a new provider, and
    /// must match the preset's kind for a built-in one.
    pub kind: Option<Spanned<String>>,
    /// Service root; the chat path is appended.
    pub base_url: Option<String>,
    /// Chat path, when it is not the kind's usual one.
    pub path: Option<String>,
    /// The variable holding the key.
    pub api_key_env: Option<String>,
    /// Extra headers sent with every request (never recorded).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Requests per minute allowed (the shared limiter's quota).
    pub rpm: Option<u32>,
    /// Tokens per minute allowed.
    pub tpm: Option<u32>,
    /// JSON fields merged into every request body to this provider.
    pub extra_body: Option<serde_json::Map<String, Value>>,
    /// Per-model capabilities and prices.
    #[serde(default)]
    pub models: BTreeMap<String, ModelConfig>,
}

/// `[providers.NAME.models."ID"]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Whether the model accepts image parts.
    pub images: Option<bool>,
    /// Context window in tokens.
    pub context: Option<u32>,
    /// Whether the model supports tool calls.
    pub tools: Option<bool>,
    /// Whether the model honours `response_format: json_schema`.
    pub json_schema: Option<bool>,
    /// USD per million input tokens.
    pub price_in: Option<f64>,
    /// USD per million output tokens.
    pub price_out: Option<f64>,
}

/// `[grader]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraderConfig {
    /// The default model for `llm_rubric`.
    pub model: Option<String>,
}

impl ConfigFile {
    /// Parses the text of `path` (named in errors).
    pub fn parse(text: &str, path: &str) -> Result<ConfigFile, String> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| location(text, s.start))
                .unwrap_or_default();
            format!("{path}{at}: {}", e.message().trim())
        })?;
        file.validate(text, path)?;
        Ok(file)
    }

    /// Reads `<dir>/llama-test.toml`; a missing file is an empty config.
    pub fn load(dir: &Path) -> Result<ConfigFile, String> {
        let path = dir.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => ConfigFile::parse(&text, FILE_NAME),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(e) => Err(format!("cannot read {FILE_NAME}: {e}")),
        }
    }

    /// The settings of `provider`, if the file has any.
    pub fn provider(&self, provider: &str) -> Option<&ProviderConfig> {
        self.providers.get(provider)
    }

    /// What the file declares about one model.
    pub fn model(&self, provider: &str, model: &str) -> Option<&ModelConfig> {
        self.provider(provider)?.models.get(model)
    }

    /// The kind of a provider: the preset's, or the declared one.
    pub fn kind_of(&self, provider: &str) -> Option<ProviderKind> {
        if let Some(p) = providers::preset(provider) {
            return Some(p.kind);
        }
        let kind = self.provider(provider)?.kind.as_ref()?;
        ProviderKind::parse(kind.get_ref())
    }

    fn validate(&self, text: &str, path: &str) -> Result<(), String> {
        for (name, provider) in &self.providers {
            let preset = providers::preset(name);
            if let Some(p) = preset
                && p.name != name
            {
                return Err(format!(
                    "{path}: [providers.{name}]: `{name}` is an alias of `{}`; write [providers.{}]",
                    p.name, p.name
                ));
            }
            let Some(kind) = &provider.kind else {
                if preset.is_none() {
                    return Err(format!(
                        "{path}: [providers.{name}] is not a built-in provider, so it needs \
                         `kind = \"openai\"` (or \"llamaapi\", \"bedrock\") and `base_url`; \
                         built-in providers: {}",
                        builtin_list()
                    ));
                }
                continue;
            };
            let at = location(text, kind.span().start);
            let Some(parsed) = ProviderKind::parse(kind.get_ref()) else {
                return Err(format!(
                    "{path}{at}: [providers.{name}] kind = `{}`; expected one of: `openai`, `llamaapi`, `bedrock`",
                    kind.get_ref()
                ));
            };
            if let Some(p) = preset
                && p.kind != parsed
            {
                return Err(format!(
                    "{path}{at}: [providers.{name}] is the built-in `{name}` provider, which speaks \
                     `{}`; remove `kind` or give the provider another name",
                    p.kind.as_str()
                ));
            }
            if preset.is_none() && provider.base_url.is_none() {
                return Err(format!(
                    "{path}: [providers.{name}] needs `base_url` (the service root; the chat path is appended)"
                ));
            }
        }
        Ok(())
    }
}

fn builtin_list() -> String {
    crate::suggest::backticked(
        &providers::PRESETS
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>(),
    )
}

/// `:LINE:COLUMN` (1-based) of a byte offset.
fn location(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(":{line}:{column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let text = r#"
[providers.llamacpp]
base_url = "http://127.0.0.1:8080"
api_key_env = "LLAMACPP_API_KEY"
rpm = 600
extra_body = { logit_bias = [[5018, 20]] }

[providers.lab]
kind = "openai"
base_url = "https://llm.internal.example"
api_key_env = "LAB_KEY"
headers = { "X-Team" = "evals" }

[providers.openrouter.models."meta-llama/llama-3.3-70b-instruct"]
images = false
context = 131072
price_in = 0.12
price_out = 0.30

[grader]
model = "openrouter:meta-llama/llama-3.3-70b-instruct"

[limits]
rate_limit_wait = 900
max_response_mb = 8
"#;
        let file = ConfigFile::parse(text, FILE_NAME).unwrap();
        let limits = file.limits.unwrap();
        assert_eq!(limits.rate_limit_wait, Some(900));
        assert_eq!(limits.max_response_mb, Some(8));
        let cpp = file.provider("llamacpp").unwrap();
        assert_eq!(cpp.rpm, Some(600));
        assert_eq!(
            cpp.extra_body.as_ref().unwrap()["logit_bias"],
            serde_json::json!([[5018, 20]])
        );
        assert_eq!(file.kind_of("lab"), Some(ProviderKind::OpenAi));
        let m = file
            .model("openrouter", "meta-llama/llama-3.3-70b-instruct")
            .unwrap();
        assert_eq!(
            (m.images, m.context, m.price_out),
            (Some(false), Some(131072), Some(0.30))
        );
        assert_eq!(
            file.grader.unwrap().model.as_deref(),
            Some("openrouter:meta-llama/llama-3.3-70b-instruct")
        );
    }

    #[test]
    fn an_unknown_key_names_file_line_column_and_the_accepted_keys() {
        let text = "[providers.ollama]\nbase_url = \"http://x\"\nbase_ulr = \"y\"\n";
        let err = ConfigFile::parse(text, FILE_NAME).unwrap_err();
        assert!(err.starts_with("llama-test.toml:3:1:"), "{err}");
        assert!(err.contains("base_ulr"), "{err}");
        assert!(err.contains("api_key_env"), "{err}");
    }

    #[test]
    fn new_providers_need_kind_and_base_url() {
        let err = ConfigFile::parse("[providers.lab]\nbase_url = \"x\"\n", FILE_NAME).unwrap_err();
        assert!(err.contains("kind = \"openai\""), "{err}");
        let err = ConfigFile::parse("[providers.lab]\nkind = \"openai\"\n", FILE_NAME).unwrap_err();
        assert!(err.contains("needs `base_url`"), "{err}");
        let err = ConfigFile::parse(
            "[providers.lab]\nkind = \"grpc\"\nbase_url = \"x\"\n",
            FILE_NAME,
        )
        .unwrap_err();
        assert!(err.starts_with("llama-test.toml:2:8:"), "{err}");
        let err =
            ConfigFile::parse("[providers.ollama]\nkind = \"bedrock\"\n", FILE_NAME).unwrap_err();
        assert!(err.contains("speaks `openai`"), "{err}");
        let err = ConfigFile::parse("[providers.together]\nrpm = 5\n", FILE_NAME).unwrap_err();
        assert!(err.contains("alias of `togetherai`"), "{err}");
    }

    #[test]
    fn limits_are_strict_too() {
        let err =
            ConfigFile::parse("[limits]\nrate_limit_wait = \"10m\"\n", FILE_NAME).unwrap_err();
        assert!(err.starts_with("llama-test.toml:2:"), "{err}");
        let err = ConfigFile::parse("[limits]\nwait = 5\n", FILE_NAME).unwrap_err();
        assert!(err.contains("rate_limit_wait"), "{err}");
        let err = ConfigFile::parse("[limits]\nrate_limit_wait = -1\n", FILE_NAME).unwrap_err();
        assert!(err.starts_with("llama-test.toml:2:"), "{err}");
    }
}
