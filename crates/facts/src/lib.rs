//! The facts apkscope knows about one app: the schema every report and rule refers to.
//!
//! # Overview
//!
//! [`AppFacts`] is filled by the engine's collector from what the parsers found (container,
//! manifest, resources, code) and serialised as the scan report. Field names are part of the
//! report's stable interface (see `schema_version`): rename nothing without bumping
//! [`SCHEMA_VERSION`].
//!
//! This crate has no internal dependencies so that the rule compiler and the reports can use the
//! schema without depending on the parsers or the engine.
//!
//! # Example
//!
//! ```
//! use apkscope_facts::{AppFacts, InputFacts};
//!
//! let facts = AppFacts::new(InputFacts {
//!     path: "app.apk".into(),
//!     sha256: "00".repeat(32),
//!     size: 0,
//! });
//! assert!(facts.anomalies.is_empty());
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub mod code;
pub mod network;
mod schema;

pub use code::CodeIndex;
pub use network::NetworkFacts;
pub use schema::{failure_schema, report_schema};

/// Version of the report layout; bumped whenever a field is renamed or its meaning changes.
pub const SCHEMA_VERSION: &str = "0.5";

/// Everything known about one scanned app.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct AppFacts {
    /// Version of this layout ([`SCHEMA_VERSION`]).
    pub schema_version: String,
    /// The tool that produced the report.
    pub tool: ToolFacts,
    /// The scanned file.
    pub input: InputFacts,
    /// Identity of the app, as its manifest declares it.
    pub app: AppIdentity,
    /// Requested and declared permissions.
    pub permissions: PermissionFacts,
    /// The decoded manifest beyond identity and permissions.
    pub manifest: ManifestFacts,
    /// The zip container: entries, signing block.
    pub container: ContainerFacts,
    /// The dex files read, and code hidden elsewhere in the APK.
    pub code: CodeFacts,
    /// Native libraries (ELF files) in the APK.
    #[serde(default)]
    pub native: Vec<NativeLibFacts>,
    /// Signature schemes and signer certificates.
    #[serde(default)]
    pub signing: SigningFacts,
    /// Endpoints, the network security config and hard-coded secrets.
    #[serde(default)]
    pub network: NetworkFacts,
    /// Third-party SDKs detected, with evidence, sorted by id.
    #[serde(default)]
    pub sdks: Vec<SdkFacts>,
    /// Packers, protectors and obfuscators detected, with evidence, sorted by id. A packed
    /// app hides its real code, so the rest of the analysis is incomplete when this is not
    /// empty.
    #[serde(default)]
    pub packers: Vec<PackerFacts>,
    /// Code that reaches personal information: each sensitive API with who calls it.
    #[serde(default)]
    pub pi_access: Vec<PiAccess>,
    /// Code of no known SDK, library or app package that reaches personal information,
    /// grouped by package: unnamed collectors a privacy policy cannot have disclosed.
    #[serde(default)]
    pub unknown_components: Vec<UnknownComponent>,
    /// What runs before the user can consent: SDKs initialised and personal information reached
    /// from the app's startup and launch entry points, with the call chains, and SDK privacy
    /// switches never called. Absent when the code or the rules were not analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<StartupFacts>,
    /// What the code asks of the user and of other apps: runtime permission requests with the
    /// permissions rebuilt, starts of other apps' components, receivers registered in code.
    /// Empty when the code or the rules were not analysed.
    #[serde(default, skip_serializing_if = "BehaviourFacts::is_empty")]
    pub behaviour: BehaviourFacts,
    /// Findings of the rule pack's checks.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// The checks with findings in this report (what they look for, why it matters, what to
    /// do), sorted by id, so every format can explain a finding without the rule pack.
    #[serde(default)]
    pub checks: Vec<CheckFacts>,
    /// Every reference the findings cite (`findings[].references` are ids into this list),
    /// sorted by id: the document, its issuer and date, the clause and where to read it.
    #[serde(default)]
    pub references: Vec<ReferenceFacts>,
    /// The personal-information types the report names (in `pi_access`, `unknown_components`,
    /// `findings`, `sdks` and the requested permissions), sorted by id, with their labels in
    /// English and Chinese.
    #[serde(default)]
    pub pi_types: Vec<PiTypeFacts>,
    /// Which rule pack produced `sdks`, `pi_access` and `findings`; null when none ran.
    #[serde(default)]
    pub rule_pack: Option<RulePackFacts>,
    /// Oddities found while reading the app: tampering, malformed structures, evasion tricks.
    /// Anomalies of each dex file are listed with that file in `code.dex`.
    pub anomalies: Vec<AnomalyFact>,
    /// The code index: every class, method and reference (not serialised: it is large and
    /// queried by the analyses).
    #[serde(skip)]
    pub code_index: std::sync::Arc<CodeIndex>,
}

impl AppFacts {
    /// Empty facts for `input`, stamped with this schema and tool version.
    pub fn new(input: InputFacts) -> Self {
        Self {
            schema_version: SCHEMA_VERSION.to_owned(),
            tool: ToolFacts::default(),
            input,
            ..Self::default()
        }
    }
}

/// The tool that produced a report.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ToolFacts {
    /// Always `apkscope`.
    pub name: String,
    /// The crate version of the facts schema, which moves with the tool.
    pub version: String,
}

