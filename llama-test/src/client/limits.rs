//! Client-side limits, shared by every [`super::Client`] of a process and,
//! under nextest, by every test process on the machine:
//!
//! - one request/token quota per pool: a Llama API [`ModelFamily`] (Meta's
//!   limits are per team across keys) or one provider, enforced as a
//!   sliding one-minute window, so at most `rpm` requests leave in any
//!   60 s (the `client::window` module);
//! - a shared "not before" instant per pool, set when the server says to
//!   back off (a 429's `retry-after`, or `x-ratelimit-remaining-*: 0` with
//!   its reset), so one caller's 429 pauses every caller of that pool;
//! - a quota that shrinks when 429s keep coming (to what the server
//!   evidently accepts) and grows back after a quiet minute;
//! - optionally, the same state in a locked file for all processes of a
//!   run ([`super::shared`]);
//! - a cap on requests in flight (a tokio semaphore per cap value).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::shared;
use super::window::{Shrunk, UNLIMITED, Window};
use crate::catalogue::{MODELS, ModelFamily};
use crate::completion::RateLimitInfo;
use crate::error::{Error, Result};

/// How long a pool pauses when the server reports no requests left and
/// gives no reset: short, because the next response or a 429's
/// `retry-after` refines it.
const EXHAUSTED_PAUSE: Duration = Duration::from_secs(1);
/// Waits shorter than this are not worth a notice.
const NOTICE_AFTER: Duration = Duration::from_secs(5);
/// At most one notice per pool in this long.
const NOTICE_EVERY: Duration = Duration::from_secs(15);

/// Requests and tokens per minute for one pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyLimits {
    /// Requests per minute, at least 1.
    pub requests_per_minute: u32,
    /// Tokens (prompt + completion) per minute, at least 1.
    pub tokens_per_minute: u32,
}

impl FamilyLimits {
    /// The catalogue's limits: the strictest model of the family (the two
    /// Cerebras models differ; sharing one pool must respect the lower).
    pub fn from_catalogue(family: ModelFamily) -> Self {
        let in_family = || MODELS.iter().filter(move |m| m.family == family);
        FamilyLimits {
            requests_per_minute: in_family()
                .map(|m| m.requests_per_minute)
                .min()
                .unwrap_or(3_000),
            tokens_per_minute: in_family()
                .map(|m| m.tokens_per_minute)
                .min()
                .unwrap_or(1_000_000),
        }
    }

    fn checked(self) -> Result<Self> {
        for (value, what) in [
            (self.requests_per_minute, "requests"),
            (self.tokens_per_minute, "tokens"),
        ] {
            if value == 0 {
                return Err(Error::Config(format!(
                    "{what} per minute must be at least 1, got 0"
                )));
            }
        }
        Ok(self)
    }
}

/// One pool's state in this process.
struct PoolLimiter {
    /// What the pool's `Window` starts from (and what `set_family_limits`
    /// changes).
    limits: Mutex<FamilyLimits>,
    window: Mutex<Window>,
    /// Why requests of this pool last had to wait, for notices and errors.
    reason: Mutex<String>,
    last_notice: Mutex<Option<Instant>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the value whole; a panic elsewhere must
    // not take the limiter down.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl PoolLimiter {
    fn new(limits: FamilyLimits) -> Self {
        PoolLimiter {
            limits: Mutex::new(limits),
            window: Mutex::new(Window::new(
                limits.requests_per_minute,
                limits.tokens_per_minute,
            )),
            reason: Mutex::new(String::new()),
            last_notice: Mutex::new(None),
        }
    }

    fn limits(&self) -> FamilyLimits {
        *lock(&self.limits)
    }
}

/// A shared quota: one of the Llama API's model families, or one provider.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pool {
    /// A Llama API family (limits are per team across keys).
    Family(ModelFamily),
    /// Everything sent to one provider.
    Provider(String),
}

impl Pool {
    /// The pool of `provider`, with the `rpm`/`tpm` it declares (first
    /// declaration wins for the process). Without them only the server's
    /// own signals (429 `retry-after`, spent budgets) slow it down.
    pub(crate) fn provider(provider: &crate::providers::Provider) -> Pool {
        let pool = Pool::Provider(provider.name.clone());
        let mut pools = lock(&POOLS);
        pools.entry(pool.clone()).or_insert_with(|| {
            Arc::new(PoolLimiter::new(FamilyLimits {
                requests_per_minute: provider.rpm.unwrap_or(UNLIMITED).max(1),
                tokens_per_minute: provider.tpm.unwrap_or(UNLIMITED).max(1),
            }))
        });
        pool
    }

