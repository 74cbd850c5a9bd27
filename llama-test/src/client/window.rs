//! The rate-limit arithmetic of one pool, as a plain value: a sliding
//! one-minute log of admitted requests (and their estimated tokens), a
//! "not before" pause, and the quota in force, which shrinks when 429s keep
//! coming and grows back after a quiet minute.
//!
//! Times are milliseconds since the Unix epoch, so the same value can live
//! in memory (one process) or in a locked file shared by every test process
//! of a run ([`super::shared`]). Nothing here sleeps or reads a clock: the
//! caller passes `now` and sleeps until the slot it was given.
//!
//! Admission is first-come, first-served: a slot is never earlier than the
//! last slot handed out, so "at most `rpm` requests in any 60 s window"
//! holds by checking the window that ends at the new slot only.

use std::collections::VecDeque;

/// The window length.
pub(crate) const WINDOW_MS: u64 = 60_000;
/// A little slack on top of the window, so that a slot freed "exactly" one
/// minute after a request is still outside the server's minute when the
/// request arrives there (clocks and network add a few milliseconds).
pub(crate) const SLACK_MS: u64 = 500;
/// Quotas above this are not counted request by request (the log would be
/// huge and the limit is never the bottleneck); 429s still shrink them.
pub(crate) const LOG_CAP: usize = 10_000;
/// A quota above this is "none declared".
pub(crate) const UNLIMITED: u32 = 100_000_000;

/// The state of one pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    /// Admitted requests not yet out of the window, sorted by slot (slots
    /// may lie in the future: reserved, not sent yet).
    pub log: VecDeque<Entry>,
    /// No slot before this (a 429's delay, a spent budget's reset).
    pub not_before: u64,
    /// The quota in force, at most the declared one.
    pub rpm: u32,
    pub tpm: u32,
    /// The declared quota.
    pub base_rpm: u32,
    pub base_tpm: u32,
    /// The last 429, and 429s since the last success.
    pub last_429: u64,
    pub streak: u32,
    /// The last time the quota changed (shrunk or grew).
    pub last_change: u64,
}

/// One admitted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    /// When it may leave (its slot).
    pub at: u64,
    /// Its estimated token cost.
    pub tokens: u32,
    /// It left: `at` is then when it was sent, not its reserved slot.
    pub departed: bool,
    /// The server answered it (not a 429): evidence of what the server
    /// accepts. Reserved and in-flight requests are not.
    pub answered: bool,
}

/// Largest token cost kept (the top two bits of the encoded cost are the
/// flags).
const MAX_TOKENS: u32 = u32::MAX >> 2;
const ANSWERED_BIT: u32 = 1 << 31;
const DEPARTED_BIT: u32 = 1 << 30;

/// Why a quota shrank, for the progress notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shrunk {
    pub from: u32,
    pub to: u32,
}

impl Window {
    /// A fresh pool with this declared quota.
    pub fn new(rpm: u32, tpm: u32) -> Self {
        let (rpm, tpm) = (rpm.max(1), tpm.max(1));
        Window {
            log: VecDeque::new(),
            not_before: 0,
            rpm,
            tpm,
            base_rpm: rpm,
            base_tpm: tpm,
            last_429: 0,
            streak: 0,
            last_change: 0,
        }
    }

    /// Takes a new declared quota (another process, or `set_family_limits`,
    /// may declare a different one); the quota in force never exceeds it.
    pub fn declare(&mut self, rpm: u32, tpm: u32) {
        let (rpm, tpm) = (rpm.max(1), tpm.max(1));
        if rpm != self.base_rpm {
            let shrunk = self.rpm < self.base_rpm;
            self.base_rpm = rpm;
            self.rpm = if shrunk { self.rpm.min(rpm) } else { rpm };
        }
        if tpm != self.base_tpm {
            self.base_tpm = tpm;
            self.tpm = tpm;
        }
    }

    fn expire(&mut self, now: u64) {
        let cutoff = now.saturating_sub(WINDOW_MS + SLACK_MS);
        while self.log.front().is_some_and(|e| e.at <= cutoff) {
            self.log.pop_front();
        }
    }

