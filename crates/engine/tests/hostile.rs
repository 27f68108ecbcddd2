//! Hostile uploads: every case of the hostile-input issue, built by the testkit, scanned with a
//! small memory budget and a time limit. Each scan must end in a report or a typed error whose
//! kind a batch records (`over_budget`, `timeout`), never an abort; memory is checked by
//! `tests/memory.rs` (its own binary, with a counting allocator).

use std::time::Duration;

use apkscope_engine::{Error, ScanOptions, scan_bytes};
use apkscope_testkit::hostile;
use apkscope_testkit::zip::{ZipBuilder, ZipEntry};

const MIB: u64 = 1 << 20;

fn options(budget_mib: u64) -> ScanOptions {
    let mut options = ScanOptions::default();
    options.max_app_memory = budget_mib * MIB;
    options.rules = Some(crate::default_pack());
    options
}

fn dex_apk(dex: Vec<u8>) -> Vec<u8> {
    hostile::apk(vec![ZipEntry::deflated("classes.dex", dex)])
}

#[test]
fn shared_type_lists_are_copied_once() {
    // 65,535 protos and 4,096 classes on one 65,535-entry list: 17 GiB if copied per user.
    let apk = dex_apk(hostile::shared_type_list_dex(65_535, 4_096, 65_535));
    let facts = scan_bytes(&apk, "shared.apk", &options(64)).unwrap();
    let code = &facts.code_index.dex[0];
    assert_eq!(code.protos.len(), 65_535);
    assert_eq!(code.proto_params.len(), 65_535, "one copy of the list");
    assert_eq!(code.class_interfaces.len(), 65_535, "one copy of the list");
    assert!(
        code.protos
            .iter()
            .all(|p| p.params_start == 0 && p.params_len == 65_535)
    );
    assert!(
        code.classes
            .iter()
            .all(|c| c.interfaces_start == 0 && c.interfaces_len == 65_535)
    );
    // Every proto still renders with its parameters.
    assert_eq!(
        code.proto_string(7).unwrap().len(),
        "(".len() + 65_535 * "LA;".len() + ")LA;".len()
    );
}

#[test]
fn overlapping_type_lists_are_capped_by_the_file() {
    let dex = hostile::overlapping_type_lists_dex(65_535, 32_768);
    let dex_len = dex.len();
    let apk = dex_apk(dex);
    let facts = scan_bytes(&apk, "overlap.apk", &options(64)).unwrap();
    let dex = &facts.code.dex[0];
    let overlap = dex
        .anomalies
        .iter()
        .find(|a| a.kind == "type_lists_overlap")
        .expect("overlap reported");
    assert!(
        overlap.detail.contains("proto parameters"),
        "{}",
        overlap.detail
    );
    // No more entries than the dex has room for (two bytes each), where copying every list
    // would have taken 65,535 × 32,768.
    let copied = facts.code_index.dex[0].proto_params.len();
    assert!(copied <= dex_len / 2, "{copied} of {dex_len}");
}

#[test]
fn nested_bombs_are_charged_to_the_app() {
    // Six nested archives of 256 MiB dex bombs: 1.5 GiB if inflated at once.
    let apk = hostile::nested_dex_bombs(6, 256 * MIB);
    let err = scan_bytes(&apk, "nested.apk", &options(64)).unwrap_err();
    assert!(matches!(err, Error::OverBudget { .. }), "{err}");
    assert_eq!(err.kind(), "over_budget");
    assert!(err.to_string().contains("memory budget"), "{err}");
    // With room for one bomb at a time, every bomb is read, none is held with another.
    let facts = scan_bytes(&apk, "nested.apk", &options(400)).unwrap();
    let nested: Vec<_> = facts
        .code
        .hidden_payloads
        .iter()
        .filter(|p| p.path.contains('!'))
        .collect();
    assert_eq!(nested.len(), 6, "{:?}", facts.code.hidden_payloads);
}

#[test]
fn nested_archives_share_the_total_inflation_cap() {
    let apk = hostile::nested_dex_bombs(6, 100 * MIB);
    let mut options = options(1024);
    options.container.max_total_inflated = 250 * MIB;
    let facts = scan_bytes(&apk, "nested.apk", &options).unwrap();
    let refused = facts
        .code
        .hidden_payloads
        .iter()
        .filter(|p| p.detail.contains("total inflation"))
        .count();
    // 250 MiB of total covers two 100 MiB bombs (and the archives' own bytes), not six.
    assert!(refused >= 3, "{:#?}", facts.code.hidden_payloads);
}

