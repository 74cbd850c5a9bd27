//! `llama-test`: reports of llama-test runs, and fixture hygiene.
//!
//! ```text
//! llama-test report [RUN] [--html FILE] [--junit FILE] [--json FILE] [--markdown [FILE]]
//! llama-test report --compare RUN_A RUN_B [--json FILE] [--fail-on-regression]
//! llama-test runs
//! llama-test fixtures check [--root DIR]
//! llama-test fixtures stale --report FILE [--root DIR] [--delete]
//! llama-test promptfoo convert CONFIG [--data-dir DIR] [--write-data]
//! ```
//!
//! `RUN` is a run id under `<target>/llama-test/runs/` (a unique prefix or
//! suffix will do), a run directory, or `latest` (the default). Without a
//! format option `report` prints the Markdown summary.
//!
//! Exit status: 0 done; 1 `fixtures` found problems, or `--compare
//! --fail-on-regression` found a newly failing sample; 2 the command could
//! not run (bad arguments, no such run).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use llama_test_cli::{Summary, compare, convert, fixtures, html, json, junit, markdown, runs};

#[derive(Parser)]
#[command(
    name = "llama-test",
    version,
    about = "Reports of llama-test runs, and fixture hygiene"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes the reports of a run (HTML, JUnit XML, JSON, Markdown), or compares two runs.
    Report(ReportArgs),
    /// Lists the runs under the target directory, oldest first.
    Runs {
        /// The cargo target directory (default: CARGO_TARGET_DIR, else cargo's).
        #[arg(long)]
        target_dir: Option<PathBuf>,
    },
    /// Fixture hygiene (also available as the `llama-test-fixtures` binary of the llama-test package).
    #[command(subcommand)]
    Fixtures(FixturesCommand),
    /// promptfoo configs.
    #[command(subcommand)]
    Promptfoo(PromptfooCommand),
}

#[derive(Subcommand)]
enum PromptfooCommand {
    /// Prints the `#[llama_eval]` equivalent of a config: one eval per case × prompt × provider.
    Convert {
        /// The config, e.g. tests/promptfoo/tool-calling.yaml (run from the crate root).
        config: PathBuf,
        /// Where the evals' tools and messages JSON files go, relative to the crate root.
        #[arg(long, default_value = "tests/data")]
        data_dir: String,
        /// Writes those files; without it they are printed as comments before the source.
        #[arg(long)]
        write_data: bool,
    },
}