    /// The earliest slot at or after `now` for one request costing `tokens`.
    pub fn earliest(&mut self, now: u64, tokens: u32) -> u64 {
        self.expire(now);
        let mut slot = now.max(self.not_before);
        if let Some(last) = self.log.back() {
            slot = slot.max(last.at);
        }
        let counted = (self.rpm as usize) <= LOG_CAP;
        let tokens_counted = self.tpm < UNLIMITED;
        let cost = u64::from(self.cost(tokens));
        let mut count = self.log.len();
        let mut total: u64 = self.log.iter().map(|e| u64::from(e.tokens)).sum();
        let full = |count: usize, total: u64| {
            (counted && count >= self.rpm as usize)
                || (tokens_counted && total + cost > u64::from(self.tpm))
        };
        // Entries leave the window oldest first; the slot is when enough
        // of them have left.
        for entry in &self.log {
            if !full(count, total) {
                break;
            }
            slot = slot.max(entry.at + WINDOW_MS + SLACK_MS);
            count -= 1;
            total -= u64::from(entry.tokens);
        }
        slot
    }

    fn cost(&self, tokens: u32) -> u32 {
        tokens.clamp(1, self.tpm.min(MAX_TOKENS))
    }

    /// Reserves the earliest slot, unless it lies after `deadline`; then
    /// `Err(slot)` says when it would have been.
    pub fn reserve(&mut self, now: u64, tokens: u32, deadline: u64) -> Result<u64, u64> {
        let slot = self.earliest(now, tokens);
        if slot > deadline {
            return Err(slot);
        }
        self.log.push_back(Entry {
            at: slot,
            tokens: self.cost(tokens),
            departed: false,
            answered: false,
        });
        if self.log.len() > LOG_CAP {
            self.log.pop_front();
        }
        Ok(slot)
    }

    /// Gives a reserved slot back (the request was not sent, or the server
    /// refused it, so it does not count against the server's quota).
    pub fn refund(&mut self, slot: u64, tokens: u32) {
        if let Some(i) = self.find(slot, tokens) {
            self.log.remove(i);
        }
    }

    /// The request of `slot` is about to be sent at `now`. Slots are a
    /// plan; this is the check that holds even when a process sends late
    /// (a busy machine): at most `rpm` requests *sent* in any window. `Ok`
    /// gives the entry's new time (`now`), `Err` when to try again.
    pub fn depart(&mut self, slot: u64, tokens: u32, now: u64) -> Result<u64, u64> {
        self.expire(now);
        let cutoff = now.saturating_sub(WINDOW_MS + SLACK_MS);
        let rpm = self.rpm as usize;
        if rpm <= LOG_CAP {
            let sent: Vec<u64> = self
                .log
                .iter()
                .filter(|e| e.departed && e.at > cutoff && e.at <= now)
                .map(|e| e.at)
                .collect();
            if sent.len() >= rpm {
                return Err(sent[sent.len() - rpm] + WINDOW_MS + SLACK_MS);
            }
        }
        let mut entry = match self.find(slot, tokens) {
            Some(i) => self.log.remove(i).unwrap_or(Entry {
                at: now,
                tokens: self.cost(tokens),
                departed: false,
                answered: false,
            }),
            // Another process started the file afresh: count it anyway.
            None => Entry {
                at: now,
                tokens: self.cost(tokens),
                departed: false,
                answered: false,
            },
        };
        entry.at = now;
        entry.departed = true;
        let at = self.log.partition_point(|e| e.at <= now);
        self.log.insert(at, entry);
        Ok(now)
    }

    /// Marks the request of a slot as answered by the server.
    pub fn answered(&mut self, slot: u64, tokens: u32) {
        if let Some(i) = self.find(slot, tokens) {
            self.log[i].answered = true;
        }
    }

    fn find(&self, slot: u64, tokens: u32) -> Option<usize> {
        let tokens = self.cost(tokens);
        self.log
            .iter()
            .rposition(|e| e.at == slot && e.tokens == tokens && !e.answered)
    }

    /// Requests the server answered in the minute before `now`.
    pub fn recent(&self, now: u64) -> usize {
        let since = now.saturating_sub(WINDOW_MS);
        self.log
            .iter()
            .filter(|e| e.answered && e.at > since && e.at <= now)
            .count()
    }