#[test]
fn records_sharing_one_local_header_stay_within_budget() {
    let apk = hostile::shared_local_header_bombs(200, 100 * MIB);
    assert!(apk.len() < 2 * 1024 * 1024);
    match scan_bytes(&apk, "shared-header.apk", &options(64)) {
        Err(err) => assert_eq!(err.kind(), "over_budget", "{err}"),
        Ok(facts) => panic!("a 100 MiB dex within 64 MiB: {:?}", facts.code.dex.len()),
    }
}

#[test]
fn the_input_itself_is_charged() {
    let apk = hostile::many_native_libs(10);
    let mut options = options(64);
    options.max_app_memory = u64::try_from(apk.len()).unwrap() - 1;
    let err = scan_bytes(&apk, "tiny-budget.apk", &options).unwrap_err();
    assert_eq!(err.kind(), "over_budget", "{err}");
}

#[test]
fn many_native_libraries_are_linear() {
    // 40,000 libraries took 12 s when each looked all the others up.
    let apk = hostile::many_native_libs(40_000);
    let facts = scan_bytes(&apk, "libs.apk", &options(256)).unwrap();
    assert_eq!(facts.native.len(), 40_000);
    assert_eq!(facts.container.native_libs.len(), 40_000);
}

#[test]
fn the_deadline_stops_a_single_large_inflation() {
    // One 2 GiB bomb in a nested archive: one `read` that would take seconds on its own.
    let apk = hostile::nested_dex_bombs(1, 2048 * MIB);
    let mut options = options(4096);
    options.container.max_entry_size = 4096 * MIB;
    options.time_limit = Some(Duration::from_millis(300));
    let err = scan_bytes(&apk, "slow.apk", &options).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert_eq!(err.kind(), "timeout");
}

#[test]
fn a_dex_bomb_is_an_anomaly_under_the_entry_cap() {
    // The per-entry cap (512 MiB by default) stops a bomb before the app budget: the app is
    // still analysed, the bomb is reported.
    let apk = hostile::apk(vec![
        ZipEntry::deflated(
            "classes.dex",
            apkscope_testkit::dex::DexBuilder::new().build(),
        ),
        hostile::dex_bomb_entry("classes2.dex", 600 * MIB),
    ]);
    let facts = scan_bytes(&apk, "bomb.apk", &options(1024)).unwrap();
    let bomb = facts
        .code
        .dex
        .iter()
        .find(|d| d.entry == "classes2.dex")
        .unwrap();
    assert!(
        bomb.anomalies
            .iter()
            .any(|a| a.kind == "dex_entry_unreadable" && a.detail.contains("per-entry")),
        "{:?}",
        bomb.anomalies
    );
}

#[test]
fn a_bare_dex_and_code_only_commands_respect_the_budget() {
    let dex = hostile::shared_type_list_dex(100, 0, 65_535);
    let mut options = options(64);
    let facts = scan_bytes(&dex, "bare.dex", &options).unwrap();
    assert_eq!(facts.code_index.dex[0].proto_params.len(), 65_535);
    options.max_app_memory = u64::try_from(dex.len()).unwrap() + 1024;
    let err = apkscope_engine::code_index_bytes(&dex, "bare.dex", &options).unwrap_err();
    assert_eq!(err.kind(), "over_budget", "{err}");
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", hostile::manifest("a.b"))
        .build();
    options.max_app_memory = u64::try_from(apk.len()).unwrap() - 1;
    let err = apkscope_engine::manifest_xml(&apk, &options).unwrap_err();
    assert_eq!(err.kind(), "over_budget", "{err}");
}

#[test]
fn a_huge_manifest_is_charged_before_it_is_decoded() {
    // 80 bytes per element, a million elements: 80 MB of manifest in a few hundred KB, which
    // decodes to ten times that.
    let manifest = hostile::huge_manifest(1_000_000);
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest)
        .build();
    assert!(apk.len() < manifest.len() / 100);
    let err = scan_bytes(&apk, "manifest.apk", &options(256)).unwrap_err();
    assert_eq!(err.kind(), "over_budget", "{err}");
    assert!(err.to_string().contains("decoding the manifest"), "{err}");
    // With room for it, it is an app requesting one permission again and again (as many times
    // as the decoder's own caps let through).
    let facts = scan_bytes(&apk, "manifest.apk", &options(2048)).unwrap();
    assert!(facts.permissions.requested.len() > 500_000);
}
