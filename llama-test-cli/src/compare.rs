//! `report --compare A B`: what changed from run A to run B.

use std::collections::BTreeMap;

use llama_test::records::Record;
use serde::Serialize;

use crate::stats::percentile;
use crate::summary::{Outcome, column_id};
use crate::text::{millis, trim, usd};

/// One sample present in both runs whose outcome or answer changed.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The libtest path, with ` (sample i/n)` for repeats.
    pub test: String,
    /// The model id.
    pub model_id: String,
    /// Outcome in A and B.
    pub before: Outcome,
    /// See `before`.
    pub after: Outcome,
    /// The answers, when they differ.
    pub answer_before: Option<String>,
    /// See `answer_before`.
    pub answer_after: Option<String>,
    /// Why B does not pass, when it does not.
    pub reason: Option<String>,
    /// Latency in A and B, ms.
    pub latency_before_ms: Option<u64>,
    /// See `latency_before_ms`.
    pub latency_after_ms: Option<u64>,
}

/// Cost and latency of one model in both runs.
#[derive(Debug, Clone, Serialize)]
pub struct ModelDelta {
    /// The model id.
    pub model_id: String,
    /// Estimated cost in A and B.
    pub cost_before: Option<f64>,
    /// See `cost_before`.
    pub cost_after: Option<f64>,
    /// Median latency in A and B, ms.
    pub p50_before_ms: Option<f64>,
    /// See `p50_before_ms`.
    pub p50_after_ms: Option<f64>,
    /// Pass rates in A and B.
    pub pass_rate_before: Option<f64>,
    /// See `pass_rate_before`.
    pub pass_rate_after: Option<f64>,
}

/// The comparison of two runs.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Run ids.
    pub before: String,
    /// See `before`.
    pub after: String,
    /// Passed in A, not in B.
    pub newly_failing: Vec<Change>,
    /// Not passed in A, passed in B.
    pub newly_passing: Vec<Change>,
    /// Same outcome, different answer (text or tool calls).
    pub answer_changed: Vec<Change>,
    /// Samples only in A or only in B.
    pub only_before: Vec<String>,
    /// See `only_before`.
    pub only_after: Vec<String>,
    /// Per model.
    pub models: Vec<ModelDelta>,
    /// Total cost in A and B.
    pub cost_before: Option<f64>,
    /// See `cost_before`.
    pub cost_after: Option<f64>,
}

impl Comparison {
    /// Whether B has a newly failing sample.
    pub fn regressed(&self) -> bool {
        !self.newly_failing.is_empty()
    }
}

fn key(r: &Record) -> String {
    match r.repeat {
        0 | 1 => format!("{}::{} @ {}", r.binary, r.test, column_id(r)),
        n => format!(
            "{}::{} (sample {}/{n}) @ {}",
            r.binary,
            r.test,
            r.sample + 1,
            column_id(r)
        ),
    }
}

fn answer_of(r: &Record) -> String {
    let mut text = r.answer_text().to_owned();
    if let Some(a) = &r.answer {
        for call in &a.tool_calls {
            text.push_str(&format!("\n[tool call] {}({})", call.name, call.arguments));
        }
    }
    text
}

fn why(r: &Record) -> Option<String> {
    r.checks
        .iter()
        .find(|c| c.verdict != "PASS")
        .map(|c| format!("{} {}: {}", c.verdict, c.name, c.reason))
        .or_else(|| r.message.clone())
}

/// Compares run `a` (before) with run `b` (after).
pub fn compare(a_id: &str, a: &[Record], b_id: &str, b: &[Record]) -> Comparison {
    let index = |rs: &[Record]| -> BTreeMap<String, Record> {
        rs.iter().map(|r| (key(r), r.clone())).collect()
    };
    let (before, after) = (index(a), index(b));
    let mut c = Comparison {
        before: a_id.to_owned(),
        after: b_id.to_owned(),
        newly_failing: Vec::new(),
        newly_passing: Vec::new(),
        answer_changed: Vec::new(),
        only_before: before
            .keys()
            .filter(|k| !after.contains_key(*k))
            .cloned()
            .collect(),
        only_after: after
            .keys()
            .filter(|k| !before.contains_key(*k))
            .cloned()
            .collect(),
        models: model_deltas(a, b),
        cost_before: sum(a.iter().map(Record::total_cost_usd)),
        cost_after: sum(b.iter().map(Record::total_cost_usd)),
    };
    for (k, old) in &before {
        let Some(new) = after.get(k) else { continue };
        let (was, is) = (Outcome::of(old), Outcome::of(new));
        let (old_answer, new_answer) = (answer_of(old), answer_of(new));
        let changed_answer = old_answer != new_answer;
        let change = Change {
            test: k.split(" @ ").next().unwrap_or(k).to_owned(),
            model_id: column_id(new),
            before: was,
            after: is,
            answer_before: changed_answer.then(|| old_answer.clone()),
            answer_after: changed_answer.then(|| new_answer.clone()),
            reason: (is != Outcome::Pass).then(|| why(new)).flatten(),
            latency_before_ms: old.latency_ms,
            latency_after_ms: new.latency_ms,
        };
        match (was, is) {
            (Outcome::Pass, Outcome::Fail | Outcome::Error) => c.newly_failing.push(change),
            (Outcome::Fail | Outcome::Error, Outcome::Pass) => c.newly_passing.push(change),
            _ if changed_answer => c.answer_changed.push(change),
            _ => {}
        }
    }
    // A newly failing case whose answer also changed is listed there too.
    let also_changed: Vec<Change> = c
        .newly_failing
        .iter()
        .chain(&c.newly_passing)
        .filter(|ch| ch.answer_before.is_some())
        .cloned()
        .collect();
    c.answer_changed.extend(also_changed);
    c.answer_changed.sort_by(|x, y| x.test.cmp(&y.test));
    c
}

