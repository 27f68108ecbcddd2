//! Parses APK signatures — v1 (JAR) PKCS#7 blocks and the v2/v3/v3.1
//! signers and source stamps of the APK Signing Block — into certificate
//! facts plus anomalies.
//!
//! # Overview
//!
//! A pure parser like `apkscope-apk`: bytes in, typed facts and
//! [`Anomaly`]s out, no I/O, never panics. It **reports; it does not
//! verify**: no digest is recomputed over the APK and no signature is
//! checked against its public key. "The signer's certificate is X" here
//! means "the block names X", not "X signed this APK" — apksigner does
//! the verifying.
//!
//! - [`parse_pkcs7`]: the bytes of a `META-INF/*.RSA|*.DSA|*.EC` entry
//!   (PKCS#7 / CMS `SignedData`, DER or BER) → [`V1Signature`]: the
//!   certificates carried and each signer info's digest and signature
//!   algorithms.
//! - [`parse_v2`] / [`parse_v3`]: the value bytes of an APK Signing Block
//!   pair (id `0x7109871a`, `0xf05368c0` or v3.1 `0x1b93ad61`; the
//!   container crate gives the pair's offset and size) → [`SchemeSignature`].
//! - [`parse_source_stamp`]: a source stamp pair value (`0x6dff800d` v2,
//!   `0x2b09189e` v1) → the stamp's [`Certificate`].
//! - [`parse_certificate`]: one DER certificate → [`Certificate`].
//!
//! Each certificate gets SHA-256, SHA-1 and MD5 fingerprints of its bytes
//! exactly as carried (what `apksigner verify --print-certs` prints), and,
//! when x509-parser decodes it, subject, issuer, serial, validity,
//! signature algorithm (weak if MD5/SHA-1), key type and size and a debug
//! keystore flag.
//!
//! # Example
//!
//! ```
//! /// `u32` little-endian length prefix + bytes.
//! fn lp(parts: &[&[u8]]) -> Vec<u8> {
//!     let body = parts.concat();
//!     [&u32::try_from(body.len()).unwrap().to_le_bytes()[..], &body].concat()
//! }
//! // One v2 signer: signed data (no digests, no certificates, no
//! // attributes), no signatures, an empty public key.
//! let signed_data = lp(&[&lp(&[]), &lp(&[]), &lp(&[])]);
//! let signer = lp(&[&signed_data, &lp(&[]), &lp(&[])]);
//! let value = lp(&[&signer]);
//!
//! let sig = apkscope_signing::parse_v2(&value).unwrap();
//! assert_eq!(sig.signers.len(), 1);
//! assert!(sig.anomalies.iter().any(|a| a.code == "no_certificates"));
//! ```
#![warn(clippy::arithmetic_side_effects)]

mod block;
mod cert;
mod der;
mod pkcs7;

pub use block::{
    PROOF_OF_ROTATION_ATTR_ID, ROTATION_MIN_SDK_VERSION_ATTR_ID, ROTATION_ON_DEV_RELEASE_ATTR_ID,
    STRIPPING_PROTECTION_ATTR_ID,
};
pub use cert::{
    Algorithm, Certificate, CertificateDetails, DEBUG_COMMON_NAME, Fingerprints, KeyType,
    parse_certificate,
};

/// At most this many signers (v1 signer infos or block signers) are listed.
pub const MAX_SIGNERS: usize = 64;
/// At most this many certificates are listed per signer / PKCS#7 block.
pub const MAX_CERTIFICATES: usize = 64;
/// At most this many digests, signatures or attributes are listed per signer.
pub const MAX_ATTRIBUTES: usize = 256;
/// At most this many proof-of-rotation lineage nodes are listed.
pub const MAX_LINEAGE_NODES: usize = 64;

