//! Messages for the person running the tests that libtest must not
//! swallow.

/// Prints a message libtest does not capture: flakiness, stale fixtures and
/// advisory snapshot mismatches must be seen even when the test passes.
pub(crate) fn notice(message: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    // Nothing sensible to do if stderr is gone.
    let _ = writeln!(stderr, "{message}");
}
