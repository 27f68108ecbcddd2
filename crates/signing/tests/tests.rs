//! Integration tests: the demo APK, apksigner parity over the shared
//! corpus, hostile inputs and the fuzz corpus replay.
// Test helpers outside `#[test]` fns: unwrapping and printing the parity
// report is the point; the parity test reads best in one piece.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::indexing_slicing
)]

mod skip;

use std::io::Read;
use std::path::{Path, PathBuf};

use apkscope_signing::{
    Certificate, KeyType, SchemeSignature, parse_pkcs7, parse_source_stamp, parse_v2, parse_v3,
};

const V2: u32 = 0x7109_871a;
const V3: u32 = 0xf053_68c0;
const V31: u32 = 0x1b93_ad61;
const STAMP_V2: u32 = 0x6dff_800d;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The signature parts of one APK.
#[derive(Default)]
struct Parts {
    v1: Vec<(String, Vec<u8>)>,
    pairs: Vec<(u32, Vec<u8>)>,
}

fn parts(apk: &[u8]) -> Parts {
    let mut out = Parts::default();
    // apkscope-apk reads entries the way Android's asset manager does
    // (unknown compression methods as stored). apksig (apksigner) inflates
    // every non-stored entry instead: do the same for the signature
    // files, as apksigner is the oracle here.
    let Ok(parsed) = apkscope_apk::Apk::parse(apk) else {
        return out;
    };
    for e in parsed.entries() {
        let upper = e.name.to_ascii_uppercase();
        let is_sig = upper
            .strip_prefix("META-INF/")
            .is_some_and(|rest| !rest.contains('/'))
            && [".RSA", ".DSA", ".EC"].iter().any(|x| upper.ends_with(x));
        if !is_sig {
            continue;
        }
        let bytes = if e.method == 0 || e.method == 8 {
            parsed.read(e).ok().map(|d| d.to_vec())
        } else {
            parsed.raw(e).ok().and_then(|raw| {
                let mut v = Vec::new();
                flate2::read::DeflateDecoder::new(raw)
                    .read_to_end(&mut v)
                    .ok()
                    .map(|_| v)
            })
        };
        if let Some(bytes) = bytes {
            out.v1.push((e.name.clone(), bytes));
        }
    }
    if let Some(block) = parsed.signing_block() {
        for p in &block.pairs {
            let start = usize::try_from(p.offset).unwrap();
            let end = start + usize::try_from(p.size).unwrap();
            out.pairs.push((p.id, apk[start..end].to_vec()));
        }
    }
    out
}

fn pair(parts: &Parts, id: u32) -> Option<&[u8]> {
    parts
        .pairs
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, v)| v.as_slice())
}

const DEMO_SHA256: &str = "0b1aa502db9818d9681c145203f4360065467e932755e78c70985f209cee1df7";
const DEMO_DN: &str =
    "CN=Apkscope Demo, OU=Mobile, O=Apkscope Demo Fixtures, L=Shenzhen, ST=Guangdong, C=CN";

fn check_demo_cert(c: &Certificate) {
    assert_eq!(c.fingerprints.sha256, DEMO_SHA256);
    assert_eq!(c.fingerprints.sha1.len(), 40);
    assert_eq!(c.fingerprints.md5.len(), 32);
    let d = c.details.as_ref().unwrap();
    assert_eq!(d.subject, DEMO_DN);
    assert_eq!(d.issuer, DEMO_DN);
    assert!(d.self_signed);
    assert_eq!(d.key_type, KeyType::Rsa);
    assert_eq!(d.key_bits, 2048);
    assert!(!d.is_debug);
    assert_eq!(d.signature_algorithm.name, Some("sha256WithRSAEncryption"));
    assert!(!d.signature_algorithm.weak);
    assert!(d.not_before.ends_with('Z') && d.not_before < d.not_after);
}

