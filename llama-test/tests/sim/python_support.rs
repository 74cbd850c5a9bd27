//! Python for tests that drive a third-party Python client against the
//! simulator: a venv per pinned requirement, made once and cached, and
//! scripts run in it with a deadline.
//!
//! The cache is `${LLAMA_TEST_CACHE:-$HOME/.cache/llama-test}`. A venv is
//! built under an exclusive lock on a file next to it and marked ready only
//! once its requirement imports, so tests (or `cargo test` processes) that
//! need it at the same time build it once, and a build that died half-way
//! is redone rather than used.
//!
//! Only a missing `python3` is a reason to skip ([`Python::find`] returns
//! `None`); a venv or pip failure is a test failure that says what to fix.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The interpreter the venvs are made from.
const PYTHON: &str = "python3";

/// The longest `python3 -m venv` or `pip install` may take.
const SETUP_DEADLINE: Duration = Duration::from_secs(600);

/// Written into a venv once its requirement is installed and imports.
const READY_MARKER: &str = ".llama-test-ready";

/// Variables that would make the venv's interpreter load something else,
/// or point the SDK at a real service.
const SCRUBBED_VARS: &[&str] = &[
    "PYTHONHOME",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "VIRTUAL_ENV",
    "LLAMA_API_KEY",
    "LLAMA_API_CLIENT_BASE_URL",
];

/// Prints past libtest's capture, so a skip or a slow first build is seen
/// even when the test passes.
pub fn notice(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// A `python3` on `PATH`.
pub struct Python {
    version: String,
}

impl Python {
    /// The `python3` on `PATH`, or `None` when there is none (the only case
    /// in which a Python test may skip). A `python3` that is there but does
    /// not run is a failure.
    pub fn find() -> Option<Python> {
        let output = match Command::new(PYTHON).arg("--version").output() {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => panic!("`{PYTHON} --version` could not be started: {e}"),
        };
        assert!(
            output.status.success(),
            "`{PYTHON} --version` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        // Python 2 printed its version on stderr.
        let version = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .trim()
        .to_owned();
        Some(Python { version })
    }

    /// E.g. `Python 3.11.7`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The venv `name` under the cache with `requirement` (a pip
    /// requirement such as `llama-api-client==0.6.0`) installed, made now
    /// if no ready one is there. `import` is the module that proves it.
    pub fn venv(&self, name: &str, requirement: &str, import: &str) -> Venv {
        let cache = cache_dir();
        fs::create_dir_all(&cache).unwrap_or_else(|e| {
            panic!(
                "cannot create the llama-test cache {}: {e} (set LLAMA_TEST_CACHE to a writable directory)",
                cache.display()
            )
        });
        let venv = Venv {
            root: cache.join(name),
        };
        let lock_path = cache.join(format!("{name}.lock"));
        let lock = File::create(&lock_path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", lock_path.display()));
        // Blocks while another test or process builds it; released on drop,
        // and by the OS if that process dies.
        lock.lock()
            .unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));
        if venv.root.join(READY_MARKER).is_file() && venv.imports(import) {
            return venv;
        }
        let started = Instant::now();
        notice(&format!(
            "llama-test: creating the Python venv {} with `{requirement}` (once; cached afterwards)",
            venv.root.display()
        ));
        if venv.root.exists() {
            fs::remove_dir_all(&venv.root).unwrap_or_else(|e| {
                panic!(
                    "cannot remove the unfinished venv {}: {e}",
                    venv.root.display()
                )
            });
        }
        let mut create = scrubbed(Command::new(PYTHON));
        create.args(["-m", "venv"]).arg(&venv.root);
        let created = run_with_deadline(create, SETUP_DEADLINE);
        assert!(
            created.status.success(),
            "`{PYTHON} -m venv {}` failed ({}; {}). On Debian and Ubuntu the venv module is the \
             `python3-venv` package.\n{}",
            venv.root.display(),
            created.status,
            self.version,
            tail(&created.stderr)
        );
        let mut install = scrubbed(Command::new(venv.python()));
        install.args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            requirement,
        ]);
        let installed = run_with_deadline(install, SETUP_DEADLINE);
        assert!(
            installed.status.success(),
            "`pip install {requirement}` failed ({}), so the test cannot run. pip needs to reach \
             its package index (PyPI, or PIP_INDEX_URL / PIP_FIND_LINKS); this is a setup \
             problem, not a pass.\n{}",
            installed.status,
            tail(&installed.stderr)
        );
        assert!(
            venv.imports(import),
            "`{requirement}` installed into {} but `import {import}` fails",
            venv.root.display()
        );
        fs::write(venv.root.join(READY_MARKER), requirement).unwrap();
        notice(&format!(
            "llama-test: venv {} ready in {:.1?}",
            venv.root.display(),
            started.elapsed()
        ));
        venv
    }
}

/// A venv made by [`Python::venv`].
pub struct Venv {
    root: PathBuf,
}

impl Venv {
    /// The venv's interpreter.
    pub fn python(&self) -> PathBuf {
        if cfg!(windows) {
            self.root.join("Scripts").join("python.exe")
        } else {
            self.root.join("bin").join("python")
        }
    }

    fn imports(&self, module: &str) -> bool {
        scrubbed(Command::new(self.python()))
            .args(["-c", &format!("import {module}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Runs `script` with `args` in the venv, killing it after `deadline`.
    /// The environment is the test's, without variables that would change
    /// the interpreter or the SDK's defaults, and with loopback exempt
    /// from any HTTP proxy.
    pub fn run<I, S>(&self, script: &Path, args: I, deadline: Duration) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = scrubbed(Command::new(self.python()));
        command
            .arg(script)
            .args(args)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost")
            .stdin(Stdio::null());
        run_with_deadline(command, deadline)
    }
}

/// `${LLAMA_TEST_CACHE:-$HOME/.cache/llama-test}`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LLAMA_TEST_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .expect("neither LLAMA_TEST_CACHE nor HOME is set: set LLAMA_TEST_CACHE to a directory for cached test venvs");
    PathBuf::from(home).join(".cache").join("llama-test")
}

fn scrubbed(mut command: Command) -> Command {
    for var in SCRUBBED_VARS {
        command.env_remove(var);
    }
    command
}

/// The last lines of a child's output, for a failure message.
fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Runs `command` to completion, or kills it after `deadline` and panics.
fn run_with_deadline(mut command: Command, deadline: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?} could not be started: {e}"));
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!(
                "{command:?} was still running after {deadline:?} and was killed\n{}",
                tail(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// Reads `pipe` to its end on a thread of its own, so neither pipe fills up.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}
