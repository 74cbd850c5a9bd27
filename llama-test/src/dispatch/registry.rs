//! The dispatched tests of this process, keyed by libtest path, each
//! waiting for its test thread to take it.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::task::JoinHandle;

use super::prefetch::{Prefetched, lost_task};
use crate::error::Result;

/// A test's prefetch, running or finished.
pub(crate) struct Pending {
    test_path: String,
    task: JoinHandle<Result<Prefetched>>,
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

/// Every dispatched test not yet taken by its thread.
#[derive(Default)]
pub(crate) struct Registry {
    pending: Mutex<HashMap<String, Pending>>,
}

impl Registry {
    /// Adds a dispatched test.
    pub fn insert(&self, test_path: String, task: JoinHandle<Result<Prefetched>>) {
        let pending = Pending {
            test_path: test_path.clone(),
            task,
        };
        self.lock().insert(test_path, pending);
    }

    /// Takes the test's prefetch; `None` when it was not dispatched (or was
    /// already taken), so the test sends its requests itself.
    pub fn take(&self, test_path: &str) -> Option<Pending> {
        self.lock().remove(test_path)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        // A panic while holding the lock leaves a valid map behind.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}
