//! What an answer cost: USD per million input and output tokens, per
//! provider and model.
//!
//! Order: `llama-test.toml` > built-in default > unknown.
//!
//! ```toml
//! [providers.openrouter.models."meta-llama/llama-3.3-70b-instruct"]
//! price_in = 0.12     # USD per million prompt tokens
//! price_out = 0.30    # USD per million completion tokens
//! ```
//!
//! A model with only one of the two prices costs nothing for the other.
//! The built-in defaults ([`BUILTIN_PRICES`]) are list prices the hosts
//! published for their Llama models; hosts change them, so declare the
//! price you pay in `llama-test.toml` when a cost gate matters. Local
//! servers (`ollama:`, `vllm:`, `llamacpp:`, `lmstudio:`) cost nothing.
//! Meta's Llama API (`llamaapi:`) published no prices (its preview was free),
//! so its answers have no cost unless the file declares one.
//!
//! The cost of an answer is `prompt_tokens × price_in / 10⁶ +
//! completion_tokens × price_out / 10⁶`, from the usage the server reported
//! (a replayed answer reports its recorded usage, so cost gates work
//! offline). An answer without usage has no cost.

use crate::completion::Usage;
use crate::providers::ConfigFile;

/// USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Per million prompt (input) tokens.
    pub input: f64,
    /// Per million completion (output) tokens.
    pub output: f64,
}

impl Price {
    /// The cost of `usage` at this price, in USD.
    pub fn cost(&self, usage: &Usage) -> f64 {
        (usage.prompt_tokens as f64 * self.input + usage.completion_tokens as f64 * self.output)
            / 1_000_000.0
    }
}

/// Built-in prices: `(provider, model, USD per M input, USD per M output)`,
/// as the hosts listed them for their Llama models (2025 list prices).
/// `*` matches every model of a provider.
#[rustfmt::skip]
pub const BUILTIN_PRICES: &[(&str, &str, f64, f64)] = &[
    ("openrouter", "meta-llama/llama-3.3-70b-instruct", 0.12, 0.30),
    ("openrouter", "meta-llama/llama-4-maverick", 0.15, 0.60),
    ("openrouter", "meta-llama/llama-4-scout", 0.08, 0.30),
    ("openrouter", "meta-llama/llama-3.1-8b-instruct", 0.02, 0.03),
    ("togetherai", "meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.88, 0.88),
    ("togetherai", "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", 0.27, 0.85),
    ("togetherai", "meta-llama/Llama-4-Scout-17B-16E-Instruct", 0.18, 0.59),
    ("togetherai", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", 0.18, 0.18),
    ("groq", "llama-3.3-70b-versatile", 0.59, 0.79),
    ("groq", "llama-3.1-8b-instant", 0.05, 0.08),
    ("groq", "meta-llama/llama-4-maverick-17b-128e-instruct", 0.20, 0.60),
    ("groq", "meta-llama/llama-4-scout-17b-16e-instruct", 0.11, 0.34),
    ("cerebras", "llama-3.3-70b", 0.85, 1.20),
    ("cerebras", "llama3.1-8b", 0.10, 0.10),
    ("cerebras", "llama-4-scout-17b-16e-instruct", 0.65, 0.85),
    ("fireworks", "accounts/fireworks/models/llama-v3p3-70b-instruct", 0.90, 0.90),
    ("fireworks", "accounts/fireworks/models/llama4-maverick-instruct-basic", 0.22, 0.88),
    ("fireworks", "accounts/fireworks/models/llama4-scout-instruct-basic", 0.15, 0.60),
    ("bedrock", "meta.llama3-3-70b-instruct-v1:0", 0.72, 0.72),
    ("bedrock", "us.meta.llama4-maverick-17b-instruct-v1:0", 0.24, 0.97),
    ("bedrock", "us.meta.llama4-scout-17b-instruct-v1:0", 0.17, 0.66),
    ("ollama", "*", 0.0, 0.0),
    ("vllm", "*", 0.0, 0.0),
    ("llamacpp", "*", 0.0, 0.0),
    ("lmstudio", "*", 0.0, 0.0),
];

/// The built-in price of `model` at `provider`, if there is one.
pub fn builtin(provider: &str, model: &str) -> Option<Price> {
    BUILTIN_PRICES
        .iter()
        .find(|(p, m, _, _)| *p == provider && (*m == model || *m == "*"))
        .map(|&(_, _, input, output)| Price { input, output })
}

/// The price of `model` at `provider`: the file's, else the built-in one.
pub fn lookup(file: &ConfigFile, provider: &str, model: &str) -> Option<Price> {
    if let Some(declared) = file.model(provider, model)
        && (declared.price_in.is_some() || declared.price_out.is_some())
    {
        return Some(Price {
            input: declared.price_in.unwrap_or(0.0),
            output: declared.price_out.unwrap_or(0.0),
        });
    }
    builtin(provider, model)
}

/// The cost of an answer from `model_id` (as written in the eval, e.g.
/// `openrouter:meta-llama/llama-3.3-70b-instruct`) with `usage`, or `None`
/// when the usage or the price is unknown.
pub fn cost_of(file: &ConfigFile, model_id: &str, usage: Option<&Usage>) -> Option<f64> {
    let target = llama_test_core::ModelRef::parse(model_id, Some(file)).ok()?;
    let price = lookup(file, &target.provider, &target.model)?;
    usage.map(|u| price.cost(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(prompt: u64, completion: u64) -> Usage {
        Usage {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt + completion,
        }
    }

    #[test]
    fn the_file_wins_over_the_builtin_price() {
        let file = ConfigFile::parse(
            "[providers.openrouter.models.\"meta-llama/llama-3.3-70b-instruct\"]\nprice_in = 1.0\nprice_out = 2.0\n",
            "llama-test.toml",
        )
        .unwrap();
        let id = "openrouter:meta-llama/llama-3.3-70b-instruct";
        let cost = cost_of(&file, id, Some(&usage(1_000, 500))).unwrap();
        assert!((cost - 0.002).abs() < 1e-12, "{cost}");
        let builtin = cost_of(&ConfigFile::default(), id, Some(&usage(1_000_000, 0))).unwrap();
        assert!((builtin - 0.12).abs() < 1e-12, "{builtin}");
    }

    #[test]
    fn local_servers_are_free_and_unknowns_have_no_cost() {
        let file = ConfigFile::default();
        assert_eq!(
            cost_of(&file, "llamacpp:tiny", Some(&usage(10, 10))),
            Some(0.0)
        );
        assert_eq!(cost_of(&file, "ollama:chat:llama3.3", None), None);
        assert_eq!(
            cost_of(&file, "Llama-3.3-70B-Instruct", Some(&usage(10, 10))),
            None
        );
        assert_eq!(cost_of(&file, "nosuch:model", Some(&usage(1, 1))), None);
    }
}
