//! A hybrid logical clock: device time where clocks agree, and a counter
//! where they do not, so events recorded offline on several laptops can be
//! put in an order that respects cause and effect even when a laptop's clock
//! is wrong.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::dates::Timestamp;

/// One reading of a hybrid logical clock. Orders by time, then counter, then node.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HlcTimestamp {
    pub wall_millis: i64,
    pub counter: u32,
    pub node: String,
}

impl fmt::Display for HlcTimestamp {
    /// Fixed-width, so that text order is clock order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:015}-{:08}-{}",
            self.wall_millis, self.counter, self.node
        )
    }
}

impl HlcTimestamp {
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '-');
        let wall_millis = parts.next()?.parse().ok()?;
        let counter = parts.next()?.parse().ok()?;
        let node = parts.next()?.to_owned();
        Some(Self {
            wall_millis,
            counter,
            node,
        })
    }
}

/// The clock of one device. Persist [`HybridClock::last`] to keep order across restarts.
#[derive(Debug, Clone)]
pub struct HybridClock {
    node: String,
    last_wall: i64,
    last_counter: u32,
}

impl HybridClock {
    pub fn new(node: impl Into<String>) -> Self {
        Self {
            node: node.into(),
            last_wall: 0,
            last_counter: 0,
        }
    }

    /// Resumes after `last`, as read back from storage.
    pub fn resume(node: impl Into<String>, last: Option<&HlcTimestamp>) -> Self {
        let mut clock = Self::new(node);
        if let Some(last) = last {
            clock.last_wall = last.wall_millis;
            clock.last_counter = last.counter;
        }
        clock
    }

    /// A reading for a local event at device time `now`; always later than every earlier reading.
    pub fn tick(&mut self, now: Timestamp) -> HlcTimestamp {
        if now.millis() > self.last_wall {
            self.last_wall = now.millis();
            self.last_counter = 0;
        } else {
            self.last_counter = self.last_counter.saturating_add(1);
        }
        self.reading()
    }

    /// Takes in a reading from another device so later local events order after it.
    pub fn observe(&mut self, remote: &HlcTimestamp, now: Timestamp) -> HlcTimestamp {
        let wall = self.last_wall.max(remote.wall_millis).max(now.millis());
        self.last_counter = if wall == self.last_wall && wall == remote.wall_millis {
            self.last_counter.max(remote.counter).saturating_add(1)
        } else if wall == self.last_wall {
            self.last_counter.saturating_add(1)
        } else if wall == remote.wall_millis {
            remote.counter.saturating_add(1)
        } else {
            0
        };
        self.last_wall = wall;
        self.reading()
    }

    fn reading(&self) -> HlcTimestamp {
        HlcTimestamp {
            wall_millis: self.last_wall,
            counter: self.last_counter,
            node: self.node.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_keep_increasing_even_when_the_device_clock_goes_back() {
        let mut clock = HybridClock::new("laptop-a");
        let first = clock.tick(Timestamp(1_000));
        let second = clock.tick(Timestamp(900)); // clock corrected backwards
        let third = clock.tick(Timestamp(900));
        assert!(first < second && second < third);
        assert_eq!(second.wall_millis, 1_000);
        assert_eq!(third.counter, 2);
    }

    #[test]
    fn an_event_seen_from_a_laptop_with_a_fast_clock_orders_later_events_after_it() {
        let mut slow = HybridClock::new("slow");
        let fast_reading = HlcTimestamp {
            wall_millis: 50_000,
            counter: 3,
            node: "fast".into(),
        };
        let observed = slow.observe(&fast_reading, Timestamp(10_000));
        assert!(observed > fast_reading);
        assert!(slow.tick(Timestamp(10_001)) > observed);
    }

    #[test]
    fn readings_print_in_an_order_preserving_form_and_parse_back() {
        let mut clock = HybridClock::new("dev-1");
        let a = clock.tick(Timestamp(5));
        let b = clock.tick(Timestamp(1_000_000));
        assert!(a.to_string() < b.to_string());
        assert_eq!(HlcTimestamp::parse(&b.to_string()), Some(b.clone()));
        let resumed = HybridClock::resume("dev-1", Some(&b)).tick(Timestamp(0));
        assert!(resumed > b);
    }
}
