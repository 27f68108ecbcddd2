//! The `signing` evaluator: findings on the signature schemes and signer certificates that
//! `collect::signing` reported.
//!
//! apkscope reports signatures; it does not verify their digests. A finding here says what the
//! APK carries (a debug certificate, a v1-only signature …), never that a signature is valid.
//!
//! Certificate validity is judged against a reference [`Day`] (UTC, day granularity): the scan
//! date unless the caller pins one ([`crate::ScanOptions::as_of`]). The day appears in the
//! message of a date-dependent finding and never in its fingerprint, so a baseline keeps
//! matching while the report says when the judgement was made.

use std::time::{SystemTime, UNIX_EPOCH};

use apkscope_facts::{AppFacts, CertificateFacts, Evidence};
use apkscope_rules::SigningCondition;

use super::message::Msg;

/// The scheme `signing.rs` gives source-stamp certificates: they identify the stamp signer
/// (the store), not the app's signer, so certificate checks leave them out.
const SOURCE_STAMP: &str = "source-stamp";
/// Entry named for certificates of the v2/v3 schemes.
const SIGNING_BLOCK: &str = "APK Signing Block";
/// First API level that verifies APK Signature Scheme v2 (Android 7.0).
const V2_SINCE_SDK: i64 = 24;
/// First API level with the Janus fix in every build (Android 8.1); 5.0 to 8.0 devices
/// without the December 2017 security patch accept a v1-only APK with a dex prepended.
const JANUS_FIXED_SDK: i64 = 27;
/// Target API level from which Android 11 refuses v1-only APKs.
const V2_REQUIRED_TARGET_SDK: i64 = 30;
/// Smallest RSA/DSA key accepted when a check does not say (NIST SP 800-131A).
const DEFAULT_MIN_KEY_BITS: u32 = 2048;
/// Smallest EC key accepted (NIST SP 800-131A: 224-bit curves and up).
const MIN_EC_KEY_BITS: u32 = 224;
/// Signature algorithm OIDs based on MD2, MD5 or SHA-1, for certificates whose algorithm has
/// no name in the facts.
const WEAK_ALGORITHM_OIDS: &[&str] = &[
    "1.2.840.113549.1.1.2",
    "1.2.840.113549.1.1.4",
    "1.2.840.113549.1.1.5",
    "1.2.840.10040.4.3",
    "1.2.840.10045.4.1",
];

/// A calendar day in UTC, `YYYY-MM-DD`: what certificate validity is judged against.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(String);

impl Day {
    /// Reads `YYYY-MM-DD`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        apkscope_rules::is_iso_day(s).then(|| Self(s.to_owned()))
    }

    /// The current day in UTC, from the system clock.
    pub fn today() -> Self {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self::from_unix_seconds(secs)
    }

    /// The UTC day of a Unix time.
    pub fn from_unix_seconds(secs: u64) -> Self {
        let days = i64::try_from(secs / 86_400).unwrap_or(0);
        let (y, m, d) = civil_from_days(days);
        Self(format!("{y:04}-{m:02}-{d:02}"))
    }

    /// `YYYY-MM-DD`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's `civil_from_days`,
/// proleptic Gregorian), for days >= 0.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.max(0) + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The parameters of one `signing` check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SigningCheck<'a> {
    pub(crate) condition: SigningCondition,
    pub(crate) date: Option<&'a str>,
    pub(crate) min_key_bits: Option<u32>,
}

/// What `check` finds in `facts`, judged on `as_of`, as (message, evidence) pairs.
pub(crate) fn evaluate(
    facts: &AppFacts,
    check: SigningCheck<'_>,
    as_of: &Day,
) -> Vec<(Msg, Evidence)> {
    let schemes: Vec<&str> = facts
        .signing
        .schemes
        .iter()
        .map(String::as_str)
        .filter(|s| *s != SOURCE_STAMP)
        .collect();
    match check.condition {
        SigningCondition::Unsigned => unsigned(&schemes),
        SigningCondition::V1OnlyJanus => v1_only(facts, &schemes),
        SigningCondition::MissingRequiredScheme => missing_scheme(facts, &schemes),
        condition => signer_certificates(facts)
            .into_iter()
            .filter_map(|cert| {
                let problem = certificate_problem(cert, condition, check, as_of)?;
                Some((
                    Msg::new("signing.certificate")
                        .text("certificate", describe(cert))
                        .msg("problem", problem),
                    certificate_evidence(cert),
                ))
            })
            .collect(),
    }
}

