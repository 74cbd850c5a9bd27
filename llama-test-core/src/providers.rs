//! Where Llama runs, and how a model id names the place: `PROVIDER:MODEL` in
//! promptfoo's spelling (`openrouter:meta-llama/llama-3.3-70b-instruct`,
//! `ollama:chat:llama3.3`, `bedrock:meta.llama3-3-70b-instruct-v1:0`). A bare
//! id means Meta's Llama API (`llamaapi:`), as it always has.
//!
//! Each built-in provider is a [`Preset`]: its wire kind, default service
//! root, chat path, key variable and the sampling fields it accepts.
//! `llama-test.toml` tunes presets and adds named providers
//! ([`crate::config_file`]).

use crate::config_file::ConfigFile;
use crate::suggest::{backticked, did_you_mean};

/// Which wire protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    /// Meta's Llama API: native `/v1` and OpenAI-compatible `/compat/v1`.
    LlamaApi,
    /// OpenAI Chat Completions (every other HTTP host and local server).
    OpenAi,
    /// AWS Bedrock Converse.
    Bedrock,
}

impl ProviderKind {
    /// The name used in `llama-test.toml` (`kind = "openai"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::LlamaApi => "llamaapi",
            ProviderKind::OpenAi => "openai",
            ProviderKind::Bedrock => "bedrock",
        }
    }

    /// Parses a `kind` value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "llamaapi" => Some(ProviderKind::LlamaApi),
            "openai" => Some(ProviderKind::OpenAi),
            "bedrock" => Some(ProviderKind::Bedrock),
            _ => None,
        }
    }
}

/// How the key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// `Authorization: Bearer KEY`.
    Bearer,
    /// The key in a header of its own (Azure's `api-key`).
    Header(&'static str),
    /// Bedrock: a Bedrock API key as bearer, else SigV4 from the AWS variables.
    Aws,
}

/// Sampling fields a request can carry, by their attribute names.
pub const SAMPLING_FIELDS: &[&str] = &[
    "temperature",
    "top_p",
    "top_k",
    "max_tokens",
    "repetition_penalty",
    "frequency_penalty",
    "presence_penalty",
];

/// A built-in provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// The canonical prefix, e.g. `openrouter`.
    pub name: &'static str,
    /// Other spellings users bring from promptfoo, e.g. `together`, `llama`.
    pub aliases: &'static [&'static str],
    /// The wire protocol.
    pub kind: ProviderKind,
    /// Default service root, without trailing slash; `None` when it depends
    /// on the user's account (Azure resource).
    pub base_url: Option<&'static str>,
    /// Appended to the base URL for chat completions.
    pub path: &'static str,
    /// The variable holding the key.
    pub key_env: Option<&'static str>,
    /// Whether a live request without a key is an error (hosted services) or
    /// goes out without one (local servers).
    pub key_required: bool,
    /// How the key is sent.
    pub auth: Auth,
    /// Sampling fields this provider accepts, with their wire names.
    pub sampling: &'static [(&'static str, &'static str)],
    /// Whether streams ask for a trailing usage chunk
    /// (`stream_options.include_usage`).
    pub stream_usage: bool,
    /// Where llama-test's support was checked, for the README table.
    pub verified_against: &'static str,
}

const OPENAI_SAMPLING: &[(&str, &str)] = &[
    ("temperature", "temperature"),
    ("top_p", "top_p"),
    ("max_tokens", "max_tokens"),
    ("frequency_penalty", "frequency_penalty"),
    ("presence_penalty", "presence_penalty"),
];
const EXTENDED_SAMPLING: &[(&str, &str)] = &[
    ("temperature", "temperature"),
    ("top_p", "top_p"),
    ("max_tokens", "max_tokens"),
    ("frequency_penalty", "frequency_penalty"),
    ("presence_penalty", "presence_penalty"),
    ("top_k", "top_k"),
    ("repetition_penalty", "repetition_penalty"),
];
/// llama.cpp's server names the repetition penalty `repeat_penalty`.
const LLAMACPP_SAMPLING: &[(&str, &str)] = &[
    ("temperature", "temperature"),
    ("top_p", "top_p"),
    ("max_tokens", "max_tokens"),
    ("frequency_penalty", "frequency_penalty"),
    ("presence_penalty", "presence_penalty"),
    ("top_k", "top_k"),
    ("repetition_penalty", "repeat_penalty"),
];
/// Cerebras rejects the OpenAI penalties.
const CEREBRAS_SAMPLING: &[(&str, &str)] = &[
    ("temperature", "temperature"),
    ("top_p", "top_p"),
    ("max_tokens", "max_completion_tokens"),
];
/// Converse's `inferenceConfig`.
const BEDROCK_SAMPLING: &[(&str, &str)] = &[
    ("temperature", "temperature"),
    ("top_p", "topP"),
    ("max_tokens", "maxTokens"),
];
/// Meta's native endpoint; the compat endpoint is [`LLAMAAPI_COMPAT_SAMPLING`].
pub const LLAMAAPI_NATIVE_SAMPLING: &[(&str, &str)] = &[
    ("temperature", "temperature"),
    ("top_p", "top_p"),
    ("max_tokens", "max_completion_tokens"),
    ("top_k", "top_k"),
    ("repetition_penalty", "repetition_penalty"),
];
/// Meta's compat endpoint.
pub const LLAMAAPI_COMPAT_SAMPLING: &[(&str, &str)] = OPENAI_SAMPLING;

