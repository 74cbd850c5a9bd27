//! A run seen as a matrix: cases (the eval function and its case) as rows,
//! models as columns, each cell the samples of that case on that model;
//! plus totals per model.

use std::collections::BTreeMap;

use llama_test::records::Record;
use serde::Serialize;

use crate::runs::LoadedRun;
use crate::stats::percentile;

/// The outcome of a cell (all samples of one case on one model), or of a
/// sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Outcome {
    /// Passed (for a cell: the pass rate reached the eval's `min_pass`).
    Pass,
    /// A check said no.
    Fail,
    /// The eval could not run.
    Error,
}

impl Outcome {
    /// From a record's `verdict`.
    pub fn of(record: &Record) -> Outcome {
        match record.verdict.as_str() {
            "PASS" => Outcome::Pass,
            "FAIL" => Outcome::Fail,
            _ => Outcome::Error,
        }
    }

    /// `PASS`, `FAIL`, `ERROR`.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Error => "ERROR",
        }
    }
}

/// Totals for one model (a column).
#[derive(Debug, Clone, Serialize)]
pub struct ModelTotals {
    /// The column: `provider:model` ([`column_id`]).
    pub model_id: String,
    /// Its provider.
    pub provider: String,
    /// Samples run.
    pub samples: usize,
    /// Samples that passed, failed, errored.
    pub passed: usize,
    /// See `passed`.
    pub failed: usize,
    /// See `passed`.
    pub errored: usize,
    /// `passed / samples`.
    pub pass_rate: f64,
    /// Latency percentiles of the subject calls, ms.
    pub p50_ms: Option<f64>,
    /// See `p50_ms`.
    pub p95_ms: Option<f64>,
    /// Every sample's latency, ms.
    pub latencies_ms: Vec<u64>,
    /// Tokens of all calls.
    pub prompt_tokens: u64,
    /// See `prompt_tokens`.
    pub completion_tokens: u64,
    /// Estimated cost of all calls; `None` when no call had a price.
    pub cost_usd: Option<f64>,
}

/// One cell: the samples of a case on a model.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Index into [`Summary::models`].
    pub model: usize,
    /// The cell's outcome: ERROR if a sample errored, else PASS when the
    /// pass rate reached `min_pass` (1.0 by default), else FAIL.
    pub outcome: Outcome,
    /// Samples that passed.
    pub passed: usize,
    /// Indices into [`Summary::records`], in sample order.
    pub samples: Vec<usize>,
    /// The mean score of the samples whose checks ran.
    pub score: Option<f64>,
}

/// One row: an eval function and case.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `tool_calling::get_weather` (`[case_1_nyc]` appended when it has one).
    pub label: String,
    /// The eval function's path.
    pub function: String,
    /// The case label.
    pub case: Option<String>,
    /// The case's variables.
    pub vars: BTreeMap<String, String>,
    /// `file:line` of the eval.
    pub location: String,
    /// The cells, in column order; models the row did not run are absent.
    pub cells: Vec<Cell>,
    /// The worst cell outcome.
    pub outcome: Outcome,
}

/// A run, summarized.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The run id.
    pub run_id: String,
    /// The run directory.
    pub dir: String,
    /// The modes the samples ran in, e.g. `replay`.
    pub modes: Vec<String>,
    /// First and last sample times (RFC 3339).
    pub started: String,
    /// See `started`.
    pub finished: String,
    /// Columns.
    pub models: Vec<ModelTotals>,
    /// Rows, by function and case.
    pub rows: Vec<Row>,
    /// Every record.
    pub records: Vec<Record>,
    /// Lines of the run that could not be read.
    pub skipped: Vec<String>,
    /// Samples over all models.
    pub samples: usize,
    /// See `samples`.
    pub passed: usize,
    /// See `samples`.
    pub failed: usize,
    /// See `samples`.
    pub errored: usize,
    /// Estimated cost of the whole run.
    pub cost_usd: Option<f64>,
    /// Tokens of the whole run.
    pub tokens: u64,
}

