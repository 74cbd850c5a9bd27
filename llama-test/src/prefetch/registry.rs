//! The prefetched tests of this process, keyed by libtest path, each
//! waiting for its test thread to take it.
//!
//! A test is queued until a slot of the window ([`super::WINDOW`]) frees
//! and its task starts.
//! A test thread that arrives while its test is still queued claims it and
//! sends its own requests, so no test ever waits for a window slot.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinHandle;

use super::task::{Prefetched, lost_task};
use crate::error::Result;

/// A test's prefetch, running or finished.
pub(crate) struct Pending {
    test_path: String,
    task: JoinHandle<Result<Prefetched>>,
    /// The window slot, given back when the test has taken its answers.
    _slot: OwnedSemaphorePermit,
}

impl Pending {
    /// Waits for the prefetch. `Err` is the test's own error (its context
    /// could not be opened, or the task died).
    pub async fn wait(self) -> Result<Prefetched> {
        match self.task.await {
            Ok(result) => result,
            Err(join) => Err(lost_task(&self.test_path, &join)),
        }
    }
}

enum Slot {
    /// Selected; its prefetch has not started.
    Queued,
    /// Its prefetch is running or done.
    Started(Pending),
    /// Its test thread came first and sends its own requests.
    Claimed,
}

/// Every prefetched test not yet taken by its thread.
#[derive(Default)]
pub(crate) struct Registry {
    slots: Mutex<HashMap<String, Slot>>,
}

impl Registry {
    /// Adds a selected test, not started yet.
    pub fn queue(&self, test_path: String) {
        self.lock().insert(test_path, Slot::Queued);
    }

    /// Starts the prefetch of a queued test with `spawn`, holding `slot`
    /// until the test takes it. `false` (and `slot` given back) when its
    /// thread already claimed it.
    pub fn start(
        &self,
        test_path: &str,
        slot: OwnedSemaphorePermit,
        spawn: impl FnOnce() -> JoinHandle<Result<Prefetched>>,
    ) -> bool {
        let mut slots = self.lock();
        match slots.get(test_path) {
            Some(Slot::Queued) => {
                let pending = Pending {
                    test_path: test_path.to_owned(),
                    task: spawn(),
                    _slot: slot,
                };
                slots.insert(test_path.to_owned(), Slot::Started(pending));
                true
            }
            _ => {
                slots.remove(test_path);
                false
            }
        }
    }

    /// Takes the test's pending task; `None` when it was never queued, not
    /// started yet (the test then sends its requests itself, and the
    /// prefetch skips it) or already taken.
    pub fn take(&self, test_path: &str) -> Option<Pending> {
        let mut slots = self.lock();
        match slots.remove(test_path)? {
            Slot::Started(pending) => Some(pending),
            Slot::Queued => {
                slots.insert(test_path.to_owned(), Slot::Claimed);
                None
            }
            Slot::Claimed => None,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        // A panic while holding the lock leaves a valid map behind.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::sync::Semaphore;

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime")
    }

    /// A test that comes before its task started sends its own
    /// requests, and the prefetch then skips it: nobody waits for a slot.
    #[test]
    fn a_thread_that_comes_first_claims_its_test() {
        let rt = runtime();
        let window = Arc::new(Semaphore::new(1));
        let registry = Registry::default();
        registry.queue("a".into());
        assert!(registry.take("a").is_none(), "queued: the test runs itself");
        let slot = Arc::clone(&window)
            .try_acquire_owned()
            .expect("a free slot");
        let started = registry.start("a", slot, || {
            rt.spawn(async { Err(crate::error::Error::Config("never".into())) })
        });
        assert!(!started, "a claimed test is not prefetched");
        assert_eq!(window.available_permits(), 1, "its slot came back");
        assert!(registry.take("a").is_none());
    }

    /// A started prefetch holds its window slot until its test takes it.
    #[test]
    fn a_slot_is_held_until_the_test_takes_its_answers() {
        let rt = runtime();
        let window = Arc::new(Semaphore::new(1));
        let registry = Registry::default();
        registry.queue("b".into());
        let slot = Arc::clone(&window)
            .try_acquire_owned()
            .expect("a free slot");
        assert!(registry.start("b", slot, || {
            rt.spawn(async { Err(crate::error::Error::Config("no context".into())) })
        }));
        assert_eq!(window.available_permits(), 0, "held while waiting");
        let pending = registry.take("b").expect("started: the test takes it");
        let result = rt.block_on(pending.wait());
        assert!(result.is_err());
        assert_eq!(window.available_permits(), 1, "given back once taken");
        assert!(registry.take("b").is_none(), "taken only once");
    }
}