const fn openai(
    name: &'static str,
    aliases: &'static [&'static str],
    base_url: Option<&'static str>,
    key_env: &'static str,
    key_required: bool,
    verified_against: &'static str,
) -> Preset {
    Preset {
        name,
        aliases,
        kind: ProviderKind::OpenAi,
        base_url,
        path: "/v1/chat/completions",
        key_env: Some(key_env),
        key_required,
        auth: Auth::Bearer,
        sampling: OPENAI_SAMPLING,
        stream_usage: true,
        verified_against,
    }
}

const SIM: &str = "simulator dialect";

/// Every built-in provider.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "llamaapi",
        aliases: &[],
        kind: ProviderKind::LlamaApi,
        base_url: Some("https://api.llama.com"),
        path: "/v1/chat/completions",
        key_env: Some("LLAMA_API_KEY"),
        key_required: true,
        auth: Auth::Bearer,
        sampling: LLAMAAPI_NATIVE_SAMPLING,
        stream_usage: false,
        verified_against: "simulator (Meta's wire format; service retired 2026-07-06), Meta's Python SDK",
    },
    Preset {
        sampling: EXTENDED_SAMPLING,
        ..openai(
            "openrouter",
            &[],
            Some("https://openrouter.ai/api"),
            "OPENROUTER_API_KEY",
            true,
            SIM,
        )
    },
    Preset {
        sampling: EXTENDED_SAMPLING,
        ..openai(
            "togetherai",
            &["together"],
            Some("https://api.together.xyz"),
            "TOGETHER_API_KEY",
            true,
            SIM,
        )
    },
    Preset {
        // Groq reports stream usage in `x_groq.usage` instead.
        stream_usage: false,
        ..openai(
            "groq",
            &[],
            Some("https://api.groq.com/openai"),
            "GROQ_API_KEY",
            true,
            SIM,
        )
    },
    Preset {
        sampling: EXTENDED_SAMPLING,
        ..openai(
            "fireworks",
            &[],
            Some("https://api.fireworks.ai/inference"),
            "FIREWORKS_API_KEY",
            true,
            SIM,
        )
    },
    Preset {
        sampling: CEREBRAS_SAMPLING,
        ..openai(
            "cerebras",
            &[],
            Some("https://api.cerebras.ai"),
            "CEREBRAS_API_KEY",
            true,
            SIM,
        )
    },
    Preset {
        // The resource name is the user's: `https://<resource>.openai.azure.com`.
        path: "/openai/v1/chat/completions",
        auth: Auth::Header("api-key"),
        ..openai("azure", &["azureopenai"], None, "AZURE_API_KEY", true, SIM)
    },
    Preset {
        name: "bedrock",
        aliases: &[],
        kind: ProviderKind::Bedrock,
        // `{region}` is filled from AWS_REGION.
        base_url: Some("https://bedrock-runtime.{region}.amazonaws.com"),
        path: "/model/{model}/converse",
        key_env: Some("AWS_BEARER_TOKEN_BEDROCK"),
        key_required: true,
        auth: Auth::Aws,
        sampling: BEDROCK_SAMPLING,
        stream_usage: false,
        verified_against: "simulator (Converse and converse-stream), SigV4 test vectors",
    },
    openai(
        "ollama",
        &[],
        Some("http://localhost:11434"),
        "OLLAMA_API_KEY",
        false,
        SIM,
    ),
    Preset {
        sampling: EXTENDED_SAMPLING,
        ..openai(
            "vllm",
            &[],
            Some("http://localhost:8000"),
            "VLLM_API_KEY",
            false,
            SIM,
        )
    },
    Preset {
        sampling: LLAMACPP_SAMPLING,
        ..openai(
            "llamacpp",
            &["llama"],
            Some("http://127.0.0.1:8080"),
            "LLAMACPP_API_KEY",
            false,
            "llama.cpp llama-server (llama-cpp-python 0.3.36 sdist) and simulator",
        )
    },
    openai(
        "lmstudio",
        &[],
        Some("http://localhost:1234"),
        "LMSTUDIO_API_KEY",
        false,
        SIM,
    ),
    openai(
        "ogx",
        &["llamastack"],
        Some("http://localhost:8321"),
        "OGX_API_KEY",
        false,
        SIM,
    ),
    openai(
        "openai",
        &[],
        Some("https://api.openai.com"),
        "OPENAI_API_KEY",
        true,
        SIM,
    ),
];

