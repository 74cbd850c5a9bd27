//! Which tests this run of the test binary executes, read from the libtest
//! command line (`cargo test -- <args>` passes them through unchanged).
//!
//! The rules copy libtest's: a test runs when it matches any positional
//! filter (substring, or equality under `--exact`; no filter matches all),
//! matches no `--skip` (same matching), and its `#[ignore]` fits
//! `--ignored` / `--include-ignored`. `--list`, `--help` and `--bench` run
//! no test. Options that only shape the output (`--nocapture`,
//! `--test-threads N`, `--format F`...) are read and ignored.
//!
//! The parse is deliberately strict: an argument it does not know would make
//! libtest itself refuse to run, so the caller then prefetches nothing
//! rather than guess.

use std::ffi::OsString;

/// Flags libtest takes without a value that do not change the selection.
const PLAIN_FLAGS: &[&str] = &[
    "--nocapture",
    "--no-capture",
    "--show-output",
    "--quiet",
    "-q",
    "--test",
    "--exclude-should-panic",
    "--force-run-in-process",
    "--report-time",
    "--ensure-time",
    "--shuffle",
    "--fail-fast",
];

/// Options libtest takes with a value that do not change the selection.
const VALUED_OPTIONS: &[&str] = &[
    "--test-threads",
    "--logfile",
    "--color",
    "--format",
    "--shuffle-seed",
    "-Z",
];

/// How `#[ignore]`d tests are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IgnoredTests {
    /// The default: ignored tests do not run.
    Exclude,
    /// `--ignored`: only ignored tests run.
    Only,
    /// `--include-ignored`: both run.
    Include,
}

/// The tests a libtest command line selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    filters: Vec<String>,
    skips: Vec<String>,
    exact: bool,
    ignored: IgnoredTests,
    /// `false` for `--list`, `--help`, `--bench`: no test body runs.
    runs_tests: bool,
}

impl Selection {
    /// Parses the arguments after the program name. `Err` says which
    /// argument was not understood.
    pub(crate) fn from_args<I>(args: I) -> Result<Selection, String>
    where
        I: IntoIterator,
        I::Item: Into<OsString>,
    {
        let mut selection = Selection {
            filters: Vec::new(),
            skips: Vec::new(),
            exact: false,
            ignored: IgnoredTests::Exclude,
            runs_tests: true,
        };
        let mut args = args.into_iter().map(Into::into);
        let mut only_positional = false;
        while let Some(arg) = args.next() {
            let arg = arg
                .into_string()
                .map_err(|a| format!("argument {a:?} is not UTF-8"))?;
            if only_positional || !arg.starts_with('-') || arg == "-" {
                selection.filters.push(arg);
                continue;
            }
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = |name: &str| match inline.clone() {
                Some(v) => Ok(v),
                None => args
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or_else(|| format!("`{name}` needs a value")),
            };
            match name {
                "--" => only_positional = true,
                "--exact" => selection.exact = true,
                "--skip" => selection.skips.push(value(name)?),
                "--ignored" => selection.ignored = IgnoredTests::Only,
                "--include-ignored" => selection.ignored = IgnoredTests::Include,
                "--list" | "--help" | "-h" | "--bench" => selection.runs_tests = false,
                flag if PLAIN_FLAGS.contains(&flag) => {}
                option if VALUED_OPTIONS.contains(&option) => {
                    value(option)?;
                }
                // `-Zunstable-options`: the value glued to the short option.
                short if short.starts_with("-Z") => {}
                other => return Err(format!("unknown libtest argument `{other}`")),
            }
        }
        Ok(selection)
    }

    /// Whether any test body runs at all.
    pub(crate) fn runs_tests(&self) -> bool {
        self.runs_tests
    }

    /// Whether exactly one test can match: one filter under `--exact`, as
    /// nextest and "re-run this test" commands pass.
    pub(crate) fn is_single_exact(&self) -> bool {
        self.exact && self.filters.len() == 1
    }

