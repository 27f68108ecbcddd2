//! One test per hostile trick, on zips built by `apkscope_testkit::zip`.
#![allow(clippy::print_stderr)] // APKSCOPE_TIMING prints the open time

use apkscope_apk::{Apk, Error, LimitKind, Options, Unreadable, codes, read_file};
use apkscope_testkit::zip::{
    Method, V2_BLOCK_ID, V3_BLOCK_ID, ZipBuilder, ZipEntry, signing_block,
};

fn codes_of(apk: &Apk<'_>) -> Vec<&'static str> {
    apk.anomalies().iter().map(|a| a.code).collect()
}

fn count(apk: &Apk<'_>, code: &str) -> usize {
    apk.anomalies().iter().filter(|a| a.code == code).count()
}

#[test]
fn reads_stored_and_deflated_entries() {
    let dex = b"dex\n035\0 some code ".repeat(100);
    let zip = ZipBuilder::new()
        .stored("AndroidManifest.xml", b"<manifest/>")
        .deflated("classes.dex", &dex)
        .stored("res/", b"")
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert!(apk.anomalies().is_empty(), "{:?}", apk.anomalies());
    assert_eq!(apk.entries().len(), 3);
    let manifest = apk.read_by_name("AndroidManifest.xml").unwrap().unwrap();
    assert!(manifest.is_borrowed(), "stored entries are borrowed");
    assert_eq!(&*manifest, b"<manifest/>");
    let e = apk.entry("classes.dex").unwrap();
    assert_eq!(e.method, 8);
    assert!(e.compressed_size < e.uncompressed_size);
    assert_eq!(e.uncompressed_size, dex.len() as u64);
    let checked = apk.read_checked(e).unwrap();
    assert!(checked.is_intact());
    assert_eq!(&*checked.data, &dex[..]);
    assert_eq!(apk.inflated_total(), dex.len() as u64);
    assert!(apk.entry("res/").unwrap().is_dir);
    assert!(!e.is_dir);
    assert!(apk.entry("missing").is_none());
    assert!(apk.read_by_name("missing").unwrap().is_none());
}

#[test]
fn encryption_bit_is_ignored_and_reported() {
    let zip = ZipBuilder::new()
        .entry(ZipEntry::deflated("classes.dex", b"dex\n035\0hello").encrypted())
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(codes_of(&apk), [codes::ENCRYPTION_FLAG_IGNORED]);
    let e = apk.entry("classes.dex").unwrap();
    assert!(e.is_encrypted());
    assert_eq!(&*apk.read(e).unwrap(), b"dex\n035\0hello");
}

#[test]
fn local_header_mismatches_lose_to_the_central_directory() {
    type Tweak = fn(&mut apkscope_testkit::zip::LocalOverrides);
    let cases: [(&str, Tweak); 6] = [
        ("crc32", |l| l.crc32 = Some(0xdead_beef)),
        ("compressed_size", |l| l.compressed_size = Some(1)),
        ("uncompressed_size", |l| l.uncompressed_size = Some(999_999)),
        ("method", |l| l.method = Some(0)),
        ("name", |l| l.name = Some(b"b.txt".to_vec())),
        ("name_length", |l| l.name = Some(b"longer.txt".to_vec())),
    ];
    for (field, tweak) in cases {
        let zip = ZipBuilder::new()
            .entry(ZipEntry::deflated("a.txt", b"hello hello hello").local(tweak))
            .build();
        let apk = Apk::parse(&zip).unwrap();
        let found: Vec<_> = apk
            .anomalies()
            .iter()
            .filter(|a| a.code == codes::LOCAL_HEADER_MISMATCH)
            .collect();
        assert_eq!(found.len(), 1, "{field}: {:?}", apk.anomalies());
        let detail = &found[0].detail;
        assert!(detail.starts_with(&format!("{field}:")), "{detail}");
        assert!(detail.contains("libziparchive"), "{detail}");
        assert_eq!(found[0].entry.as_deref(), Some("a.txt"));
        // The central directory wins: the entry reads as declared there.
        let checked = apk.read_checked(&apk.entries()[0]).unwrap();
        assert_eq!(&*checked.data, b"hello hello hello", "{field}");
        assert!(checked.is_intact());
    }
}

#[test]
fn data_descriptors_are_not_mismatches_or_gaps() {
    let zip = ZipBuilder::new()
        .entry(ZipEntry::deflated("a.txt", b"aaaa aaaa aaaa").with_data_descriptor(true))
        .entry(ZipEntry::stored("b.txt", b"bbbb").with_data_descriptor(false))
        .stored("c.txt", b"c")
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert!(apk.anomalies().is_empty(), "{:?}", apk.anomalies());
    assert!(apk.entries()[0].has_data_descriptor());
    assert_eq!(
        &*apk.read_by_name("a.txt").unwrap().unwrap(),
        b"aaaa aaaa aaaa"
    );
    assert_eq!(&*apk.read_by_name("b.txt").unwrap().unwrap(), b"bbbb");
}

#[test]
fn missing_local_header_makes_the_entry_unreadable() {
    let zip = ZipBuilder::new()
        .stored("ok.txt", b"fine")
        .entry(ZipEntry::stored("bad.txt", b"data").local(|l| l.signature = Some(0x1234_5678)))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(count(&apk, codes::LOCAL_HEADER_MISSING), 1);
    let bad = apk.entry("bad.txt").unwrap();
    assert_eq!(bad.data_offset, None);
    let err = apk.read(bad).unwrap_err();
    assert!(
        matches!(&err, Error::EntryUnreadable { entry, reason: Unreadable::LocalHeaderMissing, .. } if entry == "bad.txt"),
        "{err:?}"
    );
    assert!(err.to_string().contains("bad.txt"));
    assert_eq!(&*apk.read_by_name("ok.txt").unwrap().unwrap(), b"fine");

    // A local header offset past the end of the input.
    let zip = ZipBuilder::new()
        .entry(
            ZipEntry::stored("far.txt", b"x")
                .central(|c| c.local_header_offset = Some(0xffff_ff00)),
        )
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(count(&apk, codes::LOCAL_HEADER_MISSING), 1);
    assert!(apk.read(&apk.entries()[0]).is_err());
}

#[test]
fn duplicate_names_are_all_kept_and_lookup_returns_the_first() {
    let zip = ZipBuilder::new()
        .stored("classes.dex", b"first")
        .stored("other", b"o")
        .deflated("classes.dex", b"second")
        .stored("classes.dex", b"third")
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(apk.entries().len(), 4);
    assert_eq!(count(&apk, codes::DUPLICATE_ENTRY), 2);
    let dup = apk
        .anomalies()
        .iter()
        .find(|a| a.code == codes::DUPLICATE_ENTRY)
        .unwrap();
    assert!(dup.detail.contains("kDuplicateEntry"), "{}", dup.detail);
    assert_eq!(apk.entry("classes.dex").unwrap().index, 0);
    assert_eq!(
        &*apk.read_by_name("classes.dex").unwrap().unwrap(),
        b"first"
    );
    let all: Vec<_> = apk.entries_named("classes.dex").map(|e| e.index).collect();
    assert_eq!(all, [0, 2, 3]);
    let data: Vec<_> = apk
        .entries_named("classes.dex")
        .map(|e| apk.read(e).unwrap().to_vec())
        .collect();
    assert_eq!(
        data,
        [b"first".to_vec(), b"second".to_vec(), b"third".to_vec()]
    );
}

#[test]
fn unknown_methods_read_as_stored() {
    let zip = ZipBuilder::new()
        .entry(ZipEntry::new(
            "AndroidManifest.xml",
            b"\x03\x00\x08\x00axml",
            Method::Custom(0x1234),
        ))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(codes_of(&apk), [codes::UNKNOWN_COMPRESSION_METHOD]);
    let e = &apk.entries()[0];
    assert_eq!(e.method, 0x1234);
    assert_eq!(&*apk.read(e).unwrap(), b"\x03\x00\x08\x00axml");
}

#[test]
fn stored_size_mismatch_is_reported() {
    let zip = ZipBuilder::new()
        .entry(ZipEntry::stored("a", b"abc").central(|c| c.uncompressed_size = Some(10)))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert!(codes_of(&apk).contains(&codes::STORED_SIZE_MISMATCH));
    let checked = apk.read_checked(&apk.entries()[0]).unwrap();
    assert_eq!(&*checked.data, b"abc");
    assert_eq!(
        checked.anomalies.iter().map(|a| a.code).collect::<Vec<_>>(),
        [codes::SIZE_MISMATCH]
    );
}

#[test]
fn per_entry_inflation_cap() {
    let zeros = vec![0u8; 1 << 20];
    let zip = ZipBuilder::new().deflated("bomb", &zeros).build();
    let opts = Options {
        max_entry_size: 1000,
        ..Options::default()
    };
    let apk = Apk::parse_with(&zip, opts).unwrap();
    let err = apk.read(&apk.entries()[0]).unwrap_err();
    assert!(
        matches!(&err, Error::LimitExceeded { kind: LimitKind::EntrySize, limit: 1000, entry } if entry == "bomb"),
        "{err:?}"
    );
    // Exactly at the cap is fine.
    let opts = Options {
        max_entry_size: 1 << 20,
        ..Options::default()
    };
    let apk = Apk::parse_with(&zip, opts).unwrap();
    assert_eq!(apk.read(&apk.entries()[0]).unwrap().len(), 1 << 20);
}

#[test]
fn per_apk_inflation_budget_is_shared_across_threads() {
    let data = vec![7u8; 600];
    let zip = ZipBuilder::new()
        .deflated("a", &data)
        .deflated("b", &data)
        .build();
    let opts = Options {
        max_total_inflated: 1000,
        ..Options::default()
    };
    let apk = Apk::parse_with(&zip, opts).unwrap();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = apk
            .entries()
            .iter()
            .map(|e| s.spawn(|| apk.read(e).map(|d| d.len())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let failed = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(Error::LimitExceeded {
                    kind: LimitKind::TotalInflated,
                    ..
                })
            )
        })
        .count();
    assert_eq!(failed, 1, "{results:?}");
    assert!(apk.inflated_total() >= 1000);
}

