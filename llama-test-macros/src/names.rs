//! Generated test names and "did you mean" hints.

/// Edit distance counting insertions, deletions, substitutions and swaps of
/// two neighbours (`modle` -> `model` is one edit); inputs are short.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The closest candidate when it is close enough to be a likely typo:
/// a case-insensitive match, or at most a third of the input's length away.
pub fn did_you_mean<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase();
    if let Some(exact) = candidates.iter().find(|c| c.to_ascii_lowercase() == lower) {
        return Some(exact);
    }
    let limit = (input.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// "; did you mean `x`?" or nothing.
pub fn hint(input: &str, candidates: &[&str]) -> String {
    did_you_mean(input, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// `` `a`, `b`, `c` `` for error messages.
pub fn backticked(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

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

/// `Llama-3.3-70B-Instruct` (promptfoo prefix allowed) -> `llama_3_3_70b_instruct`.
/// Prefixed with `model_` when it would not be a usable identifier on its own.
pub fn model_suffix(model: &str) -> String {
    let bare = crate::catalogue::strip_provider_prefix(model);
    let name = sanitize(bare);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || is_keyword(&name) {
        format!("model_{name}")
    } else {
        name
    }
}

/// The generated fn name for one case/model combination.
pub fn test_fn_name(case: Option<&str>, model: Option<&str>) -> Option<String> {
    match (case, model) {
        (Some(case), Some(model)) => Some(format!("{case}__{model}")),
        (Some(case), None) => Some(case.to_owned()),
        (None, Some(model)) => Some(model.to_owned()),
        (None, None) => None,
    }
}

fn is_keyword(name: &str) -> bool {
    syn::parse_str::<syn::Ident>(name).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("temprature", "temperature"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("modle", "model"), 1);
    }

    #[test]
    fn suggests_only_near_misses() {
        let keys = ["model", "models", "prompt", "temperature"];
        assert_eq!(did_you_mean("temprature", &keys), Some("temperature"));
        assert_eq!(did_you_mean("PROMPT", &keys), Some("prompt"));
        assert_eq!(did_you_mean("banana", &keys), None);
        assert_eq!(hint("modle", &keys), "; did you mean `model`?");
    }

    #[test]
    fn names_are_readable_stable_identifiers() {
        assert_eq!(sanitize("New York, NY"), "new_york_ny");
        assert_eq!(sanitize("--Hello  World--"), "hello_world");
        assert_eq!(case_label(0, 3, Some("NYC")), "case_1_nyc");
        assert_eq!(case_label(0, 12, None), "case_01");
        assert_eq!(case_label(11, 12, Some("Rome")), "case_12_rome");
        assert_eq!(case_label(1, 2, Some("!!!")), "case_2");
        assert_eq!(
            model_suffix("Llama-3.3-70B-Instruct"),
            "llama_3_3_70b_instruct"
        );
        assert_eq!(
            model_suffix("llamaapi:chat:Llama-3.3-8B-Instruct"),
            "llama_3_3_8b_instruct"
        );
        assert_eq!(model_suffix("3b-tiny"), "model_3b_tiny");
        assert_eq!(model_suffix("type"), "model_type");
        assert_eq!(
            test_fn_name(Some("case_1_nyc"), Some("llama_3_3_70b_instruct")).as_deref(),
            Some("case_1_nyc__llama_3_3_70b_instruct")
        );
        assert_eq!(test_fn_name(None, None), None);
    }
}