impl Default for ToolFacts {
    fn default() -> Self {
        Self {
            name: "apkscope".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// The scanned file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct InputFacts {
    /// The path as the user gave it.
    pub path: String,
    /// SHA-256 of the whole file, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// Identity of the app as the manifest declares it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct AppIdentity {
    /// `package` of `<manifest>`.
    pub package: Option<String>,
    /// `android:versionCode` (the low 32 bits).
    pub version_code: Option<i64>,
    /// `android:versionCodeMajor` (the high 32 bits of the long version code).
    pub version_code_major: Option<i64>,
    /// `android:versionName`, resolved through resources when it is a reference.
    pub version_name: Option<String>,
    /// `<uses-sdk android:minSdkVersion>`, as declared.
    pub min_sdk: Option<i64>,
    /// `<uses-sdk android:targetSdkVersion>`, as declared.
    pub target_sdk: Option<i64>,
    /// `<uses-sdk android:maxSdkVersion>`, as declared.
    pub max_sdk: Option<i64>,
    /// The preview codename (e.g. `VanillaIceCream`) written instead of a number for the min or
    /// target SDK; `min_sdk`/`target_sdk` then hold 10000, the value Android gives a codename.
    pub sdk_codename: Option<String>,
    /// `android:compileSdkVersion` of `<manifest>` (or `platformBuildVersionCode`).
    pub compile_sdk: Option<i64>,
    /// The application label, resolved through resources.arsc in the default configuration.
    pub label: Option<String>,
}

/// Requested and declared permissions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PermissionFacts {
    /// `<uses-permission>` and `<uses-permission-sdk-23>` elements, in manifest order.
    pub requested: Vec<RequestedPermission>,
    /// `<permission>` elements the app defines.
    pub declared: Vec<DeclaredPermission>,
}

/// One requested permission.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct RequestedPermission {
    /// Permission name, e.g. `android.permission.READ_PHONE_STATE`.
    pub name: String,
    /// `android:maxSdkVersion`: the request only applies up to this API level.
    pub max_sdk: Option<i64>,
    /// The element that requested it: `uses-permission` or `uses-permission-sdk-23`.
    pub element: String,
    /// `android:protectionLevel` of the platform permission (`dangerous`, `signature` …); null
    /// for permissions the rule pack does not know (custom or vendor permissions).
    #[serde(default)]
    pub protection_level: Option<String>,
    /// TC260 permission group (`location`, `phone` …), when the permission belongs to one.
    #[serde(default)]
    pub group: Option<String>,
    /// Special-permission class (`overlay`, `usage-stats` …), when it is one.
    #[serde(default)]
    pub special: Option<String>,
    /// Personal-information types the permission guards.
    #[serde(default)]
    pub pi_types: Vec<String>,
    /// Who references an API that needs this permission: SDK ids, `app` (the app's own code) and
    /// `unattributed` (code of no known SDK outside the app's packages, e.g. obfuscated).
    #[serde(default)]
    pub used_by: Vec<String>,
    /// Whether any code references an API that needs it; null when the code was not analysed
    /// or the pack maps no API to this permission (use cannot be judged).
    #[serde(default)]
    pub used: Option<bool>,
}

/// One permission the app defines.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct DeclaredPermission {
    /// Permission name.
    pub name: String,
    /// Decoded `android:protectionLevel`, e.g. `signature|privileged`; `normal` when absent.
    pub protection_level: String,
    /// `android:permissionGroup`.
    pub group: Option<String>,
}

/// The manifest beyond identity and permissions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ManifestFacts {
    /// Attributes of `<application>`.
    pub application: ApplicationFacts,
    /// Every activity, activity-alias, service, receiver and provider.
    pub components: Vec<Component>,
    /// `<uses-feature>` elements.
    pub uses_features: Vec<UsesFeature>,
    /// `<uses-library>` elements.
    pub uses_libraries: Vec<UsesLibrary>,
    /// `<queries>`: packages, intents and providers the app wants to see (package visibility).
    pub queries: Queries,
    /// `<meta-data>` directly under `<application>`.
    pub meta_data: Vec<MetaData>,
}

/// Attributes of `<application>`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ApplicationFacts {
    /// `android:name`, fully qualified: the class that runs first, before any consent dialog.
    pub name: Option<String>,
    /// `android:label` as written (a reference is shown as `@0x7f...` or `@string/...`).
    pub label_raw: Option<String>,
    /// `android:debuggable`.
    pub debuggable: Option<bool>,
    /// `android:allowBackup` (the platform default is true when absent).
    pub allow_backup: Option<bool>,
    /// `android:fullBackupContent` (a bool or an `@xml/` resource).
    pub full_backup_content: Option<String>,
    /// `android:dataExtractionRules` (`@xml/` resource).
    pub data_extraction_rules: Option<String>,
    /// `android:usesCleartextTraffic`.
    pub uses_cleartext_traffic: Option<bool>,
    /// `android:networkSecurityConfig` (`@xml/` resource).
    pub network_security_config: Option<String>,
    /// `android:testOnly`.
    pub test_only: Option<bool>,
    /// `android:extractNativeLibs`.
    pub extract_native_libs: Option<bool>,
    /// `android:requestLegacyExternalStorage`.
    pub request_legacy_external_storage: Option<bool>,
    /// `android:appComponentFactory`, fully qualified.
    pub app_component_factory: Option<String>,
    /// `android:process`.
    pub process: Option<String>,
}

/// A manifest component.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Component {
    /// `activity`, `activity-alias`, `service`, `receiver` or `provider`.
    pub kind: String,
    /// Fully-qualified class name.
    pub name: String,
    /// Whether other apps can start or bind it: `android:exported`, or the platform's implicit rule.
    pub exported: bool,
    /// True when `android:exported` was written; false when `exported` follows the implicit rule.
    pub exported_explicit: bool,
    /// `android:permission`.
    pub permission: Option<String>,
    /// `android:readPermission` (providers).
    pub read_permission: Option<String>,
    /// `android:writePermission` (providers).
    pub write_permission: Option<String>,
    /// `android:authorities` (providers), split on `;`.
    pub authorities: Vec<String>,
    /// `android:grantUriPermissions` (providers).
    pub grant_uri_permissions: Option<bool>,
    /// `android:targetActivity` (activity-alias), fully qualified.
    pub target_activity: Option<String>,
    /// `android:process`.
    pub process: Option<String>,
    /// `android:enabled`.
    pub enabled: Option<bool>,
    /// `android:directBootAware`: runs before the user unlocks the device.
    pub direct_boot_aware: Option<bool>,
    /// `android:foregroundServiceType`, decoded, e.g. `location|dataSync`.
    pub foreground_service_type: Option<String>,
    /// `<intent-filter>` children.
    pub intent_filters: Vec<IntentFilter>,
    /// `<meta-data>` children.
    pub meta_data: Vec<MetaData>,
}

