//! APK Signature Scheme v2 / v3 / v3.1 blocks and source stamps.
//!
//! Every sequence is `u32 LE length` + content (AOSP apksig
//! `ApkSigningBlockUtils.getLengthPrefixedSlice`):
//!
//! ```text
//! value   = lp(signers: lp(signer)*)
//! signer  = lp(signed_data) [u32 min_sdk, u32 max_sdk  (v3 only)]
//!           lp(signatures: lp(u32 algorithm, lp(bytes))*) lp(public_key)
//! signed  = lp(digests: lp(u32 algorithm, lp(bytes))*) lp(certificates: lp(der)*)
//!           [u32 min_sdk, u32 max_sdk  (v3 only)] lp(attributes: lp(u32 id, value)*)
//! lineage = u32 version, lp(node)*          (v3 proof-of-rotation attribute)
//! node    = lp(signed: lp(certificate), u32 algorithm) u32 flags u32 algorithm lp(signature)
//! ```

use sha2::{Digest as _, Sha256};

use crate::cert::{hex, parse_certificate, spki_der};
use crate::{
    Anomaly, Attribute, Certificate, Digest, Error, LineageNode, MAX_ATTRIBUTES, MAX_CERTIFICATES,
    MAX_LINEAGE_NODES, MAX_SIGNERS, Result, SchemeSignature, SchemeSignature as S,
    SignatureAlgorithm, SignatureEntry, Signer, SourceStamp, codes,
};

/// v3 attribute: proof-of-rotation lineage.
pub const PROOF_OF_ROTATION_ATTR_ID: u32 = 0x3ba0_6f8c;
/// v3.1 attribute: minimum SDK of the rotated signer.
pub const ROTATION_MIN_SDK_VERSION_ATTR_ID: u32 = 0x559f_8b02;
/// v3.1 attribute: rotation targets a development release.
pub const ROTATION_ON_DEV_RELEASE_ATTR_ID: u32 = 0xc2a6_b3ba;
/// v2 attribute: the APK is also signed with v3 (stripping protection).
pub const STRIPPING_PROTECTION_ATTR_ID: u32 = 0xbeef_f00d;

/// Known additional-attribute ids and their names.
const ATTRIBUTES: &[(u32, &str)] = &[
    (PROOF_OF_ROTATION_ATTR_ID, "proof_of_rotation"),
    (ROTATION_MIN_SDK_VERSION_ATTR_ID, "rotation_min_sdk_version"),
    (ROTATION_ON_DEV_RELEASE_ATTR_ID, "rotation_on_dev_release"),
    (STRIPPING_PROTECTION_ATTR_ID, "stripping_protection"),
];

