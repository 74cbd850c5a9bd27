//! `--html`: one self-contained page (inline CSS, JS and SVG; no network)
//! with the run's totals per model, charts, the case × model matrix and
//! every answer side by side. The summary, matrix and details are plain
//! HTML, readable without JavaScript; the script adds the filters (failed
//! only, by model, text search; also from the URL: `?failed=1&model=2&q=nyc`)
//! and a side panel for a clicked cell.
//!
//! Rendered with minijinja from `templates/report.html` with HTML
//! auto-escaping, so nothing a model wrote can become markup.

use minijinja::Environment;
use serde::Serialize;

use crate::summary::Summary;
use crate::text::{millis, trim, usd, xml_safe};
use llama_test::records::Record;

const TEMPLATE: &str = include_str!("../templates/report.html");

/// Width of the charts' plotting area, px.
const CHART_W: f64 = 320.0;
/// Height of one chart row, px.
const ROW_H: f64 = 22.0;

#[derive(Serialize)]
struct ModelView {
    index: usize,
    id: String,
    provider: String,
    samples: usize,
    passed: usize,
    failed: usize,
    errored: usize,
    pass_rate: String,
    p50: String,
    p95: String,
    tokens: u64,
    cost: String,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    short: String,
    y: f64,
    width: f64,
    text: String,
}

#[derive(Serialize)]
struct Strip {
    label: String,
    short: String,
    y: f64,
    dots: Vec<f64>,
    p50: Option<f64>,
    p95: Option<f64>,
    text: String,
}

#[derive(Serialize)]
struct CellView {
    model: usize,
    present: bool,
    outcome: &'static str,
    text: String,
    title: String,
    anchor: String,
}

#[derive(Serialize)]
struct RowView {
    index: usize,
    label: String,
    location: String,
    vars: String,
    outcome: &'static str,
    search: String,
    cells: Vec<CellView>,
    columns: Vec<ColumnView>,
}

#[derive(Serialize)]
struct ColumnView {
    model: usize,
    model_id: String,
    anchor: String,
    outcome: &'static str,
    samples: Vec<SampleView>,
}

#[derive(Serialize)]
struct CheckView {
    verdict: String,
    name: String,
    reason: String,
}

#[derive(Serialize)]
struct MessageView {
    role: String,
    text: String,
    images: usize,
}

#[derive(Serialize)]
struct SampleView {
    test: String,
    sample: String,
    verdict: String,
    score: String,
    answer: String,
    tool_calls: Vec<String>,
    reasoning: Option<String>,
    failing: Vec<CheckView>,
    checks: Vec<CheckView>,
    messages: Vec<MessageView>,
    message: Option<String>,
    latency: String,
    ttft: Option<String>,
    tokens: String,
    cost: String,
    fixture: Option<String>,
    mode: String,
}

/// The HTML report of a run.
pub fn render(summary: &Summary) -> Result<String, String> {
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| format!("the HTML template is broken: {e}"))?;
    let template = env
        .get_template("report.html")
        .map_err(|e| format!("the HTML template is missing: {e}"))?;
    let models: Vec<ModelView> = summary
        .models
        .iter()
        .enumerate()
        .map(|(index, m)| ModelView {
            index,
            id: m.model_id.clone(),
            provider: m.provider.clone(),
            samples: m.samples,
            passed: m.passed,
            failed: m.failed,
            errored: m.errored,
            pass_rate: format!("{:.0}%", m.pass_rate * 100.0),
            p50: millis(m.p50_ms),
            p95: millis(m.p95_ms),
            tokens: m.prompt_tokens + m.completion_tokens,
            cost: usd(m.cost_usd),
        })
        .collect();
    let rows: Vec<RowView> = summary
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| row_view(summary, i, row))
        .collect();
    let (bars, strips, max_latency) = charts(summary);
    template
        .render(minijinja::context! {
            run_id => summary.run_id.clone(),
            dir => summary.dir.clone(),
            modes => summary.modes.join(", "),
            started => summary.started.clone(),
            finished => summary.finished.clone(),
            samples => summary.samples,
            passed => summary.passed,
            failed => summary.failed,
            errored => summary.errored,
            tokens => summary.tokens,
            cost => usd(summary.cost_usd),
            skipped => minijinja::Value::from(minijinja::value::Serde(&summary.skipped)),
            models => minijinja::Value::from(minijinja::value::Serde(&models)),
            rows => minijinja::Value::from(minijinja::value::Serde(&rows)),
            bars => minijinja::Value::from(minijinja::value::Serde(&bars)),
            strips => minijinja::Value::from(minijinja::value::Serde(&strips)),
            chart_w => CHART_W,
            chart_h => ROW_H * summary.models.len().max(1) as f64,
            max_latency => millis(Some(max_latency)),
        })
        .map_err(|e| format!("cannot render the HTML report: {e}"))
}