/// An `<intent-filter>`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct IntentFilter {
    /// `<action android:name>` values.
    pub actions: Vec<String>,
    /// `<category android:name>` values.
    pub categories: Vec<String>,
    /// `<data>` elements.
    pub data: Vec<IntentData>,
    /// `android:priority`.
    pub priority: Option<i64>,
}

/// A `<data>` element of an intent filter; only the attributes present are set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct IntentData {
    /// `android:scheme`.
    pub scheme: Option<String>,
    /// `android:host`.
    pub host: Option<String>,
    /// `android:port`.
    pub port: Option<String>,
    /// `android:path`.
    pub path: Option<String>,
    /// `android:pathPrefix`.
    pub path_prefix: Option<String>,
    /// `android:pathPattern`.
    pub path_pattern: Option<String>,
    /// `android:mimeType`.
    pub mime_type: Option<String>,
}

/// A `<meta-data>` element.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct MetaData {
    /// `android:name`.
    pub name: String,
    /// `android:value`, rendered as text.
    pub value: Option<String>,
    /// `android:resource`, rendered as a reference.
    pub resource: Option<String>,
}

/// A `<uses-feature>` element.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct UsesFeature {
    /// `android:name`; absent for an OpenGL ES version requirement.
    pub name: Option<String>,
    /// `android:required` (default true).
    pub required: bool,
    /// `android:glEsVersion`, as `major.minor`.
    pub gl_es_version: Option<String>,
}

/// A `<uses-library>` element.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct UsesLibrary {
    /// `android:name`.
    pub name: String,
    /// `android:required` (default true).
    pub required: bool,
}

/// The `<queries>` element.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Queries {
    /// `<package android:name>` values.
    pub packages: Vec<String>,
    /// `<intent>` children.
    pub intents: Vec<IntentFilter>,
    /// `<provider android:authorities>` values.
    pub providers: Vec<String>,
}

/// The zip container.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ContainerFacts {
    /// Number of central-directory entries (duplicates included).
    pub entries: u64,
    /// Entries named `classes*.dex` at the root, in multidex order.
    pub dex_entries: Vec<String>,
    /// The APK Signing Block, when present.
    pub signing_block: Option<SigningBlockFacts>,
    /// Native libraries: entries named `*.so` (under `lib/<abi>/` or elsewhere).
    #[serde(default)]
    pub native_libs: Vec<String>,
    /// Entries under `assets/` (directories excluded), in central-directory order; at most
    /// [`MAX_ASSET_NAMES`] names are kept.
    #[serde(default)]
    pub assets: Vec<String>,
}

/// Most `assets/` entry names [`ContainerFacts::assets`] keeps.
pub const MAX_ASSET_NAMES: usize = 10_000;

/// The APK Signing Block before the central directory.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SigningBlockFacts {
    /// Offset of the block in the file.
    pub offset: u64,
    /// Size of the block in bytes.
    pub size: u64,
    /// The ID-value pairs.
    pub blocks: Vec<SigningBlockEntry>,
}

/// One ID-value pair of the APK Signing Block.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SigningBlockEntry {
    /// The ID, as `0x7109871a`.
    pub id: String,
    /// What the ID means (`v2`, `v3`, `v3.1`, `verity_padding`, …), when known.
    pub name: Option<String>,
    /// Size of the value in bytes.
    pub size: u64,
}

/// One native library.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct NativeLibFacts {
    /// APK entry, e.g. `lib/arm64-v8a/libfoo.so`.
    pub path: String,
    /// SHA-256 of the library's bytes, lowercase hex (empty when it could not be read).
    #[serde(default)]
    pub sha256: String,
    /// Android ABI the machine implies (`arm64-v8a`, `armeabi-v7a`, `x86`, `x86_64` …).
    pub abi: Option<String>,
    /// ELF machine name.
    pub machine: String,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `DT_NEEDED` libraries.
    pub needed: Vec<String>,
    /// Exported dynamic symbols.
    pub exported_symbols: u64,
    /// JNI functions exported, decoded to `class.method` (Java names).
    pub jni_methods: Vec<String>,
    /// Whether `JNI_OnLoad` is exported (the library registers natives itself).
    pub jni_onload: bool,
    /// Imported symbols of interest (dlopen, ptrace, fork, socket, `__system_property_get` …).
    pub imports_of_interest: Vec<String>,
    /// Hardening flags.
    pub hardening: Hardening,
    /// URLs, hosts, IP addresses and interesting file paths among its strings.
    pub strings_of_interest: Vec<String>,
    /// The SDK the library belongs to (by file name or by the Java classes of its JNI exports).
    pub sdk: Option<String>,
    /// Oddities, or why the file could not be read.
    pub anomalies: Vec<AnomalyFact>,
}

/// Binary hardening of a native library.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // independent flags, as checksec reports them
pub struct Hardening {
    /// Non-executable stack.
    pub nx: bool,
    /// Position-independent.
    pub pie: bool,
    /// `none`, `partial` or `full` RELRO.
    pub relro: String,
    /// Imports `__stack_chk_fail`.
    pub stack_protector: bool,
    /// Imports `__*_chk` FORTIFY functions.
    pub fortify: bool,
    /// No symbol table.
    pub stripped: bool,
}

/// Signature schemes and certificates. apkscope reports them; it does not verify digests or
/// signatures, so a scheme listed here is present, not proven valid.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SigningFacts {
    /// Schemes present: `v1`, `v2`, `v3`, `v3.1`, `source-stamp`.
    pub schemes: Vec<String>,
    /// Signer certificates, per scheme.
    pub certificates: Vec<CertificateFacts>,
}

/// One signer certificate.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct CertificateFacts {
    /// The scheme it signs with (`v1` with the entry name, `v2`, `v3` …).
    pub scheme: String,
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Validity start, RFC 3339 UTC.
    pub not_before: String,
    /// Validity end, RFC 3339 UTC.
    pub not_after: String,
    /// Signature algorithm of the certificate.
    pub signature_algorithm: String,
    /// `RSA`, `EC`, `DSA` …
    pub key_type: String,
    /// Key size in bits.
    pub key_bits: Option<u32>,
    /// SHA-256 of the DER certificate, lowercase hex.
    pub sha256: String,
    /// SHA-1 of the DER certificate, lowercase hex.
    pub sha1: String,
    /// MD5 of the DER certificate, lowercase hex (still asked for by Chinese app stores).
    pub md5: String,
    /// Subject CN is `Android Debug`.
    pub debug: bool,
}