    /// Whether libtest runs the test at `path` (e.g. `tool_calling::case_1_nyc`).
    pub(crate) fn selects(&self, path: &str, ignored: bool) -> bool {
        let ignore_ok = match self.ignored {
            IgnoredTests::Exclude => !ignored,
            IgnoredTests::Only => ignored,
            IgnoredTests::Include => true,
        };
        let matches = |pattern: &String| match self.exact {
            true => path == pattern,
            false => path.contains(pattern.as_str()),
        };
        self.runs_tests
            && ignore_ok
            && (self.filters.is_empty() || self.filters.iter().any(matches))
            && !self.skips.iter().any(matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Selection {
        Selection::from_args(args.iter().copied()).unwrap()
    }

    const PATHS: &[(&str, bool)] = &[
        ("text::explains", false),
        ("text::explains_in_body", false),
        ("tools::get_weather::case_1_nyc", false),
        ("tools::get_weather::case_2_paris", false),
        ("slow::long_essay", true),
    ];

    fn selected(args: &[&str]) -> Vec<&'static str> {
        let selection = parse(args);
        PATHS
            .iter()
            .filter(|(path, ignored)| selection.selects(path, *ignored))
            .map(|(path, _)| *path)
            .collect()
    }

    #[test]
    fn no_filter_runs_every_test_that_is_not_ignored() {
        assert_eq!(selected(&[]).len(), 4);
        assert!(!selected(&[]).contains(&"slow::long_essay"));
    }

    #[test]
    fn positional_filters_are_substrings_and_any_may_match() {
        assert_eq!(
            selected(&["get_weather"]),
            [
                "tools::get_weather::case_1_nyc",
                "tools::get_weather::case_2_paris"
            ]
        );
        assert_eq!(
            selected(&["paris", "in_body"]),
            ["text::explains_in_body", "tools::get_weather::case_2_paris"]
        );
        assert!(selected(&["nothing_matches"]).is_empty());
    }

    #[test]
    fn exact_needs_the_whole_path_for_filters_and_skips() {
        assert_eq!(selected(&["text::explains", "--exact"]), ["text::explains"]);
        assert!(selected(&["--exact", "explains"]).is_empty());
        assert_eq!(
            selected(&["--exact", "--skip", "text::explains"]),
            [
                "text::explains_in_body",
                "tools::get_weather::case_1_nyc",
                "tools::get_weather::case_2_paris"
            ]
        );
        assert!(parse(&["--exact", "a::b"]).is_single_exact());
        assert!(!parse(&["a::b"]).is_single_exact());
    }

    #[test]
    fn skip_is_repeatable_and_takes_both_spellings() {
        assert_eq!(
            selected(&["--skip", "tools", "--skip=in_body"]),
            ["text::explains"]
        );
        assert_eq!(
            selected(&["tools", "--skip", "nyc"]),
            ["tools::get_weather::case_2_paris"]
        );
    }

    #[test]
    fn ignored_and_include_ignored() {
        assert_eq!(selected(&["--ignored"]), ["slow::long_essay"]);
        assert_eq!(selected(&["--include-ignored"]).len(), 5);
        assert!(selected(&["--ignored", "text"]).is_empty());
    }

    #[test]
    fn list_help_and_bench_run_nothing() {
        for flag in ["--list", "--help", "-h", "--bench"] {
            let selection = parse(&[flag]);
            assert!(!selection.runs_tests(), "{flag}");
            assert!(selected(&[flag, "--include-ignored"]).is_empty(), "{flag}");
        }
    }

    #[test]
    fn output_options_and_their_values_are_not_filters() {
        assert_eq!(
            selected(&[
                "--test-threads",
                "8",
                "--nocapture",
                "--format=terse",
                "--color",
                "never",
                "-Z",
                "unstable-options",
                "-Zunstable-options",
                "-q",
                "nyc",
            ]),
            ["tools::get_weather::case_1_nyc"]
        );
    }

    #[test]
    fn after_double_dash_everything_is_a_filter() {
        assert_eq!(parse(&["--", "--exact"]).filters, ["--exact"]);
    }

    #[test]
    fn unknown_arguments_and_missing_values_are_reported() {
        let err = Selection::from_args(["--frobnicate"]).unwrap_err();
        assert!(err.contains("--frobnicate"), "{err}");
        let err = Selection::from_args(["--skip"]).unwrap_err();
        assert!(err.contains("`--skip` needs a value"), "{err}");
    }
}
