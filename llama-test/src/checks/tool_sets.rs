//! Checks over the whole set of calls in an answer: promptfoo's
//! `is-valid-openai-tools-call` (its `tool-call-f1` is the trajectory
//! module's, over an answer's calls when there is no agent loop).

use super::CheckResult;
use super::schema::{Schema, describe_violations};
use super::text::show_list;
use super::tools::{describe_answer, describe_call};
use crate::completion::Completion;
use crate::request::Tool;

/// Every call names a declared tool and its arguments are a JSON object
/// that validates against that tool's `parameters`; an answer without
/// calls fails. A request that declares no tools is an error.
pub fn valid_tool_calls(completion: &Completion, tools: &[Tool]) -> CheckResult {
    const NAME: &str = "valid_tool_calls";
    if tools.is_empty() {
        return CheckResult::error(
            NAME,
            "the request declares no tools to validate the calls against; add `tools` to the provider's config",
        );
    }
    let expected = "make only valid calls to declared tools";
    if completion.tool_calls.is_empty() {
        return CheckResult::check(NAME, false, expected, describe_answer(completion));
    }
    let mut problems = Vec::new();
    for call in &completion.tool_calls {
        let Some(tool) = tools.iter().find(|t| t.name == call.name) else {
            let declared: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
            problems.push(format!(
                "{} names no declared tool (declared: {})",
                describe_call(call),
                show_list(&declared)
            ));
            continue;
        };
        if let Some(e) = call.arguments_error() {
            problems.push(format!(
                "the arguments of {} are not JSON ({e})",
                describe_call(call)
            ));
            continue;
        }
        if !call.arguments.is_object() {
            problems.push(format!(
                "the arguments of {} are not an object",
                describe_call(call)
            ));
            continue;
        }
        let schema = match tool.parameters.as_ref().map(Schema::compile).transpose() {
            Ok(schema) => schema,
            Err(e) => return CheckResult::error(NAME, format!("tool `{}` has an {e}", tool.name)),
        };
        if let Some(schema) = schema {
            let violations = schema.violations(&call.arguments);
            if !violations.is_empty() {
                problems.push(format!(
                    "{} breaks the parameters schema: {}",
                    describe_call(call),
                    describe_violations(&violations)
                ));
            }
        }
    }
    let actual = if problems.is_empty() {
        describe_answer(completion)
    } else {
        problems.join("; ")
    };
    CheckResult::check(NAME, problems.is_empty(), expected, actual)
}