/// The rule pack a report was produced with.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct RulePackFacts {
    /// SHA-256 over the pack's sources, lowercase hex.
    pub hash: String,
    /// SDKs in the pack.
    pub sdks: u64,
    /// Sensitive APIs in the pack.
    pub apis: u64,
    /// Checks in the pack.
    pub checks: u64,
    /// Packers and protectors in the pack.
    #[serde(default)]
    pub packers: u64,
    /// Hard-coded credential patterns (`[[secret]]`) in the pack.
    #[serde(default)]
    pub secrets: u64,
}

/// A third-party SDK found in the app.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SdkFacts {
    /// Rule-pack id, e.g. `jpush`.
    pub id: String,
    /// Name, e.g. `JPush`.
    pub name: String,
    /// Chinese name, e.g. `极光推送`.
    pub name_zh: Option<String>,
    /// Who makes it.
    pub vendor: Option<String>,
    /// Category (`push`, `analytics`, `ads` …).
    pub category: String,
    /// What it is for, one line.
    pub purpose: String,
    /// The Exodus tracker id, when the SDK is an Exodus tracker.
    pub exodus_id: Option<u32>,
    /// Vendor home page.
    pub homepage: Option<String>,
    /// Vendor privacy policy.
    pub privacy_policy: Option<String>,
    /// The company that provides the SDK, by its registered name (for Chinese vendors, the
    /// name in Chinese as it appears in the SDK's privacy policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<String>,
    /// The SDK's version, when its code or files carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<SdkVersion>,
    /// How sure the detection is: `high` (its classes or components under the vendor's
    /// names), `medium` (its actions, native libraries or manifest meta-data only: the code may
    /// be renamed), `low` (only string markers).
    #[serde(default)]
    pub confidence: String,
    /// Why apkscope says the SDK is there.
    pub evidence: SdkEvidence,
    /// Personal-information types its code reaches (sensitive APIs called from its classes).
    pub pi_types: Vec<String>,
    /// Requested permissions its code relies on (permissions those APIs need).
    pub permissions: Vec<String>,
}

/// A packer, protector or obfuscator found in the app.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PackerFacts {
    /// Rule-pack id, e.g. `jiagu-360`.
    pub id: String,
    /// Name, e.g. `360 Jiagu`.
    pub name: String,
    /// Who makes it.
    pub vendor: Option<String>,
    /// `packer`, `protector` or `obfuscator`.
    pub kind: String,
    /// Why apkscope says it is there, one trace per item: `application class …`,
    /// `app component factory …`, `class …` (descriptor), `native library …` (APK entry),
    /// `asset …` (APK entry), `hidden payload …` (APK entry).
    pub evidence: Vec<String>,
}

/// Evidence of one SDK, by kind.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SdkEvidence {
    /// Classes under its prefixes.
    pub classes: u64,
    /// A few of those classes (descriptors), in dex order.
    pub class_examples: Vec<String>,
    /// Manifest components that belong to it.
    pub components: Vec<String>,
    /// Intent-filter actions that belong to it.
    pub intent_actions: Vec<String>,
    /// Native libraries (APK entries) that belong to it.
    pub native_libs: Vec<String>,
    /// Network hosts found in code strings that belong to it.
    pub domains: Vec<String>,
    /// Manifest meta-data keys its setup declares (`UMENG_APPKEY`).
    #[serde(default)]
    pub meta_data: Vec<String>,
    /// Its string markers found in the code (they survive renaming).
    #[serde(default)]
    pub strings: Vec<String>,
    /// The kinds of evidence above that found it, strongest first: `classes`, `components`,
    /// `intent-actions`, `native-libs`, `meta-data`, `strings` (hosts only corroborate).
    #[serde(default)]
    pub kinds: Vec<String>,
}

/// An SDK's version and where it was read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SdkVersion {
    /// The version, e.g. `5.0.4`.
    pub value: String,
    /// Where it was read: `field Lcls;->NAME:Ljava/lang/String;`, `method …`,
    /// `string "…"`, `native library lib/arm64-v8a/libjcore322.so`.
    pub source: String,
}

/// Calls to one sensitive API by one owner (an SDK, the app, or unattributed code).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PiAccess {
    /// Rule-pack id of the API.
    pub api: String,
    /// Personal-information type it reaches.
    pub pi_type: String,
    /// The method, field, string or content URI.
    pub signature: String,
    /// Who: an SDK id, `app` (the app's own packages), a library id, or `unattributed` (no known
    /// SDK, library or app package, e.g. obfuscated code).
    pub by: String,
    /// What kind of owner `by` is: `sdk`, `app`, `platform-library`, `open-source-library` or
    /// `unattributed`.
    #[serde(default)]
    pub owner: String,
    /// For unattributed code: its package (dotted, at most three levels), which groups it into
    /// an unknown component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Number of call sites.
    pub sites: u64,
    /// A few call sites.
    pub examples: Vec<CodeLocation>,
    /// When the call sites run: which entry points reach any of them — `startup` (before any
    /// UI), `launch` (the launcher activity), `component` (another activity, service or
    /// receiver), `user` (a UI callback) — and `periodic` (a timer or a loop re-posting
    /// itself); `unreachable` alone when no entry point does. Empty when the call graph was
    /// not built.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<String>,
}

/// What runs before the user can consent (the call graph's view of startup).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct StartupFacts {
    /// Calls into an SDK's initialisation API reached from a startup or launch entry point.
    pub sdk_init: Vec<SdkInitFacts>,
    /// For each sensitive API and owner, the best-graded chain from an entry point to a call
    /// site: `before-any-ui`, `on-launch`, `conditional` or `after-user-action`.
    pub pi_paths: Vec<PiPathFacts>,
    /// SDK privacy switches (the API the vendor documents for passing on the user's consent)
    /// defined in the APK that nothing calls.
    pub privacy_switches_uncalled: Vec<PrivacySwitchFacts>,
    /// Whether the search was cut short (time limit or a bound on the work): paths may be
    /// missing.
    pub truncated: bool,
    /// The size of the call graph built.
    pub graph: CallGraphFacts,
}

