//! The models Meta's Llama API served, as listed on the provider page, and
//! promptfoo's `llamaapi:` id syntax. The only closed catalogue: every other
//! provider's model ids are open strings (see [`crate::providers`]).

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
/// use llama_test_core::catalogue::parse_provider_id;
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

/// The id a mistyped, truncated or aliased model most likely meant.
pub fn suggest(id: &str) -> Option<&'static str> {
    let bare = parse_provider_id(id);
    let lower = bare.to_ascii_lowercase();
    if let Some(m) = MODELS.iter().find(|m| m.alias == lower) {
        return Some(m.id);
    }
    // A truncated id (`Llama-3.3-70B`) is far in edit distance but obvious.
    if lower.len() >= 5
        && let Some(m) = MODELS
            .iter()
            .find(|m| m.id.to_ascii_lowercase().starts_with(&lower))
    {
        return Some(m.id);
    }
    crate::suggest::did_you_mean(bare, &known_ids())
}

/// Every known id, in catalogue order.
pub fn known_ids() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.id).collect()
}

/// The ids of the models that accept images.
pub fn image_model_ids() -> Vec<&'static str> {
    MODELS
        .iter()
        .filter(|m| m.accepts_images)
        .map(|m| m.id)
        .collect()
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
    fn resolves_prefixes_aliases_and_typos() {
        assert!(lookup("llamaapi:chat:Llama-3.3-8B-Instruct").is_some());
        assert!(lookup("llama-3.3-8b").is_none());
        assert_eq!(suggest("llama-3.3-8b"), Some("Llama-3.3-8B-Instruct"));
        assert_eq!(
            suggest("Llama-3.3-70B-Instrct"),
            Some("Llama-3.3-70B-Instruct")
        );
        assert_eq!(suggest("Llama-3.3-70B"), Some("Llama-3.3-70B-Instruct"));
        assert_eq!(suggest("gpt-4o"), None);
        assert_eq!(
            image_model_ids(),
            [
                "Llama-4-Maverick-17B-128E-Instruct-FP8",
                "Llama-4-Scout-17B-16E-Instruct-FP8"
            ]
        );
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
    }
}
