//! Facts about Android native libraries (ELF `.so` files): ABI, dependencies, JNI exports,
//! risky imports, hardening and strings of interest.
//!
//! # Overview
//!
//! [`parse`] takes the bytes of one ELF file and returns [`ElfFacts`]:
//!
//! - the ELF header as read by this crate itself ([`ElfClass`], [`Endianness`], machine,
//!   [`ElfType`]) and the [`AndroidAbi`] the machine implies (`arm64-v8a`, `armeabi-v7a` …);
//! - from the dynamic section (through [`goblin`], in permissive mode): `DT_SONAME`,
//!   `DT_NEEDED`, the exported dynamic symbols (count plus the interesting ones), the JNI
//!   exports decoded back to Java class and method ([`decode_jni_name`]), `JNI_OnLoad` /
//!   `JNI_OnUnload`, and imports from [`IMPORTS_OF_INTEREST`];
//! - [`Hardening`]: NX, PIE, RELRO (partial / full), stack protector, FORTIFY, stripped;
//! - [`InterestingStrings`] (URLs, hosts, IPv4, device paths) from `.rodata`/`.data`, or from
//!   the whole file when there are no usable section headers.
//!
//! Oddities never make the parse fail; they are reported as [`Anomaly`] values with a stable
//! code from [`codes`]. An [`Error`] is returned only when the input is not an ELF file at all
//! (no magic, truncated header, unknown class or byte order).
//!
//! goblin has had fuzz-found panics on hostile input. This crate checks the header tables
//! against the real buffer length before calling it, and, as a last resort, runs the goblin
//! call inside [`std::panic::catch_unwind`]: a goblin panic then becomes the
//! [`codes::GOBLIN_PANICKED`] anomaly (the header facts and strings are still returned). Note
//! that the process-wide panic hook still runs (it prints to stderr by default, and fuzzers
//! abort there on purpose so that such inputs are found).
//!
//! # Example
//!
//! ```
//! # fn demo(bytes: &[u8]) -> apkscope_native::Result<()> {
//! let facts = apkscope_native::parse(bytes)?;
//! println!("{} needs {:?}", facts.abi.as_str(), facts.needed);
//! for jni in &facts.jni_exports {
//!     println!("native {}.{}", jni.class, jni.method);
//! }
//! if !facts.hardening.stack_protector {
//!     println!("built without -fstack-protector");
//! }
//! # Ok(()) }
//! ```
#![warn(clippy::arithmetic_side_effects)]

mod jni;
mod strings;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

use goblin::elf::dynamic::{DF_1_NOW, DF_BIND_NOW, DT_BIND_NOW, DT_FLAGS, DT_FLAGS_1};
use goblin::elf::program_header::{PF_X, PT_GNU_RELRO, PT_GNU_STACK};
use goblin::elf::section_header::{SHT_NOBITS, SHT_PROGBITS, SHT_SYMTAB};
use goblin::elf::sym::{STB_GLOBAL, STB_GNU_UNIQUE, STB_WEAK};
use goblin::elf::{Elf, SectionHeader};
use goblin::options::ParseOptions;

pub use jni::{JNI_PREFIX, JniMethod, MAX_JNI_SYMBOL_LEN, decode_jni_name};
pub use strings::{
    HOST_TLDS, InterestingStrings, MAX_REPORTED_PER_KIND, MAX_STRING_LEN, MAX_STRINGS_SCANNED,
    MIN_STRING_LEN, PATH_PREFIXES, URL_SCHEMES,
};

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Why nothing usable could be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input does not start with `\x7fELF`.
    #[error("not an ELF file (magic {found:02x?})")]
    NotElf {
        /// The first bytes found (up to four).
        found: Vec<u8>,
    },
    /// The input ends inside the ELF header.
    #[error("truncated ELF header: {len} bytes, need {needed}")]
    TruncatedHeader {
        /// Input length.
        len: usize,
        /// Header size for this class.
        needed: usize,
    },
    /// `e_ident[EI_CLASS]` is neither 1 (32-bit) nor 2 (64-bit).
    #[error("unknown ELF class {class} at offset 4")]
    UnknownClass {
        /// The byte found.
        class: u8,
    },
    /// `e_ident[EI_DATA]` is neither 1 (little endian) nor 2 (big endian).
    #[error("unknown ELF byte order {data} at offset 5")]
    UnknownByteOrder {
        /// The byte found.
        data: u8,
    },
    /// goblin panicked while parsing. Not returned by [`parse`] (which reports the
    /// [`codes::GOBLIN_PANICKED`] anomaly and keeps the header facts); kept for callers that
    /// want to turn that anomaly into an error.
    #[error("the ELF parser panicked: {detail}")]
    ParserPanicked {
        /// The panic message, when it was a string.
        detail: String,
    },
}

