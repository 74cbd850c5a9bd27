//! The sampling options an eval declares, one struct for the macro (which
//! writes it into the generated spec) and the runtime (which sends it).

/// Sampling options, named as on the provider page. Which wire field each
/// becomes depends on the endpoint (native sends `max_tokens` as
/// `max_completion_tokens`; the OpenAI penalties exist only on compat).
/// Every field is `None` by default, which leaves it out of the body so the
/// API's own default applies; an option the endpoint does not take is an
/// `Error::InvalidRequest` of `llama-test`, not a silent drop.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sampling {
    /// Sampling temperature; `0.0` is the most deterministic.
    pub temperature: Option<f64>,
    /// Nucleus sampling: keep the smallest token set whose probability mass
    /// reaches this fraction (`0.0..=1.0`).
    pub top_p: Option<f64>,
    /// Keep only the `k` most likely tokens. Native endpoint only.
    pub top_k: Option<u32>,
    /// Upper bound on generated tokens; sent as `max_completion_tokens`
    /// (native) or `max_tokens` (compat).
    pub max_tokens: Option<u32>,
    /// Penalty on repeated tokens (`1.0` = none). Native endpoint only.
    pub repetition_penalty: Option<f64>,
    /// OpenAI frequency penalty. Compat endpoint only.
    pub frequency_penalty: Option<f64>,
    /// OpenAI presence penalty. Compat endpoint only.
    pub presence_penalty: Option<f64>,
}