impl Summary {
    /// Summarizes a loaded run.
    pub fn new(run: LoadedRun) -> Summary {
        let mut records = run.records;
        records.sort_by(|a, b| (&a.test, a.sample).cmp(&(&b.test, b.sample)));
        let models = model_totals(&records);
        let column: BTreeMap<String, usize> = models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.model_id.clone(), i))
            .collect();
        let rows = rows(&records, &column);
        let mut modes: Vec<String> = records.iter().map(|r| r.mode.clone()).collect();
        modes.sort();
        modes.dedup();
        let times = || records.iter().map(|r| r.time.as_str());
        let count = |o: Outcome| records.iter().filter(|r| Outcome::of(r) == o).count();
        let cost_usd = sum_costs(models.iter().map(|m| m.cost_usd));
        Summary {
            run_id: run.id,
            dir: run.dir.display().to_string(),
            modes,
            started: times().min().unwrap_or_default().to_owned(),
            finished: times().max().unwrap_or_default().to_owned(),
            samples: records.len(),
            passed: count(Outcome::Pass),
            failed: count(Outcome::Fail),
            errored: count(Outcome::Error),
            tokens: models
                .iter()
                .map(|m| m.prompt_tokens + m.completion_tokens)
                .sum(),
            cost_usd,
            models,
            rows,
            records,
            skipped: run.skipped,
        }
    }

    /// Whether every sample passed.
    pub fn all_passed(&self) -> bool {
        self.passed == self.samples
    }
}

fn sum_costs(costs: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    costs.fold(None, |sum, c| match (sum, c) {
        (None, None) => None,
        (s, c) => Some(s.unwrap_or(0.0) + c.unwrap_or(0.0)),
    })
}

/// The column of a record: `provider:model`, so `Llama-3.3-70B-Instruct`,
/// `llamaapi:Llama-3.3-70B-Instruct` and `llamaapi:chat:...` share one.
pub fn column_id(r: &Record) -> String {
    format!("{}:{}", r.provider, r.model)
}

fn model_totals(records: &[Record]) -> Vec<ModelTotals> {
    let mut by_model: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
    for r in records {
        by_model.entry(column_id(r)).or_default().push(r);
    }
    by_model
        .into_iter()
        .map(|(model_id, rs)| {
            let count = |o: Outcome| rs.iter().filter(|r| Outcome::of(r) == o).count();
            let latencies_ms: Vec<u64> = rs.iter().filter_map(|r| r.latency_ms).collect();
            let tokens = |f: fn(&llama_test::records::TokenUsage) -> u64| -> u64 {
                rs.iter()
                    .flat_map(|r| {
                        std::iter::once(r.usage.as_ref())
                            .chain(r.followups.iter().map(|c| c.usage.as_ref()))
                    })
                    .flatten()
                    .map(f)
                    .sum()
            };
            let passed = count(Outcome::Pass);
            ModelTotals {
                model_id,
                provider: rs[0].provider.clone(),
                samples: rs.len(),
                passed,
                failed: count(Outcome::Fail),
                errored: count(Outcome::Error),
                pass_rate: passed as f64 / rs.len() as f64,
                p50_ms: percentile(&latencies_ms, 50.0),
                p95_ms: percentile(&latencies_ms, 95.0),
                latencies_ms,
                prompt_tokens: tokens(|u| u.prompt),
                completion_tokens: tokens(|u| u.completion),
                cost_usd: sum_costs(rs.iter().map(|r| r.total_cost_usd())),
            }
        })
        .collect()
}

fn rows(records: &[Record], column: &BTreeMap<String, usize>) -> Vec<Row> {
    let mut by_row: BTreeMap<(String, Option<String>), BTreeMap<usize, Vec<usize>>> =
        BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        let key = (format!("{}::{}", r.binary, r.function), r.case.clone());
        by_row
            .entry(key)
            .or_default()
            .entry(column[&column_id(r)])
            .or_default()
            .push(i);
    }
    by_row
        .into_values()
        .map(|cells| {
            let first = &records[*cells.values().next().and_then(|s| s.first()).unwrap_or(&0)];
            let cells: Vec<Cell> = cells
                .into_iter()
                .map(|(model, samples)| cell(records, model, samples))
                .collect();
            let outcome = cells
                .iter()
                .map(|c| c.outcome)
                .max()
                .unwrap_or(Outcome::Pass);
            let label = match &first.case {
                Some(case) => format!("{} [{case}]", first.function),
                None => first.function.clone(),
            };
            Row {
                label,
                function: first.function.clone(),
                case: first.case.clone(),
                vars: first.vars.clone(),
                location: format!("{}:{}", first.file, first.line),
                cells,
                outcome,
            }
        })
        .collect()
}

fn cell(records: &[Record], model: usize, samples: Vec<usize>) -> Cell {
    let outcomes: Vec<Outcome> = samples.iter().map(|&i| Outcome::of(&records[i])).collect();
    let passed = outcomes.iter().filter(|o| **o == Outcome::Pass).count();
    let gate = records[samples[0]].min_pass.unwrap_or(1.0);
    let outcome = if outcomes.contains(&Outcome::Error) {
        Outcome::Error
    } else if passed as f64 / samples.len() as f64 + 1e-9 >= gate {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    let scores: Vec<f64> = samples.iter().filter_map(|&i| records[i].score).collect();
    Cell {
        model,
        outcome,
        passed,
        score: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
        samples,
    }
}
