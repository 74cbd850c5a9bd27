//! `--junit`: JUnit XML as GitHub, GitLab and Jenkins read it.
//!
//! One `<testsuite>` per test binary, named `<package>::<binary>` (as
//! cargo-nextest names them), one `<testcase>` per eval sample with
//! `classname` the suite and `name` the libtest path (what `cargo test --
//! <name> --exact` takes; ` (sample i/n)` is added when the eval repeats).
//! A failed check is a `<failure>`, an eval that could not run an
//! `<error>`, each with the messages; `<system-out>` holds the answer;
//! `time` is the recorded latency. The output follows the Jenkins JUnit
//! schema (`tests/data/junit.xsd` holds the one the tests validate against),
//! so the eval's file and line are in `<system-out>`, not attributes. A failed sample of a repeated eval whose
//! pass rate still met `min_pass` is not a failure (the test passed); its
//! `<system-out>` says so.

use std::collections::BTreeMap;

use llama_test::records::Record;
use minijinja::Environment;
use serde::Serialize;

use crate::summary::{Outcome, Summary};
use crate::text::{usd, xml_safe};

const TEMPLATE: &str = include_str!("../templates/junit.xml");

#[derive(Serialize)]
struct Suite {
    name: String,
    tests: usize,
    failures: usize,
    errors: usize,
    time: String,
    timestamp: String,
    cases: Vec<Case>,
}

#[derive(Serialize)]
struct Case {
    classname: String,
    name: String,
    time: String,
    failure: Option<Problem>,
    error: Option<Problem>,
    out: String,
}

#[derive(Serialize)]
struct Problem {
    message: String,
    kind: &'static str,
    text: String,
}

/// The JUnit XML of a run.
pub fn render(summary: &Summary) -> Result<String, String> {
    let gate_passed = gate_outcomes(summary);
    let mut suites: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
    for r in &summary.records {
        suites
            .entry(format!("{}::{}", r.package, r.binary))
            .or_default()
            .push(r);
    }
    let suites: Vec<Suite> = suites
        .into_iter()
        .map(|(name, records)| suite(name, &records, &gate_passed))
        .collect();
    let mut env = Environment::new();
    env.add_template("junit.xml", TEMPLATE)
        .map_err(|e| format!("the JUnit template is broken: {e}"))?;
    let template = env
        .get_template("junit.xml")
        .map_err(|e| format!("the JUnit template is missing: {e}"))?;
    let totals = |f: fn(&Suite) -> usize| suites.iter().map(f).sum::<usize>();
    template
        .render(minijinja::context! {
            name => xml_safe(&format!("llama-test run {}", summary.run_id)),
            tests => totals(|s| s.tests),
            failures => totals(|s| s.failures),
            errors => totals(|s| s.errors),
            time => seconds(summary.records.iter().filter_map(|r| r.latency_ms).sum()),
            suites => minijinja::Value::from(minijinja::value::Serde(&suites)),
        })
        .map_err(|e| format!("cannot render the JUnit report: {e}"))
}

/// Per test path: whether the test passed its `min_pass` gate over all
/// its samples.
fn gate_outcomes(summary: &Summary) -> BTreeMap<&str, bool> {
    let mut samples: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for r in &summary.records {
        samples.entry(r.test.as_str()).or_default().push(r);
    }
    samples
        .into_iter()
        .map(|(test, rs)| {
            let errored = rs.iter().any(|r| Outcome::of(r) == Outcome::Error);
            let passed = rs
                .iter()
                .filter(|r| Outcome::of(r) == Outcome::Pass)
                .count();
            let gate = rs[0].min_pass.unwrap_or(1.0);
            (
                test,
                !errored && passed as f64 / rs.len() as f64 + 1e-9 >= gate,
            )
        })
        .collect()
}

fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

fn suite(name: String, records: &[&Record], gate_passed: &BTreeMap<&str, bool>) -> Suite {
    let cases: Vec<Case> = records
        .iter()
        .map(|r| {
            case(
                &name,
                r,
                gate_passed.get(r.test.as_str()).copied().unwrap_or(false),
            )
        })
        .collect();
    Suite {
        tests: cases.len(),
        failures: cases.iter().filter(|c| c.failure.is_some()).count(),
        errors: cases.iter().filter(|c| c.error.is_some()).count(),
        time: seconds(records.iter().filter_map(|r| r.latency_ms).sum()),
        timestamp: records
            .iter()
            .map(|r| r.time.trim_end_matches('Z'))
            .min()
            .unwrap_or("1970-01-01T00:00:00")
            .to_owned(),
        name: xml_safe(&name),
        cases,
    }
}

fn case(suite: &str, r: &Record, test_passed: bool) -> Case {
    let name = match r.repeat {
        0 | 1 => r.test.clone(),
        n => format!("{} (sample {}/{n})", r.test, r.sample + 1),
    };
    let failing: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.verdict != "PASS")
        .map(|c| format!("{} {}: {}", c.verdict, c.name, c.reason))
        .chain(r.message.clone())
        .collect();
    let first = failing
        .first()
        .cloned()
        .unwrap_or_else(|| r.verdict.clone());
    let problem = |kind| Problem {
        message: xml_safe(&crate::text::trim(&first, 300)),
        kind,
        text: xml_safe(&failing.join("\n")),
    };
    let mut out = String::new();
    let outcome = Outcome::of(r);
    if outcome == Outcome::Fail && test_passed {
        out.push_str(&format!(
            "this sample failed, but the test passed its min_pass gate:\n{}\n\n",
            failing.join("\n")
        ));
    }
    out.push_str(&answer_text(r));
    out.push_str(&format!("\neval at {}:{}", r.file, r.line));
    Case {
        classname: xml_safe(suite),
        name: xml_safe(&name),
        time: seconds(r.latency_ms.unwrap_or(0)),
        failure: (outcome == Outcome::Fail && !test_passed).then(|| problem("llama-test FAIL")),
        error: (outcome == Outcome::Error).then(|| problem("llama-test ERROR")),
        out: xml_safe(&out),
    }
}

/// The answer and its metadata, as `<system-out>` shows them.
pub(crate) fn answer_text(r: &Record) -> String {
    let mut out = String::new();
    if let Some(answer) = &r.answer {
        out.push_str(&answer.text);
        for call in &answer.tool_calls {
            out.push_str(&format!("\n[tool call] {}({})", call.name, call.arguments));
        }
        if let Some(e) = &answer.generation_error {
            out.push_str(&format!("\n[generation error] {e}"));
        }
        out.push('\n');
    }
    let tokens = r
        .usage
        .map(|u| format!("{} prompt + {} completion tokens", u.prompt, u.completion))
        .unwrap_or_else(|| "no token usage".to_owned());
    out.push_str(&format!(
        "\nmodel {} ({}), mode {}, {}, cost {}",
        r.model_id,
        r.provider,
        r.mode,
        tokens,
        usd(r.total_cost_usd())
    ));
    if let Some(fixture) = &r.fixture {
        out.push_str(&format!(", fixture {fixture}"));
    }
    out
}
