//! X.509 certificates: identity, validity, key and fingerprints.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::der;

/// Signature and digest algorithm OIDs: `(oid, name, weak)`. "Weak" means
/// MD2/MD5/SHA-1 based (collisions are practical or near-practical).
const ALGORITHMS: &[(&str, &str, bool)] = &[
    ("1.2.840.113549.1.1.1", "rsaEncryption", false),
    ("1.2.840.113549.1.1.2", "md2WithRSAEncryption", true),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption", true),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption", true),
    ("1.2.840.113549.1.1.10", "rsassaPss", false),
    ("1.2.840.113549.1.1.11", "sha256WithRSAEncryption", false),
    ("1.2.840.113549.1.1.12", "sha384WithRSAEncryption", false),
    ("1.2.840.113549.1.1.13", "sha512WithRSAEncryption", false),
    ("1.2.840.113549.1.1.14", "sha224WithRSAEncryption", false),
    ("1.2.840.10040.4.1", "dsa", false),
    ("1.2.840.10040.4.3", "dsa-with-sha1", true),
    ("2.16.840.1.101.3.4.3.1", "dsa-with-sha224", false),
    ("2.16.840.1.101.3.4.3.2", "dsa-with-sha256", false),
    ("1.2.840.10045.2.1", "ecPublicKey", false),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1", true),
    ("1.2.840.10045.4.3.1", "ecdsa-with-SHA224", false),
    ("1.2.840.10045.4.3.2", "ecdsa-with-SHA256", false),
    ("1.2.840.10045.4.3.3", "ecdsa-with-SHA384", false),
    ("1.2.840.10045.4.3.4", "ecdsa-with-SHA512", false),
    ("1.2.840.113549.2.5", "md5", true),
    ("1.3.14.3.2.26", "sha1", true),
    ("2.16.840.1.101.3.4.2.1", "sha256", false),
    ("2.16.840.1.101.3.4.2.2", "sha384", false),
    ("2.16.840.1.101.3.4.2.3", "sha512", false),
    ("2.16.840.1.101.3.4.2.4", "sha224", false),
];

/// Named EC curves and their field sizes in bits.
const CURVES: &[(&str, u32)] = &[
    ("1.2.840.10045.3.1.7", 256), // prime256v1 / secp256r1
    ("1.3.132.0.33", 224),        // secp224r1
    ("1.3.132.0.34", 384),        // secp384r1
    ("1.3.132.0.35", 521),        // secp521r1
    ("1.3.132.0.10", 256),        // secp256k1
];

/// Attribute short names for distinguished names, as Java's
/// `X500Principal.toString()` (what apksigner prints) spells them.
const NAME_KEYS: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.5", "SERIALNUMBER"),
    ("2.5.4.12", "T"),
    ("2.5.4.4", "SURNAME"),
    ("2.5.4.42", "GIVENNAME"),
    ("1.2.840.113549.1.9.1", "EMAILADDRESS"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("0.9.2342.19200300.100.1.1", "UID"),
];

/// The subject CN of the SDK's auto-generated debug keystore.
pub const DEBUG_COMMON_NAME: &str = "Android Debug";

/// An algorithm named by OID (certificate signatures, PKCS#7 signer infos).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Algorithm {
    /// Dotted OID.
    pub oid: String,
    /// Conventional name (e.g. `sha256WithRSAEncryption`), if known.
    pub name: Option<&'static str>,
    /// MD2/MD5/SHA-1 based.
    pub weak: bool,
}

impl Algorithm {
    pub(crate) fn from_oid(oid: String) -> Self {
        let known = ALGORITHMS.iter().find(|(o, _, _)| *o == oid);
        Algorithm {
            name: known.map(|(_, n, _)| *n),
            weak: known.is_some_and(|(_, _, w)| *w),
            oid,
        }
    }
}

/// Public key family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyType {
    /// RSA.
    Rsa,
    /// Elliptic curve (ECDSA).
    Ec,
    /// DSA.
    Dsa,
    /// Anything else (the OID is in [`CertificateDetails::key_algorithm_oid`]).
    Other,
}

impl KeyType {
    /// `RSA`, `EC`, `DSA` (as apksigner prints them) or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA",
            KeyType::Ec => "EC",
            KeyType::Dsa => "DSA",
            KeyType::Other => "other",
        }
    }
}

/// Fingerprints of a certificate's DER bytes, lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprints {
    /// SHA-256.
    pub sha256: String,
    /// SHA-1.
    pub sha1: String,
    /// MD5.
    pub md5: String,
}

impl Fingerprints {
    /// Fingerprints of `der`.
    pub fn of(der: &[u8]) -> Self {
        Fingerprints {
            sha256: hex(&Sha256::digest(der)),
            sha1: hex(&Sha1::digest(der)),
            md5: hex(&Md5::digest(der)),
        }
    }
}

/// One certificate as carried by a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Fingerprints of the certificate bytes exactly as carried.
    pub fingerprints: Fingerprints,
    /// Size of the DER encoding.
    pub size: usize,
    /// The decoded fields; `None` when x509-parser rejects the encoding
    /// (reported as `certificate_unparsable`).
    pub details: Option<CertificateDetails>,
}