fn unsigned(schemes: &[&str]) -> Vec<(Msg, Evidence)> {
    if !schemes.is_empty() {
        return Vec::new();
    }
    vec![(Msg::new("signing.unsigned"), Evidence::default())]
}

/// `minSdkVersion`, defaulting to 1 as Android does.
fn min_sdk(facts: &AppFacts) -> i64 {
    facts.app.min_sdk.unwrap_or(1)
}

/// `targetSdkVersion`, defaulting to `minSdkVersion` as Android does.
fn target_sdk(facts: &AppFacts) -> i64 {
    facts.app.target_sdk.unwrap_or_else(|| min_sdk(facts))
}

fn has_v2_or_later(schemes: &[&str]) -> bool {
    schemes.iter().any(|s| matches!(*s, "v2" | "v3" | "v3.1"))
}

fn v1_only(facts: &AppFacts, schemes: &[&str]) -> Vec<(Msg, Evidence)> {
    let min = min_sdk(facts);
    if !schemes.contains(&"v1") || has_v2_or_later(schemes) || min >= JANUS_FIXED_SDK {
        return Vec::new();
    }
    let first = facts
        .signing
        .certificates
        .iter()
        .find(|c| c.scheme.starts_with("v1"));
    vec![(
        Msg::new("signing.v1-only-janus").text("min_sdk", min.to_string()),
        Evidence {
            entry: first.map(|c| entry_of(c).to_owned()),
            certificate: first.map(|c| c.sha256.clone()),
            ..Evidence::default()
        },
    )]
}

fn missing_scheme(facts: &AppFacts, schemes: &[&str]) -> Vec<(Msg, Evidence)> {
    let mut out = Vec::new();
    if schemes.is_empty() {
        // Unsigned is a finding of its own.
        return out;
    }
    let min = min_sdk(facts);
    if min < V2_SINCE_SDK && !schemes.contains(&"v1") {
        out.push((
            Msg::new("signing.no-v1").text("min_sdk", min.to_string()),
            uses_sdk_evidence("minSdkVersion"),
        ));
    }
    let target = target_sdk(facts);
    if target >= V2_REQUIRED_TARGET_SDK && !has_v2_or_later(schemes) {
        out.push((
            Msg::new("signing.no-v2").text("target_sdk", target.to_string()),
            uses_sdk_evidence("targetSdkVersion"),
        ));
    }
    out
}

fn uses_sdk_evidence(attribute: &str) -> Evidence {
    Evidence {
        entry: Some(crate::MANIFEST_ENTRY.to_owned()),
        component: Some(format!("uses-sdk@android:{attribute}")),
        ..Evidence::default()
    }
}

/// The app signer's certificates, each once (the same certificate signs v1, v2 and v3), in
/// report order; source-stamp certificates left out.
fn signer_certificates(facts: &AppFacts) -> Vec<&CertificateFacts> {
    let mut out: Vec<&CertificateFacts> = Vec::new();
    for cert in &facts.signing.certificates {
        if cert.scheme == SOURCE_STAMP || out.iter().any(|c| c.sha256 == cert.sha256) {
            continue;
        }
        out.push(cert);
    }
    out
}