    /// Holds every slot back until `until`.
    pub fn pause_until(&mut self, until: u64) {
        self.not_before = self.not_before.max(until);
    }

    /// A 429 for the request sent at `slot` (already refunded): pauses the
    /// pool for `delay_ms`, and from the second refusal in a row of a
    /// request sent under the current quota, shrinks the quota to what the
    /// server evidently allows: the requests it accepted in the last minute,
    /// or its `x-ratelimit-limit-requests`, whichever is lower; by a quarter
    /// when it refuses although the quota was kept. Without any evidence
    /// (nothing accepted, no header: an outage-like storm) the quota stays
    /// and only the pauses slow the pool down. One accepted request is no
    /// evidence either: in a burst of refusals one answer slips through
    /// (the refusals of requests sent beside it are handled after it), and
    /// taking it for the quota would hold the run to 1 request a minute.
    pub fn on_429(
        &mut self,
        now: u64,
        slot: u64,
        delay_ms: u64,
        limit_hint: Option<u64>,
    ) -> Option<Shrunk> {
        self.pause_until(now + delay_ms);
        self.streak = self.streak.saturating_add(1);
        self.last_429 = now;
        // Sent before the last change: it says nothing about the new quota.
        if self.streak < 2 || slot < self.last_change {
            return None;
        }
        let from = u64::from(self.rpm);
        let accepted = self.recent(now) as u64;
        let evidence = [
            limit_hint.filter(|l| *l >= 1),
            Some(accepted).filter(|a| *a >= 2),
        ];
        let lowest = evidence.into_iter().flatten().min()?;
        let to = if lowest < from {
            lowest
        } else if accepted >= from {
            // Refused within the quota: someone else shares it.
            from - from / 4
        } else {
            return None;
        };
        let to = u32::try_from(to).unwrap_or(u32::MAX).max(1);
        self.last_change = now;
        if u64::from(to) == from {
            return None;
        }
        let from = self.rpm;
        self.rpm = to;
        Some(Shrunk { from, to })
    }

    /// A request went through: the refusal streak ends, and after a quiet
    /// minute a shrunk quota doubles (up to the declared one).
    pub fn on_success(&mut self, now: u64) {
        self.streak = 0;
        if self.rpm < self.base_rpm
            && now.saturating_sub(self.last_429) >= WINDOW_MS
            && now.saturating_sub(self.last_change) >= WINDOW_MS
        {
            self.rpm = self.rpm.saturating_mul(2).min(self.base_rpm);
            self.last_change = now;
        }
    }

    /// Binary form for the shared file: a magic, the scalars, the log.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAGIC.len() + 8 * 8 + self.log.len() * 12);
        out.extend_from_slice(MAGIC);
        for v in [
            self.not_before,
            u64::from(self.rpm),
            u64::from(self.tpm),
            u64::from(self.base_rpm),
            u64::from(self.base_tpm),
            self.last_429,
            u64::from(self.streak),
            self.last_change,
            self.log.len() as u64,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for entry in &self.log {
            let mut flag = 0;
            if entry.answered {
                flag |= ANSWERED_BIT;
            }
            if entry.departed {
                flag |= DEPARTED_BIT;
            }
            out.extend_from_slice(&entry.at.to_le_bytes());
            out.extend_from_slice(&(entry.tokens | flag).to_le_bytes());
        }
        out
    }

