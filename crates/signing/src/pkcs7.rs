//! v1 (JAR) signature blocks: PKCS#7 / CMS `SignedData`.
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType OID (1.2.840.113549.1.7.2),
//!                            content [0] EXPLICIT SignedData }
//! SignedData ::= SEQUENCE { version INTEGER, digestAlgorithms SET,
//!     encapContentInfo SEQUENCE, certificates [0] IMPLICIT SET OF Certificate OPTIONAL,
//!     crls [1] IMPLICIT OPTIONAL, signerInfos SET OF SignerInfo }
//! SignerInfo ::= SEQUENCE { version INTEGER,
//!     sid (IssuerAndSerialNumber SEQUENCE { issuer Name, serial INTEGER } | [0] SKI),
//!     digestAlgorithm AlgorithmIdentifier, signedAttrs [0] IMPLICIT OPTIONAL,
//!     signatureAlgorithm AlgorithmIdentifier, signature OCTET STRING, unsignedAttrs [1] OPTIONAL }
//! ```

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::cert::{Algorithm, Certificate, parse_certificate};
use crate::der::{self, Children, Tlv, tag};
use crate::{Anomaly, Error, MAX_CERTIFICATES, MAX_SIGNERS, Result, V1Signature, V1Signer, codes};

/// `id-signedData`.
const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

fn u64_of(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn expect<'a>(t: Option<Tlv<'a>>, want: u8, what: &'static str, at: usize) -> Result<Tlv<'a>> {
    match t {
        Some(t) if t.tag == want => Ok(t),
        Some(t) => Err(Error::UnexpectedTag {
            what,
            offset: u64_of(t.offset),
            expected: want,
            found: t.tag,
        }),
        None => Err(Error::Der {
            what,
            offset: u64_of(at),
        }),
    }
}

/// Parses a `META-INF/*.RSA|*.DSA|*.EC` entry. See [`crate::parse_pkcs7`].
pub(crate) fn parse(data: &[u8]) -> Result<V1Signature> {
    let mut anomalies = Vec::new();
    let content_info = expect(der::read(data, 0), tag::SEQUENCE, "ContentInfo", 0)?;
    if content_info.indefinite {
        anomalies.push(Anomaly::new(
            codes::BER_ENCODING,
            Some(0),
            "ContentInfo uses indefinite lengths (BER, not DER)".into(),
        ));
    }
    let trailing = data.len().saturating_sub(content_info.raw.len());
    if trailing > 0 {
        anomalies.push(Anomaly::new(
            codes::TRAILING_BYTES,
            Some(u64_of(content_info.raw.len())),
            format!("{trailing} bytes after the ContentInfo"),
        ));
    }
    let mut ci = Children::of(&content_info);
    let oid = expect(
        ci.next(),
        tag::OID,
        "ContentInfo.contentType",
        content_info.offset,
    )?;
    let oid_str = der::oid_string(oid.content).unwrap_or_default();
    if oid_str != OID_SIGNED_DATA {
        return Err(Error::NotSignedData {
            offset: u64_of(oid.offset),
        });
    }
    let explicit = expect(ci.next(), tag::CONTEXT_0, "ContentInfo.content", oid.offset)?;
    let signed_data = expect(
        Children::of(&explicit).next(),
        tag::SEQUENCE,
        "SignedData",
        explicit.offset,
    )?;
    let mut sd = Children::of(&signed_data).peekable();
    let version = expect(
        sd.next(),
        tag::INTEGER,
        "SignedData.version",
        signed_data.offset,
    )?;
    let _digest_algs = expect(
        sd.next(),
        tag::SET,
        "SignedData.digestAlgorithms",
        version.offset,
    )?;
    let _encap = expect(
        sd.next(),
        tag::SEQUENCE,
        "SignedData.encapContentInfo",
        version.offset,
    )?;

    let (certificates, cert_ders) = match sd.next_if(|t| t.tag == tag::CONTEXT_0) {
        Some(set) => certificate_set(&set, &mut anomalies),
        None => (Vec::new(), Vec::new()),
    };
    if certificates.is_empty() {
        anomalies.push(Anomaly::new(
            codes::NO_CERTIFICATES,
            Some(u64_of(signed_data.offset)),
            "SignedData carries no certificates".into(),
        ));
    }
    let _crls = sd.next_if(|t| t.tag == tag::CONTEXT_1);
    let infos = expect(
        sd.next(),
        tag::SET,
        "SignedData.signerInfos",
        signed_data.offset,
    )?;
    let signers = signer_infos(&infos, &cert_ders, &mut anomalies);
    if signers.is_empty() {
        anomalies.push(Anomaly::new(
            codes::NO_SIGNERS,
            Some(u64_of(infos.offset)),
            "SignedData has no signer infos".into(),
        ));
    }
    Ok(V1Signature {
        certificates,
        signers,
        anomalies,
    })
}

/// `certificates [0] IMPLICIT SET OF Certificate`: the parsed certificates
/// and their DER.
fn certificate_set<'a>(
    set: &Tlv<'a>,
    anomalies: &mut Vec<Anomaly>,
) -> (Vec<Certificate>, Vec<&'a [u8]>) {
    let mut certificates = Vec::new();
    let mut cert_ders: Vec<&[u8]> = Vec::new();
    let mut children = Children::of(set);
    for c in children.by_ref() {
        if certificates.len() >= MAX_CERTIFICATES {
            anomalies.push(Anomaly::new(
                codes::COUNT_CAPPED,
                Some(u64_of(c.offset)),
                format!("more than {MAX_CERTIFICATES} certificates; rest not listed"),
            ));
            break;
        }
        let (cert, problem) = parse_certificate(c.raw);
        if let Some(why) = problem {
            anomalies.push(Anomaly::new(
                codes::CERTIFICATE_UNPARSABLE,
                Some(u64_of(c.offset)),
                why,
            ));
        }
        certificates.push(cert);
        cert_ders.push(c.raw);
    }
    if children.broken {
        anomalies.push(Anomaly::new(
            codes::DER_MALFORMED,
            Some(u64_of(set.offset)),
            "certificate set has an unreadable element; rest skipped".into(),
        ));
    }
    (certificates, cert_ders)
}