    /// How errors and notices name the pool.
    fn describe(&self) -> String {
        match self {
            Pool::Family(family) => format!("llamaapi ({family:?} models)"),
            Pool::Provider(name) => name.clone(),
        }
    }
}

type Registry = Mutex<HashMap<Pool, Arc<PoolLimiter>>>;

static POOLS: LazyLock<Registry> = LazyLock::new(Default::default);
static IN_FLIGHT: LazyLock<Mutex<HashMap<usize, Arc<Semaphore>>>> = LazyLock::new(Default::default);

fn limiter(pool: &Pool) -> Arc<PoolLimiter> {
    let mut pools = lock(&POOLS);
    if let Some(limiter) = pools.get(pool) {
        return Arc::clone(limiter);
    }
    let limits = match pool {
        Pool::Family(family) => {
            let mut limits = FamilyLimits::from_catalogue(*family);
            // `LLAMA_TEST_LLAMAAPI_RPM`/`_TPM` (a bad value was already
            // reported when the providers were read).
            let env = |what| crate::providers::limit_from_env("llamaapi", what).ok()?;
            if let Some(rpm) = env("RPM") {
                limits.requests_per_minute = rpm;
            }
            if let Some(tpm) = env("TPM") {
                limits.tokens_per_minute = tpm;
            }
            limits
        }
        Pool::Provider(_) => FamilyLimits {
            requests_per_minute: UNLIMITED,
            tokens_per_minute: UNLIMITED,
        },
    };
    let limiter = Arc::new(PoolLimiter::new(limits));
    pools.insert(pool.clone(), Arc::clone(&limiter));
    limiter
}

/// Replaces a family's limits for the whole process (e.g. a team with a
/// raised quota, or a lower one to share a key with other jobs). A pause in
/// force is kept.
pub fn set_family_limits(
    family: ModelFamily,
    requests_per_minute: u32,
    tokens_per_minute: u32,
) -> Result<()> {
    let limits = FamilyLimits {
        requests_per_minute,
        tokens_per_minute,
    }
    .checked()?;
    let limiter = limiter(&Pool::Family(family));
    *lock(&limiter.limits) = limits;
    let mut window = lock(&limiter.window);
    window.declare(requests_per_minute, tokens_per_minute);
    window.rpm = requests_per_minute;
    Ok(())
}

/// The limits declared for a family.
pub fn family_limits(family: ModelFamily) -> FamilyLimits {
    limiter(&Pool::Family(family)).limits()
}

/// The requests per minute in force for a pool in this process: the
/// declared quota, or less after repeated 429s.
pub fn requests_per_minute_in_force(pool: &Pool) -> u32 {
    lock(&limiter(pool).window).rpm
}

/// Holds back every request of `family` for `delay` from now (extends, never
/// shortens, a pause already in force).
pub fn pause_family(family: ModelFamily, delay: Duration) {
    pause(&Pool::Family(family), delay);
}

/// Holds back every request of `pool` in this process for `delay` from now
/// (extends, never shortens, a pause already in force).
pub fn pause(pool: &Pool, delay: Duration) {
    let until = now_ms() + millis(delay);
    lock(&limiter(pool).window).pause_until(until);
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Where one request draws its quota from.
#[derive(Debug, Clone)]
pub(crate) struct Quota {
    pub pool: Pool,
    pub estimated_tokens: u32,
    /// The shared state file, when processes share the pool.
    pub shared: Option<PathBuf>,
}

impl Quota {
    /// `pool` at `service` (the base URL), shared through `shared_dir`.
    pub fn new(
        pool: Pool,
        estimated_tokens: u32,
        service: &str,
        shared_dir: Option<&std::path::Path>,
    ) -> Quota {
        let shared = shared_dir.map(|dir| shared::file_for(dir, &format!("{pool:?}"), service));
        Quota {
            pool,
            estimated_tokens,
            shared,
        }
    }

    /// What the quota is, in words, for notices and errors.
    pub fn describe(&self) -> String {
        let rpm = requests_per_minute_in_force(&self.pool);
        let declared = limiter(&self.pool).limits().requests_per_minute;
        let mut text = self.pool.describe();
        if rpm < UNLIMITED {
            text.push_str(&format!(", {rpm} requests/min in force"));
            if rpm < declared && declared < UNLIMITED {
                text.push_str(&format!(
                    " (declared {declared}, lowered after repeated 429s)"
                ));
            } else if rpm < declared {
                text.push_str(" (lowered after repeated 429s; none declared)");
            }
        }
        if self.shared.is_some() {
            text.push_str(", shared by the test processes on this machine");
        }
        text
    }
}

/// A reserved slot, to report the outcome against.
#[derive(Debug)]
pub(crate) struct Ticket {
    slot: u64,
    tokens: u32,
}

/// Runs `change` on the quota's window: the shared one when there is one
/// (with this process's own pauses merged in), else the in-process one,
/// which is also the fallback when the shared file cannot be used.
async fn with_window<R, F>(quota: &Quota, change: F) -> R
where
    R: Send + 'static,
    F: Fn(&mut Window) -> R + Send + Sync + 'static,
{
    let limiter = limiter(&quota.pool);
    let Some(path) = quota.shared.clone() else {
        return change(&mut lock(&limiter.window));
    };
    let limits = limiter.limits();
    let local_pause = lock(&limiter.window).not_before;
    let change = Arc::new(change);
    let remote = Arc::clone(&change);
    let shared = tokio::task::spawn_blocking(move || {
        let (rpm, tpm) = (limits.requests_per_minute, limits.tokens_per_minute);
        shared::update(&path, rpm, tpm, |w| {
            w.pause_until(local_pause);
            remote(w)
        })
        .map_err(|e| warn_once(&path, &e))
    })
    .await;
    match shared {
        Ok(Ok(out)) => out,
        _ => change(&mut lock(&limiter.window)),
    }
}

fn warn_once(path: &std::path::Path, error: &std::io::Error) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        crate::notice::notice(&format!(
            "llama-test: the shared rate-limit state {} is unusable ({error}); this process \
             limits itself. Set {} to a writable directory, or {}=0",
            path.display(),
            shared::LIMITS_DIR_ENV,
            shared::SHARED_LIMITS_ENV
        ));
    });
}