    /// Reads [`Window::encode`]'s form; `None` for anything else (a torn,
    /// foreign or older file is simply started afresh).
    pub fn decode(bytes: &[u8]) -> Option<Window> {
        let mut rest = bytes.strip_prefix(MAGIC)?;
        let mut u64_at = || {
            let (head, tail) = rest.split_first_chunk::<8>()?;
            rest = tail;
            Some(u64::from_le_bytes(*head))
        };
        let small = |v: u64| u32::try_from(v).ok().filter(|v| *v >= 1);
        let not_before = u64_at()?;
        let rpm = small(u64_at()?)?;
        let tpm = small(u64_at()?)?;
        let base_rpm = small(u64_at()?)?;
        let base_tpm = small(u64_at()?)?;
        let last_429 = u64_at()?;
        let streak = u32::try_from(u64_at()?).ok()?;
        let last_change = u64_at()?;
        let len = usize::try_from(u64_at()?).ok().filter(|n| *n <= LOG_CAP)?;
        if rest.len() != len * 12 {
            return None;
        }
        let mut log = VecDeque::with_capacity(len);
        for entry in rest.chunks_exact(12) {
            let (at, tokens) = entry.split_at(8);
            let tokens = u32::from_le_bytes(tokens.try_into().ok()?);
            log.push_back(Entry {
                at: u64::from_le_bytes(at.try_into().ok()?),
                tokens: tokens & MAX_TOKENS,
                departed: tokens & DEPARTED_BIT != 0,
                answered: tokens & ANSWERED_BIT != 0,
            });
        }
        if !log
            .iter()
            .zip(log.iter().skip(1))
            .all(|(a, b)| a.at <= b.at)
        {
            return None;
        }
        Some(Window {
            log,
            not_before,
            rpm,
            tpm,
            base_rpm,
            base_tpm,
            last_429,
            streak,
            last_change,
        })
    }
}

