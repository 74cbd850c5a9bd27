//! `#[llama_eval(..., agent(...))]`: the runtime half. The attribute's own
//! request is the loop's first turn (sent ahead by the prefetch like any
//! other eval); the loop continues from its answer through the test's
//! fixture session, and the checks and the body see the last answer with
//! its [`Trajectory`].

use crate::agent::{LoopOptions, Trajectory, drive, missing_implementations};
use crate::checks::{CheckResult, Report, Verdict, WeightedResult};
use crate::error::{Error, Result};
use crate::output::Output;
use crate::request::ToolChoice;
use crate::spec::AgentSpec;

/// Runs the declared loop from the first turn's answer.
pub(crate) async fn run(agent: &AgentSpec, first: Output) -> Result<Output> {
    if agent.max_steps == 0 {
        return Err(Error::Config(
            "agent(max_steps = 0): the loop needs at least one model turn".into(),
        ));
    }
    let registry = (agent.tools)();
    let missing = missing_implementations(first.request(), &registry);
    if !missing.is_empty() {
        return Err(Error::Config(format!(
            "agent(tools = ...): the registry implements [{}] but not [{}], which the eval's \
             `tools` file declares; add `.tool(\"{}\", ...)` to the function that builds it",
            registry.names().join(", "),
            missing.join(", "),
            missing[0]
        )));
    }
    let options = LoopOptions {
        max_steps: agent.max_steps,
        then_tool_choice: agent.then_tool_choice.map(ToolChoice::parse),
    };
    drive(first, &registry, &options).await
}

/// A loop that ended at its step limit with the model still calling tools
/// fails the eval, whatever the other checks and the threshold say; the
/// failure lists the steps.
pub(crate) fn with_step_limit(mut report: Report, trajectory: Option<&Trajectory>) -> Report {
    let Some(t) = trajectory.filter(|t| t.hit_step_limit) else {
        return report;
    };
    let result = CheckResult::check(
        "agent",
        false,
        format!(
            "answer within agent(max_steps = {}) model turns",
            t.max_steps
        ),
        format!(
            "the model was still calling tools after {} turns; the steps were:\n{}",
            t.turns,
            t.describe()
        ),
    );
    report.results.push(WeightedResult {
        result,
        weight: 1.0,
    });
    if report.verdict != Verdict::Error {
        report.verdict = Verdict::Fail;
    }
    report
}
