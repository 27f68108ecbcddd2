//! The memory budget, the deadline and nested archives sharing their parent's limits.

use std::time::{Duration, Instant};

use apkscope_apk::{Apk, Budget, Error, LimitKind, Options};
use apkscope_testkit::zip::ZipBuilder;

const MIB: usize = 1 << 20;

#[test]
fn inflated_data_is_charged_while_alive() {
    let zip = ZipBuilder::new()
        .deflated("a", vec![7u8; 3 * MIB])
        .deflated("b", vec![8u8; 3 * MIB])
        .stored("s", vec![9u8; 3 * MIB])
        .build();
    let budget = Budget::new(5 * MIB as u64);
    let apk = Apk::parse_with_budget(&zip, Options::default(), &budget).unwrap();
    let a = apk.read(apk.entry("a").unwrap()).unwrap();
    assert_eq!(a.len(), 3 * MIB);
    assert!(!a.is_borrowed());
    assert!(budget.used() >= 3 * MIB as u64, "{budget:?}");
    // Stored data is the input's own bytes: nothing to charge.
    let s = apk.read(apk.entry("s").unwrap()).unwrap();
    assert!(s.is_borrowed());
    // A second inflated entry does not fit while the first is alive...
    let err = apk.read(apk.entry("b").unwrap()).unwrap_err();
    assert!(
        matches!(&err, Error::OverBudget { entry, .. } if entry == "b"),
        "{err}"
    );
    assert!(err.to_string().contains("memory budget"), "{err}");
    // ... and does once it is dropped.
    drop(a);
    assert_eq!(budget.used(), 0);
    let b = apk.read(apk.entry("b").unwrap()).unwrap();
    assert_eq!(b.len(), 3 * MIB);
    drop(b);
    assert_eq!(budget.used(), 0, "every charge is given back");
    assert!(budget.peak() <= 5 * MIB as u64);
}

#[test]
fn a_bomb_stops_at_the_budget_not_at_its_declared_size() {
    // 64 MiB of zeros deflate to about 64 KiB and declare a small size.
    let zip = ZipBuilder::new()
        .deflated("bomb", vec![0u8; 64 * MIB])
        .build();
    let budget = Budget::new(4 * MIB as u64);
    let apk = Apk::parse_with_budget(&zip, Options::default(), &budget).unwrap();
    let err = apk.read(apk.entry("bomb").unwrap()).unwrap_err();
    assert!(matches!(err, Error::OverBudget { .. }), "{err}");
    assert!(budget.peak() <= 4 * MIB as u64);
    assert_eq!(budget.used(), 0);
}

#[test]
fn nested_archives_share_the_total_and_the_budget() {
    let inner = ZipBuilder::new()
        .deflated("classes.dex", vec![1u8; 2 * MIB])
        .deflated("more.dex", vec![2u8; 2 * MIB])
        .build();
    let outer = ZipBuilder::new()
        .deflated("assets/inner.zip", &inner)
        .build();
    let options = Options {
        max_total_inflated: (3 * MIB + inner.len()) as u64,
        ..Options::default()
    };
    let budget = Budget::unlimited();
    let apk = Apk::parse_with_budget(&outer, options, &budget).unwrap();
    let bytes = apk.read(apk.entry("assets/inner.zip").unwrap()).unwrap();
    let nested = apk.parse_nested(&bytes).unwrap();
    let first = nested.read(nested.entry("classes.dex").unwrap()).unwrap();
    assert_eq!(first.len(), 2 * MIB);
    // The outer read and the first inner read leave less than 2 MiB of the shared total.
    let err = nested.read(nested.entry("more.dex").unwrap()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::LimitExceeded {
                kind: LimitKind::TotalInflated,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(apk.inflated_total(), nested.inflated_total());
    assert!(budget.used() >= (2 * MIB + inner.len()) as u64);
}

#[test]
fn inflation_stops_at_the_deadline() {
    let zip = ZipBuilder::new()
        .deflated("big", vec![3u8; 8 * MIB])
        .build();
    let options = Options {
        deadline: Some(Instant::now().checked_sub(Duration::from_secs(1)).unwrap()),
        ..Options::default()
    };
    let apk = Apk::parse_with(&zip, options).unwrap();
    let err = apk.read(apk.entry("big").unwrap()).unwrap_err();
    assert!(matches!(err, Error::Deadline { .. }), "{err}");
    // Without a deadline the same entry reads.
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(apk.read(apk.entry("big").unwrap()).unwrap().len(), 8 * MIB);
}