fn demo() -> Parts {
    parts(&std::fs::read(repo().join("fixtures/demo/demo.apk")).unwrap())
}

#[test]
fn demo_apk_v1_v2_v3() {
    let p = demo();
    assert_eq!(p.v1.len(), 1);
    let v1 = parse_pkcs7(&p.v1[0].1).unwrap();
    assert_eq!(v1.anomalies, vec![]);
    assert_eq!(v1.certificates.len(), 1);
    check_demo_cert(&v1.certificates[0]);
    assert_eq!(v1.signers.len(), 1);
    assert_eq!(v1.signers[0].certificate, Some(0));
    assert_eq!(v1.signers[0].digest_algorithm.name, Some("sha256"));

    for (id, parse) in [
        (
            V2,
            parse_v2 as fn(&[u8]) -> apkscope_signing::Result<SchemeSignature>,
        ),
        (V3, parse_v3),
    ] {
        let s = parse(pair(&p, id).unwrap()).unwrap();
        assert_eq!(s.anomalies, vec![], "{id:#x}");
        assert_eq!(s.signers.len(), 1);
        let signer = &s.signers[0];
        assert_eq!(signer.certificates.len(), 1);
        check_demo_cert(&signer.certificates[0]);
        assert_eq!(signer.public_key_matches_certificate, Some(true));
        assert_eq!(
            signer.public_key_sha256,
            signer.certificates[0]
                .details
                .as_ref()
                .unwrap()
                .public_key_sha256
        );
        assert!(!signer.signatures.is_empty());
        assert!(signer.signatures.iter().all(|s| s.algorithm.name.is_some()));
        assert_eq!(signer.digests.len(), signer.signatures.len());
        if id == V3 {
            assert!(signer.min_sdk.is_some());
            assert_eq!(signer.min_sdk, signer.signed_min_sdk);
            assert_eq!(signer.max_sdk, signer.signed_max_sdk);
        } else {
            assert_eq!(signer.min_sdk, None);
        }
    }
}