/// Waits until the quota admits one request, at the latest by `deadline`.
/// `Err(wait)` says how long from now the next slot is, when that is after
/// the deadline (nothing is reserved then).
pub(crate) async fn acquire(
    quota: &Quota,
    deadline: Instant,
) -> std::result::Result<Ticket, Duration> {
    let limiter = limiter(&quota.pool);
    let tokens = quota.estimated_tokens;
    loop {
        let now = now_ms();
        let deadline_ms = now + millis(deadline.saturating_duration_since(Instant::now()));
        let reserved = with_window(quota, move |w| w.reserve(now, tokens, deadline_ms)).await;
        let slot = match reserved {
            Ok(slot) => slot,
            Err(slot) => return Err(Duration::from_millis(slot.saturating_sub(now))),
        };
        let wait = Duration::from_millis(slot.saturating_sub(now));
        if !wait.is_zero() {
            let reason = wait_reason(&limiter);
            let _shown = crate::progress::waiting(&quota.describe(), &reason);
            if wait >= NOTICE_AFTER {
                progress_notice(quota, &limiter, wait, &reason);
            }
            tracing::debug!(pool = ?quota.pool, ?wait, "rate limit: waiting for a slot");
            tokio::time::sleep(wait).await;
        }
        // A pause that came in while this request slept voids its slot.
        let paused_until = lock(&limiter.window).not_before;
        if paused_until > now_ms() {
            with_window(quota, move |w| w.refund(slot, tokens)).await;
            continue;
        }
        return Ok(Ticket { slot, tokens });
    }
}