const MAGIC: &[u8] = b"llama-test rate window 1\n";

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000_000;
    const FAR: u64 = u64::MAX;

    #[test]
    fn at_most_rpm_requests_in_any_window() {
        let mut w = Window::new(8, UNLIMITED);
        let slots: Vec<u64> = (0..20).map(|_| w.reserve(T0, 1, FAR).unwrap()).collect();
        assert!(slots[..8].iter().all(|s| *s == T0));
        assert_eq!(slots[8], T0 + WINDOW_MS + SLACK_MS);
        assert_eq!(slots[16], T0 + 2 * (WINDOW_MS + SLACK_MS));
        for (i, s) in slots.iter().enumerate() {
            let in_window = slots
                .iter()
                .filter(|o| **o <= *s && *o + WINDOW_MS > *s)
                .count();
            assert!(in_window <= 8, "slot {i}: {in_window}");
        }
    }

    #[test]
    fn late_senders_are_held_to_the_window_they_really_used() {
        let mut w = Window::new(1, UNLIMITED);
        let a = w.reserve(T0, 1, FAR).unwrap();
        let b = w.reserve(T0, 1, FAR).unwrap();
        assert_eq!(b, T0 + WINDOW_MS + SLACK_MS);
        // `a` leaves five seconds late (a starved process).
        assert_eq!(w.depart(a, 1, T0 + 5_000), Ok(T0 + 5_000));
        // `b` wakes at its slot: sending now would make two in the minute
        // since `a` really left; it waits for that minute instead.
        let later = T0 + 5_000 + WINDOW_MS + SLACK_MS;
        assert_eq!(w.depart(b, 1, b), Err(later));
        assert_eq!(w.depart(b, 1, later), Ok(later));
    }

    #[test]
    fn tokens_per_minute_hold_back_large_requests() {
        let mut w = Window::new(1_000, 1_000);
        assert_eq!(w.reserve(T0, 600, FAR), Ok(T0));
        assert_eq!(w.reserve(T0 + 10, 600, FAR), Ok(T0 + WINDOW_MS + SLACK_MS));
        // A request larger than the whole budget is clamped, never stuck.
        let mut w = Window::new(1_000, 100);
        assert_eq!(w.reserve(T0, 5_000, FAR), Ok(T0));
    }

    #[test]
    fn a_deadline_refuses_a_late_slot_without_taking_it() {
        let mut w = Window::new(1, UNLIMITED);
        w.reserve(T0, 1, FAR).unwrap();
        assert_eq!(w.reserve(T0, 1, T0 + 1_000), Err(T0 + WINDOW_MS + SLACK_MS));
        assert_eq!(w.log.len(), 1);
        w.refund(T0, 1);
        assert_eq!(w.reserve(T0, 1, T0 + 1_000), Ok(T0));
    }

    #[test]
    fn repeated_429s_shrink_the_quota_to_what_the_server_accepted() {
        let mut w = Window::new(3_000, UNLIMITED);
        for _ in 0..8 {
            w.reserve(T0, 1, FAR).unwrap();
            w.answered(T0, 1);
        }
        // Four more were sent and refused.
        let refused: Vec<u64> = (0..4).map(|_| w.reserve(T0, 1, FAR).unwrap()).collect();
        for slot in &refused {
            w.refund(*slot, 1);
        }
        assert_eq!(w.on_429(T0 + 100, refused[0], 1_000, None), None);
        assert_eq!(
            w.on_429(T0 + 100, refused[1], 1_000, None),
            Some(Shrunk { from: 3_000, to: 8 })
        );
        // The rest of that burst was sent under the old quota.
        assert_eq!(w.on_429(T0 + 101, refused[2], 1_000, None), None);
        assert_eq!(w.rpm, 8);
        assert_eq!(w.not_before, T0 + 1_101);
        // The next slot waits for the window.
        assert_eq!(w.earliest(T0 + 1_200, 1), T0 + WINDOW_MS + SLACK_MS);
        // A quiet minute later the quota doubles back, step by step.
        w.on_success(T0 + 200_000);
        assert_eq!(w.rpm, 16);
        w.on_success(T0 + 200_001);
        assert_eq!(w.rpm, 16);
    }

    #[test]
    fn the_servers_limit_header_is_the_first_guess() {
        let mut w = Window::new(3_000, UNLIMITED);
        w.on_429(T0, T0, 1_000, Some(30));
        assert_eq!(
            w.on_429(T0 + 5, T0 + 5, 1_000, Some(30)),
            Some(Shrunk {
                from: 3_000,
                to: 30
            })
        );
        // Nothing accepted and nothing new said: the quota stays.
        assert_eq!(w.on_429(T0 + 2_000, T0 + 1_500, 1_000, Some(30)), None);
        assert_eq!(w.rpm, 30);
    }

    #[test]
    fn a_storm_without_evidence_keeps_the_quota() {
        let mut w = Window::new(3_000, UNLIMITED);
        // Requests in flight are no evidence of what the server accepts.
        for _ in 0..3 {
            w.reserve(T0, 1, FAR).unwrap();
        }
        for i in 0..12 {
            let slot = w.reserve(T0 + i * 300, 1, FAR).unwrap();
            w.refund(slot, 1);
            assert_eq!(w.on_429(T0 + i * 300, slot, 300, None), None);
        }
        assert_eq!(w.rpm, 3_000);
    }

    #[test]
    fn a_storm_with_one_answer_keeps_the_quota() {
        let mut w = Window::new(3_000, UNLIMITED);
        w.reserve(T0, 1, FAR).unwrap();
        w.answered(T0, 1);
        for i in 0..4 {
            let slot = w.reserve(T0, 1, FAR).unwrap();
            w.refund(slot, 1);
            assert_eq!(w.on_429(T0 + 10 + i, slot, 300, None), None);
        }
        assert_eq!(w.rpm, 3_000);
    }

    #[test]
    fn refusals_within_a_kept_quota_lower_it_by_a_quarter() {
        let mut w = Window::new(8, UNLIMITED);
        for _ in 0..8 {
            w.reserve(T0, 1, FAR).unwrap();
            w.answered(T0, 1);
        }
        w.on_429(T0 + 10, T0 + 10, 1_000, None);
        assert_eq!(
            w.on_429(T0 + 20, T0 + 20, 1_000, None),
            Some(Shrunk { from: 8, to: 6 })
        );
    }

    #[test]
    fn encoding_round_trips_and_rejects_garbage() {
        let mut w = Window::new(30, 5_000);
        for i in 0..5 {
            w.reserve(T0 + i, 7, FAR).unwrap();
        }
        assert_eq!(w.depart(T0 + 2, 7, T0 + 9), Ok(T0 + 9));
        w.answered(T0 + 9, 7);
        assert!(w.log[4].answered && w.log[4].departed);
        w.on_429(T0, T0, 500, None);
        let bytes = w.encode();
        assert_eq!(Window::decode(&bytes), Some(w));
        assert_eq!(Window::decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Window::decode(b"{}"), None);
        assert_eq!(Window::decode(&[]), None);
    }
}
