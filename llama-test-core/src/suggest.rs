//! The one "did you mean" rule, used by every error that names a choice.

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
///
/// ```
/// use llama_test_core::suggest::did_you_mean;
/// let keys = ["temperature", "top_p", "prompt"];
/// assert_eq!(did_you_mean("temprature", &keys), Some("temperature"));
/// assert_eq!(did_you_mean("PROMPT", &keys), Some("prompt"));
/// assert_eq!(did_you_mean("banana", &keys), None);
/// ```
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
pub fn backticked<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_count_as_one_edit() {
        assert_eq!(edit_distance("modle", "model"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn suggests_only_near_misses() {
        let keys = ["openrouter", "ollama", "llamacpp"];
        assert_eq!(did_you_mean("openruoter", &keys), Some("openrouter"));
        assert_eq!(did_you_mean("olama", &keys), Some("ollama"));
        assert_eq!(did_you_mean("bananas", &keys), None);
    }
}