/// Stable anomaly codes.
pub mod codes {
    /// The file has no section headers (`e_shoff` or `e_shnum` is 0): stripped with
    /// `sstrip`-like tools or packed. Strings are then scanned over the whole file.
    pub const NO_SECTION_HEADERS: &str = "no_section_headers";
    /// The section header table lies (partly) outside the file; sections are ignored.
    pub const SECTION_HEADERS_OUT_OF_BOUNDS: &str = "section_headers_out_of_bounds";
    /// The program header table lies (partly) outside the file.
    pub const PROGRAM_HEADERS_OUT_OF_BOUNDS: &str = "program_headers_out_of_bounds";
    /// `e_phentsize` or `e_shentsize` differs from the size the class implies.
    pub const ODD_ENTRY_SIZE: &str = "odd_entry_size";
    /// A segment's file range (`p_offset + p_filesz`) runs past the end of the file.
    pub const SEGMENT_TRUNCATED: &str = "segment_truncated";
    /// A section's file range (`sh_offset + sh_size`) runs past the end of the file.
    pub const SECTION_TRUNCATED: &str = "section_truncated";
    /// goblin returned an error; the facts it would have given (dynamic section, symbols,
    /// sections) are missing. The detail holds goblin's message.
    pub const GOBLIN_ERROR: &str = "goblin_error";
    /// goblin panicked (caught); as for [`GOBLIN_ERROR`].
    pub const GOBLIN_PANICKED: &str = "goblin_panicked";
    /// The machine does not fit the class (for example `EM_AARCH64` in a 32-bit file).
    pub const MACHINE_CLASS_MISMATCH: &str = "machine_class_mismatch";
    /// The file is not a shared object (`ET_DYN`), unusual for an APK's `lib/` entry.
    pub const NOT_SHARED_OBJECT: &str = "not_shared_object";
    /// A shared object without a dynamic section.
    pub const NO_DYNAMIC_SECTION: &str = "no_dynamic_section";
    /// More dynamic symbols than [`MAX_DYNAMIC_SYMBOLS`](crate::MAX_DYNAMIC_SYMBOLS): the rest
    /// were not examined.
    pub const TOO_MANY_SYMBOLS: &str = "too_many_symbols";
    /// A `Java_` export that does not decode as a JNI name.
    pub const BAD_JNI_NAME: &str = "bad_jni_name";
}

/// Most dynamic symbols examined.
pub const MAX_DYNAMIC_SYMBOLS: usize = 500_000;
/// Most `DT_NEEDED` entries reported.
pub const MAX_NEEDED: usize = 1024;
/// Most JNI exports reported.
pub const MAX_JNI_EXPORTS: usize = 10_000;
/// Most anomalies kept (the rest are counted in the last one's detail).
pub const MAX_ANOMALIES: usize = 256;
/// Most section headers examined for strings and truncation.
pub const MAX_SECTIONS: usize = 4096;

/// Imported functions worth reporting (exact names). Prefix families are in
/// [`IMPORT_PREFIXES_OF_INTEREST`].
pub const IMPORTS_OF_INTEREST: &[&str] = &[
    // dynamic code loading
    "dlopen",
    "android_dlopen_ext",
    "dlsym",
    "dladdr",
    // anti-debugging, process control
    "ptrace",
    "fork",
    "vfork",
    "clone",
    "kill",
    "execve",
    "execl",
    "execle",
    "execlp",
    "execv",
    "execvp",
    "execvpe",
    "system",
    "popen",
    // network
    "socket",
    "connect",
    "bind",
    "listen",
    "accept",
    "send",
    "sendto",
    "sendmsg",
    "recv",
    "recvfrom",
    "getaddrinfo",
    "gethostbyname",
    "getifaddrs",
    "if_nameindex",
    "ioctl",
    // device identity and properties
    "__system_property_get",
    "__system_property_find",
    "__system_property_read",
    "__system_property_read_callback",
    "uname",
    "getuid",
    // file access (e.g. /proc, /sys probing)
    "open",
    "openat",
    "fopen",
    "access",
    "stat",
    "readlink",
    "opendir",
    // memory tricks
    "mprotect",
    "mmap",
];

