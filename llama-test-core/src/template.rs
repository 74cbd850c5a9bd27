//! The `{{var}}` grammar, the plain-variable subset of promptfoo's nunjucks
//! that evals use. The macro checks that every placeholder names a var of
//! every case; the runtime fills them in. Both find placeholders here.
//!
//! A placeholder is `{{`, optional white space, a name (`[A-Za-z_][A-Za-z0-9_]*`),
//! optional white space and `}}`, taken leftmost first and without overlap.
//! Anything else between braces (filters, dotted paths, regex quantifiers
//! such as `\d{{2}}`, an unclosed `{{`) is literal text: `{{ {{a}} }}` holds
//! one placeholder, `a`, between literal `{{ ` and ` }}`.

use std::ops::Range;

/// One `{{ name }}` in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// The variable's name.
    pub name: &'a str,
    /// Where the whole placeholder, braces included, stands in the text.
    pub range: Range<usize>,
}

/// Every placeholder in `text`, in order.
///
/// ```
/// use llama_test_core::template::placeholders;
/// let names: Vec<&str> = placeholders("{{a}} {{ b }} {{c | upper}} {{ {{d}} }}")
///     .map(|p| p.name)
///     .collect();
/// assert_eq!(names, ["a", "b", "d"]);
/// ```
pub fn placeholders(text: &str) -> impl Iterator<Item = Placeholder<'_>> {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = text.get(from..)?.find("{{") {
            let start = from + offset;
            if let Some((end, name)) = placeholder_at(text, start + 2) {
                from = end;
                return Some(Placeholder {
                    name,
                    range: start..end,
                });
            }
            // Not a placeholder here; one may start at the next brace.
            from = start + 1;
        }
        from = text.len() + 1;
        None
    })
}

/// The end of the placeholder whose name may start at `pos` (just after
/// `{{`), and the name.
fn placeholder_at(text: &str, pos: usize) -> Option<(usize, &str)> {
    let rest = &text[pos..];
    let name_start = rest.len() - rest.trim_start().len();
    let after_space = &rest[name_start..];
    let mut chars = after_space.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return None,
    }
    let name_len = chars
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(after_space.len(), |(i, _)| i);
    let name = &after_space[..name_len];
    let tail = &after_space[name_len..];
    let tail_trimmed = tail.trim_start();
    tail_trimmed.strip_prefix("}}")?;
    let end = pos + name_start + name_len + (tail.len() - tail_trimmed.len()) + 2;
    Some((end, name))
}

/// The distinct variable names in `text`, in order of first appearance.
pub fn names(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for p in placeholders(text) {
        if !names.contains(&p.name) {
            names.push(p.name);
        }
    }
    names
}

/// Replaces every placeholder with `value(name)`. When `value` has nothing
/// for a name, the error is the first such name (the text is not rendered
/// by halves: an undefined variable is an error, never an empty string).
///
/// ```
/// use llama_test_core::template::render_with;
/// let vars = [("city", "Paris")];
/// let lookup = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
/// assert_eq!(render_with("Weather in {{city}}?", lookup).unwrap(), "Weather in Paris?");
/// assert_eq!(render_with("{{ {{city}} }}", lookup).unwrap(), "{{ Paris }}");
/// assert_eq!(render_with("{{nope}}", lookup).unwrap_err(), "nope");
/// ```
pub fn render_with<'t, 'v>(
    text: &'t str,
    mut value: impl FnMut(&str) -> Option<&'v str>,
) -> Result<String, &'t str> {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for p in placeholders(text) {
        let filled = value(p.name).ok_or(p.name)?;
        out.push_str(&text[copied..p.range.start]);
        out.push_str(filled);
        copied = p.range.end;
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, Range<usize>)> {
        placeholders(text).map(|p| (p.name, p.range)).collect()
    }

    #[test]
    fn finds_plain_placeholders_only() {
        assert_eq!(
            names("{{a}} and {{ b }} and {{a}} {{c | upper}} {{d.e}} {{ }} {{f"),
            ["a", "b"]
        );
        assert!(names("no templates, just {braces} and \\d{{2}}").is_empty());
        assert_eq!(found("x{{ a\t}}y"), [("a", 1..8)]);
        assert_eq!(found("{{{a}}}"), [("a", 1..6)]);
        assert_eq!(names("héllo {{ünï}} {{b}} ✓"), ["b"]);
    }

    /// The macro used to find no variable here while the runtime required `a`.
    #[test]
    fn nested_braces_hold_the_inner_placeholder() {
        assert_eq!(found("{{ {{a}} }}"), [("a", 3..8)]);
        assert_eq!(
            render_with("{{ {{a}} }}", |_| Some("1")).unwrap(),
            "{{ 1 }}"
        );
        assert_eq!(render_with("{{ {{a}} }}", |_| None).unwrap_err(), "a");
    }

    #[test]
    fn renders_repeated_and_spaced_vars() {
        let vars = [("a", "1"), ("b", "two")];
        let lookup = |n: &str| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
        assert_eq!(
            render_with("{{a}}-{{ b }}-{{a}}", lookup).unwrap(),
            "1-two-1"
        );
        assert_eq!(render_with("open {{ only", lookup).unwrap(), "open {{ only");
        assert_eq!(render_with("{{a}} {{c}} {{d}}", lookup).unwrap_err(), "c");
    }
}
