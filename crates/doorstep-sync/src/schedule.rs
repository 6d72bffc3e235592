//! When the app syncs by itself: on start, a little after edits (debounced,
//! so typing a note does not send a request per keystroke), on reconnect, and
//! periodically. After a failure it waits longer each time (exponential
//! backoff with jitter, so a hundred laptops coming back into coverage at
//! once do not all retry in step). Sync runs on the scheduler's own thread.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::SyncError;

/// Why a sync started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Start,
    Edited,
    Online,
    Periodic,
    Retry,
    Requested,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleConfig {
    /// Quiet time after the last edit before syncing.
    pub debounce: Duration,
    /// Edits never hold a sync back longer than this, however steady the typing.
    pub longest_debounce: Duration,
    pub period: Duration,
    pub first_retry: Duration,
    pub longest_retry: Duration,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self {
            debounce: Duration::from_secs(3),
            longest_debounce: Duration::from_secs(30),
            period: Duration::from_secs(5 * 60),
            first_retry: Duration::from_secs(2),
            longest_retry: Duration::from_secs(5 * 60),
        }
    }
}

/// Exponential backoff with "equal jitter": the n-th wait is between half
/// and all of `first × 2ⁿ⁻¹`, capped at `longest`.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    longest: Duration,
    failures: u32,
    rng: fastrand::Rng,
}

impl Backoff {
    pub fn new(first: Duration, longest: Duration, seed: u64) -> Self {
        Self {
            first,
            longest,
            failures: 0,
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// Records a failure and returns how long to wait before the next try.
    pub fn failed(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let exponent = (self.failures - 1).min(20);
        let ceiling = self
            .first
            .saturating_mul(1 << exponent)
            .min(self.longest)
            .as_millis();
        let ceiling = u64::try_from(ceiling).unwrap_or(u64::MAX);
        let half = ceiling / 2;
        Duration::from_millis(half + self.rng.u64(0..=ceiling - half))
    }

    pub fn succeeded(&mut self) {
        self.failures = 0;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }
}

enum Message {
    Trigger(Trigger),
    Stop,
}

/// The background sync thread. Dropping it stops the thread after any sync
/// in progress.
#[derive(Debug)]
pub struct Scheduler {
    sender: Sender<Message>,
    thread: Option<JoinHandle<()>>,
}

/// What the scheduler should do after a sync attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterSync {
    /// Synced: next at the usual period.
    Done,
    /// Try again after a backoff.
    Retry,
    /// Nothing will work until a person acts (signed out, revoked): wait for a trigger.
    Wait,
}

impl AfterSync {
    pub fn from_result<T>(result: &Result<T, SyncError>) -> Self {
        match result {
            Ok(_) => AfterSync::Done,
            Err(error) if error.is_transient() => AfterSync::Retry,
            Err(_) => AfterSync::Wait,
        }
    }
}

impl Scheduler {
    /// Starts the thread; it syncs at once (`Trigger::Start`), then as
    /// triggered. `sync` runs on that thread and says what to do next.
    pub fn start(
        config: ScheduleConfig,
        mut sync: impl FnMut(Trigger) -> AfterSync + Send + 'static,
    ) -> Self {
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("doorstep-sync".into())
            .spawn(move || run(config, &receiver, &mut sync))
            .ok();
        Self { sender, thread }
    }

    /// A change was saved: sync once the person pauses.
    pub fn edited(&self) {
        let _ = self.sender.send(Message::Trigger(Trigger::Edited));
    }

    /// The network came back: sync now, forgetting earlier failures.
    pub fn online(&self) {
        let _ = self.sender.send(Message::Trigger(Trigger::Online));
    }