/// Prefixes of imported-function families worth reporting (`SSL_*`, `inotify_*` …).
pub const IMPORT_PREFIXES_OF_INTEREST: &[&str] = &[
    "SSL_",
    "EVP_",
    "inotify_",
    "AES_",
    "RSA_",
    "curl_",
    "JNI_Get",
    "ANativeActivity_",
    "__openat",
    "__open_2",
];

/// ELF class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElfClass {
    /// `ELFCLASS32`.
    Elf32,
    /// `ELFCLASS64`.
    Elf64,
}

/// Byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endianness {
    /// `ELFDATA2LSB`.
    Little,
    /// `ELFDATA2MSB`.
    Big,
}

/// `e_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElfType {
    /// `ET_NONE`.
    None,
    /// `ET_REL` (object file).
    Relocatable,
    /// `ET_EXEC`.
    Executable,
    /// `ET_DYN` (shared object or PIE).
    SharedObject,
    /// `ET_CORE`.
    Core,
    /// Anything else.
    Other(u16),
}

/// The Android ABI (the `lib/<abi>/` folder name) a machine implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AndroidAbi {
    /// `EM_AARCH64`.
    Arm64V8a,
    /// `EM_ARM` (also what the legacy `armeabi` folder holds).
    ArmeabiV7a,
    /// `EM_386`.
    X86,
    /// `EM_X86_64`.
    X86_64,
    /// `EM_RISCV`, 64-bit.
    Riscv64,
    /// `EM_MIPS`, 32-bit (ABI removed in NDK r17).
    Mips,
    /// `EM_MIPS`, 64-bit (ABI removed in NDK r17).
    Mips64,
    /// No Android ABI.
    Other,
}

impl AndroidAbi {
    /// The `lib/<abi>/` folder name (`"other"` for [`AndroidAbi::Other`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Arm64V8a => "arm64-v8a",
            Self::ArmeabiV7a => "armeabi-v7a",
            Self::X86 => "x86",
            Self::X86_64 => "x86_64",
            Self::Riscv64 => "riscv64",
            Self::Mips => "mips",
            Self::Mips64 => "mips64",
            Self::Other => "other",
        }
    }

    /// Whether a `lib/<folder>/` name fits this ABI (`armeabi` counts for ARM).
    pub fn matches_folder(self, folder: &str) -> bool {
        folder == self.as_str() || (self == Self::ArmeabiV7a && folder == "armeabi")
    }
}

/// RELRO level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relro {
    /// No `PT_GNU_RELRO`.
    None,
    /// `PT_GNU_RELRO` without immediate binding.
    Partial,
    /// `PT_GNU_RELRO` plus `DT_BIND_NOW` / `DF_BIND_NOW` / `DF_1_NOW`.
    Full,
}

/// Compiler and linker hardening.
// One flag per checksec column: an enum-of-bits would read worse at every call site.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hardening {
    /// Non-executable stack: `PT_GNU_STACK` present and without `PF_X`.
    pub nx: bool,
    /// Position independent: `ET_DYN`.
    pub pie: bool,
    /// RELRO level.
    pub relro: Relro,
    /// Imports `__stack_chk_fail`.
    pub stack_protector: bool,
    /// Imports at least one `__*_chk` FORTIFY function.
    pub fortify: bool,
    /// Number of distinct `__*_chk` imports (excluding `__stack_chk_fail`).
    pub fortified_functions: usize,
    /// No `.symtab` section (also true when section headers are missing).
    pub stripped: bool,
}

/// Something odd about the file; the parse went on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Stable code from [`codes`].
    pub code: &'static str,
    /// File offset the anomaly refers to, when there is one.
    pub offset: Option<u64>,
    /// Human-readable detail.
    pub detail: String,
}

