//! A zip writer with knobs for the hostile tricks found in real APKs.
//!
//! [`ZipBuilder`] writes well-formed archives by default; every knob breaks
//! one thing on purpose: fake encryption bits, local headers that disagree
//! with the central directory, duplicate names, unknown compression methods,
//! prepended bytes (Janus), garbage between records, an APK Signing Block,
//! forced zip64 records, archive comments, wrong entry counts and truncation.
//!
//! ```
//! use apkscope_testkit::zip::{ZipBuilder, ZipEntry};
//!
//! let bytes = ZipBuilder::new()
//!     .stored("AndroidManifest.xml", b"<manifest/>")
//!     .deflated("classes.dex", b"dex\n035\0")
//!     .entry(ZipEntry::stored("a.txt", b"x").encrypted())
//!     .build();
//! assert_eq!(&bytes[..4], b"PK\x03\x04");
//! ```

use std::io::Write as _;

/// Local file header signature.
pub const LOCAL_HEADER_SIG: u32 = 0x0403_4b50;
/// Central directory file header signature.
pub const CENTRAL_HEADER_SIG: u32 = 0x0201_4b50;
/// End of central directory signature.
pub const EOCD_SIG: u32 = 0x0605_4b50;
/// Zip64 end of central directory record signature.
pub const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
/// Zip64 end of central directory locator signature.
pub const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
/// Optional data descriptor signature.
pub const DATA_DESCRIPTOR_SIG: u32 = 0x0807_4b50;
/// APK Signing Block magic (the last 16 bytes of the block).
pub const APK_SIG_BLOCK_MAGIC: &[u8; 16] = b"APK Sig Block 42";
/// APK Signature Scheme v2 block id.
pub const V2_BLOCK_ID: u32 = 0x7109_871a;
/// APK Signature Scheme v3 block id.
pub const V3_BLOCK_ID: u32 = 0xf053_68c0;

/// How an entry's data is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Method 0: the bytes as they are.
    Stored,
    /// Method 8: raw deflate (flate2).
    Deflate,
    /// Any method id; the bytes are written as they are (stored), which is
    /// what Android's asset manager reads for methods other than deflate.
    Custom(u16),
}

impl Method {
    fn id(self) -> u16 {
        match self {
            Method::Stored => 0,
            Method::Deflate => 8,
            Method::Custom(id) => id,
        }
    }
}

/// Values that replace what the local file header would normally say.
#[derive(Debug, Clone, Default)]
pub struct LocalOverrides {
    /// Name bytes written in the local header.
    pub name: Option<Vec<u8>>,
    /// Name length field (without changing the name bytes written).
    pub name_len: Option<u16>,
    /// Compression method.
    pub method: Option<u16>,
    /// General-purpose flags.
    pub flags: Option<u16>,
    /// CRC-32.
    pub crc32: Option<u32>,
    /// Compressed size.
    pub compressed_size: Option<u32>,
    /// Uncompressed size.
    pub uncompressed_size: Option<u32>,
    /// Extra field bytes.
    pub extra: Option<Vec<u8>>,
    /// Write these 4 bytes instead of the local header signature.
    pub signature: Option<u32>,
}

/// Values that replace what the central directory record would normally say.
#[derive(Debug, Clone, Default)]
pub struct CentralOverrides {
    /// Compression method.
    pub method: Option<u16>,
    /// CRC-32.
    pub crc32: Option<u32>,
    /// Compressed size.
    pub compressed_size: Option<u64>,
    /// Uncompressed size.
    pub uncompressed_size: Option<u64>,
    /// Local header offset.
    pub local_header_offset: Option<u64>,
}