    /// The person asked to sync now.
    pub fn sync_now(&self) {
        let _ = self.sender.send(Message::Trigger(Trigger::Requested));
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        let _ = self.sender.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    config: ScheduleConfig,
    receiver: &Receiver<Message>,
    sync: &mut dyn FnMut(Trigger) -> AfterSync,
) {
    let seed = u64::from(std::process::id()) ^ Instant::now().elapsed().as_nanos() as u64;
    let mut backoff = Backoff::new(config.first_retry, config.longest_retry, seed);
    let mut due: Option<(Instant, Trigger)> = Some((Instant::now(), Trigger::Start));
    let mut first_pending_edit: Option<Instant> = None;
    loop {
        let message = match due {
            Some((at, _)) => {
                match receiver.recv_timeout(at.saturating_duration_since(Instant::now())) {
                    Ok(message) => Some(message),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            None => match receiver.recv() {
                Ok(message) => Some(message),
                Err(_) => return,
            },
        };
        let now = Instant::now();
        let trigger = match message {
            Some(Message::Stop) => return,
            Some(Message::Trigger(Trigger::Edited)) => {
                let first = *first_pending_edit.get_or_insert(now);
                let at = (now + config.debounce).min(first + config.longest_debounce);
                // An edit never delays a sync that was due sooner.
                if due.is_none_or(|(current, _)| at < current) {
                    due = Some((at, Trigger::Edited));
                }
                continue;
            }
            Some(Message::Trigger(trigger)) => {
                if trigger == Trigger::Online || trigger == Trigger::Requested {
                    backoff.succeeded();
                }
                trigger
            }
            None => match due {
                Some((_, trigger)) => trigger,
                None => continue,
            },
        };
        first_pending_edit = None;
        let after = sync(trigger);
        let now = Instant::now();
        due = match after {
            AfterSync::Done => {
                backoff.succeeded();
                Some((now + config.period, Trigger::Periodic))
            }
            AfterSync::Retry => Some((now + backoff.failed(), Trigger::Retry)),
            AfterSync::Wait => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn waits_grow_exponentially_with_jitter_and_are_capped() {
        let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(60), 7);
        let waits: Vec<Duration> = (0..8).map(|_| backoff.failed()).collect();
        let ceilings = [2, 4, 8, 16, 32, 60, 60, 60];
        for (wait, ceiling) in waits.iter().zip(ceilings) {
            let ceiling = Duration::from_secs(ceiling);
            assert!(
                *wait <= ceiling && *wait >= ceiling / 2,
                "{wait:?} vs {ceiling:?}"
            );
        }
        backoff.succeeded();
        assert!(backoff.failed() <= Duration::from_secs(2));
    }

    #[test]
    fn two_devices_with_different_seeds_do_not_retry_in_step() {
        let mut a = Backoff::new(Duration::from_secs(2), Duration::from_secs(300), 1);
        let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(300), 2);
        let same = (0..10).filter(|_| a.failed() == b.failed()).count();
        assert!(same < 3);
    }

    fn quick() -> ScheduleConfig {
        ScheduleConfig {
            debounce: Duration::from_millis(150),
            longest_debounce: Duration::from_millis(600),
            period: Duration::from_secs(3600),
            first_retry: Duration::from_millis(40),
            longest_retry: Duration::from_millis(200),
        }
    }

    fn recording(
        results: Vec<AfterSync>,
    ) -> (
        Arc<Mutex<Vec<Trigger>>>,
        impl FnMut(Trigger) -> AfterSync + Send,
    ) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let mut results = results.into_iter();
        (seen, move |trigger| {
            log.lock().unwrap().push(trigger);
            results.next().unwrap_or(AfterSync::Done)
        })
    }

    fn wait_for(seen: &Arc<Mutex<Vec<Trigger>>>, count: usize) -> Vec<Trigger> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while seen.lock().unwrap().len() < count && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        seen.lock().unwrap().clone()
    }

    #[test]
    fn syncs_on_start_then_once_after_a_burst_of_edits() {
        let (seen, sync) = recording(vec![]);
        let scheduler = Scheduler::start(quick(), sync);
        assert_eq!(wait_for(&seen, 1), vec![Trigger::Start]);
        for _ in 0..5 {
            scheduler.edited();
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(wait_for(&seen, 2), vec![Trigger::Start, Trigger::Edited]);
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            seen.lock().unwrap().len(),
            2,
            "one sync for the whole burst"
        );
    }

    #[test]
    fn failures_are_retried_and_reconnecting_syncs_at_once() {
        let (seen, sync) = recording(vec![AfterSync::Retry, AfterSync::Retry, AfterSync::Wait]);
        let scheduler = Scheduler::start(quick(), sync);
        assert_eq!(
            wait_for(&seen, 3),
            vec![Trigger::Start, Trigger::Retry, Trigger::Retry]
        );
        // Waiting for a person (signed out): nothing happens until a trigger.
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(seen.lock().unwrap().len(), 3);
        scheduler.online();
        assert_eq!(wait_for(&seen, 4)[3], Trigger::Online);
    }
}