/// The preset named `name` (canonical name or alias).
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS
        .iter()
        .find(|p| p.name == name || p.aliases.contains(&name))
}

/// Every name a model id may start with: presets, their aliases.
pub fn builtin_names() -> Vec<&'static str> {
    PRESETS
        .iter()
        .flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied()))
        .collect()
}

/// A model id split into provider and model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef {
    /// The canonical provider name (`llamaapi`, `openrouter`, or a name
    /// declared in `llama-test.toml`).
    pub provider: String,
    /// The model id the provider is sent.
    pub model: String,
}

impl ModelRef {
    /// Splits `id`. The first `:`-separated segment names the provider when
    /// it is a built-in name, an alias or a provider declared in `config`;
    /// promptfoo's `chat:` infix (and Bedrock's `converse:`) is dropped. An id
    /// without `:` is a Llama API model. An id whose first segment is no
    /// provider is an error with a did-you-mean.
    ///
    /// ```
    /// use llama_test_core::ModelRef;
    /// let m = ModelRef::parse("ollama:chat:llama3.2:3b", None).unwrap();
    /// assert_eq!((m.provider.as_str(), m.model.as_str()), ("ollama", "llama3.2:3b"));
    /// let m = ModelRef::parse("Llama-3.3-70B-Instruct", None).unwrap();
    /// assert_eq!(m.provider, "llamaapi");
    /// assert!(ModelRef::parse("openruoter:x", None).unwrap_err().contains("did you mean `openrouter:`"));
    /// ```
    pub fn parse(id: &str, config: Option<&ConfigFile>) -> Result<ModelRef, String> {
        let Some((prefix, rest)) = id.split_once(':') else {
            return Ok(ModelRef {
                provider: "llamaapi".into(),
                model: id.to_owned(),
            });
        };
        let declared = config.is_some_and(|c| c.providers.contains_key(prefix));
        let canonical = match preset(prefix) {
            Some(p) => p.name.to_owned(),
            None if declared => prefix.to_owned(),
            None => return Err(unknown_provider(prefix, id, config)),
        };
        let rest = rest.strip_prefix("chat:").unwrap_or(rest);
        let rest = match canonical.as_str() {
            "bedrock" => rest.strip_prefix("converse:").unwrap_or(rest),
            _ => rest,
        };
        if rest.is_empty() {
            return Err(format!(
                "model id `{id}` names the provider `{canonical}` but no model; write `{canonical}:MODEL`"
            ));
        }
        Ok(ModelRef {
            provider: canonical,
            model: rest.to_owned(),
        })
    }

    /// Whether this is Meta's Llama API (the closed catalogue).
    pub fn is_llamaapi(&self) -> bool {
        self.provider == "llamaapi"
    }
}

fn unknown_provider(prefix: &str, id: &str, config: Option<&ConfigFile>) -> String {
    let mut names = builtin_names();
    if let Some(c) = config {
        names.extend(c.providers.keys().map(String::as_str));
    }
    let hint = did_you_mean(prefix, &names)
        .map(|s| format!("did you mean `{s}:`? "))
        .unwrap_or_default();
    format!(
        "unknown provider `{prefix}:` in model id `{id}`: {hint}providers: {}; \
         or declare `[providers.{prefix}]` in llama-test.toml",
        backticked(&PRESETS.iter().map(|p| p.name).collect::<Vec<_>>())
    )
}