/// One entry of a [`ZipBuilder`].
#[derive(Debug, Clone)]
pub struct ZipEntry {
    /// Raw name bytes (central directory; local too unless overridden).
    pub name: Vec<u8>,
    /// Uncompressed data.
    pub data: Vec<u8>,
    /// How the data is written.
    pub method: Method,
    /// Extra general-purpose flag bits (bit 0 = "encrypted").
    pub flags: u16,
    /// Write a data descriptor after the data (sets flag bit 3 and zeroes
    /// the local header's crc and sizes).
    pub data_descriptor: bool,
    /// Write the optional data descriptor signature.
    pub data_descriptor_signature: bool,
    /// Local header overrides.
    pub local: LocalOverrides,
    /// Central directory overrides.
    pub central: CentralOverrides,
    /// Bytes written after this entry's data (and descriptor).
    pub garbage_after: Vec<u8>,
    /// Write no local header nor data at all (the central directory record
    /// still points where the local header would have been).
    pub omit_local: bool,
    /// Already-compressed data written as is, with the uncompressed size and CRC-32 it
    /// stands for (`data` is then ignored): for bombs too large to build in memory.
    pub precompressed: Option<Precompressed>,
}

/// A deflate stream built elsewhere, and what it inflates to.
#[derive(Debug, Clone)]
pub struct Precompressed {
    /// The raw deflate stream.
    pub stream: Vec<u8>,
    /// Its inflated size.
    pub uncompressed_size: u64,
    /// CRC-32 of its inflated bytes.
    pub crc32: u32,
}

impl ZipEntry {
    /// A new entry with the given method.
    pub fn new(name: impl AsRef<[u8]>, data: impl AsRef<[u8]>, method: Method) -> Self {
        ZipEntry {
            name: name.as_ref().to_vec(),
            data: data.as_ref().to_vec(),
            method,
            flags: 0,
            data_descriptor: false,
            data_descriptor_signature: true,
            local: LocalOverrides::default(),
            central: CentralOverrides::default(),
            garbage_after: Vec::new(),
            omit_local: false,
            precompressed: None,
        }
    }

    /// A deflated entry whose raw stream is `stream` (see [`Precompressed`]).
    pub fn precompressed(name: impl AsRef<[u8]>, stream: Precompressed) -> Self {
        let mut entry = Self::new(name, [], Method::Deflate);
        entry.precompressed = Some(stream);
        entry
    }

