//! A progress line on stderr while a run sends requests (live, record, or
//! `auto` recording what is missing): requests done of the known total, in
//! flight, retries and 429s, rate-limit waits with their reason, and an ETA.
//!
//! ```text
//! llama-test: 120/300 requests done, 16 in flight, 3 retries (2 × 429), waiting: groq (server asked to pause), ETA 41 s
//! ```
//!
//! When stderr is a terminal the line is redrawn in place a few times a
//! second; otherwise a plain line is printed at most every
//! [`PLAIN_INTERVAL`], and once more when the known total is done. It is
//! written straight to the process's stderr, so libtest's capture does not
//! hide it. Replay sends nothing to a server and prints nothing.
//! `LLAMA_TEST_PROGRESS=0` turns it off.
//!
//! The total is what the suite-wide prefetch sends ahead (every selected
//! eval's samples); under nextest or `LLAMA_TEST_PREFETCH=0` it is unknown
//! and the line has no ETA.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::config::Mode;

/// The variable that turns the line off (`0`).
pub const PROGRESS_ENV: &str = "LLAMA_TEST_PROGRESS";

/// How often a plain (non-terminal) line is printed at most.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(2);
const TERMINAL_INTERVAL: Duration = Duration::from_millis(200);
const TICK: Duration = Duration::from_millis(100);

#[derive(Default)]
struct State {
    total: AtomicUsize,
    started: AtomicUsize,
    done: AtomicUsize,
    failed: AtomicUsize,
    retries: AtomicUsize,
    too_many: AtomicUsize,
    waiting: Mutex<Vec<(u64, String)>>,
    next_wait: AtomicUsize,
    changed: AtomicBool,
    /// The `done` count the final line was printed for.
    finished_at: AtomicUsize,
}

fn state() -> &'static State {
    static STATE: OnceLock<State> = OnceLock::new();
    STATE.get_or_init(State::default)
}

/// `LLAMA_TEST_PROGRESS` is not `0`/`false`/`off`/`no`.
fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| {
        !matches!(
            std::env::var(PROGRESS_ENV).as_deref().map(str::trim),
            Ok("0" | "false" | "off" | "no")
        )
    })
}

fn touch() {
    state().changed.store(true, Ordering::Relaxed);
}

/// Adds `requests` the run will send to a server to the known total.
pub(crate) fn expect(mode: Mode, requests: usize) {
    if mode != Mode::Replay && enabled() {
        state().total.fetch_add(requests, Ordering::Relaxed);
        touch();
    }
}

/// Sends `request` (a future) and counts it, unless it is a replay.
pub(crate) async fn track<T, E, F>(mode: Mode, request: F) -> Result<T, E>
where
    F: Future<Output = Result<T, E>>,
{
    if mode == Mode::Replay || !enabled() {
        return request.await;
    }
    began();
    reporter();
    let s = state();
    s.started.fetch_add(1, Ordering::Relaxed);
    touch();
    let result = request.await;
    if result.is_err() {
        s.failed.fetch_add(1, Ordering::Relaxed);
    }
    let done = s.done.fetch_add(1, Ordering::Relaxed) + 1;
    touch();
    let total = s.total.load(Ordering::Relaxed);
    // The last request of the known total prints the final line itself:
    // the process may exit before the reporter's next tick.
    if total > 0 && done >= total && done == s.started.load(Ordering::Relaxed) {
        finish_line(done);
    }
    result
}

/// Prints the line for `done` requests once, ending a redrawn line.
fn finish_line(done: usize) {
    let s = state();
    if s.finished_at.swap(done, Ordering::Relaxed) == done {
        return;
    }
    s.changed.store(false, Ordering::Relaxed);
    let line = render(began().elapsed());
    let mut err = std::io::stderr().lock();
    let _ = if std::io::stderr().is_terminal() {
        writeln!(err, "\r\x1b[2K{line}")
    } else {
        writeln!(err, "{line}")
    };
    let _ = err.flush();
}