/// Everything this crate reads from one ELF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfFacts {
    /// 32 or 64 bit.
    pub class: ElfClass,
    /// Byte order.
    pub endianness: Endianness,
    /// `e_machine`.
    pub machine: u16,
    /// A short name for `e_machine` (`"aarch64"`, `"arm"`, `"x86"`, `"x86_64"`, `"riscv"`,
    /// `"mips"`, or `"unknown"`).
    pub machine_name: &'static str,
    /// The Android ABI implied by machine and class.
    pub abi: AndroidAbi,
    /// `e_type`.
    pub elf_type: ElfType,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `DT_NEEDED`, in file order (capped at [`MAX_NEEDED`]).
    pub needed: Vec<String>,
    /// Defined global/weak dynamic symbols.
    pub exported_symbol_count: usize,
    /// Exports of interest: `JNI_OnLoad`, `JNI_OnUnload`, `Java_*`, `ANativeActivity_onCreate`,
    /// `android_main` (sorted, deduplicated, capped at [`MAX_JNI_EXPORTS`]).
    pub exports_of_interest: Vec<String>,
    /// `Java_*` exports decoded to class and method, sorted by symbol.
    pub jni_exports: Vec<JniMethod>,
    /// Exports `JNI_OnLoad`.
    pub has_jni_onload: bool,
    /// Exports `JNI_OnUnload`.
    pub has_jni_onunload: bool,
    /// Undefined (imported) named dynamic symbols.
    pub imported_symbol_count: usize,
    /// Imports from [`IMPORTS_OF_INTEREST`] / [`IMPORT_PREFIXES_OF_INTEREST`], sorted.
    pub imports_of_interest: Vec<String>,
    /// Hardening flags.
    pub hardening: Hardening,
    /// URLs, hosts, IPv4 and paths found in data sections.
    pub strings: InterestingStrings,
    /// Oddities, in discovery order (capped at [`MAX_ANOMALIES`]).
    pub anomalies: Vec<Anomaly>,
}

const ELF_MAGIC: &[u8; 4] = b"\x7fELF";
const EI_CLASS: usize = 4;
const EI_DATA: usize = 5;
const ELFCLASS32: u8 = 1;
const ELFCLASS64: u8 = 2;
const ELFDATA2LSB: u8 = 1;
const ELFDATA2MSB: u8 = 2;
const EHDR32_SIZE: usize = 52;
const EHDR64_SIZE: usize = 64;
const PHDR32_SIZE: u64 = 32;
const PHDR64_SIZE: u64 = 56;
const SHDR32_SIZE: u64 = 40;
const SHDR64_SIZE: u64 = 64;
const EM_386: u16 = 3;
const EM_MIPS: u16 = 8;
const EM_ARM: u16 = 40;
const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;
const EM_RISCV: u16 = 243;
const SHN_UNDEF: usize = 0;
/// Data sections whose strings are scanned.
const STRING_SECTIONS: &[&str] = &[".rodata", ".data", ".data.rel.ro", ".rodata.str1.1"];

/// The header fields this crate reads itself (so they survive a goblin failure).
struct RawHeader {
    class: ElfClass,
    endianness: Endianness,
    e_type: u16,
    machine: u16,
    phoff: u64,
    phentsize: u16,
    phnum: u16,
    shoff: u64,
    shentsize: u16,
    shnum: u16,
}

fn read_u16(data: &[u8], off: usize, le: bool) -> u16 {
    let b: [u8; 2] = data
        .get(off..)
        .and_then(|s| s.get(..2))
        .and_then(|s| s.try_into().ok())
        .unwrap_or_default();
    if le {
        u16::from_le_bytes(b)
    } else {
        u16::from_be_bytes(b)
    }
}

fn read_u32(data: &[u8], off: usize, le: bool) -> u32 {
    let b: [u8; 4] = data
        .get(off..)
        .and_then(|s| s.get(..4))
        .and_then(|s| s.try_into().ok())
        .unwrap_or_default();
    if le {
        u32::from_le_bytes(b)
    } else {
        u32::from_be_bytes(b)
    }
}

fn read_u64(data: &[u8], off: usize, le: bool) -> u64 {
    let b: [u8; 8] = data
        .get(off..)
        .and_then(|s| s.get(..8))
        .and_then(|s| s.try_into().ok())
        .unwrap_or_default();
    if le {
        u64::from_le_bytes(b)
    } else {
        u64::from_be_bytes(b)
    }
}