/// Decoded certificate fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDetails {
    /// Subject DN, most specific RDN first (RFC 4514 order, Java keywords).
    pub subject: String,
    /// Issuer DN, same form.
    pub issuer: String,
    /// Serial number, lowercase hex of the encoded integer bytes.
    pub serial: String,
    /// Start of validity, RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SSZ`).
    pub not_before: String,
    /// End of validity, RFC 3339 UTC.
    pub not_after: String,
    /// Algorithm the issuer signed this certificate with.
    pub signature_algorithm: Algorithm,
    /// Public key family.
    pub key_type: KeyType,
    /// Dotted OID of the public key algorithm.
    pub key_algorithm_oid: String,
    /// Key size in bits: RSA modulus, EC curve field, DSA prime `p`;
    /// 0 when unknown.
    pub key_bits: u32,
    /// SHA-256 of the `SubjectPublicKeyInfo` DER, lowercase hex.
    pub public_key_sha256: String,
    /// Subject CN is [`DEBUG_COMMON_NAME`]: signed with a debug keystore.
    pub is_debug: bool,
    /// Subject and issuer DNs are equal.
    pub self_signed: bool,
}

/// Parses one certificate. Never fails: what x509-parser cannot decode is
/// still fingerprinted, and the reason is returned as the second value.
pub fn parse_certificate(der_bytes: &[u8]) -> (Certificate, Option<String>) {
    let (details, problem) = match X509Certificate::from_der(der_bytes) {
        Ok((_, cert)) => (Some(details(&cert)), None),
        Err(e) => (None, Some(e.to_string())),
    };
    (
        Certificate {
            fingerprints: Fingerprints::of(der_bytes),
            size: der_bytes.len(),
            details,
        },
        problem,
    )
}

/// The `SubjectPublicKeyInfo` DER of a certificate, if it decodes.
pub(crate) fn spki_der(der_bytes: &[u8]) -> Option<&[u8]> {
    X509Certificate::from_der(der_bytes)
        .ok()
        .map(|(_, c)| c.tbs_certificate.subject_pki.raw)
}

fn details(cert: &X509Certificate<'_>) -> CertificateDetails {
    let tbs = &cert.tbs_certificate;
    let spki = &tbs.subject_pki;
    let key_oid = spki.algorithm.algorithm.to_id_string();
    let params = spki.algorithm.parameters.as_ref();
    let (key_type, key_bits) = match key_oid.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            let bits = match spki.parsed() {
                Ok(PublicKey::RSA(rsa)) => int_bits(rsa.modulus),
                _ => 0,
            };
            (KeyType::Rsa, bits)
        }
        "1.2.840.10045.2.1" => {
            let named = params
                .and_then(|p| der::oid_string(p.data))
                .and_then(|c| CURVES.iter().find(|(o, _)| *o == c).map(|(_, b)| *b));
            let bits = named.unwrap_or_else(|| match spki.parsed() {
                Ok(PublicKey::EC(p)) => u32::try_from(p.key_size()).unwrap_or(0),
                _ => 0,
            });
            (KeyType::Ec, bits)
        }
        "1.2.840.10040.4.1" => {
            // Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER }
            let bits = params
                .and_then(|p| der::read(p.data, 0))
                .filter(|t| t.tag == der::tag::INTEGER)
                .map_or(0, |t| int_bits(t.content));
            (KeyType::Dsa, bits)
        }
        _ => (KeyType::Other, 0),
    };
    let subject = dn(tbs.subject());
    let is_debug = tbs
        .subject()
        .iter_common_name()
        .any(|cn| cn.as_str().is_ok_and(|s| s == DEBUG_COMMON_NAME));
    CertificateDetails {
        issuer: dn(tbs.issuer()),
        self_signed: tbs.subject().as_raw() == tbs.issuer().as_raw(),
        subject,
        serial: hex(tbs.raw_serial()),
        not_before: rfc3339(tbs.validity().not_before.timestamp()),
        not_after: rfc3339(tbs.validity().not_after.timestamp()),
        signature_algorithm: Algorithm::from_oid(cert.signature_algorithm.algorithm.to_id_string()),
        key_type,
        key_algorithm_oid: key_oid,
        key_bits,
        public_key_sha256: hex(&Sha256::digest(spki.raw)),
        is_debug,
    }
}

/// Bit length of a big-endian unsigned integer (leading zeros ignored).
fn int_bits(bytes: &[u8]) -> u32 {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => bytes.get(i..).unwrap_or_default(),
        None => &[],
    };
    let Some(first) = trimmed.first() else {
        return 0;
    };
    let len = u32::try_from(trimmed.len()).unwrap_or(u32::MAX / 8);
    len.saturating_mul(8).saturating_sub(first.leading_zeros())
}

/// A distinguished name, most specific RDN first.
fn dn(name: &x509_parser::x509::X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let oid = atv.attr_type().to_id_string();
                    let key = NAME_KEYS
                        .iter()
                        .find(|(o, _)| *o == oid)
                        .map_or(oid.clone(), |(_, k)| (*k).to_string());
                    let value = match atv.as_str() {
                        Ok(s) => escape(s),
                        Err(_) => format!("#{}", hex(atv.attr_value().data)),
                    };
                    format!("{key}={value}")
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}

/// RFC 4514 escaping of an attribute value.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let last = s.chars().count().saturating_sub(1);
    for (i, c) in s.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && matches!(c, '#' | ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Unix seconds to RFC 3339 UTC (proleptic Gregorian; Howard Hinnant's
/// `civil_from_days`).
// X.509 times are years 0..=9999, so every intermediate here is a few
// million at most: none of these operations can overflow.
#[allow(clippy::arithmetic_side_effects)]
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe
        .saturating_add(era.saturating_mul(400))
        .saturating_add(i64::from(month <= 2));
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn counts_bits() {
        assert_eq!(int_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(int_bits(&[0x01]), 1);
        assert_eq!(int_bits(&[]), 0);
    }

    #[test]
    fn garbage_still_fingerprinted() {
        let (c, why) = parse_certificate(b"nope");
        assert!(c.details.is_none() && why.is_some());
        assert_eq!(c.fingerprints.md5.len(), 32);
    }
}