/// The `LLAMA_TEST_<NAME>_BASE_URL` variable of a provider.
pub fn base_url_env(provider: &str) -> String {
    if provider == "llamaapi" {
        return "LLAMA_API_BASE_URL".into();
    }
    let upper: String = provider
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_uppercase(),
            false => '_',
        })
        .collect();
    format!("LLAMA_TEST_{upper}_BASE_URL")
}

/// Parses an `extra_body` value: a JSON object, sent verbatim.
pub fn parse_extra_body(text: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_str(text) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(
            "`extra_body` must be a JSON object, e.g. r#\"{\"logit_bias\": [[5018, 20]]}\"#".into(),
        ),
        Err(e) => Err(format!("`extra_body` is not valid JSON: {e}")),
    }
}

/// The sampling fields `provider` accepts (declared providers speak plain
/// OpenAI, or the Llama API's native set).
pub fn accepted_sampling(
    provider: &str,
    kind: ProviderKind,
) -> &'static [(&'static str, &'static str)] {
    match preset(provider) {
        Some(p) => p.sampling,
        None => match kind {
            ProviderKind::LlamaApi => LLAMAAPI_NATIVE_SAMPLING,
            ProviderKind::OpenAi => OPENAI_SAMPLING,
            ProviderKind::Bedrock => BEDROCK_SAMPLING,
        },
    }
}

/// Why `field` cannot be sent to `provider`, if it cannot.
pub fn sampling_error(provider: &str, kind: ProviderKind, field: &str) -> Option<String> {
    let accepted = accepted_sampling(provider, kind);
    if accepted.iter().any(|(name, _)| *name == field) {
        return None;
    }
    let names: Vec<&str> = accepted.iter().map(|(n, _)| *n).collect();
    Some(format!(
        "`{field}` is not accepted by provider `{provider}`, which takes: {}; if your server \
         accepts it anyway, send it with `extra_body`",
        backticked(&names)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promptfoo_spellings_name_their_provider() {
        let cases = [
            (
                "llamaapi:chat:Llama-3.3-8B-Instruct",
                "llamaapi",
                "Llama-3.3-8B-Instruct",
            ),
            (
                "openrouter:meta-llama/llama-3.3-70b-instruct",
                "openrouter",
                "meta-llama/llama-3.3-70b-instruct",
            ),
            (
                "togetherai:meta-llama/Llama-3.3-70B-Instruct-Turbo",
                "togetherai",
                "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            ),
            ("together:x", "togetherai", "x"),
            ("azure:chat:my-deployment", "azure", "my-deployment"),
            (
                "bedrock:meta.llama3-3-70b-instruct-v1:0",
                "bedrock",
                "meta.llama3-3-70b-instruct-v1:0",
            ),
            (
                "bedrock:converse:us.meta.llama4-maverick-17b-instruct-v1:0",
                "bedrock",
                "us.meta.llama4-maverick-17b-instruct-v1:0",
            ),
            (
                "openai:chat:meta-llama/Llama-3.1-8B-Instruct",
                "openai",
                "meta-llama/Llama-3.1-8B-Instruct",
            ),
            ("llama:tiny", "llamacpp", "tiny"),
            (
                "vllm:meta-llama/Llama-3.1-8B-Instruct",
                "vllm",
                "meta-llama/Llama-3.1-8B-Instruct",
            ),
        ];
        for (id, provider, model) in cases {
            let m = ModelRef::parse(id, None).unwrap();
            assert_eq!(
                (m.provider.as_str(), m.model.as_str()),
                (provider, model),
                "{id}"
            );
        }
    }

    #[test]
    fn unknown_prefix_and_missing_model_are_errors() {
        let err = ModelRef::parse("olama:chat:llama3", None).unwrap_err();
        assert!(err.contains("did you mean `ollama:`?"), "{err}");
        assert!(err.contains("[providers.olama]"), "{err}");
        let err = ModelRef::parse("groq:", None).unwrap_err();
        assert!(err.contains("no model"), "{err}");
    }

    #[test]
    fn every_preset_has_a_distinct_name_and_a_chat_path() {
        let names = builtin_names();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert!(PRESETS.iter().all(|p| p.path.starts_with('/')));
        assert_eq!(base_url_env("llamacpp"), "LLAMA_TEST_LLAMACPP_BASE_URL");
        assert_eq!(base_url_env("my-lab"), "LLAMA_TEST_MY_LAB_BASE_URL");
    }
}
