//! `agent(max_steps = 6, tools = crate::tools::registry, then_tool_choice = "none")`:
//! run the tool loop with Rust implementations. `tools` is a path to a
//! `fn() -> llama_test::ToolRegistry` (rustc checks its type, spanned on
//! the path); the other items are literals checked here.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::args::{Arg, ArgBody, ValueKind};
use crate::errors::Errors;
use crate::keys::{self, Spanned};
use crate::names::{backticked, hint};
use crate::tokens::opt_str;

/// The options `agent(...)` takes.
const OPTIONS: &[&str] = &["tools", "max_steps", "then_tool_choice"];

const TOOLS_EXAMPLE: &str = "agent(tools = crate::tools::registry)";

/// What `agent(...)` declared.
pub struct Agent {
    /// The `fn() -> ToolRegistry`, with the path's own spans.
    pub tools: syn::Path,
    /// Model turns; default [`DEFAULT_MAX_STEPS`].
    pub max_steps: u64,
    /// `tool_choice` on turns 2, 3, ...
    pub then_tool_choice: Option<Spanned<String>>,
}

impl Agent {
    /// The spec's `agent: Some(AgentSpec { .. })`, with `tools` the registry
    /// as the generated code reaches it (the user's path, whose spans make a
    /// wrong type a rustc error on it, or a const standing for it).
    pub fn spec_tokens(&self, krate: &syn::Path, tools: &impl quote::ToTokens) -> TokenStream {
        let max_steps = Literal::usize_unsuffixed(self.max_steps as usize);
        let then = opt_str(self.then_tool_choice.as_ref().map(|c| c.value.as_str()));
        quote!(::core::option::Option::Some(#krate::__private::AgentSpec {
            max_steps: #max_steps,
            tools: #tools,
            then_tool_choice: #then,
        }))
    }
}

/// llama-test's `agent::DEFAULT_MAX_STEPS`.
pub const DEFAULT_MAX_STEPS: u64 = 10;

/// Reads `agent(...)`; `None` once a problem is reported.
pub fn parse(arg: &Arg, errors: &mut Errors) -> Option<Agent> {
    let items = keys::list(arg, errors)?;
    let before = errors.len();
    let mut tools = None;
    let mut max_steps = None;
    let mut then_tool_choice = None;
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        let name = item.name();
        if seen.contains(&name) {
            errors.push(
                &item.key,
                format!("`{name}` is given twice in `agent(...)`"),
            );
            continue;
        }
        seen.push(name.clone());
        match name.as_str() {
            "tools" => tools = registry_path(item, errors),
            "max_steps" => max_steps = steps(item, errors),
            "then_tool_choice" => then_tool_choice = keys::string(item, errors),
            _ => errors.push(
                &item.key,
                format!(
                    "unknown `agent` option `{name}`{}; expected one of: {}",
                    hint(&name, OPTIONS),
                    backticked(OPTIONS)
                ),
            ),
        }
    }
    if !seen.iter().any(|s| s == "tools") {
        errors.push(
            arg,
            format!(
                "`agent(...)` needs `tools = path::to::registry`, a `fn() -> llama_test::ToolRegistry` \
                 with the Rust implementation of each tool, e.g. `{TOOLS_EXAMPLE}`"
            ),
        );
    }
    if errors.len() > before {
        return None;
    }
    Some(Agent {
        tools: tools?,
        max_steps: max_steps.unwrap_or(DEFAULT_MAX_STEPS),
        then_tool_choice,
    })
}