/// An SDK initialised from a startup or launch entry point.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SdkInitFacts {
    /// The SDK (rule-pack id).
    pub sdk: String,
    /// `before-any-ui`, `on-launch` or `conditional`.
    pub grade: String,
    /// The entry point (smali signature).
    pub entry: String,
    /// The initialisation API called.
    pub call: String,
    /// Where the call is, in the last method of `chain`.
    pub pc: u32,
    /// The call chain from the entry point to the call.
    pub chain: Vec<ChainHop>,
}

/// A chain from an entry point to a call site of a sensitive API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PiPathFacts {
    /// `before-any-ui` (from a startup entry, no user action on the way), `on-launch` (from
    /// the launcher activity's first lifecycle methods), `conditional` (the entry reads a
    /// stored flag before the call: possibly waiting for consent, to confirm) or
    /// `after-user-action` (only UI callbacks reach it).
    pub grade: String,
    /// The entry point (smali signature).
    pub entry: String,
    /// The sensitive API (method, field, string or content URI).
    pub sink: String,
    /// Rule-pack id of the API.
    pub api: String,
    /// Personal-information type it reaches.
    pub pi_type: String,
    /// Who owns the call site: an SDK id, `app`, a library id or `unattributed`.
    pub owner: String,
    /// Every hop: the entry first, the method with the call site last (its `pc` is the site's).
    pub chain: Vec<ChainHop>,
}

/// What the code asks of the user and of other apps.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct BehaviourFacts {
    /// Each runtime permission request: a platform call (`requestPermissions`,
    /// `ActivityCompat.requestPermissions`, an `ActivityResultLauncher`) or a wrapper
    /// library's, with the permissions its argument holds.
    pub permission_requests: Vec<PermissionRequestFacts>,
    /// Each start, bind, broadcast or provider call whose target is another app's.
    pub associated_starts: Vec<AssociatedStartFacts>,
    /// Each `registerReceiver` whose filter's actions are constants.
    pub registered_receivers: Vec<RegisteredReceiverFacts>,
    /// Each `onRequestPermissionsResult` that calls `finish()`, `System.exit` or
    /// `killProcess` (itself or through a method of its class): `method` is the callback,
    /// `api` the exit call and `pc` where it is made.
    pub permission_result_exits: Vec<CallSiteFacts>,
    /// What keeps the app running or brings it back: services that ask to be restarted
    /// after being killed, sync adapters and account authenticators, components in extra
    /// processes, repeating alarms, periodic jobs and work.
    pub keep_alive: Vec<KeepAliveFacts>,
    /// Each call asking whether other apps, named by constants, are installed
    /// (`getPackageInfo`, `getApplicationInfo`, `getLaunchIntentForPackage`): app sniffing,
    /// the probed names as evidence.
    pub package_probes: Vec<PackageProbeFacts>,
    /// Each SMS the code sends itself (`SmsManager.sendTextMessage`…), with the destination
    /// numbers that are constants.
    pub sms_sends: Vec<SmsSendFacts>,
    /// Each system settings screen the code opens (an intent action under `android.settings.`
    /// or `ADD_DEVICE_ADMIN`): where the user grants special permissions.
    pub settings_intents: Vec<SettingsIntentFacts>,
    /// Camera and microphone use in a service whose manifest entry does not declare the
    /// matching `foregroundServiceType` (`camera`, `microphone`): capture with no visible
    /// foreground use.
    pub background_capture: Vec<BackgroundCaptureFacts>,
}

/// Camera or microphone use in a service without the matching foreground service type.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct BackgroundCaptureFacts {
    /// Where (`api` is the sensitive API), and who uses it.
    pub site: CallSiteFacts,
    /// `camera` or `microphone`.
    pub pi_type: String,
    /// The service class (dotted), and whether the manifest declares it.
    pub service: String,
    /// Its `android:foregroundServiceType`, when the manifest declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreground_service_type: Option<String>,
}

/// An SMS sent by the code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SmsSendFacts {
    /// Where, and who sends.
    pub site: CallSiteFacts,
    /// The destination numbers, when constants.
    pub destinations: Vec<String>,
}

/// A settings screen opened by the code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SettingsIntentFacts {
    /// Where, and who opens it.
    pub site: CallSiteFacts,
    /// The intent's action.
    pub action: String,
}

/// A call asking whether named apps are installed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PackageProbeFacts {
    /// Where, and who asks.
    pub site: CallSiteFacts,
    /// The package names asked about (constants other than the app's own).
    pub packages: Vec<String>,
}

/// One way the app keeps running or is brought back without the user.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct KeepAliveFacts {
    /// `restarting-service` (`onStartCommand` returns `START_STICKY`,
    /// `START_STICKY_COMPATIBILITY` or `START_REDELIVER_INTENT`), `foreground-from-receiver`
    /// (a broadcast receiver calls `startForegroundService`), `sync-adapter`,
    /// `account-authenticator`, `extra-process`, `repeating-schedule` (a repeating alarm, a
    /// periodic job or periodic work).
    pub mechanism: String,
    /// The manifest component, for the manifest's mechanisms and restarting services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The process name (`extra-process`), the returned constant (`restarting-service`), or
    /// the scheduling API (`repeating-schedule`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The method (`restarting-service`: `onStartCommand`; `repeating-schedule`: the caller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Who owns it.
    pub owner: OwnerFacts,
}

impl BehaviourFacts {
    /// Nothing found (or nothing analysed).
    pub fn is_empty(&self) -> bool {
        self.permission_requests.is_empty()
            && self.associated_starts.is_empty()
            && self.registered_receivers.is_empty()
            && self.permission_result_exits.is_empty()
            && self.keep_alive.is_empty()
            && self.package_probes.is_empty()
            && self.sms_sends.is_empty()
            && self.settings_intents.is_empty()
            && self.background_capture.is_empty()
    }
}

