//! Text clean-up shared by the formats.

/// `text` without the characters XML 1.0 forbids even escaped (C0 controls
/// other than tab, newline and carriage return; unpaired surrogates cannot
/// occur in a Rust string), each replaced by U+FFFD.
pub(crate) fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// At most `max` characters of `text`, with `…` marking a cut.
pub(crate) fn trim(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// `$0.0012` (or `—` when unknown).
pub(crate) fn usd(cost: Option<f64>) -> String {
    match cost {
        None => "—".to_owned(),
        Some(0.0) => "$0".to_owned(),
        Some(c) if c < 0.01 => format!("${c:.6}"),
        Some(c) => format!("${c:.4}"),
    }
}

/// `412 ms` / `3.2 s` (or `—`).
pub(crate) fn millis(ms: Option<f64>) -> String {
    match ms {
        None => "—".to_owned(),
        Some(ms) if ms < 1000.0 => format!("{ms:.0} ms"),
        Some(ms) => format!("{:.1} s", ms / 1000.0),
    }
}
