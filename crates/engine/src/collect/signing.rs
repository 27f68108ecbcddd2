//! Signing: v1 signature files and the APK Signing Block's scheme blocks → [`SigningFacts`].
//!
//! apkscope reports schemes and signer certificates; it does not verify digests or signatures.

use apkscope_apk::Apk;
use apkscope_facts::{AnomalyFact, CertificateFacts, SigningFacts};
use apkscope_signing::Certificate;

const SOURCE_SIGNING: &str = "signing";
/// APK Signing Block pair ids (AOSP apksig).
const V2_ID: u32 = 0x7109_871a;
const V3_ID: u32 = 0xf053_68c0;
const V31_ID: u32 = 0x1b93_ad61;
const STAMP_V1_ID: u32 = 0x2b09_189e;
const STAMP_V2_ID: u32 = 0x6dff_800d;

pub(crate) fn collect_signing(apk: &Apk<'_>, anomalies: &mut Vec<AnomalyFact>) -> SigningFacts {
    let mut collector = Collector {
        facts: SigningFacts::default(),
        anomalies,
    };
    collector.v1(apk);
    collector.signing_block(apk);
    collector.facts
}

struct Collector<'x> {
    facts: SigningFacts,
    anomalies: &'x mut Vec<AnomalyFact>,
}

impl Collector<'_> {
    fn anomaly(&mut self, entry: &str, code: &str, detail: String, offset: Option<u64>) {
        self.anomalies.push(AnomalyFact {
            source: SOURCE_SIGNING.to_owned(),
            kind: code.to_owned(),
            detail,
            entry: Some(entry.to_owned()),
            offset,
        });
    }

    fn scheme(&mut self, scheme: &str) {
        if !self.facts.schemes.iter().any(|s| s == scheme) {
            self.facts.schemes.push(scheme.to_owned());
        }
    }

    /// v1: META-INF/<name>.RSA|DSA|EC at the top of META-INF, as the JAR verifier reads them.
    fn v1(&mut self, apk: &Apk<'_>) {
        for entry in apk.entries() {
            let Some(file) = entry.name.strip_prefix("META-INF/") else {
                continue;
            };
            let is_signature = !file.contains('/')
                && file.rsplit_once('.').is_some_and(|(_, ext)| {
                    ["RSA", "DSA", "EC"]
                        .iter()
                        .any(|x| ext.eq_ignore_ascii_case(x))
                });
            if !is_signature {
                continue;
            }
            self.scheme("v1");
            let bytes = match apk.read(entry) {
                Ok(bytes) => bytes,
                Err(err) => {
                    self.anomaly(&entry.name, "signature_unreadable", err.to_string(), None);
                    continue;
                }
            };
            let mut parsed = apkscope_signing::parse_pkcs7(&bytes);
            if parsed.is_err() && entry.method != 0 && !entry.is_deflated() {
                // An unknown compression method: the asset manager reads it as stored,
                // apksigner inflates it. Show what the signing tools see, and say that the
                // readers disagree.
                if let Ok(inflated) = apk.read_inflating_unknown(entry)
                    && let Ok(v1) = apkscope_signing::parse_pkcs7(&inflated)
                {
                    let detail = format!(
                        "compression method {} holds deflate data: apksigner inflates it, \
                         Android's libziparchive refuses to extract it",
                        entry.method
                    );
                    self.anomaly(&entry.name, "signature_entry_unknown_method", detail, None);
                    parsed = Ok(v1);
                }
            }
            match parsed {
                Err(err) => {
                    self.anomaly(&entry.name, "signature_unparsable", err.to_string(), None);
                }
                Ok(v1) => {
                    for a in &v1.anomalies {
                        self.anomaly(&entry.name, a.code, a.detail.clone(), a.offset);
                    }
                    // The signer's own certificate when the signer info names it; else all.
                    let signer_certs: Vec<&Certificate> = v1
                        .signers
                        .iter()
                        .filter_map(|s| s.certificate.and_then(|i| v1.certificates.get(i)))
                        .collect();
                    let certs = if signer_certs.is_empty() {
                        v1.certificates.iter().collect()
                    } else {
                        signer_certs
                    };
                    let scheme = format!("v1 ({})", entry.name);
                    self.facts
                        .certificates
                        .extend(certs.into_iter().map(|c| certificate(&scheme, c)));
                }
            }
        }
    }

    /// v2, v3, v3.1 and source stamps from the APK Signing Block.
    fn signing_block(&mut self, apk: &Apk<'_>) {
        let Some(block) = apk.signing_block() else {
            return;
        };
        for pair in &block.pairs {
            let (scheme, entry) = match pair.id {
                V2_ID => ("v2", "APK Signing Block v2"),
                V3_ID => ("v3", "APK Signing Block v3"),
                V31_ID => ("v3.1", "APK Signing Block v3.1"),
                STAMP_V1_ID | STAMP_V2_ID => ("source-stamp", "APK Signing Block source stamp"),
                _ => continue,
            };
            self.scheme(scheme);
            let value = usize::try_from(pair.offset).ok().and_then(|start| {
                let len = usize::try_from(pair.size).ok()?;
                apk.data().get(start..)?.get(..len)
            });
            let Some(value) = value else {
                let detail = format!("{scheme} block");
                self.anomaly(
                    entry,
                    "signature_block_out_of_bounds",
                    detail,
                    Some(pair.offset),
                );
                continue;
            };
            if scheme == "source-stamp" {
                match apkscope_signing::parse_source_stamp(value) {
                    Ok(stamp) => self
                        .facts
                        .certificates
                        .push(certificate(scheme, &stamp.certificate)),
                    Err(err) => {
                        self.anomaly(
                            entry,
                            "signature_unparsable",
                            err.to_string(),
                            Some(pair.offset),
                        );
                    }
                }
                continue;
            }
            let parsed = if scheme == "v2" {
                apkscope_signing::parse_v2(value)
            } else {
                apkscope_signing::parse_v3(value)
            };
            match parsed {
                Err(err) => self.anomaly(
                    entry,
                    "signature_unparsable",
                    err.to_string(),
                    Some(pair.offset),
                ),
                Ok(signature) => {
                    for a in &signature.anomalies {
                        self.anomaly(entry, a.code, a.detail.clone(), a.offset);
                    }
                    // The first certificate of each signer is its signing certificate.
                    for signer in &signature.signers {
                        if let Some(cert) = signer.certificates.first() {
                            self.facts.certificates.push(certificate(scheme, cert));
                        }
                    }
                }
            }
        }
    }
}

fn certificate(scheme: &str, cert: &Certificate) -> CertificateFacts {
    let mut facts = CertificateFacts {
        scheme: scheme.to_owned(),
        sha256: cert.fingerprints.sha256.clone(),
        sha1: cert.fingerprints.sha1.clone(),
        md5: cert.fingerprints.md5.clone(),
        ..CertificateFacts::default()
    };
    if let Some(d) = &cert.details {
        facts.subject.clone_from(&d.subject);
        facts.issuer.clone_from(&d.issuer);
        facts.serial.clone_from(&d.serial);
        facts.not_before.clone_from(&d.not_before);
        facts.not_after.clone_from(&d.not_after);
        facts.signature_algorithm = d
            .signature_algorithm
            .name
            .map_or_else(|| d.signature_algorithm.oid.clone(), str::to_owned);
        d.key_type.as_str().clone_into(&mut facts.key_type);
        facts.key_bits = Some(d.key_bits);
        facts.debug = d.is_debug;
    }
    facts
}