/// Where a behaviour call is and who owns it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct CallSiteFacts {
    /// The calling method (smali signature).
    pub method: String,
    /// Where in it, in 16-bit code units.
    pub pc: u32,
    /// The API called (smali signature of the reference, as the code names it).
    pub api: String,
    /// Who owns the calling code.
    pub owner: OwnerFacts,
    /// What starts the calling method, from the call graph (`startup`, `launch`, `component`,
    /// `user`, `periodic`, `unreachable`); empty when the call graph was not built.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<String>,
    /// How the call graph's best chain reaches the call: `before-any-ui`, `on-launch`,
    /// `conditional` or `after-user-action` (as `startup.pi_paths[].grade`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// That chain, from the entry point to the call, for calls reached before any user
    /// action (`before-any-ui`, `on-launch`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainHop>,
}

/// A runtime permission request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PermissionRequestFacts {
    /// Where, and who asks.
    pub site: CallSiteFacts,
    /// The wrapper library, for requests made through one (`XXPermissions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
    /// The permissions requested, as far as constants show them.
    pub permissions: Vec<String>,
    /// Every element of the request was a constant: `permissions` is the whole request.
    pub complete: bool,
    /// The TC260 permission groups of `permissions` (sorted).
    pub groups: Vec<String>,
    /// The lifecycle method the call is in (`onCreate`, `onResume`…), when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<String>,
}

/// A start of another app's component (associated start, 关联启动).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct AssociatedStartFacts {
    /// Where, and who starts.
    pub site: CallSiteFacts,
    /// `start-activity`, `start-service`, `bind-service`, `send-broadcast` or
    /// `provider-call`.
    pub how: String,
    /// How the target is chosen: `constant` (named in the code), `installed-apps` (read from
    /// an installed-app query's results) or `runtime` (a parameter, field or server data).
    pub target: String,
    /// The target package, when a constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The target class, when a constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The installed-app query the target is read from (`getInstalledPackages`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The content URI or data URI, when a constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The intent's action, when a constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// A broadcast receiver registered in code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct RegisteredReceiverFacts {
    /// Where, and who registers.
    pub site: CallSiteFacts,
    /// The filter's constant actions.
    pub actions: Vec<String>,
}

/// One step of a call chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ChainHop {
    /// The method (smali signature).
    pub method: String,
    /// Where it calls the next hop (for the last hop: the call site), in 16-bit code units.
    pub pc: u32,
    /// How the previous hop reached this one: `entry`, `call`, `dispatch` (a virtual call
    /// resolved to an override), `async` (a thread, handler, executor or component start),
    /// `periodic`, `clinit` (a static initialiser) or `reflection` (a constant class or
    /// method name; lower confidence).
    pub via: String,
}

/// `apkscope explain`: every chain from the app's entry points to the sites of a sink (an API,
/// a method, or the APIs of a finding).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Explanation {
    /// What was asked: a method signature or a finding fingerprint.
    pub target: String,
    /// The APIs or methods whose sites are explained.
    pub sinks: Vec<String>,
    /// The sites, in code order.
    pub sites: Vec<ExplainedSite>,
    /// Sites found beyond those listed.
    pub more_sites: u64,
    /// Whether the search was cut short.
    pub truncated: bool,
}

/// One site of an [`Explanation`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ExplainedSite {
    /// Where.
    pub location: CodeLocation,
    /// Who owns the code (an SDK id, `app`, a library id or `unattributed`).
    pub owner: String,
    /// Which entry kinds reach it (as `pi_access[].triggers`).
    pub triggers: Vec<String>,
    /// One shortest chain from each entry point that reaches it.
    pub chains: Vec<ExplainedChain>,
}

/// A chain from one entry point.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ExplainedChain {
    /// The entry's trigger: `startup`, `launch`, `component` or `user`.
    pub trigger: String,
    /// For `startup` and `launch`: `before-any-ui`, `on-launch` or `conditional`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Entry first, the site's method last.
    pub chain: Vec<ChainHop>,
}

/// A privacy switch defined in the APK with no call site.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PrivacySwitchFacts {
    /// The SDK (rule-pack id).
    pub sdk: String,
    /// The switch (smali signature).
    pub api: String,
}

/// The size of the call graph.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct CallGraphFacts {
    /// Methods in the code.
    pub methods: u64,
    /// Entry-point methods.
    pub entries: u64,
    /// Methods an entry point reaches.
    pub reached: u64,
    /// Call edges resolved (only methods reached are expanded).
    pub edges: u64,
    /// Virtual call sites with more overrides than the bound, cut to it.
    pub capped_sites: u64,
}

/// A place in the code.
#[derive(
    Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
pub struct CodeLocation {
    /// The dex file (APK entry).
    pub entry: String,
    /// The class (descriptor).
    pub class: String,
    /// The method (smali signature).
    pub method: String,
    /// Instruction offset in 16-bit code units.
    pub pc: u32,
}

/// One finding of a check.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Finding {
    /// Check id, e.g. `PERM001`.
    pub rule: String,
    /// Check name, e.g. `sensitive-permission-requested`.
    pub name: String,
    /// `info`, `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// The check's title.
    pub title: String,
    /// What was found, in one sentence.
    pub message: String,
    /// The same in Chinese, when the rule pack words it (`--lang zh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
    /// Regulation clauses, standards and documentation behind the check.
    pub references: Vec<String>,
    /// Where.
    pub evidence: Evidence,
    /// Stable identity of this finding across builds (hash of rule and evidence, not of
    /// offsets), for baselines and code-scanning services.
    pub fingerprint: String,
    /// Whose code or declaration the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerFacts>,
    /// The personal-information type, for findings about personal information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pi_type: Option<String>,
    /// How far the evidence goes: `capability` (the code exists), `reachable` (an entry point
    /// reaches it), `startup` (it runs before any UI), or `blocked` (the platform refuses or
    /// blanks it for this app: permission not requested, or the app's target SDK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<String>,
    /// Why the finding has its severity when that is not the check's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_reason: Option<String>,
    /// The same in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_reason_zh: Option<String>,
    /// How many code sites show the fact (all of them, not only `locations`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sites: Option<u64>,
    /// The APIs, fields, strings or content URIs the sites use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apis: Vec<String>,
    /// The first code sites, in dex order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<CodeLocation>,
    /// For findings about when code runs: the call chain from the entry point, entry first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainHop>,
}