fn sum(costs: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    costs.fold(None, |s, c| match (s, c) {
        (None, None) => None,
        (s, c) => Some(s.unwrap_or(0.0) + c.unwrap_or(0.0)),
    })
}

fn model_deltas(a: &[Record], b: &[Record]) -> Vec<ModelDelta> {
    let mut models: Vec<String> = a.iter().chain(b).map(column_id).collect();
    models.sort();
    models.dedup();
    models
        .into_iter()
        .map(|m| {
            let of = |rs: &[Record]| -> Vec<Record> {
                rs.iter().filter(|r| column_id(r) == m).cloned().collect()
            };
            let (ra, rb) = (of(a), of(b));
            let p50 = |rs: &[Record]| {
                let l: Vec<u64> = rs.iter().filter_map(|r| r.latency_ms).collect();
                percentile(&l, 50.0)
            };
            let rate = |rs: &[Record]| {
                (!rs.is_empty()).then(|| {
                    rs.iter()
                        .filter(|r| Outcome::of(r) == Outcome::Pass)
                        .count() as f64
                        / rs.len() as f64
                })
            };
            ModelDelta {
                model_id: m.clone(),
                cost_before: sum(ra.iter().map(Record::total_cost_usd)),
                cost_after: sum(rb.iter().map(Record::total_cost_usd)),
                p50_before_ms: p50(&ra),
                p50_after_ms: p50(&rb),
                pass_rate_before: rate(&ra),
                pass_rate_after: rate(&rb),
            }
        })
        .collect()
}

fn delta_usd(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => {
            let d = b - a;
            format!(
                "{} → {} ({}{})",
                usd(Some(a)),
                usd(Some(b)),
                if d >= 0.0 { "+" } else { "-" },
                usd(Some(d.abs()))
            )
        }
        (a, b) => format!("{} → {}", usd(a), usd(b)),
    }
}

fn delta_ms(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!(
            "{} → {} ({:+.0} ms)",
            millis(Some(a)),
            millis(Some(b)),
            b - a
        ),
        (a, b) => format!("{} → {}", millis(a), millis(b)),
    }
}

fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

/// The comparison as Markdown (what the command prints).
pub fn render(c: &Comparison) -> String {
    let mut out = format!("## llama-test: `{}` → `{}`\n\n", c.before, c.after);
    out.push_str(&format!(
        "{} newly failing, {} newly passing, {} answers changed, {} only in `{}`, {} only in `{}`; cost {}\n",
        c.newly_failing.len(),
        c.newly_passing.len(),
        c.answer_changed.len(),
        c.only_before.len(),
        c.before,
        c.only_after.len(),
        c.after,
        delta_usd(c.cost_before, c.cost_after)
    ));
    let list = |out: &mut String, title: &str, changes: &[Change]| {
        if changes.is_empty() {
            return;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        for ch in changes {
            out.push_str(&format!(
                "- `{}` on `{}`: {} → {}",
                ch.test,
                ch.model_id,
                ch.before.label(),
                ch.after.label()
            ));
            if let Some(reason) = &ch.reason {
                out.push_str(&format!(" — {}", trim(&reason.replace('\n', " "), 300)));
            }
            out.push('\n');
            if let (Some(a), Some(b)) = (&ch.answer_before, &ch.answer_after) {
                out.push_str(&format!(
                    "  - before: {:?}\n  - after:  {:?}\n",
                    trim(a, 200),
                    trim(b, 200)
                ));
            }
        }
    };
    list(&mut out, "Newly failing", &c.newly_failing);
    list(&mut out, "Newly passing", &c.newly_passing);
    list(&mut out, "Answer changed", &c.answer_changed);
    for (title, keys) in [
        (format!("Only in `{}`", c.before), &c.only_before),
        (format!("Only in `{}`", c.after), &c.only_after),
    ] {
        if !keys.is_empty() {
            out.push_str(&format!("\n### {title}\n\n"));
            for k in keys {
                out.push_str(&format!("- `{k}`\n"));
            }
        }
    }
    out.push_str(
        "\n### Per model\n\n| model | pass rate | cost | p50 latency |\n|---|---|---|---|\n",
    );
    for m in &c.models {
        out.push_str(&format!(
            "| `{}` | {} → {} | {} | {} |\n",
            m.model_id,
            rate(m.pass_rate_before),
            rate(m.pass_rate_after),
            delta_usd(m.cost_before, m.cost_after),
            delta_ms(m.p50_before_ms, m.p50_after_ms)
        ));
    }
    out
}