/// Stable anomaly codes.
pub mod codes {
    /// Bytes after the last element of a structure (e.g. after the
    /// PKCS#7 `ContentInfo`, after the signers sequence).
    pub const TRAILING_BYTES: &str = "trailing_bytes";
    /// A signer (v1 `SignerInfo`, block signer) could not be read and was
    /// skipped.
    pub const SIGNER_MALFORMED: &str = "signer_malformed";
    /// No readable signer at all.
    pub const NO_SIGNERS: &str = "no_signers";
    /// A signer or PKCS#7 block carries no certificate.
    pub const NO_CERTIFICATES: &str = "no_certificates";
    /// x509-parser rejected a certificate: only its fingerprints are
    /// reported. Example detail: `Parsing Error: InvalidDate`.
    pub const CERTIFICATE_UNPARSABLE: &str = "certificate_unparsable";
    /// A count exceeded its cap (`MAX_*`); the rest was not listed.
    pub const COUNT_CAPPED: &str = "count_capped";
    /// A v2/v3 signature algorithm id outside AOSP's `SignatureAlgorithm`.
    pub const UNKNOWN_SIGNATURE_ALGORITHM: &str = "unknown_signature_algorithm";
    /// The v3 proof-of-rotation lineage could not be fully read.
    pub const LINEAGE_MALFORMED: &str = "lineage_malformed";
    /// A block signer's public key is not its first certificate's key
    /// (Android rejects such a signer).
    pub const PUBLIC_KEY_MISMATCH: &str = "public_key_mismatch";
    /// v3 signer min/max SDK differ from the signed data's (Android
    /// rejects such a signer).
    pub const SDK_RANGE_MISMATCH: &str = "sdk_range_mismatch";
    /// The PKCS#7 block uses BER indefinite lengths instead of DER.
    pub const BER_ENCODING: &str = "ber_encoding";
    /// A PKCS#7 element inside a set could not be read; the rest of the
    /// set was skipped.
    pub const DER_MALFORMED: &str = "der_malformed";
    /// A v1 signer info names (issuer, serial) that no carried
    /// certificate has.
    pub const SIGNER_CERTIFICATE_MISSING: &str = "signer_certificate_missing";
}

/// Something odd about the input that did not stop parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Stable `snake_case` code (see [`codes`]).
    pub code: &'static str,
    /// Offset in the parsed input (the PKCS#7 bytes or the pair value).
    pub offset: Option<u64>,
    /// Human-readable detail.
    pub detail: String,
}

impl Anomaly {
    pub(crate) fn new(code: &'static str, offset: Option<u64>, detail: String) -> Self {
        Anomaly {
            code,
            offset,
            detail,
        }
    }
}

/// Why nothing usable could be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A DER element could not be read (truncated, bad length, high tag).
    #[error("{what}: unreadable DER element at offset {offset}")]
    Der {
        /// The structure expected there.
        what: &'static str,
        /// Offset in the input.
        offset: u64,
    },
    /// A DER element has the wrong tag.
    #[error("{what}: expected tag {expected:#04x}, found {found:#04x} at offset {offset}")]
    UnexpectedTag {
        /// The structure expected there.
        what: &'static str,
        /// Offset in the input.
        offset: u64,
        /// Expected tag byte.
        expected: u8,
        /// Tag byte found.
        found: u8,
    },
    /// The PKCS#7 `ContentInfo` is not `signedData`.
    #[error("content type at offset {offset} is not PKCS#7 signedData")]
    NotSignedData {
        /// Offset of the content type OID.
        offset: u64,
    },
    /// A length prefix runs past the data.
    #[error("{what}: length prefix at offset {offset} runs past the {available} bytes available")]
    LengthOutOfBounds {
        /// The sequence expected there.
        what: &'static str,
        /// Offset of the length prefix.
        offset: u64,
        /// Bytes available from that offset.
        available: u64,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// A v1 (JAR) signature block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Signature {
    /// Certificates carried, in order.
    pub certificates: Vec<Certificate>,
    /// Signer infos, in order.
    pub signers: Vec<V1Signer>,
    /// Anomalies found.
    pub anomalies: Vec<Anomaly>,
}

/// One PKCS#7 `SignerInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Signer {
    /// Offset in the PKCS#7 bytes.
    pub offset: u64,
    /// Digest algorithm (over the `.SF` file or signed attributes).
    pub digest_algorithm: Algorithm,
    /// Signature algorithm.
    pub signature_algorithm: Algorithm,
    /// Serial named by the signer identifier (issuer-and-serial form).
    pub serial: Option<String>,
    /// Index into [`V1Signature::certificates`] of the certificate whose
    /// issuer and serial the signer names.
    pub certificate: Option<usize>,
    /// Whether `signedAttrs` are present.
    pub has_signed_attributes: bool,
}

/// A v2, v3 or v3.1 signature scheme block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeSignature {
    /// Signers, in order.
    pub signers: Vec<Signer>,
    /// Anomalies found.
    pub anomalies: Vec<Anomaly>,
}