/// Whose code or declaration a finding is about.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct OwnerFacts {
    /// `sdk`, `app`, `platform-library`, `open-source-library` or `unattributed` (the kinds
    /// `PiAccess::owner` names and `pi-api-used` checks select by).
    pub kind: String,
    /// The SDK or library id, `app`, or the package of unknown code (`com.zzz.collector`).
    pub id: String,
    /// Its name, for SDKs and libraries (`JPush`, `AndroidX`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Code of no known SDK, library or app package that reaches personal information.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct UnknownComponent {
    /// The package (dotted, at most three levels: `com.zzz.collector`).
    pub package: String,
    /// Classes the app defines under it.
    pub classes: u64,
    /// Personal-information types its code reaches, sorted.
    pub pi_types: Vec<String>,
    /// Hosts named by URLs in its code, sorted.
    pub hosts: Vec<String>,
    /// A few of its sites that reach personal information.
    pub examples: Vec<CodeLocation>,
}

/// A check that has findings in a report: what the rule pack says of it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct CheckFacts {
    /// Check id, e.g. `PI001`.
    pub id: String,
    /// Check name, e.g. `sdk-collects-personal-information`.
    pub name: String,
    /// Its default severity.
    pub severity: String,
    /// Title.
    pub title: String,
    /// What it looks for.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// What to do about a finding.
    pub remediation: String,
    /// Reference ids (see [`AppFacts::references`]).
    pub references: Vec<String>,
    /// Title, what, why and remediation in Chinese, when the rule pack words them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<CheckTextFacts>,
}

/// A check's reader-facing texts in another language.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct CheckTextFacts {
    /// Title.
    pub title: String,
    /// What it looks for.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// What to do about a finding.
    pub remediation: String,
}

/// A personal-information type a report names: its labels and class, so that a report can
/// show `设备识别码（IMEI/MEID）` for `imei` without the rule pack.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PiTypeFacts {
    /// The type, e.g. `imei`.
    pub id: String,
    /// English label.
    pub name: String,
    /// Chinese label.
    pub name_zh: String,
    /// Its class, e.g. `unchangeable-identifier`.
    pub class: String,
    /// Whether GB/T 35273-2020 annex B lists it as sensitive personal information.
    pub sensitive: bool,
}

/// A document, or a clause of one, that a finding cites.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ReferenceFacts {
    /// The id findings cite, e.g. `认定方法:2.1` or `android:R.attr#debuggable`.
    pub id: String,
    /// The document's title in English.
    pub title: String,
    /// The document's title in Chinese, for Chinese documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_zh: Option<String>,
    /// Who issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Its document number, e.g. `国信办秘字〔2019〕191号`, `GB/T 35273-2020`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Date of issue (or coming into force, as `note` says), `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The clause, article, item or anchor, e.g. `2.1`, `appendix B`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// The clause's title in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause_title: Option<String>,
    /// The clause's title in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause_title_zh: Option<String>,
    /// Where to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A caveat: `by analogy`, an unverified number, which version is meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where a finding applies; only the fields that apply are set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Evidence {
    /// The APK entry (`AndroidManifest.xml`, `classes2.dex` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// A permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// A manifest component or attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// An SDK id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdk: Option<String>,
    /// A packer id (`packers[].id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packer: Option<String>,
    /// A class (descriptor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// A method (smali signature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// An API, string or content URI the code uses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// A signer certificate: the SHA-256 of its DER bytes (`signing.certificates[].sha256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// The dex files read, and code hidden elsewhere in the APK.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct CodeFacts {
    /// Whether code was analysed (false when the scan was asked to skip it).
    pub analysed: bool,
    /// One entry per dex file read, `classes*.dex` first in multidex order.
    pub dex: Vec<DexFacts>,
    /// Code outside the `classes*.dex` entries: dex, jar, apk or zip files in assets, res or
    /// elsewhere, and files that carry a code extension but no readable format (encrypted).
    pub hidden_payloads: Vec<HiddenPayload>,
    /// Classes over all dex files (duplicates counted each time).
    pub total_classes: u64,
    /// Methods defined over all dex files.
    pub total_methods: u64,
    /// Signs that the code was obfuscated: short names, string encryption, reflection-heavy
    /// loading, `DexGuard` traits.
    #[serde(default)]
    pub obfuscation: ObfuscationFacts,
}

/// One dex file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct DexFacts {
    /// Where it is: an APK entry such as `classes2.dex`, or `outer!inner` inside a nested
    /// archive.
    pub entry: String,
    /// Format version from the magic (35 to 41).
    pub version: u32,
    /// Class definitions.
    pub classes: u64,
    /// Methods defined (direct and virtual).
    pub methods: u64,
    /// Entries of the string table.
    pub strings: u64,
    /// Method references (`method_ids`).
    pub method_refs: u64,
    /// References from code (invokes, field accesses, strings, types) indexed.
    pub code_refs: u64,
    /// Oddities in this file: checksum mismatches, bad offsets, unknown opcodes ….
    pub anomalies: Vec<AnomalyFact>,
    /// The tool that wrote this dex, as far as the bytes show: `d8`, `r8`, `l8` (from their
    /// marker), `d8/r8` (their layout without a marker), `dx`, `dexmerge` (dx's merger),
    /// `jack`, `dexlib1` or `dexlib2` (smali/apktool rebuilds and tools built on them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compiler: Option<String>,
    /// The compiler version its marker or emitter string states (`8.2.33`, `3.26`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compiler_version: Option<String>,
    /// The `min-api` of a D8/R8 marker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_api: Option<u32>,
    /// What shows the compiler: the marker, the section layout, the string-data order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compiler_evidence: Vec<String>,
}