fn read_header(data: &[u8]) -> Result<RawHeader> {
    let magic = data.get(..4).unwrap_or(data);
    if magic != ELF_MAGIC {
        return Err(Error::NotElf {
            found: magic.to_vec(),
        });
    }
    let class = match data.get(EI_CLASS).copied() {
        Some(ELFCLASS32) => ElfClass::Elf32,
        Some(ELFCLASS64) => ElfClass::Elf64,
        Some(class) => return Err(Error::UnknownClass { class }),
        None => {
            return Err(Error::TruncatedHeader {
                len: data.len(),
                needed: EHDR32_SIZE,
            });
        }
    };
    let endianness = match data.get(EI_DATA).copied() {
        Some(ELFDATA2LSB) => Endianness::Little,
        Some(ELFDATA2MSB) => Endianness::Big,
        Some(d) => return Err(Error::UnknownByteOrder { data: d }),
        None => {
            return Err(Error::TruncatedHeader {
                len: data.len(),
                needed: EHDR32_SIZE,
            });
        }
    };
    let needed = if class == ElfClass::Elf32 {
        EHDR32_SIZE
    } else {
        EHDR64_SIZE
    };
    if data.len() < needed {
        return Err(Error::TruncatedHeader {
            len: data.len(),
            needed,
        });
    }
    let le = endianness == Endianness::Little;
    let e_type = read_u16(data, 16, le);
    let machine = read_u16(data, 18, le);
    Ok(match class {
        ElfClass::Elf32 => RawHeader {
            class,
            endianness,
            e_type,
            machine,
            phoff: u64::from(read_u32(data, 28, le)),
            shoff: u64::from(read_u32(data, 32, le)),
            phentsize: read_u16(data, 42, le),
            phnum: read_u16(data, 44, le),
            shentsize: read_u16(data, 46, le),
            shnum: read_u16(data, 48, le),
        },
        ElfClass::Elf64 => RawHeader {
            class,
            endianness,
            e_type,
            machine,
            phoff: read_u64(data, 32, le),
            shoff: read_u64(data, 40, le),
            phentsize: read_u16(data, 54, le),
            phnum: read_u16(data, 56, le),
            shentsize: read_u16(data, 58, le),
            shnum: read_u16(data, 60, le),
        },
    })
}

/// Whether `off + count * size` fits in `len`, without overflow.
fn table_fits(off: u64, count: u16, size: u64, len: usize) -> bool {
    let Some(bytes) = u64::from(count).checked_mul(size) else {
        return false;
    };
    let Some(end) = off.checked_add(bytes) else {
        return false;
    };
    u64::try_from(len).is_ok_and(|len| end <= len)
}

fn machine_info(machine: u16, class: ElfClass) -> (&'static str, AndroidAbi) {
    let is64 = class == ElfClass::Elf64;
    match machine {
        EM_AARCH64 => ("aarch64", AndroidAbi::Arm64V8a),
        EM_ARM => ("arm", AndroidAbi::ArmeabiV7a),
        EM_386 => ("x86", AndroidAbi::X86),
        EM_X86_64 => ("x86_64", AndroidAbi::X86_64),
        EM_RISCV if is64 => ("riscv", AndroidAbi::Riscv64),
        EM_RISCV => ("riscv", AndroidAbi::Other),
        EM_MIPS if is64 => ("mips", AndroidAbi::Mips64),
        EM_MIPS => ("mips", AndroidAbi::Mips),
        _ => ("unknown", AndroidAbi::Other),
    }
}

fn elf_type(e_type: u16) -> ElfType {
    match e_type {
        0 => ElfType::None,
        1 => ElfType::Relocatable,
        2 => ElfType::Executable,
        3 => ElfType::SharedObject,
        4 => ElfType::Core,
        other => ElfType::Other(other),
    }
}

struct Anomalies(Vec<Anomaly>, usize);

impl Anomalies {
    fn push(&mut self, code: &'static str, offset: Option<u64>, detail: impl Into<String>) {
        if self.0.len() < MAX_ANOMALIES {
            self.0.push(Anomaly {
                code,
                offset,
                detail: detail.into(),
            });
        } else {
            self.1 = self.1.saturating_add(1);
        }
    }

    fn finish(mut self) -> Vec<Anomaly> {
        if self.1 > 0
            && let Some(last) = self.0.last_mut()
        {
            let _ = write!(last.detail, " (+{} more anomalies dropped)", self.1);
        }
        self.0
    }
}

fn is_import_of_interest(name: &str) -> bool {
    IMPORTS_OF_INTEREST.contains(&name)
        || IMPORT_PREFIXES_OF_INTEREST
            .iter()
            .any(|p| name.starts_with(p))
}