/// One signer of a v2/v3/v3.1 block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// Offset of the signer in the pair value.
    pub offset: u64,
    /// Content digests the signer claims (not recomputed).
    pub digests: Vec<Digest>,
    /// Certificates; the first one is the signer's.
    pub certificates: Vec<Certificate>,
    /// v3: minimum SDK (unsigned copy).
    pub min_sdk: Option<u32>,
    /// v3: maximum SDK (unsigned copy).
    pub max_sdk: Option<u32>,
    /// v3: minimum SDK inside the signed data.
    pub signed_min_sdk: Option<u32>,
    /// v3: maximum SDK inside the signed data.
    pub signed_max_sdk: Option<u32>,
    /// Additional attributes of the signed data.
    pub attributes: Vec<Attribute>,
    /// v3: the proof-of-rotation lineage, oldest certificate first.
    pub lineage: Option<Vec<LineageNode>>,
    /// v3.1: the `rotation_min_sdk_version` attribute.
    pub rotation_min_sdk: Option<u32>,
    /// Signatures over the signed data (not verified).
    pub signatures: Vec<SignatureEntry>,
    /// SHA-256 of the signer's public key (`SubjectPublicKeyInfo` DER).
    pub public_key_sha256: String,
    /// Whether the public key equals the first certificate's; `None` when
    /// there is no decodable certificate.
    pub public_key_matches_certificate: Option<bool>,
}

/// A v2/v3 signature algorithm id (AOSP apksig `SignatureAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureAlgorithm {
    /// The id.
    pub id: u32,
    /// apksig's name for it, if known.
    pub name: Option<&'static str>,
}

/// Known v2/v3 signature algorithm ids (apksig `SignatureAlgorithm`).
pub const SIGNATURE_ALGORITHMS: &[(u32, &str)] = &[
    (0x0101, "RSA_PSS_WITH_SHA256"),
    (0x0102, "RSA_PSS_WITH_SHA512"),
    (0x0103, "RSA_PKCS1_V1_5_WITH_SHA256"),
    (0x0104, "RSA_PKCS1_V1_5_WITH_SHA512"),
    (0x0201, "ECDSA_WITH_SHA256"),
    (0x0202, "ECDSA_WITH_SHA512"),
    (0x0301, "DSA_WITH_SHA256"),
    (0x0421, "VERITY_RSA_PKCS1_V1_5_WITH_SHA256"),
    (0x0423, "VERITY_ECDSA_WITH_SHA256"),
    (0x0425, "VERITY_DSA_WITH_SHA256"),
];

impl SignatureAlgorithm {
    /// Names an id.
    pub fn from_id(id: u32) -> Self {
        SignatureAlgorithm {
            id,
            name: SIGNATURE_ALGORITHMS
                .iter()
                .find(|(k, _)| *k == id)
                .map(|(_, n)| *n),
        }
    }
}

/// A content digest claimed by a signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// The signature algorithm whose digest this is.
    pub algorithm: SignatureAlgorithm,
    /// The digest, lowercase hex.
    pub value: String,
}

/// A signature over a signer's signed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureEntry {
    /// Algorithm.
    pub algorithm: SignatureAlgorithm,
    /// Size of the signature in bytes.
    pub size: usize,
}

/// An additional attribute of a signer's signed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute id.
    pub id: u32,
    /// Name of a known id (e.g. `proof_of_rotation`).
    pub name: Option<&'static str>,
    /// Size of the value in bytes.
    pub size: usize,
}

/// One node of a v3 proof-of-rotation lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineageNode {
    /// The node's certificate.
    pub certificate: Certificate,
    /// Capability flags (installed data, shared uid, permission, rollback,
    /// auth).
    pub flags: u32,
    /// Algorithm the previous node's key signed this node with.
    pub parent_signature_algorithm: Option<SignatureAlgorithm>,
    /// Algorithm this node's key uses for the next node.
    pub signature_algorithm: Option<SignatureAlgorithm>,
}

/// A source stamp (Play's proof of origin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStamp {
    /// The stamp's certificate.
    pub certificate: Certificate,
    /// Anomalies found.
    pub anomalies: Vec<Anomaly>,
}

/// Parses the bytes of a `META-INF/*.RSA|*.DSA|*.EC` entry (PKCS#7
/// `SignedData`). Errors only when the `ContentInfo`/`SignedData` frame
/// cannot be read; a bad certificate or signer info is an anomaly.
pub fn parse_pkcs7(der: &[u8]) -> Result<V1Signature> {
    pkcs7::parse(der)
}

/// Parses the value of an APK Signature Scheme v2 pair (`0x7109871a`).
pub fn parse_v2(value: &[u8]) -> Result<SchemeSignature> {
    block::parse_v2(value)
}

/// Parses the value of an APK Signature Scheme v3 (`0xf05368c0`) or v3.1
/// (`0x1b93ad61`) pair: they share one format.
pub fn parse_v3(value: &[u8]) -> Result<SchemeSignature> {
    block::parse_v3(value)
}

/// Parses the value of a source stamp pair (`0x6dff800d` v2 or
/// `0x2b09189e` v1): the stamp certificate only.
pub fn parse_source_stamp(value: &[u8]) -> Result<SourceStamp> {
    block::parse_source_stamp(value)
}