/// `signerInfos SET OF SignerInfo`.
fn signer_infos(
    infos: &Tlv<'_>,
    cert_ders: &[&[u8]],
    anomalies: &mut Vec<Anomaly>,
) -> Vec<V1Signer> {
    let mut signers = Vec::new();
    let mut children = Children::of(infos);
    for info in children.by_ref() {
        if signers.len() >= MAX_SIGNERS {
            anomalies.push(Anomaly::new(
                codes::COUNT_CAPPED,
                Some(u64_of(info.offset)),
                format!("more than {MAX_SIGNERS} signer infos; rest not listed"),
            ));
            break;
        }
        match signer_info(&info, cert_ders) {
            Some(s) => {
                if s.certificate.is_none() {
                    anomalies.push(Anomaly::new(
                        codes::SIGNER_CERTIFICATE_MISSING,
                        Some(s.offset),
                        "no carried certificate matches the signer's issuer and serial".into(),
                    ));
                }
                signers.push(s);
            }
            None => anomalies.push(Anomaly::new(
                codes::SIGNER_MALFORMED,
                Some(u64_of(info.offset)),
                "SignerInfo could not be read; skipped".into(),
            )),
        }
    }
    if children.broken {
        anomalies.push(Anomaly::new(
            codes::DER_MALFORMED,
            Some(u64_of(infos.offset)),
            "signerInfos has an unreadable element; rest skipped".into(),
        ));
    }
    signers
}

fn algorithm(t: &Tlv<'_>) -> Option<Algorithm> {
    let oid = Children::of(t).next().filter(|o| o.tag == tag::OID)?;
    Some(Algorithm::from_oid(der::oid_string(oid.content)?))
}

fn signer_info(info: &Tlv<'_>, certs: &[&[u8]]) -> Option<V1Signer> {
    if info.tag != tag::SEQUENCE {
        return None;
    }
    let mut it = Children::of(info).peekable();
    let _version = it.next().filter(|t| t.tag == tag::INTEGER)?;
    let sid = it.next()?;
    let mut certificate = None;
    let mut serial = None;
    if sid.tag == tag::SEQUENCE {
        let mut parts = Children::of(&sid);
        let issuer = parts.next()?;
        let serial_tlv = parts.next().filter(|t| t.tag == tag::INTEGER)?;
        serial = Some(crate::cert::hex(serial_tlv.content));
        certificate = certs.iter().position(|der_bytes| {
            X509Certificate::from_der(der_bytes).is_ok_and(|(_, c)| {
                c.tbs_certificate.raw_serial() == serial_tlv.content
                    && c.tbs_certificate.issuer().as_raw() == issuer.raw
            })
        });
    }
    let digest = it.next().filter(|t| t.tag == tag::SEQUENCE)?;
    let has_signed_attributes = it.next_if(|t| t.tag == tag::CONTEXT_0).is_some();
    let sig = it.next().filter(|t| t.tag == tag::SEQUENCE)?;
    Some(V1Signer {
        offset: u64_of(info.offset),
        digest_algorithm: algorithm(&digest)?,
        signature_algorithm: algorithm(&sig)?,
        serial,
        certificate,
        has_signed_attributes,
    })
}