fn charts(summary: &Summary) -> (Vec<Bar>, Vec<Strip>, f64) {
    let max = summary
        .models
        .iter()
        .flat_map(|m| m.latencies_ms.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let x = |ms: f64| ms / max * CHART_W;
    let bars = summary
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| Bar {
            label: m.model_id.clone(),
            short: trim(&m.model_id, 42),
            y: i as f64 * ROW_H,
            width: m.pass_rate * CHART_W,
            text: format!("{:.0}%", m.pass_rate * 100.0),
        })
        .collect();
    let strips = summary
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| Strip {
            label: m.model_id.clone(),
            short: trim(&m.model_id, 42),
            y: i as f64 * ROW_H,
            dots: m.latencies_ms.iter().map(|&ms| x(ms as f64)).collect(),
            p50: m.p50_ms.map(x),
            p95: m.p95_ms.map(x),
            text: format!("p50 {} · p95 {}", millis(m.p50_ms), millis(m.p95_ms)),
        })
        .collect();
    (bars, strips, max)
}

fn row_view(summary: &Summary, index: usize, row: &crate::summary::Row) -> RowView {
    let vars = row
        .vars
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut search = format!("{} {} {vars}", row.label, row.location);
    let cells = (0..summary.models.len())
        .map(|model| {
            let anchor = format!("d-{index}-{model}");
            match row.cells.iter().find(|c| c.model == model) {
                None => CellView {
                    model,
                    present: false,
                    outcome: "",
                    text: String::new(),
                    title: String::new(),
                    anchor,
                },
                Some(cell) => {
                    let samples: Vec<&Record> =
                        cell.samples.iter().map(|&i| &summary.records[i]).collect();
                    for r in &samples {
                        search.push(' ');
                        search.push_str(r.answer_text());
                        search.push(' ');
                        search.push_str(&r.model_id);
                    }
                    let score = cell.score.map(|s| format!(" {s:.2}")).unwrap_or_default();
                    let text = match samples.len() {
                        1 => format!("{}{score}", cell.outcome.label()),
                        n => format!("{} {}/{n}{score}", cell.outcome.label(), cell.passed),
                    };
                    CellView {
                        model,
                        present: true,
                        outcome: cell.outcome.label(),
                        text,
                        title: hover(&samples),
                        anchor,
                    }
                }
            }
        })
        .collect();
    let columns = row
        .cells
        .iter()
        .map(|cell| ColumnView {
            model: cell.model,
            model_id: summary.models[cell.model].model_id.clone(),
            anchor: format!("d-{index}-{}", cell.model),
            outcome: cell.outcome.label(),
            samples: cell
                .samples
                .iter()
                .map(|&i| sample_view(&summary.records[i]))
                .collect(),
        })
        .collect();
    RowView {
        index,
        label: xml_safe(&row.label),
        location: row.location.clone(),
        vars: xml_safe(&vars),
        outcome: row.outcome.label(),
        search: xml_safe(&search.to_lowercase()),
        cells,
        columns,
    }
}

/// The tooltip of a cell: the first sample's answer and failing checks.
fn hover(samples: &[&Record]) -> String {
    let Some(r) = samples.first() else {
        return String::new();
    };
    let mut text = format!("{} · {}\n", r.verdict, r.model_id);
    for c in r.checks.iter().filter(|c| c.verdict != "PASS") {
        text.push_str(&format!(
            "{} {}: {}\n",
            c.verdict,
            c.name,
            trim(&c.reason, 160)
        ));
    }
    if let Some(m) = &r.message {
        text.push_str(&trim(m, 200));
        text.push('\n');
    }
    text.push_str(&trim(r.answer_text(), 240));
    xml_safe(&text)
}

fn sample_view(r: &Record) -> SampleView {
    let check = |c: &llama_test::records::CheckRecord| CheckView {
        verdict: c.verdict.clone(),
        name: match &c.metric {
            Some(metric) => format!("{} [{metric}]", c.name),
            None => c.name.clone(),
        },
        reason: xml_safe(&c.reason),
    };
    let answer = r.answer.as_ref();
    SampleView {
        test: r.test.clone(),
        sample: if r.repeat > 1 {
            format!("sample {}/{}", r.sample + 1, r.repeat)
        } else {
            String::new()
        },
        verdict: r.verdict.clone(),
        score: r.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
        answer: xml_safe(r.answer_text()),
        tool_calls: answer
            .map(|a| {
                a.tool_calls
                    .iter()
                    .map(|c| xml_safe(&format!("{}({})", c.name, c.arguments)))
                    .collect()
            })
            .unwrap_or_default(),
        reasoning: answer.and_then(|a| a.reasoning.as_deref()).map(xml_safe),
        failing: r
            .checks
            .iter()
            .filter(|c| c.verdict != "PASS")
            .map(check)
            .collect(),
        checks: r.checks.iter().map(check).collect(),
        messages: r
            .messages
            .iter()
            .map(|m| MessageView {
                role: m.role.clone(),
                text: xml_safe(&m.text),
                images: m.images,
            })
            .collect(),
        message: r.message.as_deref().map(xml_safe),
        latency: millis(r.latency_ms.map(|l| l as f64)),
        ttft: r.ttft_ms.map(|t| millis(Some(t as f64))),
        tokens: r
            .usage
            .map(|u| format!("{} + {} tokens", u.prompt, u.completion))
            .unwrap_or_else(|| "no usage".to_owned()),
        cost: usd(r.total_cost_usd()),
        fixture: r.fixture.clone(),
        mode: r.mode.clone(),
    }
}
