//! Starting and stopping `llama-server`.
//!
//! Every server gets a free loopback port and a random key, and is started
//! as
//!
//! ```text
//! llama-server -m tiny.gguf --alias tiny --jinja --seed 1 -c 2048 \
//!     --host 127.0.0.1 --port <free> --parallel 4 --no-cache-prompt --no-ui \
//!     --chat-template-kwargs '{"date_string": "26 Jul 2024"}'   (key in LLAMA_API_KEY)
//! ```
//!
//! - `--alias tiny`: without it every answer's `model` field carries the
//!   model file's absolute path, which must never reach a fixture.
//! - The key travels in the server's environment (`LLAMA_API_KEY`, the
//!   variable behind `--api-key`), so it is not in `ps` output.
//! - `--parallel 4`: 4 slots of 512 tokens each (an explicit slot count
//!   splits `-c` between them). Not `--kv-unified` (one 2048-token cache
//!   shared by the slots): recordings must not depend on what else is in
//!   flight, and per-slot caches keep requests apart.
//! - `--no-cache-prompt`: with prompt caching a request whose prompt
//!   shares a prefix with a slot's previous one only evaluates the rest,
//!   and that changes the random model's greedy answer at near-ties (a
//!   streamed tool call came out two tokens shorter than the same request
//!   unstreamed once other prompts had used the slot). Every prompt is
//!   evaluated whole, so answers do not depend on what the server served
//!   before.
//! - `date_string`: llama.cpp fills the Llama 3 template's "Today Date"
//!   with today's date, so every prompt would change daily; pinned to the
//!   template's own default.
//!
//! No orphan: the server is stopped when its [`Server`] is dropped (also
//! while a panicking test unwinds), by an `atexit` handler for servers held
//! in statics (libtest ends with `exit`, which runs no destructors), and by
//! the kernel (`PR_SET_PDEATHSIG`) if the process dies without either.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// The llama-server binary, instead of the script's cache.
pub const BIN_ENV: &str = "LLAMA_SERVER_BIN";
/// The tiny model, instead of the script's cache.
pub const MODEL_ENV: &str = "LLAMA_TINY_MODEL";
/// Set to `1` (CI does) to make a missing server a failure, not a skip.
pub const REQUIRE_ENV: &str = "LLAMA_TEST_REAL_REQUIRE_SERVER";
/// The model name the server answers to (`llamacpp:tiny`).
pub const ALIAS: &str = "tiny";
/// Server slots, the server's own concurrency limit.
pub const PARALLEL: u32 = 4;
/// The whole context, split between the slots.
pub const CONTEXT: u32 = 2048;
/// The context of one slot: what a single request may use.
pub const SLOT_CONTEXT: u32 = CONTEXT / PARALLEL;
/// The Llama 3 template's default "Today Date", pinned (see the module docs).
pub const DATE_STRING: &str = "26 Jul 2024";

/// Loading the 40 MB model takes 2-3 s; a loaded 2-core box may need more.
const HEALTH_DEADLINE: Duration = Duration::from_secs(90);
const STOP_GRACE: Duration = Duration::from_secs(3);

/// Where the binary and the model are.
#[derive(Debug, Clone)]
pub struct Paths {
    /// `llama-server`.
    pub bin: PathBuf,
    /// `tiny.gguf`.
    pub model: PathBuf,
}

impl Paths {
    /// `LLAMA_SERVER_BIN` and `LLAMA_TINY_MODEL` when both are set, else
    /// what `scripts/llama-server.sh --print-env` reports. The error says
    /// how to build them.
    pub fn find() -> Result<Paths, String> {
        if let (Some(bin), Some(model)) = (env(BIN_ENV), env(MODEL_ENV)) {
            return Paths::checked(
                bin.into(),
                model.into(),
                "LLAMA_SERVER_BIN/LLAMA_TINY_MODEL",
            );
        }
        let script = script_path();
        if !script.is_file() {
            return Err(format!("{} is missing", script.display()));
        }
        let output = Command::new("bash")
            .arg(&script)
            .arg("--print-env")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if !output.status.success() {
            return Err(
                "llama-server and the tiny model are not built yet (`scripts/llama-server.sh \
                 --print-env` found nothing); build them with `bash scripts/llama-server.sh`"
                    .into(),
            );
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let value = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
                .map(PathBuf::from)
        };
        match (value(BIN_ENV), value(MODEL_ENV)) {
            (Some(bin), Some(model)) => Paths::checked(bin, model, "scripts/llama-server.sh"),
            _ => Err(format!(
                "`scripts/llama-server.sh --print-env` printed no {BIN_ENV}/{MODEL_ENV} lines: {text}"
            )),
        }
    }

    fn checked(bin: PathBuf, model: PathBuf, source: &str) -> Result<Paths, String> {
        for (what, path) in [("llama-server", &bin), ("the tiny model", &model)] {
            if !path.is_file() {
                return Err(format!(
                    "{what} {} (from {source}) does not exist",
                    path.display()
                ));
            }
        }
        Ok(Paths { bin, model })
    }
}

/// `<repository>/scripts/llama-server.sh`.
pub fn script_path() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or(manifest)
        .join("scripts/llama-server.sh")
}

