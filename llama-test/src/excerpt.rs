//! Shortening text for messages: errors, reports and miss diffs show the
//! start of long outputs and bodies, never a wall of text.

/// `text` cut to at most `max_chars` characters, with `…` marking the cut.
/// Never splits a character.
pub(crate) fn trim_chars(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cuts_on_character_boundaries() {
        assert_eq!(super::trim_chars("héllo", 2), "hé…");
        assert_eq!(super::trim_chars("short", 10), "short");
    }
}
