//! The models the Llama API serves, as listed on the provider page, and the
//! promptfoo-style provider ids (`llamaapi:ID`, `llamaapi:chat:ID`).
//!
//! The catalogue is checked before a request is sent: an unknown id is an
//! error with a did-you-mean unless the caller opts in to unlisted models
//! (new releases, other hosts).

use crate::error::{Error, Result};

/// Which rate-limit pool a model draws from. Limits are per team across keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelFamily {
    /// Meta-hosted Llama 4 and Llama 3.3: 3,000 RPM, 1M TPM.
    Standard,
    /// Cerebras-accelerated variants.
    Cerebras,
    /// Groq-accelerated variants.
    Groq,
}

/// What the catalogue knows about one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    /// The id sent on the wire, e.g. `Llama-3.3-70B-Instruct`.
    pub id: &'static str,
    /// promptfoo's short alias, e.g. `llama-3.3-70b`.
    pub alias: &'static str,
    /// Context window in tokens.
    pub context_window: u32,
    /// Whether the model accepts image parts.
    pub accepts_images: bool,
    /// Requests per minute for this model's pool.
    pub requests_per_minute: u32,
    /// Tokens per minute for this model's pool.
    pub tokens_per_minute: u32,
    /// The rate-limit pool.
    pub family: ModelFamily,
}

/// The seven models on the Llama API provider page.
pub const MODELS: &[ModelInfo] = &[
    ModelInfo {
        id: "Llama-4-Maverick-17B-128E-Instruct-FP8",
        alias: "llama-4-maverick",
        context_window: 128_000,
        accepts_images: true,
        requests_per_minute: 3_000,
        tokens_per_minute: 1_000_000,
        family: ModelFamily::Standard,
    },
    ModelInfo {
        id: "Llama-4-Scout-17B-16E-Instruct-FP8",
        alias: "llama-4-scout",
        context_window: 128_000,
        accepts_images: true,
        requests_per_minute: 3_000,
        tokens_per_minute: 1_000_000,
        family: ModelFamily::Standard,
    },
    ModelInfo {
        id: "Llama-3.3-70B-Instruct",
        alias: "llama-3.3-70b",
        context_window: 128_000,
        accepts_images: false,
        requests_per_minute: 3_000,
        tokens_per_minute: 1_000_000,
        family: ModelFamily::Standard,
    },
    ModelInfo {
        id: "Llama-3.3-8B-Instruct",
        alias: "llama-3.3-8b",
        context_window: 128_000,
        accepts_images: false,
        requests_per_minute: 3_000,
        tokens_per_minute: 1_000_000,
        family: ModelFamily::Standard,
    },
    ModelInfo {
        id: "Cerebras-Llama-4-Maverick-17B-128E-Instruct",
        alias: "cerebras-llama-4-maverick",
        context_window: 32_000,
        accepts_images: false,
        requests_per_minute: 900,
        tokens_per_minute: 300_000,
        family: ModelFamily::Cerebras,
    },
    ModelInfo {
        id: "Cerebras-Llama-4-Scout-17B-16E-Instruct",
        alias: "cerebras-llama-4-scout",
        context_window: 32_000,
        accepts_images: false,
        requests_per_minute: 600,
        tokens_per_minute: 200_000,
        family: ModelFamily::Cerebras,
    },
    ModelInfo {
        id: "Groq-Llama-4-Maverick-17B-128E-Instruct",
        alias: "groq-llama-4-maverick",
        context_window: 128_000,
        accepts_images: false,
        requests_per_minute: 1_000,
        tokens_per_minute: 600_000,
        family: ModelFamily::Groq,
    },
];

/// Strips promptfoo's provider prefix: `llamaapi:ID` and `llamaapi:chat:ID`
/// both name `ID`; anything without the prefix is taken as a bare id.
///
/// This mirrors promptfoo's `createLlamaApiProvider`: split on `:`, drop
/// `llamaapi`, then drop a following `chat`, and re-join the rest with `:`.
///
/// ```
/// use llama_test::catalogue::parse_provider_id;
/// assert_eq!(parse_provider_id("llamaapi:chat:Llama-3.3-8B-Instruct"), "Llama-3.3-8B-Instruct");
/// assert_eq!(parse_provider_id("llamaapi:Llama-3.3-70B-Instruct"), "Llama-3.3-70B-Instruct");
/// assert_eq!(parse_provider_id("llamaapi:chatty:model"), "chatty:model");
/// assert_eq!(parse_provider_id("Llama-3.3-70B-Instruct"), "Llama-3.3-70B-Instruct");
/// ```
pub fn parse_provider_id(id: &str) -> &str {
    let Some(rest) = id.strip_prefix("llamaapi:") else {
        return id;
    };
    rest.strip_prefix("chat:").unwrap_or(rest)
}

