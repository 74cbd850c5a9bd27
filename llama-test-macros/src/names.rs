//! Generated test names and "did you mean" hints.

pub use llama_test_core::suggest::{backticked, hint};

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
    let name = match llama_test_core::ModelRef::parse(model, None) {
        Ok(m) if !m.is_llamaapi() => sanitize(&format!("{}_{}", m.provider, m.model)),
        _ => sanitize(llama_test_core::catalogue::parse_provider_id(model)),
    };
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
        // Other providers keep their name, so one model on two hosts never clashes.
        assert_eq!(model_suffix("ollama:chat:llama3.3"), "ollama_llama3_3");
        assert_eq!(
            model_suffix("openrouter:meta-llama/llama-3.3-70b-instruct"),
            "openrouter_meta_llama_llama_3_3_70b_instruct"
        );
        assert_eq!(
            model_suffix("llamaapi:Llama-3.3-70B-Instruct"),
            "llama_3_3_70b_instruct"
        );
        assert_eq!(model_suffix("type"), "model_type");
        assert_eq!(
            test_fn_name(Some("case_1_nyc"), Some("llama_3_3_70b_instruct")).as_deref(),
            Some("case_1_nyc__llama_3_3_70b_instruct")
        );
        assert_eq!(test_fn_name(None, None), None);
    }
}
