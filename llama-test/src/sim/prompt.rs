//! Reading a prompt the way the simulator needs to: pick out a place name,
//! see whether a word is mentioned, and estimate token counts. All of it is
//! deterministic so recordings made against the simulator are reproducible.

use std::sync::LazyLock;

use regex::Regex;

/// A capitalised phrase after a locative preposition: "in New York, NY",
/// "at Menlo Park", "for Paris". Commas join parts ("Bogotá, Colombia").
static PLACE_AFTER_PREPOSITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:in|at|near|for|from|to|around)\s+(\p{Lu}[\p{L}\p{M}.'-]*(?:,?\s+\p{Lu}[\p{L}\p{M}.'-]*)*)",
    )
    .expect("constant regex is valid")
});

/// Any run of capitalised words that does not start the sentence.
static CAPITALISED_RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s(\p{Lu}[\p{L}\p{M}.'-]*(?:,?\s+\p{Lu}[\p{L}\p{M}.'-]*)*)")
        .expect("constant regex is valid")
});

/// The place a prompt talks about, e.g. `"New York, NY"` for
/// "What's the weather like in New York, NY?".
pub(crate) fn place_phrase(prompt: &str) -> Option<String> {
    let found = PLACE_AFTER_PREPOSITION
        .captures(prompt)
        .or_else(|| CAPITALISED_RUN.captures(prompt))?;
    let phrase = found.get(1)?.as_str();
    let phrase = phrase.trim_end_matches(['.', ',', '\'', '-']);
    (!phrase.is_empty()).then(|| phrase.to_owned())
}

/// Whether the prompt names a place after a preposition ("in Bellevue").
pub(crate) fn names_a_place(prompt: &str) -> bool {
    PLACE_AFTER_PREPOSITION.is_match(prompt)
}

/// Whether `word` occurs in `text` as a whole word, ignoring case.
pub(crate) fn mentions_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let word = word.to_lowercase();
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '_')
        .any(|w| w == word)
}

/// Whether a word of `text` starts with the stem of `word` (plural `s`
/// dropped), so `get_flights` matches "book a flight" and `get_weather`
/// matches "weather?".
pub(crate) fn mentions_stem(text: &str, word: &str) -> bool {
    let word = word.to_lowercase();
    let stem = word
        .strip_suffix("ies")
        .or_else(|| word.strip_suffix('s'))
        .unwrap_or(&word);
    if stem.len() < 3 {
        return false;
    }
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.starts_with(stem))
}

/// Tokens in a text, estimated as one per four characters (the usual rule
/// of thumb for Llama tokenisers), at least one for non-empty text.
pub(crate) fn estimate_tokens(text: &str) -> u64 {
    let chars = text.chars().count() as u64;
    chars.div_ceil(4)
}

/// The first `tokens` tokens' worth of `text`, cut at a character boundary.
pub(crate) fn truncate_to_tokens(text: &str, tokens: u64) -> &str {
    let keep = usize::try_from(tokens.saturating_mul(4)).unwrap_or(usize::MAX);
    match text.char_indices().nth(keep) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_place_a_prompt_names() {
        assert_eq!(
            place_phrase("What's the weather like in New York, NY?").as_deref(),
            Some("New York, NY")
        );
        assert_eq!(
            place_phrase("Is it raining in Bellevue?").as_deref(),
            Some("Bellevue")
        );
        assert_eq!(
            place_phrase("weather in Paris today").as_deref(),
            Some("Paris")
        );
        assert_eq!(
            place_phrase("Tell me about Tokyo").as_deref(),
            Some("Tokyo")
        );
        assert_eq!(place_phrase("no places here"), None);
    }

    #[test]
    fn word_and_stem_matching() {
        assert!(mentions_word("Use Fahrenheit, please", "fahrenheit"));
        assert!(!mentions_word("Fahrenheitish", "fahrenheit"));
        assert!(mentions_stem("book me a flight", "flights"));
        assert!(mentions_stem("What's the weather?", "weather"));
        assert!(!mentions_stem("hello", "go"));
    }

    #[test]
    fn token_estimates_round_up_and_truncation_respects_chars() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abcde"), 2);
        assert_eq!(truncate_to_tokens("ééééééééé", 1), "éééé");
        assert_eq!(truncate_to_tokens("short", 10), "short");
    }
}
