//! The models the Llama API served, as listed on the provider page, and the
//! promptfoo-style provider ids (`llamaapi:ID`, `llamaapi:chat:ID`).
//!
//! The catalogue is checked before a request is sent: an unknown id is an
//! error with a did-you-mean unless the caller opts in to unlisted models
//! (new releases, other hosts).

use crate::error::{Error, Result};

pub use llama_test_core::catalogue::{
    MODELS, ModelFamily, ModelInfo, image_model_ids, lookup, parse_provider_id, suggest,
};

/// Resolves a model id for sending. Known ids return their [`ModelInfo`].
/// Unknown ids are an error naming the known ones, unless `allow_unlisted`
/// is set, in which case `Ok(None)` lets the request go out unchecked.
pub fn resolve(id: &str, allow_unlisted: bool) -> Result<Option<&'static ModelInfo>> {
    let bare = parse_provider_id(id);
    if bare.is_empty() {
        return Err(Error::Config(format!(
            "model id `{id}` is empty; expected one of: {}",
            known_ids()
        )));
    }
    if let Some(info) = lookup(bare) {
        return Ok(Some(info));
    }
    if allow_unlisted {
        return Ok(None);
    }
    let hint = suggest(bare)
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    Err(Error::Config(format!(
        "unknown model `{bare}`: {hint}known models: {}. \
         To use a model that is not in the catalogue, set `allow_unlisted_model = true` on the eval (or `ClientConfig::allow_unlisted_models`)",
        known_ids()
    )))
}

/// All known ids, comma-separated, for error messages.
pub fn known_ids() -> String {
    llama_test_core::catalogue::known_ids().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_model_suggests_and_lists_known_ids() {
        let err = resolve("Llama-3.3-70B", false).unwrap_err().to_string();
        assert!(
            err.contains("did you mean `Llama-3.3-70B-Instruct`?"),
            "{err}"
        );
        assert!(err.contains("Llama-4-Scout-17B-16E-Instruct-FP8"), "{err}");
        assert_eq!(suggest("llama-3.3-8b"), Some("Llama-3.3-8B-Instruct"));
        assert!(resolve("my-finetune", true).unwrap().is_none());
        assert!(resolve("llamaapi:chat:", true).is_err());
    }
}