/// Little-endian, bounds-checked reader over one length-prefixed region.
#[derive(Clone)]
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data[0]` within the pair value (for anomaly offsets).
    base: u64,
}

impl<'a> Cursor<'a> {
    fn new(data: &'a [u8], base: u64) -> Self {
        Cursor { data, pos: 0, base }
    }
    fn offset(&self) -> u64 {
        self.base
            .saturating_add(u64::try_from(self.pos).unwrap_or(u64::MAX))
    }
    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        let b: [u8; 4] = self.take(4)?.try_into().ok()?;
        Some(u32::from_le_bytes(b))
    }
    /// A `u32`-length-prefixed region as a sub-cursor.
    fn lp(&mut self) -> Option<Cursor<'a>> {
        let save = self.pos;
        let len = self.u32().and_then(|l| usize::try_from(l).ok());
        let base = self.offset();
        if let Some(data) = len.and_then(|l| self.take(l)) {
            Some(Cursor::new(data, base))
        } else {
            self.pos = save;
            None
        }
    }
    fn rest(&mut self) -> &'a [u8] {
        let s = self.data.get(self.pos..).unwrap_or_default();
        self.pos = self.data.len();
        s
    }
}

/// Which layout a signer has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    V2,
    V3,
}

fn push(out: &mut Vec<Anomaly>, code: &'static str, at: u64, detail: String) {
    out.push(Anomaly::new(code, Some(at), detail));
}

/// Parses a v2 pair value. See [`crate::parse_v2`].
pub(crate) fn parse_v2(value: &[u8]) -> Result<SchemeSignature> {
    parse(value, Scheme::V2)
}

/// Parses a v3 or v3.1 pair value. See [`crate::parse_v3`].
pub(crate) fn parse_v3(value: &[u8]) -> Result<SchemeSignature> {
    parse(value, Scheme::V3)
}

fn parse(value: &[u8], scheme: Scheme) -> Result<SchemeSignature> {
    let mut top = Cursor::new(value, 0);
    let mut anomalies = Vec::new();
    let Some(mut signers_seq) = top.lp() else {
        return Err(Error::LengthOutOfBounds {
            what: "signers sequence",
            offset: 0,
            available: u64::try_from(value.len()).unwrap_or(u64::MAX),
        });
    };
    if top.remaining() > 0 {
        push(
            &mut anomalies,
            codes::TRAILING_BYTES,
            top.offset(),
            format!("{} bytes after the signers sequence", top.remaining()),
        );
    }
    let mut signers = Vec::new();
    while signers_seq.remaining() > 0 {
        let at = signers_seq.offset();
        if signers.len() >= MAX_SIGNERS {
            push(
                &mut anomalies,
                codes::COUNT_CAPPED,
                at,
                format!("more than {MAX_SIGNERS} signers; rest not listed"),
            );
            break;
        }
        let Some(mut one) = signers_seq.lp() else {
            push(
                &mut anomalies,
                codes::SIGNER_MALFORMED,
                at,
                "signer length runs past the signers sequence; rest skipped".into(),
            );
            break;
        };
        match signer(&mut one, scheme, &mut anomalies) {
            Some(s) => signers.push(s),
            None => push(
                &mut anomalies,
                codes::SIGNER_MALFORMED,
                at,
                "signer structure could not be read; skipped".into(),
            ),
        }
    }
    if signers.is_empty() {
        push(
            &mut anomalies,
            codes::NO_SIGNERS,
            0,
            "the block lists no readable signer".into(),
        );
    }
    Ok(S { signers, anomalies })
}

fn signer(c: &mut Cursor<'_>, scheme: Scheme, out: &mut Vec<Anomaly>) -> Option<Signer> {
    let offset = c.offset();
    let mut signed = c.lp()?;
    let sdk = if scheme == Scheme::V3 {
        Some((c.u32()?, c.u32()?))
    } else {
        None
    };
    let mut sigs = c.lp()?;
    let public_key = c.lp()?.rest();
    if c.remaining() > 0 {
        push(
            out,
            codes::TRAILING_BYTES,
            c.offset(),
            format!("{} bytes after the signer's public key", c.remaining()),
        );
    }

    // Signed data.
    let mut digests_seq = signed.lp()?;
    let mut digests = Vec::new();
    while digests_seq.remaining() > 0 && digests.len() < MAX_ATTRIBUTES {
        let mut d = digests_seq.lp()?;
        let algorithm = SignatureAlgorithm::from_id(d.u32()?);
        let bytes = d.lp()?.rest();
        digests.push(Digest {
            algorithm,
            value: hex(bytes),
        });
    }
    let mut certs_seq = signed.lp()?;
    let (certificates, first_cert) = certificates(&mut certs_seq, out)?;
    if certificates.is_empty() {
        push(
            out,
            codes::NO_CERTIFICATES,
            offset,
            "signer's signed data carries no certificate".into(),
        );
    }
    let signed_sdk = if scheme == Scheme::V3 {
        Some((signed.u32()?, signed.u32()?))
    } else {
        None
    };
    if let (Some(a), Some(b)) = (sdk, signed_sdk)
        && a != b
    {
        push(
            out,
            codes::SDK_RANGE_MISMATCH,
            offset,
            format!(
                "signer min/max SDK {}..{} differ from the signed {}..{}",
                a.0, a.1, b.0, b.1
            ),
        );
    }
    let mut attrs_seq = signed.lp()?;
    let (attributes, lineage, rotation_min_sdk) = attributes(&mut attrs_seq, out)?;

    // Signatures over the signed data (not verified).
    let mut signatures = Vec::new();
    while sigs.remaining() > 0 && signatures.len() < MAX_ATTRIBUTES {
        let mut s = sigs.lp()?;
        let algorithm = SignatureAlgorithm::from_id(s.u32()?);
        if algorithm.name.is_none() {
            push(
                out,
                codes::UNKNOWN_SIGNATURE_ALGORITHM,
                s.offset(),
                format!("signature algorithm id {:#06x}", algorithm.id),
            );
        }
        let size = s.lp()?.rest().len();
        signatures.push(SignatureEntry { algorithm, size });
    }
    let public_key_matches_certificate =
        first_cert.and_then(spki_der).map(|spki| spki == public_key);
    if public_key_matches_certificate == Some(false) {
        push(
            out,
            codes::PUBLIC_KEY_MISMATCH,
            offset,
            "signer's public key differs from its first certificate's key".into(),
        );
    }
    Some(Signer {
        offset,
        digests,
        certificates,
        min_sdk: sdk.map(|s| s.0),
        max_sdk: sdk.map(|s| s.1),
        signed_min_sdk: signed_sdk.map(|s| s.0),
        signed_max_sdk: signed_sdk.map(|s| s.1),
        attributes,
        lineage,
        rotation_min_sdk,
        signatures,
        public_key_sha256: hex(&Sha256::digest(public_key)),
        public_key_matches_certificate,
    })
}

/// The certificates sequence of a signer's signed data, and the first
/// certificate's DER.
fn certificates<'a>(
    seq: &mut Cursor<'a>,
    out: &mut Vec<Anomaly>,
) -> Option<(Vec<Certificate>, Option<&'a [u8]>)> {
    let mut certificates: Vec<Certificate> = Vec::new();
    let mut first_cert: Option<&[u8]> = None;
    while seq.remaining() > 0 {
        let at = seq.offset();
        if certificates.len() >= MAX_CERTIFICATES {
            push(
                out,
                codes::COUNT_CAPPED,
                at,
                format!("more than {MAX_CERTIFICATES} certificates; rest not listed"),
            );
            break;
        }
        let der_bytes = seq.lp()?.rest();
        first_cert.get_or_insert(der_bytes);
        let (cert, problem) = parse_certificate(der_bytes);
        if let Some(why) = problem {
            push(out, codes::CERTIFICATE_UNPARSABLE, at, why);
        }
        certificates.push(cert);
    }
    Some((certificates, first_cert))
}

/// Attribute list, proof-of-rotation lineage, v3.1 rotation minimum SDK.
type Attributes = (Vec<Attribute>, Option<Vec<LineageNode>>, Option<u32>);

/// Additional attributes: the list, the lineage and the v3.1 rotation
/// minimum SDK.
fn attributes(seq: &mut Cursor<'_>, out: &mut Vec<Anomaly>) -> Option<Attributes> {
    let mut attributes = Vec::new();
    let mut lineage = None;
    let mut rotation_min_sdk = None;
    while seq.remaining() > 0 {
        let at = seq.offset();
        if attributes.len() >= MAX_ATTRIBUTES {
            push(
                out,
                codes::COUNT_CAPPED,
                at,
                format!("more than {MAX_ATTRIBUTES} attributes; rest not listed"),
            );
            break;
        }
        let mut a = seq.lp()?;
        let id = a.u32()?;
        let value_at = a.offset();
        let value = a.rest();
        if id == PROOF_OF_ROTATION_ATTR_ID {
            lineage = Some(parse_lineage(value, value_at, out));
        } else if id == ROTATION_MIN_SDK_VERSION_ATTR_ID {
            rotation_min_sdk = value
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes);
        }
        attributes.push(Attribute {
            id,
            name: ATTRIBUTES.iter().find(|(k, _)| *k == id).map(|(_, n)| *n),
            size: value.len(),
        });
    }
    Some((attributes, lineage, rotation_min_sdk))
}

fn parse_lineage(value: &[u8], base: u64, out: &mut Vec<Anomaly>) -> Vec<LineageNode> {
    let mut c = Cursor::new(value, base);
    let mut nodes = Vec::new();
    let Some(_version) = c.u32() else {
        push(
            out,
            codes::LINEAGE_MALFORMED,
            base,
            "no lineage version".into(),
        );
        return nodes;
    };
    while c.remaining() > 0 {
        let at = c.offset();
        if nodes.len() >= MAX_LINEAGE_NODES {
            push(
                out,
                codes::COUNT_CAPPED,
                at,
                format!("more than {MAX_LINEAGE_NODES} lineage nodes; rest not listed"),
            );
            break;
        }
        let Some((node, problem)) = lineage_node(&mut c) else {
            push(
                out,
                codes::LINEAGE_MALFORMED,
                at,
                "lineage node could not be read; rest skipped".into(),
            );
            break;
        };
        if let Some(why) = problem {
            push(out, codes::CERTIFICATE_UNPARSABLE, at, why);
        }
        nodes.push(node);
    }
    nodes
}

fn lineage_node(c: &mut Cursor<'_>) -> Option<(LineageNode, Option<String>)> {
    let mut node = c.lp()?;
    let mut signed = node.lp()?;
    let der_bytes = signed.lp()?.rest();
    let signed_algorithm = signed.u32().map(SignatureAlgorithm::from_id);
    let flags = node.u32()?;
    let algorithm = node.u32().map(SignatureAlgorithm::from_id);
    let (certificate, problem) = parse_certificate(der_bytes);
    Some((
        LineageNode {
            certificate,
            flags,
            parent_signature_algorithm: signed_algorithm,
            signature_algorithm: algorithm,
        },
        problem,
    ))
}

/// Parses a source stamp pair value. See [`crate::parse_source_stamp`].
pub(crate) fn parse_source_stamp(value: &[u8]) -> Result<SourceStamp> {
    let mut top = Cursor::new(value, 0);
    let mut block = top.lp().ok_or(Error::LengthOutOfBounds {
        what: "source stamp block",
        offset: 0,
        available: u64::try_from(value.len()).unwrap_or(u64::MAX),
    })?;
    let at = block.offset();
    let der_bytes = block
        .lp()
        .ok_or(Error::LengthOutOfBounds {
            what: "source stamp certificate",
            offset: at,
            available: u64::try_from(block.remaining()).unwrap_or(u64::MAX),
        })?
        .rest();
    let mut anomalies = Vec::new();
    let (certificate, problem) = parse_certificate(der_bytes);
    if let Some(why) = problem {
        push(&mut anomalies, codes::CERTIFICATE_UNPARSABLE, at, why);
    }
    Ok(SourceStamp {
        certificate,
        anomalies,
    })
}
