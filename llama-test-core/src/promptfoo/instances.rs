//! The tests a config stands for: one per test case × prompt × provider,
//! named as `promptfoo_suite!` names them (`case_1_nyc`, then
//! `__prompt_2` with several prompts and `__<label or model>` with several
//! providers), each with its prompt rendered with the case's vars.

use std::path::Path;

use super::{Case, Prompt, Provider, Suite, render, render_json};
use crate::names::{case_label, model_suffix, sanitize};

/// One generated test.
#[derive(Debug, Clone)]
pub struct Instance<'a> {
    /// The test's name inside the suite's module.
    pub name: String,
    /// The 0-based index of the case in the config.
    pub case_index: usize,
    pub case: &'a Case,
    pub prompt: &'a Prompt,
    pub provider: &'a Provider,
}

/// The prompt of one test, rendered.
#[derive(Debug, Clone, PartialEq)]
pub enum Rendered {
    /// A user message.
    Text(String),
    /// The messages, as JSON text.
    Chat(String),
}

impl Instance<'_> {
    /// The prompt with the case's vars filled in; an unknown var or filter
    /// is an error naming it.
    pub fn render(&self) -> Result<Rendered, String> {
        match self.prompt {
            Prompt::Text(t) => render(t, &self.case.vars).map(Rendered::Text),
            Prompt::Chat(v) => {
                render_json(v, &self.case.vars).map(|v| Rendered::Chat(v.to_string()))
            }
        }
    }
}

/// The module a config's tests live in: its file stem as an identifier
/// (`tool-calling.yaml` -> `tool_calling`).
pub fn module_name(path: &str) -> String {
    let stem = Path::new(path)
        .file_stem()
        .map(|s| sanitize(&s.to_string_lossy()))
        .unwrap_or_default();
    if stem.is_empty() || stem.starts_with(|c: char| c.is_ascii_digit()) {
        format!("suite_{stem}")
    } else {
        stem
    }
}

/// Every test of `suite`, in case, prompt, provider order. Two tests with
/// one name are an error (distinct provider `label`s fix it).
pub fn instances(suite: &Suite) -> Result<Vec<Instance<'_>>, String> {
    let mut out: Vec<Instance> = Vec::new();
    let many_providers = suite.providers.len() > 1;
    let many_prompts = suite.prompts.len() > 1;
    for (ci, case) in suite.cases.iter().enumerate() {
        let label = case_label(ci, suite.cases.len(), case.description.as_deref());
        for (pi, prompt) in suite.prompts.iter().enumerate() {
            for provider in &suite.providers {
                let mut name = label.clone();
                if many_prompts {
                    name.push_str(&format!("__prompt_{}", pi + 1));
                }
                if many_providers {
                    let suffix = match &provider.label {
                        Some(l) if !sanitize(l).is_empty() => sanitize(l),
                        _ => model_suffix(&provider.id),
                    };
                    name.push_str("__");
                    name.push_str(&suffix);
                }
                if out.iter().any(|i| i.name == name) {
                    return Err(format!(
                        "two generated tests would both be named `{name}`; \
                         give the providers distinct `label`s"
                    ));
                }
                out.push(Instance {
                    name,
                    case_index: ci,
                    case,
                    prompt,
                    provider,
                });
            }
        }
    }
    Ok(out)
}