fn is_export_of_interest(name: &str) -> bool {
    name.starts_with(JNI_PREFIX)
        || matches!(
            name,
            "JNI_OnLoad" | "JNI_OnUnload" | "ANativeActivity_onCreate" | "android_main"
        )
}

/// `__memcpy_chk`-style FORTIFY wrappers (`__stack_chk_fail` and `__stack_chk_guard` excluded).
fn is_fortify(name: &str) -> bool {
    name.starts_with("__") && name.ends_with("_chk") && name != "__stack_chk_fail"
        || name.starts_with("__") && name.contains("_chk_") && !name.starts_with("__stack_chk")
}

/// Parses one ELF file. Never panics; see the crate docs.
// A linear run of header checks, each adding an anomaly: splitting it would only thread state.
#[allow(clippy::too_many_lines)]
pub fn parse(data: &[u8]) -> Result<ElfFacts> {
    let raw = read_header(data)?;
    let mut anomalies = Anomalies(Vec::new(), 0);
    let (machine_name, abi) = machine_info(raw.machine, raw.class);
    let mismatch = match raw.machine {
        EM_AARCH64 | EM_X86_64 => raw.class != ElfClass::Elf64,
        EM_ARM | EM_386 => raw.class != ElfClass::Elf32,
        _ => false,
    };
    if mismatch {
        anomalies.push(
            codes::MACHINE_CLASS_MISMATCH,
            Some(18),
            format!("machine {machine_name} in a {:?} file", raw.class),
        );
    }
    let elf_type = elf_type(raw.e_type);
    if elf_type != ElfType::SharedObject {
        anomalies.push(
            codes::NOT_SHARED_OBJECT,
            Some(16),
            format!("e_type is {elf_type:?}"),
        );
    }
    let (phsize, shsize) = match raw.class {
        ElfClass::Elf32 => (PHDR32_SIZE, SHDR32_SIZE),
        ElfClass::Elf64 => (PHDR64_SIZE, SHDR64_SIZE),
    };
    if raw.phnum > 0 && u64::from(raw.phentsize) != phsize {
        anomalies.push(
            codes::ODD_ENTRY_SIZE,
            None,
            format!("e_phentsize {} (expected {phsize})", raw.phentsize),
        );
    }
    if raw.shnum > 0 && u64::from(raw.shentsize) != shsize {
        anomalies.push(
            codes::ODD_ENTRY_SIZE,
            None,
            format!("e_shentsize {} (expected {shsize})", raw.shentsize),
        );
    }
    let phdrs_ok = table_fits(raw.phoff, raw.phnum, phsize, data.len());
    if !phdrs_ok {
        anomalies.push(
            codes::PROGRAM_HEADERS_OUT_OF_BOUNDS,
            Some(raw.phoff),
            format!(
                "{} program headers at {:#x} past end {:#x}",
                raw.phnum,
                raw.phoff,
                data.len()
            ),
        );
    }
    let has_shdrs = raw.shoff != 0 && raw.shnum != 0;
    let shdrs_ok = has_shdrs && table_fits(raw.shoff, raw.shnum, shsize, data.len());
    if !has_shdrs {
        anomalies.push(
            codes::NO_SECTION_HEADERS,
            None,
            format!("e_shoff {:#x}, e_shnum {}", raw.shoff, raw.shnum),
        );
    } else if !shdrs_ok {
        anomalies.push(
            codes::SECTION_HEADERS_OUT_OF_BOUNDS,
            Some(raw.shoff),
            format!(
                "{} section headers at {:#x} past end {:#x}",
                raw.shnum,
                raw.shoff,
                data.len()
            ),
        );
    }

    let mut facts = ElfFacts {
        class: raw.class,
        endianness: raw.endianness,
        machine: raw.machine,
        machine_name,
        abi,
        elf_type,
        soname: None,
        needed: Vec::new(),
        exported_symbol_count: 0,
        exports_of_interest: Vec::new(),
        jni_exports: Vec::new(),
        has_jni_onload: false,
        has_jni_onunload: false,
        imported_symbol_count: 0,
        imports_of_interest: Vec::new(),
        hardening: Hardening {
            nx: false,
            pie: elf_type == ElfType::SharedObject,
            relro: Relro::None,
            stack_protector: false,
            fortify: false,
            fortified_functions: 0,
            stripped: true,
        },
        strings: InterestingStrings::default(),
        anomalies: Vec::new(),
    };

    let mut collector = strings::Collector::default();
    let mut scanned_sections = false;
    if phdrs_ok {
        // Permissive mode: a broken section header table, dynamic string table or hash
        // table is defaulted to empty instead of failing the whole parse (our own bounds
        // checks above already reported it). The catch_unwind is the last resort against
        // goblin panics (see the crate docs); the closure only reads `data`, so no state
        // can be observed half-updated after an unwind.
        let opts = ParseOptions::permissive();
        let parsed = catch_unwind(AssertUnwindSafe(|| Elf::parse_with_opts(data, &opts)));
        match parsed {
            Ok(Ok(elf)) => {
                scanned_sections = read_goblin(
                    data,
                    &elf,
                    shdrs_ok,
                    &mut facts,
                    &mut anomalies,
                    &mut collector,
                );
            }
            Ok(Err(e)) => anomalies.push(codes::GOBLIN_ERROR, None, e.to_string()),
            Err(payload) => {
                let detail = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                anomalies.push(codes::GOBLIN_PANICKED, None, detail);
            }
        }
    }
    if !scanned_sections {
        collector.scan(data);
    }
    facts.strings = collector.finish();
    facts.anomalies = anomalies.finish();
    Ok(facts)
}

