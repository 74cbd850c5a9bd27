//! Similarity to a reference text: Levenshtein distance, ROUGE-1 and BLEU,
//! defined as promptfoo defines them.

use std::collections::HashMap;

use super::{CheckResult, quoted};

/// promptfoo's defaults, from the table of check kinds.
pub use llama_test_core::checks::{
    DEFAULT_BLEU_THRESHOLD, DEFAULT_LEVENSHTEIN_THRESHOLD, DEFAULT_ROUGE_THRESHOLD,
};

/// The edit distance between `output` and `expected` (in characters) is at
/// most `threshold`.
pub fn levenshtein(output: &str, expected: &str, threshold: usize) -> CheckResult {
    let distance = strsim::levenshtein(output, expected);
    CheckResult::check(
        "levenshtein",
        distance <= threshold,
        format!(
            "be within edit distance {threshold} of {}",
            quoted(expected, 120)
        ),
        format!("the distance is {distance}"),
    )
}

/// ROUGE-1 F-measure of `output` against `reference` is at least `threshold`.
/// The score is the F-measure.
pub fn rouge_n(output: &str, reference: &str, threshold: f64) -> CheckResult {
    let score = rouge_1(output, reference);
    CheckResult::scored(
        "rouge_n",
        score >= threshold,
        score,
        format!(
            "have ROUGE-1 ≥ {threshold} against {}",
            quoted(reference, 120)
        ),
        format!("it scored {score:.2}"),
    )
}

/// BLEU-4 of `output` against `references` is at least `threshold`. The
/// score is the BLEU score.
pub fn bleu<S: AsRef<str>>(output: &str, references: &[S], threshold: f64) -> CheckResult {
    let score = bleu_score(output, references);
    let refs = match references {
        [one] => quoted(one.as_ref(), 120),
        many => format!("{} references", many.len()),
    };
    CheckResult::scored(
        "bleu",
        score >= threshold,
        score,
        format!("have BLEU ≥ {threshold} against {refs}"),
        format!("it scored {score:.4}"),
    )
}

/// ROUGE-1 F-measure (β = 1): clipped unigram overlap of lowercased word and
/// punctuation tokens; precision over the candidate, recall over the
/// reference. 0 when either side has no tokens.
pub fn rouge_1(candidate: &str, reference: &str) -> f64 {
    let cand = rouge_tokens(candidate);
    let refs = rouge_tokens(reference);
    if cand.is_empty() || refs.is_empty() {
        return 0.0;
    }
    let overlap = clipped_overlap(&counts(&cand), &counts(&refs));
    if overlap == 0 {
        return 0.0;
    }
    let precision = overlap as f64 / cand.len() as f64;
    let recall = overlap as f64 / refs.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

/// BLEU with n = 1..4 and equal weights. Tokens are lowercased whitespace
/// splits. Each n-gram precision is clipped and takes the best reference;
/// an n for which the candidate has no n-grams is dropped (weights
/// renormalised) and a zero precision is smoothed to 1e-7. The brevity
/// penalty uses the reference length closest to the candidate's (ties go to
/// the shorter). An empty candidate or no references scores 0.
pub fn bleu_score<S: AsRef<str>>(candidate: &str, references: &[S]) -> f64 {
    let cand = bleu_tokens(candidate);
    let refs: Vec<Vec<String>> = references.iter().map(|r| bleu_tokens(r.as_ref())).collect();
    if cand.is_empty() || refs.is_empty() {
        return 0.0;
    }
    let mut log_sum = 0.0;
    let mut orders = 0usize;
    for n in 1..=4 {
        let cand_grams = ngram_counts(&cand, n);
        let total: usize = cand_grams.values().sum();
        if total == 0 {
            continue;
        }
        let best = refs
            .iter()
            .map(|r| clipped_overlap(&cand_grams, &ngram_counts(r, n)))
            .max()
            .unwrap_or(0);
        let precision = if best == 0 {
            1e-7
        } else {
            best as f64 / total as f64
        };
        log_sum += precision.ln();
        orders += 1;
    }
    if orders == 0 {
        return 0.0;
    }
    let c = cand.len() as f64;
    let r = refs
        .iter()
        .map(Vec::len)
        .min_by_key(|len| (len.abs_diff(cand.len()), *len))
        .unwrap_or(0) as f64;
    let brevity = if c > r { 1.0 } else { (1.0 - r / c).exp() };
    brevity * (log_sum / orders as f64).exp()
}

/// Lowercased runs of letters/digits (with inner apostrophes), plus each
/// punctuation character as its own token, like a Treebank tokenizer.
fn rouge_tokens(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in lower.chars() {
        if c.is_alphanumeric() || (c == '\'' && !word.is_empty()) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        if !c.is_whitespace() {
            tokens.push(c.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    tokens
}

fn bleu_tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn counts(tokens: &[String]) -> HashMap<&[String], usize> {
    ngram_counts(tokens, 1)
}

fn ngram_counts(tokens: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut map = HashMap::new();
    for gram in tokens.windows(n) {
        *map.entry(gram).or_insert(0) += 1;
    }
    map
}

/// Σ min(candidate count, reference count) over the candidate's n-grams.
fn clipped_overlap(
    cand: &HashMap<&[String], usize>,
    reference: &HashMap<&[String], usize>,
) -> usize {
    cand.iter()
        .map(|(gram, c)| (*c).min(reference.get(gram).copied().unwrap_or(0)))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rouge_tokens_split_punctuation() {
        assert_eq!(
            rouge_tokens("Hello, World! It's"),
            ["hello", ",", "world", "!", "it's"]
        );
    }

    #[test]
    fn rouge_1_matches_hand_computation() {
        // candidate 4 tokens, reference 6 tokens, overlap 3 ("the", "cat", "mat").
        let s = rouge_1("the cat the mat", "the cat sat on a mat");
        let (p, r) = (3.0 / 4.0, 3.0 / 6.0);
        assert!((s - 2.0 * p * r / (p + r)).abs() < 1e-12, "{s}");
    }

    #[test]
    fn bleu_of_identical_text_is_one_and_disjoint_is_tiny() {
        assert!(
            (bleu_score("the cat is on the mat", &["the cat is on the mat"]) - 1.0).abs() < 1e-12
        );
        assert!(bleu_score("foo bar baz", &["qux quux corge"]) < 1e-6);
    }

    #[test]
    fn bleu_drops_orders_without_ngrams_and_applies_brevity() {
        // Two tokens: only 1- and 2-grams exist; both match fully.
        // Reference has 4 tokens, so BP = exp(1 - 4/2) = e^-1.
        let s = bleu_score("the cat", &["the cat sat down"]);
        assert!((s - (-1.0f64).exp()).abs() < 1e-12, "{s}");
    }

    #[test]
    fn bleu_picks_closest_reference_length_and_best_precision() {
        let s = bleu_score("a b c d", &["x y", "a b c d"]);
        assert!((s - 1.0).abs() < 1e-12, "{s}");
    }
}
