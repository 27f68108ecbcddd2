//! Rule files (TOML) turned into a validated, compiled rule pack for the apkscope engine.
//!
//! # Overview
//!
//! The rule format is documented in `rules/README.md` at the repository root: seven kinds of
//! tables (`[[permission]]`, `[[sdk]]`, `[[packer]]`, `[[api]]`, `[[secret]]`, `[[check]]`,
//! `[[test]]`), each entry with a
//! stable id and references. This crate
//!
//! 1. **loads** rule files into a [`Pack`]: typed entries ([`Permission`], [`Sdk`], [`Packer`],
//!    [`Api`], [`Secret`], [`Check`], [`RuleTest`]) that remember their file and the spans of their keys
//!    ([`Located`], [`Origin`]). A file that is not TOML or does not fit the format is an
//!    [`Error`] with file, line, column and field, or, with the lenient [`Pack::load`], one
//!    [`Diagnostic`] per bad entry;
//! 2. **validates** the pack ([`Pack::validate`]): unique ids, vocabularies, specific class
//!    prefixes, well-formed signatures, domains and library patterns, references and
//!    documentation present, tests naming real ids. Every problem is a [`Diagnostic`] with a
//!    stable code ([`codes`]), rendered like a compiler's;
//! 3. **compiles** it ([`Pack::compile`]) into a [`CompiledPack`]: an anchored
//!    leftmost-longest Aho-Corasick automaton for class prefixes, hash maps for exact
//!    signatures, suffix lookup for domains. It is built once, immutable and `Send + Sync`.
//!
//! Rule folders may come from anyone: reading one is bounded ([`Pack::read_dir`]: regular
//! files only, [`MAX_RULE_FILE_BYTES`] per file, [`MAX_PACK_BYTES`] in all), and loading and
//! validation take time linear in what was read and return at most [`MAX_DIAGNOSTICS`]
//! diagnostics each.
//!
//! The default pack (every `rules/**/*.toml` of the repository) is embedded at build time
//! ([`default_pack`]). `--rules DIR` merges a folder into it ([`Pack::merge`]: a reused id is
//! an error naming both files); `--rules-only DIR` uses [`Pack::from_dir`] alone.
//!
//! # Example
//!
//! ```
//! use apkscope_rules::Pack;
//!
//! let pack = Pack::from_sources(&[(
//!     "demo.toml",
//!     r#"
//! [[sdk]]
//! id = "jpush"
//! name = "JPush"
//! vendor = "Aurora Mobile (JPush)"
//! category = "push"
//! purpose = "Push notifications"
//! class_prefixes = ["cn.jpush."]
//! domains = ["jpush.cn"]
//! references = ["exodus-trackers.json#100"]
//! "#,
//! )])?;
//! let compiled = pack.compile()?;
//! let id = compiled.sdk_for_class("Lcn/jpush/android/api/JPushInterface;").unwrap();
//! assert_eq!(compiled.sdk(id).unwrap().name, "JPush");
//! assert_eq!(compiled.sdk_for_domain("api.jpush.cn"), Some(id));
//! assert_eq!(compiled.sdk_for_class("com.example.Main"), None);
//! # Ok::<(), apkscope_rules::Error>(())
//! ```

mod compile;
mod diag;
mod error;
pub mod message;
mod model;
mod pack;
mod validate;

pub use compile::{
    ApiId, ClassOwner, CompiledCheck, CompiledPack, DEFAULT_VERSION_PATTERN, LibraryId, PackerId,
    SdkId, SecretId, SecretPrefix, VersionLocation, VersionProbe,
};
pub use diag::{Diagnostic, Level, Location, MAX_DIAGNOSTICS, MAX_SNIPPET_BYTES, codes, render};
pub use error::{Error, Result};
pub use model::{
    Api, ApiKind, ApiPermission, ApiUser, Async, BehaviourApi, BehaviourRole, Category, Check,
    CheckKind, CheckParams, CheckText, ComponentKind, ConsentCondition, ConsentGate, Entry,
    EntryComponent, FlagValue, KEEP_ALIVE_MECHANISMS, Library, LibraryKind, Message,
    NetworkCondition, ObfuscationVerdict, Packer, PackerKind, Permission, PiClass, PiType,
    PiTypeInfo, Reference, RequestCondition, RuleTest, Sdk, Secret, SecretCharset, SecretKind,
    Severity, SigningCondition, Source, Special, StartDirection, Status, Tc260Group, Trigger,
    VersionSource, is_iso_day,
};
pub use pack::{
    Located, MAX_PACK_BYTES, MAX_RULE_FILE_BYTES, MAX_RULE_FILES, Origin, Pack, TABLE_KINDS,
};
pub use validate::GENERIC_PREFIXES;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/default_pack.rs"));
}

/// Prefix of the names the embedded files carry in diagnostics.
const DEFAULT_PACK_DIR: &str = "rules/";

/// The files of the default pack embedded at build time: `(path relative to rules/, text)`,
/// sorted by path.
pub fn default_sources() -> &'static [(&'static str, &'static str)] {
    embedded::DEFAULT_SOURCES
}

/// Loads the default pack embedded at build time (every `rules/**/*.toml` of the repository;
/// diagnostics name them `rules/<path>`). Not validated: call [`Pack::compile`].
pub fn default_pack() -> Result<Pack> {
    let files = default_sources()
        .iter()
        .map(|(rel, text)| {
            (
                format!("{DEFAULT_PACK_DIR}{rel}"),
                (*rel).to_owned(),
                std::borrow::Cow::Borrowed(*text),
            )
        })
        .collect();
    pack::strict(Pack::load_named(files))
}
