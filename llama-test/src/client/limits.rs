//! Process-wide client-side limits, shared by every [`super::Client`]:
//!
//! - one request/token rate limiter per [`ModelFamily`] (Meta's limits are
//!   per team across keys, so all callers in a process must draw from the
//!   same pool), built on `governor`;
//! - a shared "not before" instant per family, set when the server says to
//!   back off (a 429 with `retry-after`, or `x-ratelimit-remaining-requests:
//!   0`), so one caller's 429 pauses every caller of that family;
//! - a cap on requests in flight (a tokio semaphore per cap value).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::catalogue::{MODELS, ModelFamily};
use crate::completion::RateLimitInfo;
use crate::error::{Error, Result};

/// How long a family pauses when the server reports no requests left and
/// gives no delay (Meta documents no reset header): short, because the next
/// response or a 429's `retry-after` refines it.
const EXHAUSTED_PAUSE: Duration = Duration::from_secs(1);

/// Requests and tokens per minute for one family.
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
}

struct FamilyLimiter {
    limits: FamilyLimits,
    requests: DefaultDirectRateLimiter,
    tokens: DefaultDirectRateLimiter,
    tokens_burst: NonZeroU32,
    not_before: Mutex<Option<Instant>>,
}

impl FamilyLimiter {
    fn new(limits: FamilyLimits) -> Result<Self> {
        let nonzero = |v: u32, what: &str| {
            NonZeroU32::new(v).ok_or_else(|| {
                Error::Config(format!("{what} per minute must be at least 1, got 0"))
            })
        };
        let rpm = nonzero(limits.requests_per_minute, "requests")?;
        let tpm = nonzero(limits.tokens_per_minute, "tokens")?;
        Ok(FamilyLimiter {
            limits,
            requests: RateLimiter::direct(Quota::per_minute(rpm)),
            tokens: RateLimiter::direct(Quota::per_minute(tpm)),
            tokens_burst: tpm,
            not_before: Mutex::new(None),
        })
    }

    fn not_before(&self) -> MutexGuard<'_, Option<Instant>> {
        // A poisoned lock only means another thread panicked mid-update of
        // an `Option<Instant>`, which is always valid.
        self.not_before.lock().unwrap_or_else(|e| e.into_inner())
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
        let mut families = FAMILIES.lock().unwrap_or_else(|e| e.into_inner());
        if !families.contains_key(&pool) {
            let limits = FamilyLimits {
                requests_per_minute: provider.rpm.unwrap_or(UNLIMITED).max(1),
                tokens_per_minute: provider.tpm.unwrap_or(UNLIMITED).max(1),
            };
            if let Ok(limiter) = FamilyLimiter::new(limits) {
                families.insert(pool.clone(), Arc::new(limiter));
            }
        }
        pool
    }
}

impl Pool {
    /// How the progress line names the pool.
    fn label(&self) -> String {
        match self {
            Pool::Family(family) => format!("Llama API {family:?} models"),
            Pool::Provider(name) => name.clone(),
        }
    }
}

/// The quota of a pool nobody declared limits for.
const UNLIMITED: u32 = 100_000_000;

type Registry = Mutex<HashMap<Pool, Arc<FamilyLimiter>>>;

static FAMILIES: LazyLock<Registry> = LazyLock::new(Default::default);
static IN_FLIGHT: LazyLock<Mutex<HashMap<usize, Arc<Semaphore>>>> = LazyLock::new(Default::default);

fn limiter(pool: &Pool) -> Arc<FamilyLimiter> {
    let mut families = FAMILIES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(limiter) = families.get(pool) {
        return Arc::clone(limiter);
    }
    let limits = match pool {
        Pool::Family(family) => FamilyLimits::from_catalogue(*family),
        Pool::Provider(_) => FamilyLimits {
            requests_per_minute: UNLIMITED,
            tokens_per_minute: UNLIMITED,
        },
    };
    // Both sources of limits are non-zero constants.
    let limiter = Arc::new(FamilyLimiter::new(limits).unwrap_or_else(|_| unreachable_limits()));
    families.insert(pool.clone(), Arc::clone(&limiter));
    limiter
}