#[derive(Args)]
struct ReportArgs {
    /// A run id, a run directory, or `latest` (the default).
    run: Option<String>,
    /// Writes the self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Writes JUnit XML here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Writes the JSON report (or, with --compare, the comparison) here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Writes the Markdown summary to FILE, or prints it when FILE is omitted or `-`.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    markdown: Option<PathBuf>,
    /// Compares two runs: newly failing and passing, changed answers, cost and latency deltas.
    #[arg(long, num_args = 2, value_names = ["RUN_A", "RUN_B"], conflicts_with_all = ["run", "html", "junit", "markdown"])]
    compare: Option<Vec<String>>,
    /// With --compare: exit with status 1 when a sample newly fails.
    #[arg(long, requires = "compare")]
    fail_on_regression: bool,
    /// The cargo target directory (default: CARGO_TARGET_DIR, else cargo's).
    #[arg(long)]
    target_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum FixturesCommand {
    /// Parses every fixture and scans it for credentials; exit status 1 on any problem.
    Check {
        /// The fixture root (default: LLAMA_TEST_FIXTURES, else ./fixtures).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Lists fixtures no test used in a run recorded with `LLAMA_TEST_FIXTURE_REPORT=FILE cargo test`.
    Stale {
        /// The report file the run wrote.
        #[arg(long)]
        report: PathBuf,
        /// The fixture root (default: LLAMA_TEST_FIXTURES, else ./fixtures).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Deletes them instead of failing.
        #[arg(long)]
        delete: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report(&args),
        Command::Runs { target_dir } => list(target_dir.as_deref()),
        Command::Fixtures(FixturesCommand::Check { root }) => {
            fixtures::check(root.as_deref()).map(verdict)
        }
        Command::Fixtures(FixturesCommand::Stale {
            report,
            root,
            delete,
        }) => fixtures::stale(&report, root.as_deref(), delete).map(verdict),
        Command::Promptfoo(PromptfooCommand::Convert {
            config,
            data_dir,
            write_data,
        }) => convert_config(&config, data_dir, write_data),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn convert_config(config: &Path, data_dir: String, write_data: bool) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(config)
        .map_err(|e| format!("cannot read {}: {e}", config.display()))?;
    let base = config.parent().unwrap_or(Path::new("")).to_owned();
    let read = |rel: &str| {
        let path = base.join(rel);
        std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read `file://{rel}` ({}): {e}", path.display()))
    };
    let shown = config.to_string_lossy().replace('\\', "/");
    let options = convert::Options { data_dir };
    let converted = convert::convert(&shown, &text, read, &options)?;
    if write_data {
        for (path, json) in &converted.files {
            write(Path::new(path), json, "data")?;
        }
        print!("{}", converted.source);
    } else {
        print!("{}", converted.with_files_inline());
    }
    Ok(ExitCode::SUCCESS)
}

fn verdict(clean: bool) -> ExitCode {
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn runs_root(target_dir: Option<&Path>) -> PathBuf {
    llama_test::records::runs_root(&runs::target_dir(target_dir))
}

fn list(target_dir: Option<&Path>) -> Result<ExitCode, String> {
    let root = runs_root(target_dir);
    let all = llama_test::records::list_runs(&root)
        .map_err(|e| format!("no runs under {}: {e}", root.display()))?;
    for dir in all {
        let run = runs::load_run(&dir)?;
        println!(
            "{}  {} samples",
            dir.file_name().unwrap_or_default().to_string_lossy(),
            run.records.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, text: &str, what: &str) -> Result<(), String> {
    if path == Path::new("-") {
        print!("{text}");
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote {what} to {}", path.display());
    Ok(())
}

fn report(args: &ReportArgs) -> Result<ExitCode, String> {
    let root = runs_root(args.target_dir.as_deref());
    if let Some(pair) = &args.compare {
        return compare_runs(&root, &pair[0], &pair[1], args);
    }
    let dir = match &args.run {
        Some(run) => runs::find_run(&root, run)?,
        None => runs::latest_run(&root)?,
    };
    let run = runs::load_run(&dir)?;
    for line in &run.skipped {
        eprintln!("warning: skipped {line}");
    }
    if run.records.is_empty() {
        return Err(format!("run {} has no records", dir.display()));
    }
    let summary = Summary::new(run);
    eprintln!(
        "run {}: {} samples, {} passed, {} failed, {} errored",
        summary.run_id, summary.samples, summary.passed, summary.failed, summary.errored
    );
    if let Some(path) = &args.html {
        write(path, &html::render(&summary)?, "the HTML report")?;
    }
    if let Some(path) = &args.junit {
        write(path, &junit::render(&summary)?, "JUnit XML")?;
    }
    if let Some(path) = &args.json {
        write(path, &json::render(&summary), "the JSON report")?;
    }
    let nothing_asked = args.html.is_none() && args.junit.is_none() && args.json.is_none();
    match &args.markdown {
        Some(path) => write(path, &markdown::render(&summary), "the Markdown summary")?,
        None if nothing_asked => print!("{}", markdown::render(&summary)),
        None => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn compare_runs(root: &Path, a: &str, b: &str, args: &ReportArgs) -> Result<ExitCode, String> {
    let (a, b) = (
        runs::load_run(&runs::find_run(root, a)?)?,
        runs::load_run(&runs::find_run(root, b)?)?,
    );
    let comparison = compare::compare(&a.id, &a.records, &b.id, &b.records);
    print!("{}", compare::render(&comparison));
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&comparison)
            .map_err(|e| format!("cannot encode the comparison: {e}"))?;
        write(path, &text, "the comparison")?;
    }
    Ok(if args.fail_on_regression && comparison.regressed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
