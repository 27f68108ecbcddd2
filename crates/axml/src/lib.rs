//! Decodes Android binary XML (`AndroidManifest.xml`), `resources.arsc` and builds a typed
//! [`Manifest`] from them, tolerating the malformations Android itself accepts.
//!
//! # Overview
//!
//! * [`parse`] (also [`xml::parse`]) turns binary XML (AXML) into a generic [`Document`]: an
//!   element tree with typed attribute values, plus the [`Anomaly`]s found on the way (wrong
//!   magic, bogus chunk sizes, attribute names hidden behind resource IDs, …).
//! * [`arsc::parse`] reads `resources.arsc` into a [`ResourceTable`] that resolves the references
//!   a manifest uses (`@string/app_name` → text, `@xml/network_security_config` → name).
//! * [`Manifest::from_document`] builds the typed manifest (package, versions, SDKs, permissions,
//!   components with their effective `exported`, intent filters, …) from any [`Document`], so a
//!   future protobuf (AAB) decoder can feed it too.
//! * [`to_xml`] / [`to_xml_with`] render a [`Document`] as text XML that is always well-formed
//!   XML 1.0 with Namespaces; [`render_xml`] also reports, as anomalies, every name, prefix,
//!   URI or character it had to replace for that.
//!
//! The parsers are pure: bytes in, a view plus anomalies out. They never panic, and every count
//! read from the input is capped before it sizes an allocation. Anomaly codes are listed in
//! [`codes`].
//!
//! # Example
//!
//! ```no_run
//! # fn main() -> Result<(), apkscope_axml::Error> {
//! # let manifest_bytes: Vec<u8> = Vec::new();
//! # let arsc_bytes: Vec<u8> = Vec::new();
//! let doc = apkscope_axml::parse(&manifest_bytes)?;
//! let table = apkscope_axml::arsc::parse(&arsc_bytes).ok();
//! let manifest = apkscope_axml::Manifest::from_document(&doc, table.as_ref());
//! println!("{:?} {:?}", manifest.package, manifest.version_name);
//! println!("{}", apkscope_axml::to_xml_with(&doc, table.as_ref()));
//! # Ok(())
//! # }
//! ```
#![warn(clippy::arithmetic_side_effects)]

pub mod arsc;
pub mod attrs;
mod bytes;
pub mod codes;
pub mod manifest;
mod strpool;
pub mod value;
mod writer;
pub mod xml;

pub use arsc::ResourceTable;
pub use manifest::Manifest;
pub use value::Value;
pub use writer::{RenderedXml, render_xml, to_xml, to_xml_with};
pub use xml::{Attribute, Document, Element, Namespace, Node, Text, parse};

use serde::Serialize;

/// The Android resource namespace URI (`xmlns:android`).
pub const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";

/// Something odd about the input that did not stop decoding: a tamper or malformation fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    /// Stable `snake_case` code, one of the constants in [`codes`].
    pub code: &'static str,
    /// Byte offset in the decoded buffer, when one applies.
    pub offset: Option<u64>,
    /// Human-readable detail.
    pub detail: String,
}

impl Anomaly {
    pub(crate) fn new(code: &'static str, offset: Option<u64>, detail: impl Into<String>) -> Self {
        Anomaly {
            code,
            offset,
            detail: detail.into(),
        }
    }
}

/// Why decoding produced nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The buffer is shorter than the smallest structure that could hold the format.
    #[error("{what}: input is {len} bytes, need at least {needed}")]
    TooShort {
        /// What was being read.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        len: usize,
    },
    /// Binary XML held no element at all; the anomalies say why.
    #[error("binary XML has no element ({} anomalies)", anomalies.len())]
    NoRootElement {
        /// Everything found while looking for an element.
        anomalies: Vec<Anomaly>,
    },
    /// `resources.arsc` declared packages but none could be read; the anomalies say why.
    #[error("resource table has no package ({} anomalies)", anomalies.len())]
    NoPackage {
        /// Everything found while looking for a package.
        anomalies: Vec<Anomaly>,
    },
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