/// Every prefix and many single-byte flips and huge length patches of the
/// demo's signature parts: no panic.
#[test]
fn hostile_inputs_never_panic() {
    let p = demo();
    let mut inputs: Vec<Vec<u8>> = vec![p.v1[0].1.clone()];
    inputs.extend(p.pairs.iter().map(|(_, v)| v.clone()));
    for input in &inputs {
        let all = |b: &[u8]| {
            let _ = parse_pkcs7(b);
            let _ = parse_v2(b);
            let _ = parse_v3(b);
            let _ = parse_source_stamp(b);
        };
        for n in (0..input.len()).step_by(7) {
            all(&input[..n]);
        }
        let mut x = input.clone();
        for i in (0..x.len()).step_by(13) {
            for flip in [0xff_u8, 0x80, 0x01] {
                x[i] ^= flip;
                all(&x);
                x[i] ^= flip;
            }
        }
        // Huge lengths written over each 4-aligned position.
        for i in (0..x.len().saturating_sub(4)).step_by(4) {
            let saved: [u8; 4] = x[i..i + 4].try_into().unwrap();
            for huge in [u32::MAX, 0x7fff_ffff, 0x8000_0000] {
                x[i..i + 4].copy_from_slice(&huge.to_le_bytes());
                all(&x);
            }
            x[i..i + 4].copy_from_slice(&saved);
        }
    }
    assert!(parse_pkcs7(&[]).is_err());
    assert!(parse_v2(&[0xff, 0xff, 0xff, 0xff]).is_err());
    assert!(parse_v3(&[]).is_err());
    // A DER frame claiming 4 GiB.
    assert!(parse_pkcs7(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
}

#[test]
fn truncated_signer_is_an_anomaly_not_an_error() {
    let p = demo();
    let v2 = pair(&p, V2).unwrap();
    // Keep the outer sequence length, cut the signer's inside: rewrite the
    // outer and signer lengths to fit a shortened signer.
    let mut cut = v2[..v2.len() - 100].to_vec();
    let inner = u32::try_from(cut.len() - 4).unwrap();
    cut[..4].copy_from_slice(&inner.to_le_bytes());
    cut[4..8].copy_from_slice(&(inner - 4).to_le_bytes());
    let s = parse_v2(&cut).unwrap();
    assert!(s.signers.is_empty());
    let codes: Vec<_> = s.anomalies.iter().map(|a| a.code).collect();
    assert_eq!(codes, ["signer_malformed", "no_signers"]);
}

/// Files in `fuzz/corpus/signing_block` and `fuzz/regressions/signing_block`.
#[test]
fn fuzz_corpus_and_regressions_replay() {
    let mut n = 0;
    for dir in [
        "fuzz/corpus/signing_block",
        "fuzz/regressions/signing_block",
    ] {
        let Ok(rd) = std::fs::read_dir(repo().join(dir)) else {
            continue;
        };
        for e in rd {
            let data = std::fs::read(e.unwrap().path()).unwrap();
            let _ = parse_pkcs7(&data);
            let _ = parse_v2(&data);
            let _ = parse_v3(&data);
            let _ = parse_source_stamp(&data);
            n += 1;
        }
    }
    println!("replayed {n} fuzz files");
}

/// Per-signer figures from an apksigner oracle file.
#[derive(Debug, Default, Clone)]
struct Expected {
    dn: String,
    sha256: String,
    sha1: String,
    md5: String,
    key_algorithm: String,
    key_bits: String,
}

fn oracle(text: &str) -> (u8, Vec<Expected>) {
    let scheme = if text.contains("Verified using v3 scheme (APK Signature Scheme v3): true") {
        3
    } else if text.contains("Verified using v2 scheme (APK Signature Scheme v2): true") {
        2
    } else {
        1
    };
    let mut signers: Vec<Expected> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("Signer #") else {
            continue;
        };
        let Some((num, rest)) = rest.split_once(' ') else {
            continue;
        };
        let Ok(i) = num.parse::<usize>() else {
            continue;
        };
        if signers.len() < i {
            signers.resize(i, Expected::default());
        }
        let e = &mut signers[i - 1];
        let Some((key, value)) = rest.split_once(": ") else {
            continue;
        };
        let value = value.to_string();
        match key {
            "certificate DN" => e.dn = value,
            "certificate SHA-256 digest" => e.sha256 = value,
            "certificate SHA-1 digest" => e.sha1 = value,
            "certificate MD5 digest" => e.md5 = value,
            "key algorithm" => e.key_algorithm = value,
            "key size (bits)" => e.key_bits = value,
            _ => {}
        }
    }
    (scheme, signers)
}

/// apksigner's signer certificates for the scheme it verified highest,
/// compared with ours.
#[test]
fn apksigner_parity() {
    let shared = repo().join("../shared");
    let index = shared.join("oracles/INDEX.tsv");
    let Ok(index) = std::fs::read_to_string(&index) else {
        skip::skip(&format!("{} not found", index.display()));
        return;
    };
    let (mut apks, mut certs, mut fp_ok, mut key_ok, mut dn_ok) = (0, 0, 0, 0, 0);
    let mut problems = Vec::new();
    let mut dn_diffs = Vec::new();
    let mut by_scheme = [0_usize; 4];
    let (mut stamps, mut stamps_ok, mut lineages, mut debug) = (0, 0, 0, 0);
    let mut seen = std::collections::HashSet::new();
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 6 || cols[5] != "0" || !seen.insert(cols[1].to_string()) {
            continue;
        }
        let (path, sha) = (cols[0], cols[1]);
        let Ok(text) =
            std::fs::read_to_string(shared.join(format!("oracles/apksigner_verify/{sha}.txt")))
        else {
            continue;
        };
        let Ok(apk) = std::fs::read(shared.join("corpus").join(path)) else {
            continue;
        };
        apks += 1;
        let (scheme, expected) = oracle(&text);
        by_scheme[usize::from(scheme)] += expected.len();
        let p = parts(&apk);
        let ours: Vec<Certificate> = match scheme {
            3 => pair(&p, V3)
                .or_else(|| pair(&p, V31))
                .and_then(|v| parse_v3(v).ok())
                .map(|s| {
                    s.signers
                        .into_iter()
                        .filter_map(|s| s.certificates.into_iter().next())
                        .collect()
                })
                .unwrap_or_default(),
            2 => pair(&p, V2)
                .and_then(|v| parse_v2(v).ok())
                .map(|s| {
                    s.signers
                        .into_iter()
                        .filter_map(|s| s.certificates.into_iter().next())
                        .collect()
                })
                .unwrap_or_default(),
            _ => {
                // apksigner sorts v1 signers by signature file name.
                let mut v1 = p.v1.clone();
                v1.sort_by(|a, b| a.0.cmp(&b.0));
                v1.iter()
                    .filter_map(|(_, b)| parse_pkcs7(b).ok())
                    .filter_map(|s| {
                        let i = s.signers.first().and_then(|x| x.certificate).unwrap_or(0);
                        s.certificates.into_iter().nth(i)
                    })
                    .collect()
            }
        };
        if let Some(stamp) = pair(&p, STAMP_V2) {
            stamps += 1;
            if parse_source_stamp(stamp).is_ok_and(|s| s.certificate.details.is_some()) {
                stamps_ok += 1;
            }
        }
        if let Some(v) = pair(&p, V3).and_then(|v| parse_v3(v).ok()) {
            lineages += v.signers.iter().filter(|s| s.lineage.is_some()).count();
        }
        debug += ours
            .iter()
            .filter(|c| c.details.as_ref().is_some_and(|d| d.is_debug))
            .count();
        for (i, e) in expected.iter().enumerate() {
            certs += 1;
            let Some(c) = ours.get(i) else {
                problems.push(format!("{path}: v{scheme} signer #{} missing", i + 1));
                continue;
            };
            let f = &c.fingerprints;
            if f.sha256 == e.sha256 && f.sha1 == e.sha1 && f.md5 == e.md5 {
                fp_ok += 1;
            } else {
                problems.push(format!(
                    "{path}: v{scheme} signer #{} fingerprint differs",
                    i + 1
                ));
            }
            if let Some(d) = &c.details {
                if d.key_type.as_str() == e.key_algorithm && d.key_bits.to_string() == e.key_bits {
                    key_ok += 1;
                } else {
                    problems.push(format!(
                        "{path}: key {} {} vs apksigner {} {}",
                        d.key_type.as_str(),
                        d.key_bits,
                        e.key_algorithm,
                        e.key_bits
                    ));
                }
                if d.subject == e.dn {
                    dn_ok += 1;
                } else if dn_diffs.len() < 10 {
                    dn_diffs.push(format!("{path}:\n  ours {}\n  java {}", d.subject, e.dn));
                }
            } else {
                problems.push(format!("{path}: certificate not decoded"));
            }
        }
    }
    println!(
        "apksigner parity: {apks} APKs, {fp_ok}/{certs} certificates with identical \
         SHA-256/SHA-1/MD5, {key_ok}/{certs} same key type and size, {dn_ok}/{certs} same DN string"
    );
    println!(
        "  source stamps decoded {stamps_ok}/{stamps}, v3 signers with a lineage {lineages}, \
         debug signer certificates {debug}; compared from v1 {}, v2 {}, v3 {}",
        by_scheme[1], by_scheme[2], by_scheme[3]
    );
    for p in &problems {
        println!("  {p}");
    }
    for d in &dn_diffs {
        println!("  DN {d}");
    }
    assert!(apks > 0);
    assert_eq!(fp_ok, certs, "fingerprint differences: {problems:#?}");
}