    /// A stored entry.
    pub fn stored(name: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> Self {
        Self::new(name, data, Method::Stored)
    }

    /// A deflated entry.
    pub fn deflated(name: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> Self {
        Self::new(name, data, Method::Deflate)
    }

    /// Sets the "encrypted" general-purpose bit (bit 0) in both headers.
    #[must_use]
    pub fn encrypted(mut self) -> Self {
        self.flags |= 1;
        self
    }

    /// Writes a data descriptor (flag bit 3).
    #[must_use]
    pub fn with_data_descriptor(mut self, signature: bool) -> Self {
        self.data_descriptor = true;
        self.data_descriptor_signature = signature;
        self
    }

    /// Replaces local header fields.
    #[must_use]
    pub fn local(mut self, f: impl FnOnce(&mut LocalOverrides)) -> Self {
        f(&mut self.local);
        self
    }

    /// Replaces central directory fields.
    #[must_use]
    pub fn central(mut self, f: impl FnOnce(&mut CentralOverrides)) -> Self {
        f(&mut self.central);
        self
    }

    /// Writes `bytes` after the entry's data.
    #[must_use]
    pub fn garbage_after(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.garbage_after = bytes.as_ref().to_vec();
        self
    }

    /// Writes no local header and no data for this entry.
    #[must_use]
    pub fn omit_local(mut self) -> Self {
        self.omit_local = true;
        self
    }
}

/// Builds zip archives byte by byte. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct ZipBuilder {
    prepend: Vec<u8>,
    entries: Vec<ZipEntry>,
    before_cd: Vec<u8>,
    signing_block: Option<Vec<u8>>,
    between_cd_and_eocd: Vec<u8>,
    comment: Vec<u8>,
    comment_len: Option<u16>,
    zip64: bool,
    eocd_entries: Option<u16>,
    eocd_cd_size: Option<u32>,
    eocd_cd_offset: Option<u32>,
    truncate: Option<usize>,
    truncate_cd: Option<usize>,
    after_eocd: Vec<u8>,
}

/// Encodes an APK Signing Block holding the given (id, value) pairs.
pub fn signing_block(pairs: &[(u32, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (id, value) in pairs {
        body.extend_from_slice(&(value.len() as u64 + 4).to_le_bytes());
        body.extend_from_slice(&id.to_le_bytes());
        body.extend_from_slice(value);
    }
    // size excludes the leading size field itself: pairs + trailing size + magic
    let size = body.len() as u64 + 8 + 16;
    let mut out = Vec::with_capacity(body.len() + 32);
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(APK_SIG_BLOCK_MAGIC);
    out
}

impl ZipBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry.
    #[must_use]
    pub fn entry(mut self, entry: ZipEntry) -> Self {
        self.entries.push(entry);
        self
    }

    /// Adds a stored entry.
    #[must_use]
    pub fn stored(self, name: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> Self {
        self.entry(ZipEntry::stored(name, data))
    }

    /// Adds a deflated entry.
    #[must_use]
    pub fn deflated(self, name: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> Self {
        self.entry(ZipEntry::deflated(name, data))
    }

    /// Writes `bytes` before the first local header. Offsets in the
    /// central directory account for them (as in the Janus attack).
    #[must_use]
    pub fn prepend(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.prepend = bytes.as_ref().to_vec();
        self
    }

    /// Writes `bytes` after the last entry, before the signing block / CD.
    #[must_use]
    pub fn garbage_before_cd(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.before_cd = bytes.as_ref().to_vec();
        self
    }

    /// Writes `bytes` between the central directory and the EOCD (or the
    /// zip64 EOCD record).
    #[must_use]
    pub fn garbage_after_cd(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.between_cd_and_eocd = bytes.as_ref().to_vec();
        self
    }

    /// Writes `bytes` after the EOCD record and its comment.
    #[must_use]
    pub fn trailing(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.after_eocd = bytes.as_ref().to_vec();
        self
    }

    /// Adds an APK Signing Block with these (id, value) pairs right before
    /// the central directory.
    #[must_use]
    pub fn signing_block(mut self, pairs: &[(u32, &[u8])]) -> Self {
        self.signing_block = Some(signing_block(pairs));
        self
    }

    /// Writes these raw bytes as the signing block (for malformed blocks).
    #[must_use]
    pub fn raw_signing_block(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.signing_block = Some(bytes.as_ref().to_vec());
        self
    }

    /// Sets the EOCD comment.
    #[must_use]
    pub fn comment(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.comment = bytes.as_ref().to_vec();
        self
    }

    /// Overrides the EOCD comment length field.
    #[must_use]
    pub fn comment_len(mut self, len: u16) -> Self {
        self.comment_len = Some(len);
        self
    }

    /// Forces zip64 records: zip64 extra fields in every header with the
    /// 32-bit fields set to 0xFFFFFFFF, a zip64 EOCD record and locator,
    /// and 0xFFFF / 0xFFFFFFFF in the EOCD.
    #[must_use]
    pub fn zip64(mut self) -> Self {
        self.zip64 = true;
        self
    }

    /// Overrides the EOCD entry counts (both fields).
    #[must_use]
    pub fn eocd_entries(mut self, n: u16) -> Self {
        self.eocd_entries = Some(n);
        self
    }

    /// Overrides the EOCD central directory size.
    #[must_use]
    pub fn eocd_cd_size(mut self, n: u32) -> Self {
        self.eocd_cd_size = Some(n);
        self
    }

    /// Overrides the EOCD central directory offset.
    #[must_use]
    pub fn eocd_cd_offset(mut self, n: u32) -> Self {
        self.eocd_cd_offset = Some(n);
        self
    }

    /// Cuts the central directory to its first `len` bytes (the EOCD still
    /// declares every entry and the full size).
    #[must_use]
    pub fn truncate_cd(mut self, len: usize) -> Self {
        self.truncate_cd = Some(len);
        self
    }

    /// Cuts the output to `len` bytes.
    #[must_use]
    pub fn truncate(mut self, len: usize) -> Self {
        self.truncate = Some(len);
        self
    }

    /// Writes the archive.
    #[allow(clippy::too_many_lines, clippy::cast_possible_truncation)]
    pub fn build(&self) -> Vec<u8> {
        let mut out = self.prepend.clone();
        let mut central = Vec::new();
        for e in &self.entries {
            let (payload, crc, usize_) = match (&e.precompressed, e.method) {
                (Some(p), _) => (p.stream.clone(), p.crc32, p.uncompressed_size),
                (None, Method::Deflate) => (
                    deflate(&e.data),
                    crc32fast::hash(&e.data),
                    e.data.len() as u64,
                ),
                (None, Method::Stored | Method::Custom(_)) => (
                    e.data.clone(),
                    crc32fast::hash(&e.data),
                    e.data.len() as u64,
                ),
            };
            let offset = out.len() as u64;
            let mut flags = e.flags;
            if e.data_descriptor {
                flags |= 8;
            }
            let csize = payload.len() as u64;
            if !e.omit_local {
                let (l_crc, l_c, l_u) = if e.data_descriptor {
                    (0, 0, 0)
                } else if self.zip64 {
                    (crc, u32::MAX, u32::MAX)
                } else {
                    (crc, csize as u32, usize_ as u32)
                };
                let lname = e.local.name.clone().unwrap_or_else(|| e.name.clone());
                let lextra = e.local.extra.clone().unwrap_or_else(|| {
                    if self.zip64 && !e.data_descriptor {
                        let mut x = Vec::new();
                        x.extend_from_slice(&1u16.to_le_bytes());
                        x.extend_from_slice(&16u16.to_le_bytes());
                        x.extend_from_slice(&usize_.to_le_bytes());
                        x.extend_from_slice(&csize.to_le_bytes());
                        x
                    } else {
                        Vec::new()
                    }
                });
                put32(&mut out, e.local.signature.unwrap_or(LOCAL_HEADER_SIG));
                put16(&mut out, if self.zip64 { 45 } else { 20 });
                put16(&mut out, e.local.flags.unwrap_or(flags));
                put16(&mut out, e.local.method.unwrap_or(e.method.id()));
                put16(&mut out, 0); // time
                put16(&mut out, 0x21); // date: 1980-01-01
                put32(&mut out, e.local.crc32.unwrap_or(l_crc));
                put32(&mut out, e.local.compressed_size.unwrap_or(l_c));
                put32(&mut out, e.local.uncompressed_size.unwrap_or(l_u));
                put16(&mut out, e.local.name_len.unwrap_or(lname.len() as u16));
                put16(&mut out, lextra.len() as u16);
                out.extend_from_slice(&lname);
                out.extend_from_slice(&lextra);
                out.extend_from_slice(&payload);
                if e.data_descriptor {
                    if e.data_descriptor_signature {
                        put32(&mut out, DATA_DESCRIPTOR_SIG);
                    }
                    put32(&mut out, crc);
                    if self.zip64 {
                        out.extend_from_slice(&csize.to_le_bytes());
                        out.extend_from_slice(&usize_.to_le_bytes());
                    } else {
                        put32(&mut out, csize as u32);
                        put32(&mut out, usize_ as u32);
                    }
                }
            }
            out.extend_from_slice(&e.garbage_after);

            let c_crc = e.central.crc32.unwrap_or(crc);
            let c_c = e.central.compressed_size.unwrap_or(csize);
            let c_u = e.central.uncompressed_size.unwrap_or(usize_);
            let c_off = e.central.local_header_offset.unwrap_or(offset);
            let mut extra = Vec::new();
            let (f_c, f_u, f_off) = if self.zip64 {
                let mut x = Vec::new();
                x.extend_from_slice(&c_u.to_le_bytes());
                x.extend_from_slice(&c_c.to_le_bytes());
                x.extend_from_slice(&c_off.to_le_bytes());
                extra.extend_from_slice(&1u16.to_le_bytes());
                extra.extend_from_slice(&(x.len() as u16).to_le_bytes());
                extra.extend_from_slice(&x);
                (u32::MAX, u32::MAX, u32::MAX)
            } else {
                (c_c as u32, c_u as u32, c_off as u32)
            };
            put32(&mut central, CENTRAL_HEADER_SIG);
            put16(&mut central, if self.zip64 { 45 } else { 20 }); // made by
            put16(&mut central, if self.zip64 { 45 } else { 20 }); // needed
            put16(&mut central, flags);
            put16(&mut central, e.central.method.unwrap_or(e.method.id()));
            put16(&mut central, 0);
            put16(&mut central, 0x21);
            put32(&mut central, c_crc);
            put32(&mut central, f_c);
            put32(&mut central, f_u);
            put16(&mut central, e.name.len() as u16);
            put16(&mut central, extra.len() as u16);
            put16(&mut central, 0); // comment length
            put16(&mut central, 0); // disk number start
            put16(&mut central, 0); // internal attrs
            put32(&mut central, 0); // external attrs
            put32(&mut central, f_off);
            central.extend_from_slice(&e.name);
            central.extend_from_slice(&extra);
        }
        out.extend_from_slice(&self.before_cd);
        if let Some(block) = &self.signing_block {
            out.extend_from_slice(block);
        }
        let cd_offset = out.len() as u64;
        let cd_size = central.len() as u64;
        if let Some(len) = self.truncate_cd {
            central.truncate(len);
        }
        out.extend_from_slice(&central);
        out.extend_from_slice(&self.between_cd_and_eocd);
        let n = self.entries.len() as u64;
        if self.zip64 {
            let record = out.len() as u64;
            put32(&mut out, ZIP64_EOCD_SIG);
            out.extend_from_slice(&44u64.to_le_bytes());
            put16(&mut out, 45);
            put16(&mut out, 45);
            put32(&mut out, 0);
            put32(&mut out, 0);
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&cd_size.to_le_bytes());
            out.extend_from_slice(&cd_offset.to_le_bytes());
            put32(&mut out, ZIP64_LOCATOR_SIG);
            put32(&mut out, 0);
            out.extend_from_slice(&record.to_le_bytes());
            put32(&mut out, 1);
        }
        let (e_n, e_size, e_off) = if self.zip64 {
            (u16::MAX, u32::MAX, u32::MAX)
        } else {
            (n as u16, cd_size as u32, cd_offset as u32)
        };
        put32(&mut out, EOCD_SIG);
        put16(&mut out, 0);
        put16(&mut out, 0);
        put16(&mut out, self.eocd_entries.unwrap_or(e_n));
        put16(&mut out, self.eocd_entries.unwrap_or(e_n));
        put32(&mut out, self.eocd_cd_size.unwrap_or(e_size));
        put32(&mut out, self.eocd_cd_offset.unwrap_or(e_off));
        put16(
            &mut out,
            self.comment_len.unwrap_or(self.comment.len() as u16),
        );
        out.extend_from_slice(&self.comment);
        out.extend_from_slice(&self.after_eocd);
        if let Some(len) = self.truncate {
            out.truncate(len);
        }
        out
    }
}

/// Raw-deflates `data` (no zlib header), as zip method 8 stores it.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_archive_is_just_an_eocd() {
        let z = ZipBuilder::new().build();
        assert_eq!(z.len(), 22);
        assert_eq!(&z[..4], b"PK\x05\x06");
    }

    #[test]
    fn signing_block_sizes_agree() {
        let b = signing_block(&[(V2_BLOCK_ID, b"abc")]);
        let size = u64::from_le_bytes(b[..8].try_into().unwrap());
        assert_eq!(size + 8, b.len() as u64);
        assert_eq!(&b[b.len() - 16..], APK_SIG_BLOCK_MAGIC);
    }
}