#[test]
fn declared_sizes_are_not_trusted() {
    let data = b"0123456789".repeat(100);
    // Declares 10 bytes, inflates to 1000: read works, read_checked says so.
    let zip = ZipBuilder::new()
        .entry(ZipEntry::deflated("small", &data).central(|c| c.uncompressed_size = Some(10)))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    let checked = apk.read_checked(&apk.entries()[0]).unwrap();
    assert_eq!(checked.data.len(), 1000);
    assert_eq!(checked.anomalies.len(), 1);
    assert_eq!(checked.anomalies[0].code, codes::SIZE_MISMATCH);
    // Declares 16 EiB: no huge allocation.
    let zip = ZipBuilder::new()
        .zip64()
        .entry(ZipEntry::deflated("huge", &data).central(|c| c.uncompressed_size = Some(u64::MAX)))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(apk.read(&apk.entries()[0]).unwrap().len(), 1000);
    // A wrong crc is reported, not an error.
    let zip = ZipBuilder::new()
        .entry(ZipEntry::stored("crc", b"abc").central(|c| c.crc32 = Some(1)))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    let checked = apk.read_checked(&apk.entries()[0]).unwrap();
    assert_eq!(checked.anomalies[0].code, codes::CRC_MISMATCH);
    assert_eq!(checked.actual_crc32, crc32fast_hash(b"abc"));
}

