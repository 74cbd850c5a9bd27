//! Generated test names, shared by `#[llama_eval]`, `promptfoo_suite!` and
//! the `llama-test promptfoo convert` command, so a converted suite keeps
//! its test names.
//!
//! ```
//! use llama_test_core::names::{case_label, model_suffix, sanitize};
//! assert_eq!(sanitize("New York, NY"), "new_york_ny");
//! assert_eq!(case_label(0, 12, Some("NYC")), "case_01_nyc");
//! assert_eq!(model_suffix("ollama:chat:llama3.3"), "ollama_llama3_3");
//! ```

/// Lowercase ASCII identifier text: runs of anything but letters and digits
/// become one `_`, with none at either end. `"New York, NY"` -> `new_york_ny`.
pub fn sanitize(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// `case_1`, `case_01_nyc`: the 1-based index zero-padded to the width of the
/// case count so names sort in declaration order.
pub fn case_label(index: usize, count: usize, name: Option<&str>) -> String {
    let width = count.to_string().len();
    let number = format!("case_{:0width$}", index + 1);
    match name.map(sanitize).filter(|n| !n.is_empty()) {
        Some(name) => format!("{number}_{name}"),
        None => number,
    }
}

/// `Llama-3.3-70B-Instruct` (promptfoo prefix allowed) -> `llama_3_3_70b_instruct`;
/// another provider's model keeps the provider: `ollama:chat:llama3.3` ->
/// `ollama_llama3_3`. Prefixed with `model_` when it would not be a usable
/// identifier on its own.
pub fn model_suffix(model: &str) -> String {
    let name = match crate::ModelRef::parse(model, None) {
        Ok(m) if !m.is_llamaapi() => sanitize(&format!("{}_{}", m.provider, m.model)),
        _ => sanitize(crate::catalogue::parse_provider_id(model)),
    };
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || is_keyword(&name) {
        format!("model_{name}")
    } else {
        name
    }
}

/// Rust's keywords (strict and reserved, 2024 edition), which cannot be
/// function names.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `name` is a Rust keyword (`type`, `fn`, ...), or `_`.
pub fn is_keyword(name: &str) -> bool {
    name == "_" || KEYWORDS.contains(&name)
}
