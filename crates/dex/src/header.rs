//! The fixed dex header (`header_item`, dex-format `header_item`).

use crate::read::u32_at;
use crate::{Error, Result};

/// Size of the 035–040 header; also the minimum this crate accepts.
pub(crate) const HEADER_SIZE: usize = 0x70;
/// Size of the version 041 header (adds `container_size`, `header_offset`).
pub(crate) const HEADER_SIZE_V41: usize = 0x78;
/// `endian_tag` of a little-endian dex.
pub(crate) const ENDIAN_CONSTANT: u32 = 0x1234_5678;
/// `endian_tag` of a byte-swapped dex (never shipped by Android).
pub(crate) const REVERSE_ENDIAN_CONSTANT: u32 = 0x7856_3412;
/// First four bytes of every dex.
pub(crate) const DEX_MAGIC_PREFIX: &[u8; 4] = b"dex\n";
/// Versions this crate knows the layout of (dex-format `DEX_FILE_MAGIC`).
pub(crate) const KNOWN_VERSIONS: [u32; 6] = [35, 36, 37, 38, 39, 40];
/// Version with the multi-dex container header.
pub(crate) const VERSION_CONTAINER: u32 = 41;

/// The dex header, decoded.
///
/// Offsets and sizes are as written in the file; the [`Dex`](crate::Dex)
/// view checks them against the real buffer before use.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // field names are the dex-format header_item names
pub struct Header {
    /// The 8 magic bytes, e.g. `dex\n035\0`.
    pub magic: [u8; 8],
    /// Version from the magic's three digits (35 for `035`), 0 when they are
    /// not digits.
    pub version: u32,
    /// Adler-32 of bytes `12..file_size`.
    pub checksum: u32,
    /// SHA-1 of bytes `32..file_size`.
    pub signature: [u8; 20],
    pub file_size: u32,
    pub header_size: u32,
    pub endian_tag: u32,
    pub link_size: u32,
    pub link_off: u32,
    pub map_off: u32,
    pub string_ids_size: u32,
    pub string_ids_off: u32,
    pub type_ids_size: u32,
    pub type_ids_off: u32,
    pub proto_ids_size: u32,
    pub proto_ids_off: u32,
    pub field_ids_size: u32,
    pub field_ids_off: u32,
    pub method_ids_size: u32,
    pub method_ids_off: u32,
    pub class_defs_size: u32,
    pub class_defs_off: u32,
    pub data_size: u32,
    pub data_off: u32,
    /// Version 041 only: size of the whole container.
    pub container_size: Option<u32>,
    /// Version 041 only: offset of this header in the container.
    pub header_offset: Option<u32>,
}

impl Header {
    /// Decodes the header at the start of `data`.
    pub(crate) fn read(data: &[u8]) -> Result<Self> {
        let head = data.first_chunk::<HEADER_SIZE>().ok_or(Error::TooShort {
            len: data.len(),
            need: HEADER_SIZE,
        })?;
        let magic: [u8; 8] = *head
            .first_chunk::<8>()
            .ok_or(Error::Internal("header magic"))?;
        if !magic.starts_with(DEX_MAGIC_PREFIX) {
            return Err(Error::BadMagic { found: magic });
        }
        let version = match magic {
            [_, _, _, _, a, b, c, 0] if [a, b, c].iter().all(u8::is_ascii_digit) => {
                std::str::from_utf8(&[a, b, c])
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0)
            }
            _ => 0,
        };
        let r = |off: usize| u32_at(head, off).ok_or(Error::Internal("header field"));
        let endian_tag = r(40)?;
        if endian_tag == REVERSE_ENDIAN_CONSTANT {
            return Err(Error::BigEndian { tag: endian_tag });
        }
        let mut signature = [0u8; 20];
        signature.copy_from_slice(
            head.get(12..32)
                .ok_or(Error::Internal("header signature"))?,
        );
        let header_size = r(36)?;
        let (container_size, header_offset) =
            if version >= VERSION_CONTAINER && crate::read::us(header_size) >= HEADER_SIZE_V41 {
                (u32_at(data, 0x70), u32_at(data, 0x74))
            } else {
                (None, None)
            };
        Ok(Self {
            magic,
            version,
            checksum: r(8)?,
            signature,
            file_size: r(32)?,
            header_size,
            endian_tag,
            link_size: r(44)?,
            link_off: r(48)?,
            map_off: r(52)?,
            string_ids_size: r(56)?,
            string_ids_off: r(60)?,
            type_ids_size: r(64)?,
            type_ids_off: r(68)?,
            proto_ids_size: r(72)?,
            proto_ids_off: r(76)?,
            field_ids_size: r(80)?,
            field_ids_off: r(84)?,
            method_ids_size: r(88)?,
            method_ids_off: r(92)?,
            class_defs_size: r(96)?,
            class_defs_off: r(100)?,
            data_size: r(104)?,
            data_off: r(108)?,
            container_size,
            header_offset,
        })
    }
}