/// The request of `ticket` is about to be sent: stamps it with the time it
/// really leaves, waiting first if sending now would put more than the
/// quota in the window (a late sender). `Err` as for [`acquire`]; the slot
/// is given back then.
pub(crate) async fn depart(
    quota: &Quota,
    ticket: &mut Ticket,
    deadline: Instant,
) -> std::result::Result<(), Duration> {
    let tokens = ticket.tokens;
    loop {
        let slot = ticket.slot;
        let now = now_ms();
        match with_window(quota, move |w| w.depart(slot, tokens, now)).await {
            Ok(at) => {
                ticket.slot = at;
                return Ok(());
            }
            Err(at) => {
                let wait = Duration::from_millis(at.saturating_sub(now));
                if Instant::now() + wait > deadline {
                    with_window(quota, move |w| w.refund(slot, tokens)).await;
                    return Err(wait);
                }
                tracing::debug!(pool = ?quota.pool, ?wait, "rate limit: a late request holds the window");
                let _shown = crate::progress::waiting(
                    &quota.describe(),
                    "requests sent late still fill the minute",
                );
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Why requests of a pool wait: the last 429 or spent budget, else the quota.
fn wait_reason(limiter: &PoolLimiter) -> String {
    let reason = lock(&limiter.reason).clone();
    if reason.is_empty() {
        "its quota is used up for this minute".to_owned()
    } else {
        reason
    }
}

/// A line for waits long enough to wonder about (the progress line shows
/// every wait, but only while it is on, and only for as long as it lasts).
fn progress_notice(quota: &Quota, limiter: &PoolLimiter, wait: Duration, reason: &str) {
    {
        let mut last = lock(&limiter.last_notice);
        if last.is_some_and(|t| t.elapsed() < NOTICE_EVERY) {
            return;
        }
        *last = Some(Instant::now());
    }
    crate::notice::notice(&format!(
        "llama-test: waiting {:.0} s for the rate limit of {}: {reason}",
        wait.as_secs_f64().ceil(),
        quota.describe()
    ));
}

/// The server refused the request with a 429 (already counted as sent):
/// gives its slot back, pauses the pool for `delay`, and shrinks the quota
/// when refusals keep coming. `reason` (the status and limit headers) is
/// kept for notices and the final error.
pub(crate) async fn refused(
    quota: &Quota,
    ticket: Ticket,
    delay: Duration,
    limit_hint: Option<u64>,
    reason: String,
) -> Option<Shrunk> {
    let limiter = limiter(&quota.pool);
    let now = now_ms();
    let delay_ms = millis(delay);
    lock(&limiter.window).pause_until(now + delay_ms);
    *lock(&limiter.reason) = reason;
    let Ticket { slot, tokens } = ticket;
    let shrunk = with_window(quota, move |w| {
        w.refund(slot, tokens);
        let shrunk = w.on_429(now, slot, delay_ms, limit_hint);
        (shrunk, w.rpm)
    })
    .await;
    if quota.shared.is_some() {
        // Mirror the shared quota, for `describe`.
        lock(&limiter.window).rpm = shrunk.1;
    }
    if let Some(s) = shrunk.0 {
        crate::notice::notice(&format!(
            "llama-test: {} keeps answering 429; lowering its quota from {} to {} requests/min",
            quota.pool.describe(),
            if s.from >= UNLIMITED {
                "unlimited".to_owned()
            } else {
                s.from.to_string()
            },
            s.to
        ));
    }
    shrunk.0
}

/// A request went through: ends the refusal streak, and slows the pool
/// down when the response says its budget is spent.
pub(crate) async fn observe(quota: &Quota, ticket: Ticket, info: &RateLimitInfo) {
    let limiter = limiter(&quota.pool);
    let now = now_ms();
    let exhausted = info.remaining_requests == Some(0) || info.remaining_tokens == Some(0);
    let pause = exhausted.then(|| millis(info.reset.unwrap_or(EXHAUSTED_PAUSE)));
    if let Some(pause) = pause {
        tracing::debug!(pool = ?quota.pool, "server reports the rate-limit budget spent; pausing");
        lock(&limiter.window).pause_until(now + pause);
        *lock(&limiter.reason) = format!(
            "the last answer said the budget is spent (x-ratelimit-remaining-{}: 0{})",
            if info.remaining_requests == Some(0) {
                "requests"
            } else {
                "tokens"
            },
            info.reset
                .map(|r| format!(", reset in {:.1} s", r.as_secs_f64()))
                .unwrap_or_default()
        );
    }
    let Ticket { slot, tokens } = ticket;
    let rpm = with_window(quota, move |w| {
        w.answered(slot, tokens);
        w.on_success(now);
        if let Some(pause) = pause {
            w.pause_until(now + pause);
        }
        w.rpm
    })
    .await;
    if quota.shared.is_some() {
        lock(&limiter.window).rpm = rpm;
    }
}

/// A permit from the process-wide in-flight cap `max` (`0` = no cap).
/// Clients with the same cap share one pool of permits.
pub(crate) async fn in_flight_permit(max: usize) -> Option<OwnedSemaphorePermit> {
    if max == 0 {
        return None;
    }
    let semaphore = lock(&IN_FLIGHT)
        .entry(max)
        .or_insert_with(|| Arc::new(Semaphore::new(max)))
        .clone();
    // The semaphore is never closed, so this only fails if it were.
    semaphore.acquire_owned().await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_limits_per_family() {
        assert_eq!(
            FamilyLimits::from_catalogue(ModelFamily::Standard),
            FamilyLimits {
                requests_per_minute: 3_000,
                tokens_per_minute: 1_000_000
            }
        );
        assert_eq!(
            FamilyLimits::from_catalogue(ModelFamily::Cerebras).requests_per_minute,
            600
        );
        assert_eq!(
            FamilyLimits::from_catalogue(ModelFamily::Groq).tokens_per_minute,
            600_000
        );
        assert!(set_family_limits(ModelFamily::Groq, 0, 5).is_err());
    }
}
