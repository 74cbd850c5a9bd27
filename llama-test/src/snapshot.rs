//! `assert_output_snapshot!`: an insta snapshot of an eval's answer under a
//! stable explicit name, with volatile fields left out.
//!
//! The snapshot holds what a reviewer needs to judge a change: model,
//! endpoint, the request's messages (images shown as `[image]`), tools, the
//! answer text, tool calls and stop reason. Ids, latency, token metrics and
//! rate-limit headers change on every call and are never written.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use crate::output::Output;
use crate::request::ContentPart;

/// Asserts an insta snapshot of an [`Output`](crate::Output).
///
/// The snapshot is named `crate__module__test[__case][__model]` (the test
/// binary and libtest path with `::` replaced by `__`, as the fixture),
/// never inferred from the calling function, so names stay stable across
/// cases, models and async bodies. A second snapshot in the same test (say,
/// of a follow-up answer) is named `...__2`, the next `...__3`. Review changes
/// with `cargo insta review`. In `live` mode a mismatch is printed as a
/// warning and does not fail the test: live answers vary, recordings don't.
///
/// ```no_run
/// # use llama_test::prelude::*;
/// #[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Say hi")]
/// fn says_hi(out: Output) {
///     assert_output_snapshot!(out);
/// }
/// ```
#[macro_export]
macro_rules! assert_output_snapshot {
    ($out:expr $(,)?) => {{
        let __out: &$crate::Output = &$out;
        let (__name, __value) = $crate::__private::snapshot_content(__out);
        $crate::__private::snapshot_guard(__out, &__name, || {
            // The name already holds the module path; don't let insta repeat it.
            $crate::__private::insta::with_settings!({ prepend_module_to_snapshot => false }, {
                $crate::__private::insta::assert_json_snapshot!(__name.as_str(), __value, stringify!($out));
            });
        });
    }};
}

/// The name and JSON content of an output's snapshot.
pub fn snapshot_content(out: &Output) -> (String, Value) {
    let request = out.request();
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            let content: Vec<Value> = m
                .content
                .iter()
                .map(|p| match p {
                    ContentPart::Text(t) => Value::String(t.clone()),
                    ContentPart::ImageUrl(u) if u.starts_with("data:") => {
                        Value::String("[image]".into())
                    }
                    ContentPart::ImageUrl(u) => Value::String(format!("[image {u}]")),
                })
                .collect();
            let mut message = json!({ "role": m.role.as_str(), "content": content });
            if !m.tool_calls.is_empty() {
                message["tool_calls"] = m.tool_calls.iter().map(call_json).collect();
            }
            if let Some(id) = &m.tool_call_id {
                message["tool_call_id"] = Value::String(id.clone());
            }
            message
        })
        .collect();
    let completion = out.completion();
    let calls: Vec<Value> = completion.tool_calls.iter().map(call_json).collect();
    let mut value = json!({
        "model": request.model,
        "endpoint": match request.endpoint { crate::Endpoint::Native => "native", crate::Endpoint::Compat => "compat" },
        "stream": request.stream,
        "messages": messages,
        "tools": request.tools.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "text": completion.text,
        "tool_calls": calls,
        "stop_reason": completion.stop_reason.as_ref().map(|s| s.as_str().to_owned()),
    });
    if let Some(t) = out.trajectory() {
        // Ids and latencies are left out: they change on every run.
        let steps: Vec<Value> = t
            .steps
            .iter()
            .map(|s| {
                let mut step = json!({ "turn": s.turn, "name": s.name, "arguments": s.arguments });
                match &s.result {
                    Ok(v) => step["result"] = v.clone(),
                    Err(e) => step["error"] = Value::String(e.clone()),
                }
                step
            })
            .collect();
        value["trajectory"] = json!({
            "steps": steps,
            "turns": t.turns,
            "final_answer": t.final_answer,
            "hit_step_limit": t.hit_step_limit,
        });
    }
    // A second snapshot in the same test (a follow-up answer) gets `__2`, ...
    let taken = out
        .context
        .info
        .snapshots_taken
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = match taken {
        0 => out.snapshot_name().to_owned(),
        n => format!("{}__{}", out.snapshot_name(), n + 1),
    };
    (name, value)
}

/// A tool call as snapshots show it. The id is left out: it changes on
/// every call.
fn call_json(call: &crate::ToolCall) -> Value {
    json!({ "name": call.name, "arguments": call.arguments, "raw_arguments": call.raw_arguments })
}

/// Runs the insta assertion for the snapshot `name`.
///
/// Only the first `repeat` sample is compared: samples differ by design.
/// In live mode a mismatch only warns, and the `.snap.new` insta wrote is
/// removed, so `cargo insta review` never offers an unrecorded live answer.
pub fn snapshot_guard(out: &Output, name: &str, assert: impl FnOnce()) {
    let info = &out.context.info;
    if info.sample.load(Ordering::Relaxed) > 0 {
        return;
    }
    if !out.is_live() {
        assert();
        return;
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(assert));
    if result.is_err() {
        let dir = snapshot_dir(info.manifest_dir, info.source_file);
        let accepted = dir
            .as_ref()
            .is_some_and(|d| d.join(format!("{name}.snap")).is_file());
        if let Some(dir) = dir {
            let _ = std::fs::remove_file(dir.join(format!("{name}.snap.new")));
        }
        let what = if accepted {
            "differs from the live answer"
        } else {
            "has no accepted snapshot yet (none is written from a live answer)"
        };
        crate::notice::notice(&format!(
            "llama-test: snapshot `{name}` {what}; not failing in live mode \
             (snapshots compare recorded answers)"
        ));
    }
}

/// Where insta keeps the snapshots of an assertion in `source_file`
/// (relative to the workspace root, which is the manifest dir or one of its
/// ancestors): `<source dir>/snapshots/`.
fn snapshot_dir(manifest_dir: &str, source_file: &str) -> Option<PathBuf> {
    let source = Path::new(manifest_dir)
        .ancestors()
        .map(|root| root.join(source_file))
        .find(|candidate| candidate.is_file())?;
    Some(source.parent()?.join("snapshots"))
}