/// Why `cert` meets `condition`, as the end of a sentence; `None` when it does not.
fn certificate_problem(
    cert: &CertificateFacts,
    condition: SigningCondition,
    check: SigningCheck<'_>,
    as_of: &Day,
) -> Option<Msg> {
    match condition {
        SigningCondition::DebugCertificate => {
            cert.debug.then(|| Msg::new("signing.debug-certificate"))
        }
        SigningCondition::CertificateExpired => {
            let end = day_of(&cert.not_after)?;
            (end < as_of.as_str()).then(|| {
                Msg::new("signing.expired")
                    .text("date", end)
                    .text("as_of", as_of.as_str())
            })
        }
        SigningCondition::CertificateNotYetValid => {
            let start = day_of(&cert.not_before)?;
            (start > as_of.as_str()).then(|| {
                Msg::new("signing.not-yet-valid")
                    .text("date", start)
                    .text("as_of", as_of.as_str())
            })
        }
        SigningCondition::ValidityEndsBefore => {
            let end = day_of(&cert.not_after)?;
            let limit = check.date?;
            (end < limit).then(|| {
                Msg::new("signing.valid-until-before")
                    .text("date", end)
                    .text("limit", limit)
            })
        }
        SigningCondition::WeakSignatureAlgorithm => is_weak_algorithm(&cert.signature_algorithm)
            .then(|| {
                Msg::new("signing.weak-algorithm")
                    .text("algorithm", cert.signature_algorithm.clone())
            }),
        SigningCondition::WeakKey => {
            let bits = cert.key_bits?;
            let min = match cert.key_type.as_str() {
                "RSA" | "DSA" => check.min_key_bits.unwrap_or(DEFAULT_MIN_KEY_BITS),
                "EC" => MIN_EC_KEY_BITS,
                _ => return None,
            };
            (bits < min).then(|| {
                Msg::new("signing.weak-key")
                    .text("bits", bits.to_string())
                    .text("key_type", cert.key_type.clone())
                    .text("min", min.to_string())
            })
        }
        _ => None,
    }
}

/// The `YYYY-MM-DD` part of an RFC 3339 time.
fn day_of(time: &str) -> Option<&str> {
    time.get(..10).filter(|d| apkscope_rules::is_iso_day(d))
}

fn is_weak_algorithm(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["md2", "md5", "sha1with"]
        .iter()
        .any(|p| lower.starts_with(p))
        || lower.ends_with("-with-sha1")
        || WEAK_ALGORITHM_OIDS.contains(&name)
}

/// The APK entry a certificate was read from.
fn entry_of(cert: &CertificateFacts) -> &str {
    cert.scheme
        .strip_prefix("v1 (")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or(SIGNING_BLOCK)
}

fn certificate_evidence(cert: &CertificateFacts) -> Evidence {
    Evidence {
        entry: Some(entry_of(cert).to_owned()),
        certificate: Some(cert.sha256.clone()),
        ..Evidence::default()
    }
}

/// Subject and a short SHA-256, enough to tell certificates apart in a report.
fn describe(cert: &CertificateFacts) -> String {
    let short = cert.sha256.get(..16).unwrap_or(&cert.sha256);
    if cert.subject.is_empty() {
        format!("SHA-256 {short}…")
    } else {
        format!("{} (SHA-256 {short}…)", cert.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_from_unix_time() {
        assert_eq!(Day::from_unix_seconds(0).as_str(), "1970-01-01");
        assert_eq!(Day::from_unix_seconds(951_782_400).as_str(), "2000-02-29");
        assert_eq!(Day::from_unix_seconds(1_199_145_600).as_str(), "2008-01-01");
        assert_eq!(Day::from_unix_seconds(4_102_444_799).as_str(), "2099-12-31");
        assert_eq!(Day::parse("2024-13-01"), None);
        assert_eq!(
            Day::parse("2024-02-29").map(|d| d.to_string()),
            Some("2024-02-29".to_owned())
        );
    }

    #[test]
    fn weak_algorithms() {
        for weak in [
            "md5WithRSAEncryption",
            "sha1WithRSAEncryption",
            "md2WithRSAEncryption",
            "dsa-with-sha1",
            "ecdsa-with-SHA1",
            "1.2.840.113549.1.1.4",
        ] {
            assert!(is_weak_algorithm(weak), "{weak}");
        }
        for strong in [
            "sha256WithRSAEncryption",
            "ecdsa-with-SHA256",
            "dsa-with-sha256",
            "rsassaPss",
            "",
        ] {
            assert!(!is_weak_algorithm(strong), "{strong}");
        }
    }

    #[test]
    fn entries_of_certificates() {
        let cert = |scheme: &str| CertificateFacts {
            scheme: scheme.to_owned(),
            ..CertificateFacts::default()
        };
        assert_eq!(
            entry_of(&cert("v1 (META-INF/CERT.RSA)")),
            "META-INF/CERT.RSA"
        );
        assert_eq!(entry_of(&cert("v3")), SIGNING_BLOCK);
    }
}
