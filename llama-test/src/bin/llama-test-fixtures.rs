//! Fixture hygiene for llama-test suites.
//!
//! ```text
//! llama-test-fixtures stale --report <file> [--root <dir>] [--delete]
//! llama-test-fixtures check [--root <dir>]
//! ```
//!
//! `stale` lists fixture files that no test used in a run recorded with
//! `LLAMA_TEST_FIXTURE_REPORT=<file> cargo test` (run the whole suite,
//! unfiltered, after deleting the old report); exit status 1 when some are
//! stale, unless `--delete` removed them. `check` parses every fixture and
//! scans it for credentials (the `LLAMA_API_KEY` value when set); exit
//! status 1 on any problem, so CI can run it as a gate. Exit status 2 means
//! the tool could not run: bad arguments (usage is printed) or an unreadable
//! fixture root or report. `-h`/`--help` prints the usage.
//!
//! `--root` defaults to `LLAMA_TEST_FIXTURES`, else `./fixtures`, resolved
//! against the current directory (run it from the crate that owns the tests).
//!
//! The `llama-test` command line tool (package `llama-test-cli`) has the
//! same commands as `llama-test fixtures check|stale`, with the same
//! arguments and exit statuses; this binary stays for existing scripts.
//!
//! It is a binary of the `llama-test` package, not a separate crate, so it
//! always reads the same fixture format as the tests: `cargo run -p
//! llama-test --bin llama-test-fixtures -- ...` in a workspace, or
//! `cargo install llama-test` to get it on the PATH.

use std::path::PathBuf;
use std::process::ExitCode;

use llama_test::fixtures::hygiene;

const USAGE: &str = "usage:\n  llama-test-fixtures stale --report <file> [--root <dir>] [--delete]\n  \
                     llama-test-fixtures check [--root <dir>]";

struct Args {
    command: String,
    report: Option<PathBuf>,
    root: Option<PathBuf>,
    delete: bool,
}

/// Why the tool stopped without a verdict (exit status 2).
enum Failure {
    /// The command line is wrong: the message, then the usage.
    Usage(String),
    /// The command could not run (missing root, unreadable report): one line.
    Run(String),
}

fn parse_args(raw: &[String]) -> Result<Args, Failure> {
    let usage = |m: &str| Failure::Usage(m.to_string());
    let mut args = raw.iter();
    let command = args.next().ok_or_else(|| usage("missing command"))?;
    let mut parsed = Args {
        command: command.clone(),
        report: None,
        root: None,
        delete: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--report" => {
                let file = args.next().ok_or_else(|| usage("--report needs a file"))?;
                parsed.report = Some(file.into());
            }
            "--root" => {
                let dir = args
                    .next()
                    .ok_or_else(|| usage("--root needs a directory"))?;
                parsed.root = Some(dir.into());
            }
            "--delete" => parsed.delete = true,
            other => return Err(Failure::Usage(format!("unknown argument `{other}`"))),
        }
    }
    Ok(parsed)
}

/// The fixture root, which must be an existing directory: listing a missing
/// one would report "0 fixtures" and let a misconfigured CI gate pass.
fn root(args: &Args) -> Result<PathBuf, Failure> {
    let root = match &args.root {
        Some(r) => r.clone(),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| Failure::Run(format!("no current directory: {e}")))?;
            llama_test::config::fixture_root(&cwd).map_err(|e| Failure::Run(e.to_string()))?
        }
    };
    if root.is_dir() {
        return Ok(root);
    }
    let problem = if root.exists() {
        "is not a directory"
    } else {
        "does not exist"
    };
    Err(Failure::Run(format!(
        "fixture root {} {problem}; pass --root <dir> or set LLAMA_TEST_FIXTURES \
         (the default is ./fixtures in the current directory)",
        root.display()
    )))
}

fn stale(args: &Args) -> Result<ExitCode, Failure> {
    let report = args
        .report
        .as_ref()
        .ok_or_else(|| Failure::Usage("`stale` needs --report <file>".into()))?;
    let root = root(args)?;
    let run = |e: llama_test::Error| Failure::Run(e.to_string());
    let used = hygiene::read_report(report).map_err(run)?;
    let stale = hygiene::stale_fixtures(&root, &used).map_err(run)?;
    for path in &stale {
        if args.delete {
            std::fs::remove_file(path)
                .map_err(|e| Failure::Run(format!("could not delete {}: {e}", path.display())))?;
            println!("deleted {}", path.display());
        } else {
            println!("{}", path.display());
        }
    }
    // stderr: stdout is the list of stale files, for scripts.
    eprintln!(
        "{} stale fixture(s), {} used in the report",
        stale.len(),
        used.len()
    );
    Ok(if stale.is_empty() || args.delete {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn check(args: &Args) -> Result<ExitCode, Failure> {
    let run = |e: llama_test::Error| Failure::Run(e.to_string());
    let key = llama_test::config::api_key_from_env().map_err(run)?;
    let root = root(args)?;
    let files = hygiene::fixture_files(&root).map_err(run)?;
    let mut failures = 0;
    for path in &files {
        if let Err(e) = hygiene::check_file(path, key.as_deref()) {
            failures += 1;
            println!("{e}");
        }
    }
    let leftovers = hygiene::temp_leftovers(&root);
    for path in &leftovers {
        println!(
            "ignored: {} (the temp file of an interrupted write; safe to delete)",
            path.display()
        );
    }
    println!(
        "{} fixture(s) checked, {failures} with problems{}",
        files.len(),
        match leftovers.len() {
            0 => String::new(),
            n => format!(", {n} leftover temp file(s) ignored"),
        }
    );
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = parse_args(&raw).and_then(|args| match args.command.as_str() {
        "stale" => stale(&args),
        "check" => check(&args),
        other => Err(Failure::Usage(format!("unknown command `{other}`"))),
    });
    match result {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Run(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