/// Signs of obfuscation over the app's own code (classes outside `android`, `androidx`,
/// `kotlin`, `kotlinx`, `java`, `javax`, `dalvik`; resource classes `R` are left out).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ObfuscationFacts {
    /// What the signals add up to, sorted: `short-names`, `string-encryption`, `reflection`,
    /// `dynamic-loading`, `dexguard`. Empty when nothing crosses its threshold.
    #[serde(default)]
    pub verdicts: Vec<String>,
    /// Why each verdict was given (and the strongest signals that fell short).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Classes counted (the app's own, anonymous classes left out).
    #[serde(default)]
    pub classes: u64,
    /// Of those, classes whose simple name (after the last `/` or `$`) is 1 or 2 characters.
    #[serde(default)]
    pub short_class_names: u64,
    /// Methods those classes define (constructors left out).
    #[serde(default)]
    pub methods: u64,
    /// Of those, methods whose name is 1 or 2 characters.
    #[serde(default)]
    pub short_method_names: u64,
    /// Fields of those classes referenced or defined.
    #[serde(default)]
    pub fields: u64,
    /// Of those, fields whose name is 1 or 2 characters.
    #[serde(default)]
    pub short_field_names: u64,
    /// Class, method or field names outside ASCII among the short ones (`DexGuard`'s style).
    #[serde(default)]
    pub non_ascii_names: u64,
    /// Static methods of the app that turn a constant into a string (`(String)String`,
    /// `([B)String`, `(I)String` …) and are called from many sites: likely string decryptors,
    /// the most called first (at most 5).
    #[serde(default)]
    pub string_decryptors: Vec<StringDecryptor>,
    /// Call sites of `Class.forName`.
    #[serde(default)]
    pub class_for_name: u64,
    /// Call sites of `Method.invoke` and `Constructor.newInstance`.
    #[serde(default)]
    pub reflective_calls: u64,
    /// Call sites of `ClassLoader.loadClass`.
    #[serde(default)]
    pub load_class: u64,
    /// Class loaders constructed (`new-instance` of `DexClassLoader`, `InMemoryDexClassLoader`,
    /// `PathClassLoader`, `BaseDexClassLoader`, `DelegateLastClassLoader`).
    #[serde(default)]
    pub class_loaders: u64,
    /// Names passed to `System.loadLibrary` as constants that match no `lib*.so` in the APK
    /// (loaded from elsewhere, or unpacked at run time), sorted.
    #[serde(default)]
    pub foreign_libraries: Vec<String>,
}

/// A likely string decryptor.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct StringDecryptor {
    /// The method (`Lcls;->name(params)ret`).
    pub method: String,
    /// Call sites.
    pub call_sites: u64,
    /// Call sites whose argument is a `const-string` loaded just before.
    pub const_string_args: u64,
    /// Of those constants, how many look encrypted (mostly non-printable or non-ASCII, or
    /// high-entropy text).
    pub opaque_args: u64,
}

/// Code found outside the `classes*.dex` entries.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct HiddenPayload {
    /// Path inside the APK, `outer!inner` for an entry of a nested archive.
    pub path: String,
    /// `dex`, `zip` (jar, apk and zip alike), `odex`, or `unknown` when the name promises code
    /// but the bytes are no format apkscope reads (typically encrypted by a packer).
    pub format: String,
    /// Size in bytes (inflated when it could be read).
    pub size: u64,
    /// Whether its code was parsed into the index.
    pub parsed: bool,
    /// What was found or why it could not be read.
    pub detail: String,
}

/// The record a batch writes instead of a report when an input could not be analysed: the
/// batch goes on, and this line says which input failed and why.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ScanFailure {
    /// Version of this layout ([`SCHEMA_VERSION`]).
    pub schema_version: String,
    /// The tool that produced the record.
    pub tool: ToolFacts,
    /// The input, as far as it could be read.
    pub input: FailedInput,
    /// Why it could not be analysed.
    pub error: ErrorFacts,
}

impl ScanFailure {
    /// A failure record for the input at `path`, stamped with this schema and tool version.
    pub fn new(path: &str, kind: &str, message: &str) -> Self {
        Self {
            schema_version: SCHEMA_VERSION.to_owned(),
            tool: ToolFacts::default(),
            input: FailedInput {
                path: path.to_owned(),
                sha256: None,
                size: None,
            },
            error: ErrorFacts {
                kind: kind.to_owned(),
                message: message.to_owned(),
            },
        }
    }
}

/// An input that could not be analysed; what could not be read is null.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct FailedInput {
    /// The path as the user gave it.
    pub path: String,
    /// SHA-256 of the whole file, lowercase hex, when the file could be read.
    pub sha256: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<u64>,
}

/// Why an input could not be analysed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ErrorFacts {
    /// Stable `snake_case` class of the failure: `io` (cannot read the file, or it changed
    /// while read), `not_a_file` (a folder, FIFO, socket or device where a file was expected),
    /// `over_budget` (the app needs more memory than `--max-app-mib`), `not_apk` (not a zip
    /// Android could open, or no manifest), `manifest` (the manifest cannot be decoded),
    /// `timeout` (over `--timeout-per-app`), `internal` (a bug in apkscope; please report it).
    pub kind: String,
    /// What went wrong, in one line.
    pub message: String,
}

/// Something odd found while reading the app.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct AnomalyFact {
    /// Which reader found it: `container`, `manifest`, `resources`, `dex`.
    pub source: String,
    /// Stable `snake_case` code, e.g. `duplicate_entry`.
    pub kind: String,
    /// What was found, where, and what apkscope did about it.
    pub detail: String,
    /// The APK entry it concerns, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// Byte offset in the file or entry, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_field_names_are_stable() {
        let mut facts = AppFacts::new(InputFacts::default());
        facts.permissions.requested.push(RequestedPermission {
            name: "android.permission.CAMERA".into(),
            max_sdk: None,
            element: "uses-permission".into(),
            ..RequestedPermission::default()
        });
        let json = serde_json::to_value(&facts).unwrap();
        for pointer in [
            "/schema_version",
            "/input/path",
            "/input/sha256",
            "/input/size",
            "/app/package",
            "/app/version_code",
            "/app/version_name",
            "/app/min_sdk",
            "/app/target_sdk",
            "/app/label",
            "/permissions/requested/0/name",
            "/permissions/requested/0/max_sdk",
            "/manifest/components",
            "/anomalies",
        ] {
            assert!(json.pointer(pointer).is_some(), "missing {pointer}");
        }
    }
}
