//! The memory one app may hold: a budget shared by every reader of the app.
//!
//! A scan charges the budget before it allocates anything whose size comes from the input: the
//! input bytes, every inflated entry while it is alive, every table decoded from a count. Entry
//! data returned by [`Apk::read`](crate::Apk::read) carries its charge and gives it back when it
//! is dropped, so the budget tracks the bytes alive, not the bytes ever read; the total ever
//! inflated is capped separately ([`Options::max_total_inflated`](crate::Options)).
//!
//! The budget is a safety net, not a quota: a real app stays far below it, and a hostile one
//! hits it at some point whose exact place may depend on what runs at the same time.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// A memory budget in bytes, cheap to clone and shared between threads: clones charge the same
/// account.
#[derive(Clone)]
pub struct Budget {
    inner: Arc<Account>,
}

struct Account {
    limit: u64,
    used: AtomicU64,
    peak: AtomicU64,
    /// The first charge refused, so that whoever checks later learns the budget was exceeded
    /// even where the refusal itself was only an entry's read error.
    exceeded: OnceLock<OverBudget>,
}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget")
            .field("limit", &self.limit())
            .field("used", &self.used())
            .field("peak", &self.peak())
            .finish()
    }
}

/// Charging would take the budget over its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "needs {} more with {} of its {} memory budget in use",
    Mib(*requested),
    Mib(*used),
    Mib(*limit)
)]
pub struct OverBudget {
    /// The bytes asked for.
    pub requested: u64,
    /// The bytes in use when they were asked for.
    pub used: u64,
    /// The budget.
    pub limit: u64,
}

/// Bytes shown in MiB with one decimal (exact bytes below 1 MiB).
struct Mib(u64);

impl fmt::Display for Mib {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MIB: u64 = 1 << 20;
        if self.0 < MIB {
            write!(f, "{} bytes", self.0)
        } else {
            // Tenths of a MiB, in integers: no float rounding surprises on huge values.
            let tenths = self.0 / (MIB / 10);
            write!(f, "{}.{} MiB", tenths / 10, tenths % 10)
        }
    }
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Self {
            inner: Arc::new(Account {
                limit,
                used: AtomicU64::new(0),
                peak: AtomicU64::new(0),
                exceeded: OnceLock::new(),
            }),
        }
    }

    /// A budget that is never exceeded (it still counts).
    pub fn unlimited() -> Self {
        Self::new(u64::MAX)
    }

    /// The limit in bytes.
    pub fn limit(&self) -> u64 {
        self.inner.limit
    }

    /// Bytes charged and not yet released.
    pub fn used(&self) -> u64 {
        self.inner.used.load(Ordering::Relaxed)
    }

    /// The most bytes ever charged at once.
    pub fn peak(&self) -> u64 {
        self.inner.peak.load(Ordering::Relaxed)
    }

    /// The first charge this budget refused, if any.
    pub fn exceeded(&self) -> Option<OverBudget> {
        self.inner.exceeded.get().copied()
    }

    /// Charges `bytes` for memory that is released when the returned [`Charge`] is dropped.
    pub fn charge(&self, bytes: u64) -> Result<Charge, OverBudget> {
        self.take(bytes)?;
        Ok(Charge {
            budget: self.clone(),
            bytes,
        })
    }

    /// Charges `bytes` for memory held until the end of the scan (the budget's owner drops the
    /// whole budget then).
    pub fn charge_held(&self, bytes: u64) -> Result<(), OverBudget> {
        self.take(bytes)
    }

    fn take(&self, bytes: u64) -> Result<(), OverBudget> {
        let account = &self.inner;
        let mut used = account.used.load(Ordering::Relaxed);
        loop {
            let Some(next) = used
                .checked_add(bytes)
                .filter(|&next| next <= account.limit)
            else {
                let refused = OverBudget {
                    requested: bytes,
                    used,
                    limit: account.limit,
                };
                let _ = account.exceeded.set(refused);
                return Err(refused);
            };
            match account.used.compare_exchange_weak(
                used,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    account.peak.fetch_max(next, Ordering::Relaxed);
                    return Ok(());
                }
                Err(now) => used = now,
            }
        }
    }

    fn release(&self, bytes: u64) {
        // Never below zero, even if a caller releases more than it took.
        let _ = self
            .inner
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                Some(used.saturating_sub(bytes))
            });
    }
}

/// Bytes charged to a [`Budget`], given back when this is dropped.
#[derive(Debug)]
pub struct Charge {
    budget: Budget,
    bytes: u64,
}

impl Charge {
    /// A charge of nothing against `budget`, to [`grow`](Self::grow) later.
    pub fn empty(budget: &Budget) -> Self {
        Self {
            budget: budget.clone(),
            bytes: 0,
        }
    }

    /// Charges `more` bytes to the same budget.
    pub fn grow(&mut self, more: u64) -> Result<(), OverBudget> {
        self.budget.take(more)?;
        self.bytes = self.bytes.saturating_add(more);
        Ok(())
    }

    /// Gives back everything above `bytes` (nothing when the charge holds less).
    pub fn shrink_to(&mut self, bytes: u64) {
        let spare = self.bytes.saturating_sub(bytes);
        self.budget.release(spare);
        self.bytes = self.bytes.saturating_sub(spare);
    }

    /// The bytes this charge holds.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.budget.release(self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_are_released_when_dropped() {
        let budget = Budget::new(100);
        let a = budget.charge(60).unwrap();
        assert_eq!(budget.used(), 60);
        let err = budget.charge(41).unwrap_err();
        assert_eq!(
            err,
            OverBudget {
                requested: 41,
                used: 60,
                limit: 100
            }
        );
        let mut b = budget.charge(40).unwrap();
        assert_eq!(budget.used(), 100);
        assert!(b.grow(1).is_err());
        drop(a);
        b.grow(50).unwrap();
        assert_eq!(b.bytes(), 90);
        b.shrink_to(95);
        assert_eq!(b.bytes(), 90);
        b.shrink_to(80);
        assert_eq!((b.bytes(), budget.used()), (80, 80));
        b.grow(10).unwrap();
        assert_eq!(budget.used(), 90);
        drop(b);
        assert_eq!(budget.used(), 0);
        assert_eq!(budget.peak(), 100);
        assert_eq!(
            budget.exceeded(),
            Some(err),
            "the first refusal is remembered"
        );
        assert_eq!(
            err.to_string(),
            "needs 41 bytes more with 60 bytes of its 100 bytes memory budget in use"
        );
        let big = OverBudget {
            requested: 64 << 20,
            used: (64 << 20) + (1 << 19),
            limit: 128 << 20,
        };
        assert_eq!(
            big.to_string(),
            "needs 64.0 MiB more with 64.5 MiB of its 128.0 MiB memory budget in use"
        );
    }

    #[test]
    fn held_charges_stay_and_overflow_is_refused() {
        let budget = Budget::new(10);
        budget.charge_held(10).unwrap();
        assert!(budget.charge_held(1).is_err());
        let clone = budget.clone();
        assert_eq!(clone.used(), 10);
        let unlimited = Budget::unlimited();
        unlimited.charge_held(u64::MAX).unwrap();
        assert!(unlimited.charge_held(1).is_err(), "no wrap-around");
    }
}