/// Fills `facts` from goblin's view. Returns whether string sections were scanned.
// Program headers, dynamic section, symbols, sections: one pass each, in file order.
#[allow(clippy::too_many_lines)]
fn read_goblin(
    data: &[u8],
    elf: &Elf<'_>,
    shdrs_ok: bool,
    facts: &mut ElfFacts,
    anomalies: &mut Anomalies,
    collector: &mut strings::Collector,
) -> bool {
    let file_len = u64::try_from(data.len()).unwrap_or(u64::MAX);
    // Program headers: hardening and truncation.
    let mut relro = false;
    for ph in &elf.program_headers {
        if ph.p_type == PT_GNU_STACK {
            facts.hardening.nx = ph.p_flags & PF_X == 0;
        } else if ph.p_type == PT_GNU_RELRO {
            relro = true;
        }
        if ph.p_filesz > 0
            && ph
                .p_offset
                .checked_add(ph.p_filesz)
                .is_none_or(|end| end > file_len)
        {
            anomalies.push(
                codes::SEGMENT_TRUNCATED,
                Some(ph.p_offset),
                format!(
                    "segment type {:#x} size {:#x} runs past end {file_len:#x}",
                    ph.p_type, ph.p_filesz
                ),
            );
        }
    }

    // Dynamic section.
    let mut bind_now = false;
    if let Some(dynamic) = &elf.dynamic {
        for d in &dynamic.dyns {
            bind_now |= d.d_tag == DT_BIND_NOW
                || d.d_tag == DT_FLAGS && d.d_val & DF_BIND_NOW != 0
                || d.d_tag == DT_FLAGS_1 && d.d_val & DF_1_NOW != 0;
        }
    } else if facts.elf_type == ElfType::SharedObject {
        anomalies.push(codes::NO_DYNAMIC_SECTION, None, "ET_DYN without PT_DYNAMIC");
    }
    facts.hardening.relro = match (relro, bind_now) {
        (false, _) => Relro::None,
        (true, false) => Relro::Partial,
        (true, true) => Relro::Full,
    };
    facts.soname = elf.soname.map(str::to_owned);
    facts.needed = elf
        .libraries
        .iter()
        .take(MAX_NEEDED)
        .map(|s| (*s).to_owned())
        .collect();

    // Dynamic symbols.
    let mut exports = BTreeSet::new();
    let mut imports = BTreeSet::new();
    let mut fortified = BTreeSet::new();
    let mut jni = Vec::new();
    if elf.dynsyms.len() > MAX_DYNAMIC_SYMBOLS {
        anomalies.push(
            codes::TOO_MANY_SYMBOLS,
            None,
            format!(
                "{} dynamic symbols, examined {MAX_DYNAMIC_SYMBOLS}",
                elf.dynsyms.len()
            ),
        );
    }
    for sym in elf.dynsyms.iter().take(MAX_DYNAMIC_SYMBOLS) {
        let Some(name) = elf.dynstrtab.get_at(sym.st_name) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let bind = sym.st_bind();
        if sym.st_shndx == SHN_UNDEF {
            facts.imported_symbol_count = facts.imported_symbol_count.saturating_add(1);
            if name == "__stack_chk_fail" {
                facts.hardening.stack_protector = true;
            }
            if is_fortify(name) {
                fortified.insert(name);
            }
            if is_import_of_interest(name) {
                imports.insert(name.to_owned());
            }
        } else if matches!(bind, STB_GLOBAL | STB_WEAK | STB_GNU_UNIQUE) {
            facts.exported_symbol_count = facts.exported_symbol_count.saturating_add(1);
            if name == "JNI_OnLoad" {
                facts.has_jni_onload = true;
            } else if name == "JNI_OnUnload" {
                facts.has_jni_onunload = true;
            }
            if is_export_of_interest(name) && exports.len() < MAX_JNI_EXPORTS {
                exports.insert(name.to_owned());
            }
        }
    }
    for name in &exports {
        if name.starts_with(JNI_PREFIX) {
            match decode_jni_name(name) {
                Some(m) => jni.push(m),
                None => anomalies.push(codes::BAD_JNI_NAME, None, name.clone()),
            }
        }
    }
    facts.exports_of_interest = exports.into_iter().collect();
    facts.jni_exports = jni;
    facts.imports_of_interest = imports.into_iter().collect();
    facts.hardening.fortified_functions = fortified.len();
    facts.hardening.fortify = !fortified.is_empty();

    // Sections: stripped, truncation, strings.
    if !shdrs_ok {
        return false;
    }
    let mut scanned = false;
    let mut has_symtab = false;
    for sh in elf.section_headers.iter().take(MAX_SECTIONS) {
        has_symtab |= sh.sh_type == SHT_SYMTAB;
        let range = section_range(sh, data.len());
        if sh.sh_type != SHT_NOBITS && sh.sh_size > 0 && range.is_none() {
            anomalies.push(
                codes::SECTION_TRUNCATED,
                Some(sh.sh_offset),
                format!(
                    "section {} size {:#x} runs past end {file_len:#x}",
                    elf.shdr_strtab.get_at(sh.sh_name).unwrap_or("?"),
                    sh.sh_size
                ),
            );
        }
        let name = elf.shdr_strtab.get_at(sh.sh_name).unwrap_or_default();
        let is_string_section = sh.sh_type == SHT_PROGBITS
            && (STRING_SECTIONS.contains(&name) || name.starts_with(".rodata"));
        if is_string_section && let Some(bytes) = range.and_then(|r| data.get(r)) {
            collector.scan(bytes);
            scanned = true;
        }
    }
    facts.hardening.stripped = !has_symtab;
    scanned
}