/// When the first request went out.
fn began() -> Instant {
    static BEGAN: OnceLock<Instant> = OnceLock::new();
    *BEGAN.get_or_init(Instant::now)
}

/// Counts a retry, and a 429 when `status` says so.
pub(crate) fn retrying(status: Option<u16>) {
    let s = state();
    s.retries.fetch_add(1, Ordering::Relaxed);
    if status == Some(429) {
        s.too_many.fetch_add(1, Ordering::Relaxed);
    }
    touch();
}

/// Shown as "waiting: <what>" until the guard is dropped.
pub(crate) struct Waiting(u64);

/// A rate-limit wait, e.g. `waiting("groq", "server asked to pause")`.
pub(crate) fn waiting(pool: &str, reason: &str) -> Waiting {
    let s = state();
    let id = s.next_wait.fetch_add(1, Ordering::Relaxed) as u64;
    lock(&s.waiting).push((id, format!("{pool} ({reason})")));
    touch();
    Waiting(id)
}

impl Drop for Waiting {
    fn drop(&mut self) {
        lock(&state().waiting).retain(|(id, _)| *id != self.0);
        touch();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts the thread that prints the line, once per process.
fn reporter() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let terminal = std::io::stderr().is_terminal();
        let _ = std::thread::Builder::new()
            .name("llama-test-progress".into())
            .spawn(move || report_loop(terminal));
    });
}

fn report_loop(terminal: bool) {
    let interval = if terminal {
        TERMINAL_INTERVAL
    } else {
        PLAIN_INTERVAL
    };
    let mut last: Option<Instant> = None;
    loop {
        std::thread::sleep(TICK);
        let s = state();
        if !s.changed.load(Ordering::Relaxed) {
            continue;
        }
        let total = s.total.load(Ordering::Relaxed);
        let done = s.done.load(Ordering::Relaxed);
        let all_done = total > 0 && done >= total && done == s.started.load(Ordering::Relaxed);
        let due = last.is_none_or(|t| t.elapsed() >= interval);
        if all_done || !due {
            // `track` prints the final line.
            continue;
        }
        s.changed.store(false, Ordering::Relaxed);
        let line = render(began().elapsed());
        let mut err = std::io::stderr().lock();
        let _ = if terminal {
            write!(err, "\r\x1b[2K{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
        last = Some(Instant::now());
    }
}

/// The line for the current counts.
fn render(elapsed: Duration) -> String {
    let s = state();
    let total = s.total.load(Ordering::Relaxed);
    let started = s.started.load(Ordering::Relaxed);
    let done = s.done.load(Ordering::Relaxed);
    let failed = s.failed.load(Ordering::Relaxed);
    let retries = s.retries.load(Ordering::Relaxed);
    let too_many = s.too_many.load(Ordering::Relaxed);
    let mut line = match total {
        0 => format!("llama-test: {done} requests done"),
        total => format!("llama-test: {done}/{} requests done", total.max(started)),
    };
    line.push_str(&format!(", {} in flight", started.saturating_sub(done)));
    if failed > 0 {
        line.push_str(&format!(", {failed} failed"));
    }
    if retries > 0 {
        line.push_str(&format!(", {retries} retries ({too_many} × 429)"));
    }
    let waits = lock(&s.waiting);
    if let Some((_, first)) = waits.first() {
        line.push_str(&format!(", waiting: {first}"));
        if waits.len() > 1 {
            line.push_str(&format!(" and {} more", waits.len() - 1));
        }
    }
    if total > done && done > 0 {
        let per = elapsed.as_secs_f64() / done as f64;
        let eta = per * (total - done) as f64;
        line.push_str(&format!(", ETA {}", seconds(eta)));
    }
    line
}

fn seconds(s: f64) -> String {
    if s < 90.0 {
        format!("{s:.0} s")
    } else {
        format!("{:.0} min", s / 60.0)
    }
}