fn unreachable_limits() -> FamilyLimiter {
    let one = NonZeroU32::MIN;
    FamilyLimiter {
        limits: FamilyLimits {
            requests_per_minute: UNLIMITED,
            tokens_per_minute: UNLIMITED,
        },
        requests: RateLimiter::direct(Quota::per_minute(one)),
        tokens: RateLimiter::direct(Quota::per_minute(one)),
        tokens_burst: one,
        not_before: Mutex::new(None),
    }
}

/// Replaces a family's limits for the whole process (e.g. a team with a
/// raised quota, or a lower one to share a key with other jobs). A pause in
/// force is kept.
pub fn set_family_limits(
    family: ModelFamily,
    requests_per_minute: u32,
    tokens_per_minute: u32,
) -> Result<()> {
    let fresh = FamilyLimiter::new(FamilyLimits {
        requests_per_minute,
        tokens_per_minute,
    })?;
    let mut families = FAMILIES.lock().unwrap_or_else(|e| e.into_inner());
    let pool = Pool::Family(family);
    if let Some(old) = families.get(&pool) {
        *fresh.not_before() = *old.not_before();
    }
    families.insert(pool, Arc::new(fresh));
    Ok(())
}

/// The limits in force for a family.
pub fn family_limits(family: ModelFamily) -> FamilyLimits {
    limiter(&Pool::Family(family)).limits
}

/// Holds back every request of `family` for `delay` from now (extends, never
/// shortens, a pause already in force).
pub fn pause_family(family: ModelFamily, delay: Duration) {
    pause(&Pool::Family(family), delay);
}

/// Holds back every request of `pool` for `delay` from now (extends, never
/// shortens, a pause already in force).
pub fn pause(pool: &Pool, delay: Duration) {
    let until = Instant::now() + delay;
    let limiter = limiter(pool);
    let mut not_before = limiter.not_before();
    if not_before.is_none_or(|t| t < until) {
        *not_before = Some(until);
    }
}

/// Waits until `family` may send one request costing about `estimated_tokens`.
pub(crate) async fn acquire(pool: &Pool, estimated_tokens: u32) {
    let limiter = limiter(pool);
    loop {
        let wait = limiter
            .not_before()
            .and_then(|t| t.checked_duration_since(Instant::now()));
        match wait {
            Some(wait) if !wait.is_zero() => {
                tracing::debug!(?pool, ?wait, "rate limit pause in force; waiting");
                let _shown = crate::progress::waiting(&pool.label(), "server asked to pause");
                tokio::time::sleep(wait).await;
            }
            _ => break,
        }
    }
    if limiter.requests.check().is_err() {
        let _shown = crate::progress::waiting(&pool.label(), "requests per minute");
        limiter.requests.until_ready().await;
    }
    let cost = estimated_tokens.clamp(1, limiter.tokens_burst.get());
    if let Some(cost) = NonZeroU32::new(cost)
        && !matches!(limiter.tokens.check_n(cost), Ok(Ok(())))
    {
        let _shown = crate::progress::waiting(&pool.label(), "tokens per minute");
        // Cannot fail: the cost is clamped to the burst size.
        let _ = limiter.tokens.until_n_ready(cost).await;
    }
}

/// Slows a family down when a response says its request budget is spent.
pub(crate) fn observe(pool: &Pool, info: &RateLimitInfo) {
    if info.remaining_requests == Some(0) || info.remaining_tokens == Some(0) {
        tracing::debug!(?pool, "server reports the rate-limit budget spent; pausing");
        pause(pool, info.reset.unwrap_or(EXHAUSTED_PAUSE));
    }
}

/// A permit from the process-wide in-flight cap `max` (`0` = no cap).
/// Clients with the same cap share one pool of permits.
pub(crate) async fn in_flight_permit(max: usize) -> Option<OwnedSemaphorePermit> {
    if max == 0 {
        return None;
    }
    let semaphore = IN_FLIGHT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
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