fn section_range(sh: &SectionHeader, len: usize) -> Option<std::ops::Range<usize>> {
    let start = usize::try_from(sh.sh_offset).ok()?;
    let end = start.checked_add(usize::try_from(sh.sh_size).ok()?)?;
    (end <= len).then_some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors() {
        assert_eq!(parse(b""), Err(Error::NotElf { found: vec![] }));
        assert_eq!(
            parse(b"PK\x03\x04"),
            Err(Error::NotElf {
                found: b"PK\x03\x04".to_vec()
            })
        );
        assert_eq!(
            parse(b"\x7fELF"),
            Err(Error::TruncatedHeader { len: 4, needed: 52 })
        );
        assert_eq!(
            parse(b"\x7fELF\x03\x01"),
            Err(Error::UnknownClass { class: 3 })
        );
        assert_eq!(
            parse(b"\x7fELF\x02\x07"),
            Err(Error::UnknownByteOrder { data: 7 })
        );
        assert_eq!(
            parse(&[0x7f, b'E', b'L', b'F', 2, 1, 0, 0]),
            Err(Error::TruncatedHeader { len: 8, needed: 64 })
        );
    }

    #[test]
    fn fortify_names() {
        assert!(is_fortify("__memcpy_chk"));
        assert!(is_fortify("__strlen_chk"));
        assert!(!is_fortify("__open_2"));
        assert!(!is_fortify("__stack_chk_fail"));
        assert!(!is_fortify("__stack_chk_guard"));
    }

    #[test]
    fn table_fit() {
        assert!(table_fits(64, 2, 56, 176));
        assert!(!table_fits(64, 2, 56, 175));
        assert!(!table_fits(u64::MAX, 1, 56, usize::MAX));
    }
}