/// Looks up a model by exact id (after the provider prefix is stripped).
pub fn lookup(id: &str) -> Option<&'static ModelInfo> {
    let id = parse_provider_id(id);
    MODELS.iter().find(|m| m.id == id)
}

/// The closest known id, for "did you mean" hints. Aliases and case-insensitive
/// matches are always suggested; otherwise only ids that are reasonably close.
pub fn suggest(id: &str) -> Option<&'static str> {
    let id = parse_provider_id(id);
    let lower = id.to_ascii_lowercase();
    if let Some(m) = MODELS
        .iter()
        .find(|m| m.alias == lower || m.id.eq_ignore_ascii_case(id))
    {
        return Some(m.id);
    }
    MODELS
        .iter()
        .map(|m| {
            (
                m.id,
                strsim::normalized_levenshtein(&lower, &m.id.to_ascii_lowercase()),
            )
        })
        .filter(|(_, score)| *score >= 0.6)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id)
}

/// Resolves a model id for sending. Known ids return their [`ModelInfo`].
/// Unknown ids are an error naming the known ones, unless `allow_unlisted`
/// is set, in which case `Ok(None)` lets the request go out unchecked.
pub fn resolve(id: &str, allow_unlisted: bool) -> Result<Option<&'static ModelInfo>> {
    let bare = parse_provider_id(id);
    if bare.is_empty() {
        return Err(Error::Config(format!(
            "model id `{id}` is empty; expected one of: {}",
            known_ids()
        )));
    }
    if let Some(info) = lookup(bare) {
        return Ok(Some(info));
    }
    if allow_unlisted {
        return Ok(None);
    }
    let hint = suggest(bare)
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    Err(Error::Config(format!(
        "unknown model `{bare}`: {hint}known models: {}. \
         To use a model that is not in the catalogue, set `allow_unlisted_model = true` on the eval (or `ClientConfig::allow_unlisted_models`)",
        known_ids()
    )))
}

/// All known ids, comma-separated, for error messages.
pub fn known_ids() -> String {
    MODELS.iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_promptfoo_ids_like_promptfoo() {
        assert_eq!(parse_provider_id("llamaapi:chat:X"), "X");
        assert_eq!(parse_provider_id("llamaapi:X"), "X");
        assert_eq!(parse_provider_id("llamaapi::model"), ":model");
        assert_eq!(parse_provider_id("llamaapi:chat:"), "");
        assert_eq!(parse_provider_id("llamaapi:chatty:model"), "chatty:model");
    }

    #[test]
    fn catalogue_has_the_seven_models_with_their_limits() {
        assert_eq!(MODELS.len(), 7);
        let scout = lookup("Cerebras-Llama-4-Scout-17B-16E-Instruct").unwrap();
        assert_eq!(
            (scout.requests_per_minute, scout.tokens_per_minute),
            (600, 200_000)
        );
        assert_eq!(scout.context_window, 32_000);
        assert!(!scout.accepts_images);
        assert!(
            lookup("llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8")
                .unwrap()
                .accepts_images
        );
        assert_eq!(
            lookup("Groq-Llama-4-Maverick-17B-128E-Instruct")
                .unwrap()
                .requests_per_minute,
            1_000
        );
    }

    #[test]
    fn unknown_model_suggests_and_lists_known_ids() {
        let err = resolve("Llama-3.3-70B", false).unwrap_err().to_string();
        assert!(
            err.contains("did you mean `Llama-3.3-70B-Instruct`?"),
            "{err}"
        );
        assert!(err.contains("Llama-4-Scout-17B-16E-Instruct-FP8"), "{err}");
        assert_eq!(suggest("llama-3.3-8b"), Some("Llama-3.3-8B-Instruct"));
        assert!(resolve("my-finetune", true).unwrap().is_none());
        assert!(resolve("llamaapi:chat:", true).is_err());
    }
}
