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
//! status 1 on any problem, so CI can run it as a gate.
//!
//! `--root` defaults to `LLAMA_TEST_FIXTURES`, else `./fixtures`, resolved
//! against the current directory (run it from the crate that owns the tests).
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

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let command = args.next().ok_or("missing command")?;
    let mut parsed = Args {
        command,
        report: None,
        root: None,
        delete: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--report" => parsed.report = Some(args.next().ok_or("--report needs a file")?.into()),
            "--root" => parsed.root = Some(args.next().ok_or("--root needs a directory")?.into()),
            "--delete" => parsed.delete = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(parsed)
}

fn root(args: &Args) -> Result<PathBuf, String> {
    match &args.root {
        Some(r) => Ok(r.clone()),
        None => {
            let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
            llama_test::config::fixture_root(&cwd).map_err(|e| e.to_string())
        }
    }
}

fn stale(args: &Args) -> Result<ExitCode, String> {
    let report = args
        .report
        .as_ref()
        .ok_or("`stale` needs --report <file>")?;
    let used = hygiene::read_report(report).map_err(|e| e.to_string())?;
    let stale = hygiene::stale_fixtures(&root(args)?, &used).map_err(|e| e.to_string())?;
    for path in &stale {
        if args.delete {
            std::fs::remove_file(path)
                .map_err(|e| format!("could not delete {}: {e}", path.display()))?;
            println!("deleted {}", path.display());
        } else {
            println!("{}", path.display());
        }
    }
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

fn check(args: &Args) -> Result<ExitCode, String> {
    let key = llama_test::config::api_key_from_env().map_err(|e| e.to_string())?;
    let files = hygiene::fixture_files(&root(args)?).map_err(|e| e.to_string())?;
    let mut failures = 0;
    for path in &files {
        if let Err(e) = hygiene::check_file(path, key.as_deref()) {
            failures += 1;
            println!("{e}");
        }
    }
    eprintln!(
        "{} fixture(s) checked, {failures} with problems",
        files.len()
    );
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|args| match args.command.as_str() {
        "stale" => stale(&args),
        "check" => check(&args),
        other => Err(format!("unknown command `{other}`")),
    });
    match result {
        Ok(code) => code,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