/// A Rust path, not a literal: `tools = crate::tools::registry`.
fn registry_path(item: &Arg, errors: &mut Errors) -> Option<syn::Path> {
    let (tokens, found) = match &item.body {
        ArgBody::Value(v) if matches!(v.kind, ValueKind::Other) => (v.tokens.clone(), None),
        ArgBody::Value(v) => (v.tokens.clone(), Some(v.kind.describe())),
        _ => (item.tokens.clone(), Some("no value")),
    };
    let expected = format!(
        "`tools` in `agent(...)` expects the path of a `fn() -> llama_test::ToolRegistry`, \
         e.g. `{TOOLS_EXAMPLE}`"
    );
    if let Some(found) = found {
        let tip = if found == "a string" {
            " (the tool definitions stay in the top-level `tools = \"path.json\"`)"
        } else {
            ""
        };
        errors.push(&tokens, format!("{expected}; found {found}{tip}"));
        return None;
    }
    match syn::parse2::<syn::Path>(tokens.clone()) {
        Ok(path) => Some(path),
        Err(_) => {
            errors.push(&tokens, format!("{expected}; found an expression"));
            None
        }
    }
}

fn steps(item: &Arg, errors: &mut Errors) -> Option<u64> {
    let n = keys::integer::<u64>(item, errors)?;
    if n == 0 {
        errors.push(
            keys::value_span(item),
            "`max_steps` must be at least 1: it counts model turns, and the loop needs one",
        );
        return None;
    }
    Some(n)
}

/// Why `then_tool_choice = "<choice>"` is refused: neither a mode nor one of
/// `tools` (`what` says whose, e.g. "a declared tool"); `None` when accepted.
pub fn then_tool_choice_error(choice: &str, tools: &[&str], what: &str) -> Option<String> {
    let modes = llama_test_core::choices::TOOL_CHOICE_MODES;
    if modes.contains(&choice) || tools.contains(&choice) {
        return None;
    }
    let mut accepted = modes.to_vec();
    accepted.extend(tools);
    Some(format!(
        "`then_tool_choice = \"{choice}\"` is neither a mode nor {what}{}; expected one of: {}",
        hint(choice, &accepted),
        backticked(&accepted)
    ))
}

/// Across keys: the loop needs declared tools, trajectory checks need the
/// loop, and the tools they name must be declared.
pub fn check(eval: &crate::eval::Eval, errors: &mut Errors) {
    let declared = eval.given.iter().any(|g| g == "tools");
    let names: Vec<&str> = eval.tool_names.iter().map(String::as_str).collect();
    let given_agent = eval.agent_tokens.is_some();
    if let Some(tokens) = &eval.agent_tokens
        && !declared
    {
        errors.push(
            tokens,
            "`agent(...)` needs the tool definitions the model sees: add \
             `tools = \"tests/data/tools.json\"` (each tool needs an implementation in the registry)",
        );
    }
    if let Some(choice) = eval
        .agent
        .as_ref()
        .and_then(|a| a.then_tool_choice.as_ref())
        && declared
        && let Some(message) = then_tool_choice_error(&choice.value, &names, "a declared tool")
    {
        errors.push(&choice.tokens, message);
    }
    for check in &eval.checks {
        let Some((kind, _)) = llama_test_core::checks::find(&check.kind) else {
            continue;
        };
        if !llama_test_core::checks::is_trajectory(kind) {
            continue;
        }
        if !given_agent {
            errors.push(
                &check.key_tokens,
                format!(
                    "`{}` checks the trajectory of an agent loop, and this eval makes a single call; \
                     add `{TOOLS_EXAMPLE}` (or, for one call's tool calls, use `function_call`, \
                     `tool_call_count` or `tool_call_order`)",
                    check.kind
                ),
            );
            continue;
        }
        if !declared {
            continue; // reported on `agent(...)`
        }
        for tool in &check.trajectory_tools {
            // A `{{var}}` is filled per case at run time.
            if !tool.value.contains("{{") && !names.contains(&tool.value.as_str()) {
                errors.push(
                    &tool.tokens,
                    format!(
                        "`{}` names `{}`, which is not a declared tool{}; the tools are: {}",
                        check.kind,
                        tool.value,
                        hint(&tool.value, &names),
                        backticked(&names)
                    ),
                );
            }
        }
    }
}
