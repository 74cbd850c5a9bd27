//! The macro's copy of the model catalogue (`llama-test/src/catalogue.rs`):
//! ids, promptfoo aliases and image support, for compile-time checks. A proc
//! macro cannot depend on the runtime crate, so a test below keeps the two in
//! step by reading the runtime's source.

/// One catalogue entry.
pub struct Model {
    pub id: &'static str,
    pub alias: &'static str,
    pub accepts_images: bool,
}

pub const MODELS: &[Model] = &[
    model(
        "Llama-4-Maverick-17B-128E-Instruct-FP8",
        "llama-4-maverick",
        true,
    ),
    model("Llama-4-Scout-17B-16E-Instruct-FP8", "llama-4-scout", true),
    model("Llama-3.3-70B-Instruct", "llama-3.3-70b", false),
    model("Llama-3.3-8B-Instruct", "llama-3.3-8b", false),
    model(
        "Cerebras-Llama-4-Maverick-17B-128E-Instruct",
        "cerebras-llama-4-maverick",
        false,
    ),
    model(
        "Cerebras-Llama-4-Scout-17B-16E-Instruct",
        "cerebras-llama-4-scout",
        false,
    ),
    model(
        "Groq-Llama-4-Maverick-17B-128E-Instruct",
        "groq-llama-4-maverick",
        false,
    ),
];

const fn model(id: &'static str, alias: &'static str, accepts_images: bool) -> Model {
    Model {
        id,
        alias,
        accepts_images,
    }
}

/// `llamaapi:ID` and `llamaapi:chat:ID` name `ID` (as promptfoo parses them).
pub fn strip_provider_prefix(id: &str) -> &str {
    match id.strip_prefix("llamaapi:") {
        Some(rest) => rest.strip_prefix("chat:").unwrap_or(rest),
        None => id,
    }
}

/// Exact lookup after the provider prefix is stripped.
pub fn lookup(id: &str) -> Option<&'static Model> {
    let bare = strip_provider_prefix(id);
    MODELS.iter().find(|m| m.id == bare)
}

/// The id a mistyped or aliased model most likely meant.
pub fn suggest(id: &str) -> Option<&'static str> {
    let bare = strip_provider_prefix(id);
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
    crate::names::did_you_mean(bare, &known_ids())
}

pub fn known_ids() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.id).collect()
}

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

    /// `(id, alias, accepts_images)` triples in the runtime's source order.
    fn runtime_catalogue() -> Vec<(String, String, bool)> {
        let source = include_str!("../../llama-test/src/catalogue.rs");
        let field = |line: &str, name: &str| {
            line.trim()
                .strip_prefix(name)
                .map(|v| v.trim_end_matches(',').trim_matches('"').to_owned())
        };
        let mut entries = Vec::new();
        let (mut id, mut alias) = (None, None);
        for line in source.lines() {
            if let Some(v) = field(line, "id: \"") {
                id = Some(v);
            } else if let Some(v) = field(line, "alias: \"") {
                alias = Some(v);
            } else if let Some(v) = field(line, "accepts_images: ") {
                entries.push((id.take().unwrap(), alias.take().unwrap(), v == "true"));
            }
        }
        entries
    }

    #[test]
    fn matches_the_runtime_catalogue() {
        let ours: Vec<(String, String, bool)> = MODELS
            .iter()
            .map(|m| (m.id.to_owned(), m.alias.to_owned(), m.accepts_images))
            .collect();
        assert_eq!(ours, runtime_catalogue());
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
}
