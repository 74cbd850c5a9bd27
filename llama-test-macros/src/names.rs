//! Generated test names and "did you mean" hints.

pub use llama_test_core::names::{case_label, model_suffix};
pub use llama_test_core::suggest::{backticked, hint};

/// The generated fn name for one case/model combination.
pub fn test_fn_name(case: Option<&str>, model: Option<&str>) -> Option<String> {
    match (case, model) {
        (Some(case), Some(model)) => Some(format!("{case}__{model}")),
        (Some(case), None) => Some(case.to_owned()),
        (None, Some(model)) => Some(model.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llama_test_core::names::sanitize;

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
        for keyword in ["fn", "match", "async", "type"] {
            assert!(syn::parse_str::<syn::Ident>(keyword).is_err(), "{keyword}");
            assert_eq!(model_suffix(keyword), format!("model_{keyword}"));
        }
        assert_eq!(
            test_fn_name(Some("case_1_nyc"), Some("llama_3_3_70b_instruct")).as_deref(),
            Some("case_1_nyc__llama_3_3_70b_instruct")
        );
        assert_eq!(test_fn_name(None, None), None);
    }
}