fn crc32fast_hash(data: &[u8]) -> u32 {
    // Independent bitwise CRC-32 (IEEE) so the test does not share code
    // with the implementation.
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn corrupt_and_truncated_deflate_streams_are_typed_errors() {
    let zip = ZipBuilder::new()
        .entry(ZipEntry::new(
            "bad",
            b"\xff\xff\xff\xff\xff\xff",
            Method::Custom(8),
        ))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert!(matches!(
        apk.read(&apk.entries()[0]),
        Err(Error::Inflate { .. })
    ));

    let full = apkscope_testkit::zip::deflate(&b"some text that compresses ".repeat(50));
    let half = &full[..full.len() / 2];
    let zip = ZipBuilder::new()
        .entry(ZipEntry::new("half", half, Method::Custom(8)))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    let err = apk.read(&apk.entries()[0]).unwrap_err();
    assert!(
        matches!(&err, Error::Inflate { reason, .. } if reason.contains("ends")),
        "{err:?}"
    );
}

#[test]
fn suspicious_names_are_reported_and_kept_raw() {
    let names: [&[u8]; 8] = [
        b"../../etc/passwd",
        b"/abs/path",
        b"\\windows",
        b"C:evil",
        b"a\\b",
        b"nul\0byte",
        b"bell\x07",
        b"bad\xff\xfeutf8",
    ];
    let mut b = ZipBuilder::new().stored("fine/name.txt", b"ok");
    for n in names {
        b = b.stored(n, b"x");
    }
    let zip = b.build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(
        count(&apk, codes::SUSPICIOUS_ENTRY_NAME),
        names.len(),
        "{:?}",
        apk.anomalies()
    );
    let last = &apk.entries()[8];
    assert_eq!(last.raw_name, b"bad\xff\xfeutf8");
    assert_eq!(last.name, "bad\u{fffd}\u{fffd}utf8");
    let why = &apk
        .anomalies()
        .iter()
        .find(|a| a.entry.as_deref() == Some("../../etc/passwd"))
        .unwrap();
    assert!(why.detail.contains(".."), "{}", why.detail);
}

#[test]
fn prepended_dex_is_reported() {
    let zip = ZipBuilder::new()
        .prepend(b"dex\n035\0 janus payload")
        .stored("AndroidManifest.xml", b"m")
        .build();
    let apk = Apk::parse(&zip).unwrap();
    let a = apk
        .anomalies()
        .iter()
        .find(|a| a.code == codes::PREPENDED_DATA)
        .unwrap();
    assert!(
        a.detail.contains("22 bytes") && a.detail.contains("dex magic: true"),
        "{}",
        a.detail
    );
    assert_eq!(codes_of(&apk), [codes::PREPENDED_DATA]);
    assert_eq!(
        &*apk.read_by_name("AndroidManifest.xml").unwrap().unwrap(),
        b"m"
    );
}

#[test]
fn shifted_offsets_are_recovered() {
    // Bytes prepended without fixing any offset.
    let zip = ZipBuilder::new()
        .stored("a", b"aaa")
        .deflated("b", b"bbbbbb")
        .build();
    let shifted = [b"JUNK".repeat(10), zip].concat();
    let apk = Apk::parse(&shifted).unwrap();
    assert!(codes_of(&apk).contains(&codes::ARCHIVE_OFFSET_SHIFTED));
    assert!(codes_of(&apk).contains(&codes::PREPENDED_DATA));
    assert_eq!(&*apk.read_by_name("b").unwrap().unwrap(), b"bbbbbb");
}

#[test]
fn gaps_between_records_are_reported() {
    let zip = ZipBuilder::new()
        .entry(ZipEntry::stored("a", b"aaa").garbage_after(b"GARBAGE"))
        .stored("b", b"bbb")
        .garbage_before_cd(b"MORE")
        .garbage_after_cd(b"TAIL")
        .build();
    let apk = Apk::parse(&zip).unwrap();
    let gaps: Vec<_> = apk
        .anomalies()
        .iter()
        .filter(|a| a.code == codes::GAP_BETWEEN_RECORDS)
        .collect();
    assert_eq!(gaps.len(), 3, "{:?}", apk.anomalies());
    assert!(
        gaps[0].detail.starts_with("7 unaccounted"),
        "{}",
        gaps[0].detail
    );
    assert!(gaps.iter().any(|g| {
        g.detail
            .starts_with("4 unaccounted bytes between the last entry")
    }));
    assert!(gaps.iter().any(|g| {
        g.detail
            .contains("the central directory and the end records")
    }));
    assert_eq!(&*apk.read_by_name("b").unwrap().unwrap(), b"bbb");
}

#[test]
fn overlapping_entries_are_reported() {
    let zip = ZipBuilder::new()
        .stored("a", b"shared")
        .entry(ZipEntry::stored("b", b"shared").central(|c| c.local_header_offset = Some(0)))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert!(
        codes_of(&apk).contains(&codes::OVERLAPPING_ENTRIES),
        "{:?}",
        apk.anomalies()
    );
    // b's own local header says "a": a name mismatch too.
    assert!(codes_of(&apk).contains(&codes::LOCAL_HEADER_MISMATCH));
    assert_eq!(&*apk.read_by_name("b").unwrap().unwrap(), b"shared");
}

#[test]
fn comments_and_trailing_bytes() {
    let zip = ZipBuilder::new()
        .stored("a", b"1")
        .comment(b"hello comment")
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(codes_of(&apk), [codes::ARCHIVE_COMMENT]);
    assert_eq!(apk.comment(), b"hello comment");

    let zip = ZipBuilder::new()
        .stored("a", b"1")
        .trailing(b"trailing junk")
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(codes_of(&apk), [codes::EOCD_COMMENT_LENGTH_MISMATCH]);

    // A comment length past the end of the input.
    let zip = ZipBuilder::new().stored("a", b"1").comment_len(500).build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(codes_of(&apk), [codes::EOCD_COMMENT_LENGTH_MISMATCH]);
    assert_eq!(apk.entries().len(), 1);
}

#[test]
fn eocd_count_mismatch_is_reported() {
    let zip = ZipBuilder::new()
        .stored("a", b"1")
        .stored("b", b"2")
        .eocd_entries(1)
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(codes_of(&apk), [codes::ENTRY_COUNT_MISMATCH]);
    assert_eq!(apk.entries().len(), 2);
}

#[test]
fn truncated_central_directory_keeps_what_was_read() {
    let b = ZipBuilder::new()
        .stored("first", b"1")
        .stored("second", b"2")
        .stored("third", b"3");
    let full_cd_record = 46 + "first".len();
    let zip = b.clone().truncate_cd(full_cd_record + 10).build();
    let apk = Apk::parse(&zip).unwrap();
    assert_eq!(apk.entries().len(), 1);
    assert!(
        codes_of(&apk).contains(&codes::CENTRAL_DIRECTORY_TRUNCATED),
        "{:?}",
        apk.anomalies()
    );
    assert!(codes_of(&apk).contains(&codes::ENTRY_COUNT_MISMATCH));
    assert_eq!(&*apk.read_by_name("first").unwrap().unwrap(), b"1");

    // Nothing usable: a typed error.
    let zip = b.truncate_cd(10).build();
    let err = Apk::parse(&zip).unwrap_err();
    assert!(
        matches!(err, Error::NoCentralDirectory { declared: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn too_many_entries_are_cut_at_the_cap() {
    let mut b = ZipBuilder::new();
    for i in 0..10 {
        b = b.stored(format!("e{i}"), b"x");
    }
    let zip = b.build();
    let apk = Apk::parse_with(
        &zip,
        Options {
            max_entries: 4,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(apk.entries().len(), 4);
    assert!(codes_of(&apk).contains(&codes::TOO_MANY_ENTRIES));
}

#[test]
fn zip64_records_are_read() {
    let data = b"zip64 data ".repeat(20);
    let zip = ZipBuilder::new()
        .zip64()
        .stored("s", b"stored")
        .deflated("d", &data)
        .entry(ZipEntry::deflated("dd", &data).with_data_descriptor(true))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert!(apk.anomalies().is_empty(), "{:?}", apk.anomalies());
    assert!(apk.is_zip64());
    assert!(apk.entries().iter().all(|e| e.zip64));
    assert_eq!(apk.entry("d").unwrap().uncompressed_size, data.len() as u64);
    assert_eq!(apk.entry("s").unwrap().local_header_offset, 0);
    assert_eq!(&*apk.read_by_name("s").unwrap().unwrap(), b"stored");
    assert_eq!(&*apk.read_by_name("d").unwrap().unwrap(), &data[..]);
    assert!(
        apk.read_checked(apk.entry("dd").unwrap())
            .unwrap()
            .is_intact()
    );
}

#[test]
fn broken_zip64_locator_falls_back_to_the_32_bit_record() {
    let mut zip = ZipBuilder::new().stored("a", b"1").build();
    // Insert a locator pointing nowhere right before the EOCD.
    let eocd = zip.len() - 22;
    let mut locator = Vec::new();
    locator.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
    locator.extend_from_slice(&0u32.to_le_bytes());
    locator.extend_from_slice(&12345u64.to_le_bytes());
    locator.extend_from_slice(&1u32.to_le_bytes());
    zip.splice(eocd..eocd, locator);
    let apk = Apk::parse(&zip).unwrap();
    assert!(
        codes_of(&apk).contains(&codes::ZIP64_INVALID),
        "{:?}",
        apk.anomalies()
    );
    assert_eq!(&*apk.read_by_name("a").unwrap().unwrap(), b"1");
}

#[test]
fn signing_block_pairs_are_listed() {
    let zip = ZipBuilder::new()
        .stored("a", b"1")
        .signing_block(&[
            (V2_BLOCK_ID, b"v2 signer"),
            (V3_BLOCK_ID, b"v3"),
            (0x7177_7777, b"{\"channel\":\"x\"}"),
            (0xabcd, b""),
        ])
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert!(apk.anomalies().is_empty(), "{:?}", apk.anomalies());
    let block = apk.signing_block().unwrap();
    let names: Vec<_> = block.pairs.iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            Some("apk_signature_scheme_v2"),
            Some("apk_signature_scheme_v3"),
            Some("meituan_walle_channel"),
            None
        ]
    );
    let v2 = block.pair(V2_BLOCK_ID).unwrap();
    let start = usize::try_from(v2.offset).unwrap();
    assert_eq!(
        &zip[start..start + usize::try_from(v2.size).unwrap()],
        b"v2 signer"
    );
    assert_eq!(
        block.size,
        signing_block(&[
            (V2_BLOCK_ID, b"v2 signer"),
            (V3_BLOCK_ID, b"v3"),
            (0x7177_7777, b"{\"channel\":\"x\"}"),
            (0xabcd, b"")
        ])
        .len() as u64
    );
    let cd = apk.entries()[0].cd_offset;
    assert_eq!(block.offset + block.size, cd);
}

#[test]
fn malformed_signing_blocks_are_anomalies() {
    // Header and footer sizes disagree.
    let mut raw = signing_block(&[(V2_BLOCK_ID, b"abc")]);
    raw[0] ^= 1;
    let apk_bytes = ZipBuilder::new()
        .stored("a", b"1")
        .raw_signing_block(&raw)
        .build();
    let apk = Apk::parse(&apk_bytes).unwrap();
    assert!(
        codes_of(&apk).contains(&codes::SIGNING_BLOCK_MALFORMED),
        "{:?}",
        apk.anomalies()
    );
    assert_eq!(apk.signing_block().unwrap().pairs.len(), 1);

    // A pair whose length runs past the block.
    let mut raw = signing_block(&[(V2_BLOCK_ID, b"abc")]);
    raw[8] = 200;
    let apk_bytes = ZipBuilder::new()
        .stored("a", b"1")
        .raw_signing_block(&raw)
        .build();
    let apk = Apk::parse(&apk_bytes).unwrap();
    assert!(codes_of(&apk).contains(&codes::SIGNING_BLOCK_MALFORMED));
    assert!(apk.signing_block().unwrap().pairs.is_empty());

    // A footer size larger than the file.
    let mut raw = signing_block(&[(V2_BLOCK_ID, b"abc")]);
    let n = raw.len();
    raw[n - 24..n - 16].copy_from_slice(&u64::MAX.to_le_bytes());
    let apk_bytes = ZipBuilder::new()
        .stored("a", b"1")
        .raw_signing_block(&raw)
        .build();
    let apk = Apk::parse(&apk_bytes).unwrap();
    assert!(codes_of(&apk).contains(&codes::SIGNING_BLOCK_MALFORMED));
    assert!(apk.signing_block().is_none());
    assert_eq!(&*apk.read_by_name("a").unwrap().unwrap(), b"1");
}

#[test]
fn empty_archive_with_a_signing_block() {
    let zip = ZipBuilder::new()
        .signing_block(&[(V2_BLOCK_ID, b"sig")])
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert!(apk.entries().is_empty());
    assert_eq!(apk.signing_block().unwrap().pairs.len(), 1);
    assert!(apk.anomalies().is_empty(), "{:?}", apk.anomalies());
}

#[test]
fn not_a_zip_and_truncated_inputs() {
    for input in [
        &b""[..],
        b"PK",
        b"hello world, this is not a zip file at all",
    ] {
        let err = Apk::parse(input).unwrap_err();
        assert!(matches!(err, Error::NotAZip { .. }), "{err:?}");
        assert!(err.to_string().contains("end-of-central-directory"));
    }
    let zip = ZipBuilder::new()
        .stored("a", b"hello")
        .deflated("b", b"world world")
        .build();
    for len in 0..zip.len() {
        if let Ok(apk) = Apk::parse(&zip[..len]) {
            for e in apk.entries() {
                let _ = apk.read_checked(e);
            }
        }
    }
    // Data cut short with the end records intact.
    let zip = ZipBuilder::new()
        .entry(ZipEntry::stored("a", b"hello").central(|c| c.compressed_size = Some(1 << 30)))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    assert!(codes_of(&apk).contains(&codes::ENTRY_DATA_TRUNCATED));
    assert!(matches!(
        apk.read(&apk.entries()[0]),
        Err(Error::Truncated { .. })
    ));
}

#[test]
fn ten_thousand_entries_open_quickly() {
    let mut b = ZipBuilder::new();
    for i in 0..10_000 {
        b = b.stored(format!("res/drawable/icon_{i}.png"), b"png");
    }
    let zip = b.build();
    let start = std::time::Instant::now();
    let apk = Apk::parse(&zip).unwrap();
    let took = start.elapsed();
    assert_eq!(apk.entries().len(), 10_000);
    assert!(apk.anomalies().is_empty());
    assert_eq!(apk.entry("res/drawable/icon_9999.png").unwrap().index, 9999);
    if std::env::var_os("APKSCOPE_TIMING").is_some() {
        let best = (0..20)
            .map(|_| {
                let t = std::time::Instant::now();
                let apk = Apk::parse(&zip).unwrap();
                std::hint::black_box(&apk);
                t.elapsed()
            })
            .min()
            .unwrap();
        eprintln!("parsed 10k entries in {took:?} (first), {best:?} (best of 20)");
    }
    // Generous: debug builds on a shared machine. Release takes ~1 ms.
    assert!(took.as_secs() < 5, "{took:?}");
}

#[test]
fn read_file_reads_files_and_empty_files() {
    let dir = std::env::temp_dir().join(format!("apkscope-apk-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let zip = ZipBuilder::new().stored("a", b"in memory").build();
    let path = dir.join("a.apk");
    std::fs::write(&path, &zip).unwrap();
    let bytes = read_file(&path, u64::MAX).unwrap();
    assert_eq!(bytes, zip);
    assert_eq!(
        &*Apk::parse(&bytes)
            .unwrap()
            .read_by_name("a")
            .unwrap()
            .unwrap(),
        b"in memory"
    );
    let empty = dir.join("empty.apk");
    std::fs::write(&empty, b"").unwrap();
    assert!(read_file(&empty, u64::MAX).unwrap().is_empty());
    assert!(read_file(&dir.join("missing.apk"), u64::MAX).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn zero_padding_aligning_the_signing_block_is_not_a_gap() {
    let base = ZipBuilder::new().stored("a", b"1");
    let entries_len = base.clone().build().len() - 22 - (46 + 1);
    let padded = base
        .garbage_before_cd(vec![0u8; 4096 - entries_len])
        .signing_block(&[(V2_BLOCK_ID, b"sig")])
        .build();
    let apk = Apk::parse(&padded).unwrap();
    assert_eq!(apk.signing_block().unwrap().offset, 4096);
    assert!(apk.anomalies().is_empty(), "{:?}", apk.anomalies());
    // Non-zero padding is a gap.
    let base = ZipBuilder::new().stored("a", b"1");
    let junk = base
        .garbage_before_cd(vec![1u8; 4096 - entries_len])
        .signing_block(&[(V2_BLOCK_ID, b"sig")])
        .build();
    let apk = Apk::parse(&junk).unwrap();
    assert_eq!(codes_of(&apk), [codes::GAP_BETWEEN_RECORDS]);
}

#[test]
fn apk_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Apk<'static>>();
    assert_send_sync::<apkscope_apk::Entry>();
    assert_send_sync::<Error>();
}

#[test]
fn read_prefix_stops_early() {
    let zeros = vec![0u8; 4 << 20];
    let zip = ZipBuilder::new()
        .deflated("bomb", &zeros)
        .stored("s", b"dex\n035\0rest")
        .deflated("short", b"ab")
        .build();
    let opts = Options {
        max_entry_size: 1 << 20,
        ..Options::default()
    };
    let apk = Apk::parse_with(&zip, opts).unwrap();
    let head = apk.read_prefix(apk.entry("bomb").unwrap(), 8).unwrap();
    assert_eq!(&*head, &[0u8; 8]);
    assert!(apk.inflated_total() < 1 << 20, "{}", apk.inflated_total());
    let head = apk.read_prefix(apk.entry("s").unwrap(), 4).unwrap();
    assert!(head.is_borrowed());
    assert_eq!(head, *b"dex\n");
    assert_eq!(
        &*apk.read_prefix(apk.entry("short").unwrap(), 8).unwrap(),
        b"ab"
    );
    assert_eq!(
        &*apk.read_prefix(apk.entry("short").unwrap(), 0).unwrap(),
        b""
    );
    // A prefix larger than the entry cap still hits the cap.
    let err = apk
        .read_prefix(apk.entry("bomb").unwrap(), 2 << 20)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LimitExceeded {
                kind: LimitKind::EntrySize,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn unknown_method_holding_deflate_data_reads_like_apksig_on_request() {
    use apkscope_testkit::zip::{Method, ZipBuilder, ZipEntry, deflate};
    let payload = b"signature bytes signature bytes signature bytes";
    let zip = ZipBuilder::new()
        .entry(ZipEntry::new(
            "META-INF/CERT.RSA",
            deflate(payload),
            Method::Custom(21),
        ))
        .build();
    let apk = Apk::parse(&zip).unwrap();
    let entry = apk.entry("META-INF/CERT.RSA").unwrap();
    // The asset manager's view: the bytes as stored.
    assert_eq!(
        apk.read(entry).unwrap().as_ref(),
        deflate(payload).as_slice()
    );
    // apksig's view: inflated.
    assert_eq!(apk.read_inflating_unknown(entry).unwrap().as_ref(), payload);
}