/// Whether a missing server must fail the tests that need it
/// (`LLAMA_TEST_REAL_REQUIRE_SERVER=1`) instead of skipping them.
pub fn require_server() -> bool {
    env(REQUIRE_ENV).is_some_and(|v| !matches!(v.as_str(), "0" | "false"))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A running `llama-server`, stopped when dropped.
pub struct Server {
    child: Option<Child>,
    base_url: String,
    key: String,
    port: u16,
    log: PathBuf,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("base_url", &self.base_url)
            .field("pid", &self.pid())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Starts a server and waits until `GET /health` says ok.
    pub fn start(paths: &Paths) -> Result<Server, String> {
        // A free port can be taken between our probe and the server's bind;
        // try another one then.
        let mut last = String::new();
        for _ in 0..3 {
            match Server::try_start(paths) {
                Ok(server) => return Ok(server),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// [`Server::start`] from a thread that lives as long as the process.
    ///
    /// `PR_SET_PDEATHSIG` fires when the *thread* that spawned the server
    /// ends, and libtest runs each test on a thread of its own: a server
    /// shared by several tests must not be spawned from one of them.
    pub fn start_detached(paths: &Paths) -> Result<Server, String> {
        let (tx, rx) = std::sync::mpsc::channel();
        let paths = paths.clone();
        std::thread::Builder::new()
            .name("llama-server-keeper".into())
            .spawn(move || {
                let _ = tx.send(Server::start(&paths));
                loop {
                    std::thread::park();
                }
            })
            .map_err(|e| format!("cannot start the keeper thread: {e}"))?;
        rx.recv().map_err(|_| "the keeper thread died".to_owned())?
    }

    fn try_start(paths: &Paths) -> Result<Server, String> {
        let port = free_port()?;
        let key = random_key()?;
        let log =
            std::env::temp_dir().join(format!("llama-test-real-{}-{port}.log", std::process::id()));
        let out =
            File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut command = Command::new(&paths.bin);
        command
            .arg("-m")
            .arg(&paths.model)
            .args(["--alias", ALIAS, "--jinja", "--seed", "1"])
            .args(["-c", &CONTEXT.to_string()])
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--parallel", &PARALLEL.to_string()])
            .args(["--no-cache-prompt", "--no-ui"])
            .arg("--chat-template-kwargs")
            .arg(format!(r#"{{"date_string": "{DATE_STRING}"}}"#))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        // Only our settings: `LLAMA_ARG_*` variables would change the server.
        for (name, _) in std::env::vars_os() {
            if name.to_str().is_some_and(|n| n.starts_with("LLAMA_ARG_")) {
                command.env_remove(name);
            }
        }
        command.env("LLAMA_API_KEY", &key);
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: the closure only makes async-signal-safe calls (prctl,
        // getppid, _exit) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent died before prctl: nobody would stop us.
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", paths.bin.display()))?;
        register(child.id(), &log);
        let mut server = Server {
            child: Some(child),
            base_url: format!("http://127.0.0.1:{port}"),
            key,
            port,
            log,
        };
        server.wait_healthy()?;
        Ok(server)
    }

    fn wait_healthy(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                let tail = self.log_tail(20);
                self.stop();
                return Err(format!(
                    "llama-server exited during start-up ({status}); its log ends:\n{tail}"
                ));
            }
            if self.healthy() {
                return Ok(());
            }
            if started.elapsed() > HEALTH_DEADLINE {
                let tail = self.log_tail(20);
                self.stop();
                return Err(format!(
                    "llama-server was not healthy after {HEALTH_DEADLINE:?}; its log ends:\n{tail}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The key the server accepts.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's pid, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether `GET /health` answers ok.
    pub fn healthy(&self) -> bool {
        health(self.port).is_ok_and(|ok| ok)
    }

    /// The last `lines` lines of the server's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops the server (SIGTERM, then SIGKILL after a grace period) and
    /// waits for it. Idempotent.
    pub fn stop(&mut self) {
        let Some(child) = self.child.take() else {
            return;
        };
        terminate(child.id() as libc::pid_t);
        unregister(child.id());
        let _ = std::fs::remove_file(&self.log);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// SIGTERM, up to [`STOP_GRACE`] to exit, then SIGKILL; reaps the process.
fn terminate(pid: libc::pid_t) {
    if pid <= 0 {
        return;
    }
    // SAFETY: plain syscalls on a positive pid we spawned and have not reaped.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
        let deadline = Instant::now() + STOP_GRACE;
        loop {
            let mut status = 0;
            let done = libc::waitpid(pid, &mut status, libc::WNOHANG);
            if done == pid || done < 0 {
                return;
            }
            if Instant::now() > deadline {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Servers still running and their logs, for the `atexit` handler.
static RUNNING: Mutex<Vec<(u32, PathBuf)>> = Mutex::new(Vec::new());

fn register(pid: u32, log: &Path) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        // SAFETY: registering a plain `extern "C" fn` with libc.
        unsafe {
            libc::atexit(stop_all_at_exit);
        }
    });
    RUNNING
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((pid, log.to_owned()));
}

fn unregister(pid: u32) {
    RUNNING
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|(p, _)| *p != pid);
}

extern "C" fn stop_all_at_exit() {
    // `try_lock`: never block the exit on a lock held by a dying thread.
    let pids = match RUNNING.try_lock() {
        Ok(mut pids) => std::mem::take(&mut *pids),
        Err(std::sync::TryLockError::Poisoned(p)) => std::mem::take(&mut *p.into_inner()),
        Err(std::sync::TryLockError::WouldBlock) => return,
    };
    for (pid, log) in pids {
        terminate(pid as libc::pid_t);
        let _ = std::fs::remove_file(log);
    }
}

/// `GET /health` over a raw socket (no async runtime needed, so it also
/// works before `main`). `Ok(false)` while the model loads (503).
fn health(port: u16) -> std::io::Result<bool> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response.starts_with("HTTP/1.1 200") && response.contains("\"ok\""))
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

/// `llt-` and 32 hex digits from the kernel's random source.
fn random_key() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    Ok(format!(
        "llt-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// A loopback port nothing listens on (a server that is down).
pub fn closed_port() -> Result<u16, String> {
    free_port()
}
