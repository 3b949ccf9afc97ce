//! Time, passed in: the store asks a [`Clock`]; business rules take dates as arguments.
//! Also the hybrid logical clock that orders writes for sync.

use chrono::{DateTime, Utc};
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what it is told (tests, the deterministic demo village).
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        FixedClock(AtomicI64::new(t.timestamp_millis()))
    }
    pub fn set(&self, t: DateTime<Utc>) {
        self.0.store(t.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0.load(Ordering::SeqCst)).unwrap_or_default()
    }
}

/// A hybrid logical clock reading: wall-clock milliseconds and a counter for writes within the
/// same millisecond (or while the wall clock is behind a reading already seen). Readings from
/// one device always increase, even if the laptop's clock is set back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hlc {
    pub wall_ms: i64,
    pub counter: u32,
}

impl Hlc {
    pub const ZERO: Hlc = Hlc {
        wall_ms: 0,
        counter: 0,
    };

    /// The next reading after `self`, given the wall clock now.
    pub fn tick(self, now_ms: i64) -> Hlc {
        if now_ms > self.wall_ms {
            Hlc {
                wall_ms: now_ms,
                counter: 0,
            }
        } else {
            Hlc {
                wall_ms: self.wall_ms,
                counter: self.counter + 1,
            }
        }
    }

    /// The next local reading after also having seen `remote` (used when applying pulled changes).
    pub fn observe(self, remote: Hlc, now_ms: i64) -> Hlc {
        let wall = now_ms.max(self.wall_ms).max(remote.wall_ms);
        let counter = match (wall == self.wall_ms, wall == remote.wall_ms) {
            (true, true) => self.counter.max(remote.counter) + 1,
            (true, false) => self.counter + 1,
            (false, true) => remote.counter + 1,
            (false, false) => 0,
        };
        Hlc {
            wall_ms: wall,
            counter,
        }
    }

    pub fn parse(s: &str) -> Option<Hlc> {
        let (w, c) = s.split_once('-')?;
        Some(Hlc {
            wall_ms: w.parse().ok()?,
            counter: c.parse().ok()?,
        })
    }
}

/// Fixed-width, so that text order is time order.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}-{:06}", self.wall_ms, self.counter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hlc_always_increases_even_when_the_clock_goes_back() {
        let a = Hlc::ZERO.tick(1_000);
        let b = a.tick(1_000);
        let c = b.tick(500); // clock set back
        let d = c.tick(2_000);
        assert!(a < b && b < c && c < d);
        assert_eq!(
            c,
            Hlc {
                wall_ms: 1_000,
                counter: 2
            }
        );
        for (x, y) in [(a, b), (b, c), (c, d)] {
            assert!(
                x.to_string() < y.to_string(),
                "text order follows time order"
            );
        }
    }

    #[test]
    fn hlc_observe_moves_past_remote() {
        let local = Hlc {
            wall_ms: 1_000,
            counter: 3,
        };
        let remote = Hlc {
            wall_ms: 5_000,
            counter: 7,
        };
        let next = local.observe(remote, 2_000);
        assert!(next > remote && next > local);
        assert_eq!(Hlc::parse(&next.to_string()), Some(next));
        assert_eq!(Hlc::parse("garbage"), None);
    }
}
