//! Network facts: the endpoints an app's code, resources and native libraries name, its network
//! security config, and hard-coded credentials.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What an app says about the network.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct NetworkFacts {
    /// URLs, host names and IP addresses found in dex strings, string resources, manifest
    /// meta-data and native strings, sorted by value, capped (see `endpoints_truncated`).
    /// XML namespaces and schema URLs are left out.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// Endpoints found beyond the cap and left out of `endpoints`.
    #[serde(default)]
    pub endpoints_truncated: u64,
    /// The network security config the manifest names (`android:networkSecurityConfig`); null
    /// when the manifest names none.
    #[serde(default)]
    pub security_config: Option<SecurityConfigFacts>,
    /// The cleartext (plain HTTP) policy in effect for hosts no `domain-config` names.
    #[serde(default)]
    pub cleartext: CleartextPolicy,
    /// Whether certificates the user installed are trusted for release builds (base or
    /// domain config, or the platform default below API 24); `debug-overrides` not counted.
    #[serde(default)]
    pub user_certs_trusted: bool,
    /// Hard-coded credentials found by pattern, values masked, sorted by vendor and place,
    /// capped (see `secrets_truncated`).
    #[serde(default)]
    pub secrets: Vec<SecretFacts>,
    /// Secrets found beyond the cap and left out of `secrets`.
    #[serde(default)]
    pub secrets_truncated: u64,
}

/// A URL, host name or IP address and who holds it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Endpoint {
    /// The URL (up to its first whitespace or quote, at most 256 bytes), host name or address.
    pub value: String,
    /// `url`, `host` or `ip`.
    pub kind: String,
    /// Host part of the value (lowercase), for grouping.
    pub host: String,
    /// Where it was found, at most five: `classes.dex Lcom/example/Api;` (the class whose code
    /// loads the string), `classes.dex` (a string no code loads), `resources @string/name`,
    /// `meta-data name`, or the native library's APK entry.
    pub sources: Vec<String>,
    /// Who holds it: SDK ids, `app` (the app's own classes, resources and manifest) or
    /// `unattributed`, sorted.
    pub by: Vec<String>,
}

/// The network security config, as its XML resource says.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SecurityConfigFacts {
    /// The manifest's reference, e.g. `@xml/network_security_config`.
    pub reference: String,
    /// The APK entry it resolves to, e.g. `res/xml/network_security_config.xml`; null when
    /// the reference could not be resolved.
    pub entry: Option<String>,
    /// Why the file could not be read; null when it was.
    pub problem: Option<String>,
    /// `<base-config>`: the policy for every host no domain config names.
    pub base_config: Option<NetworkConfigFacts>,
    /// `<domain-config>` elements, nested ones flattened in document order (at most 256).
    pub domain_configs: Vec<NetworkConfigFacts>,
    /// `<debug-overrides>`: trust anchors that apply only when the app is debuggable.
    pub debug_overrides: Option<NetworkConfigFacts>,
}

/// One `base-config`, `domain-config` or `debug-overrides` element.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct NetworkConfigFacts {
    /// `<domain>` children (domain configs only).
    pub domains: Vec<DomainFacts>,
    /// `cleartextTrafficPermitted`, when written.
    pub cleartext_permitted: Option<bool>,
    /// `<trust-anchors>` certificates.
    pub trust_anchors: Vec<TrustAnchorFacts>,
    /// `<pin-set>`, when present.
    pub pin_set: Option<PinSetFacts>,
}

/// A `<domain>` element.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct DomainFacts {
    /// The domain name.
    pub name: String,
    /// `includeSubdomains`.
    pub include_subdomains: bool,
}

/// A `<certificates>` element of `<trust-anchors>`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct TrustAnchorFacts {
    /// `system`, `user` or a raw resource (`@raw/my_ca`).
    pub src: String,
    /// `overridePins`: these anchors bypass certificate pinning.
    pub override_pins: bool,
}

/// A `<pin-set>` element.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PinSetFacts {
    /// `expiration` (`yyyy-MM-dd`): after this date the pins are not enforced.
    pub expiration: Option<String>,
    /// The pins: digest algorithm and base64 value (public key hashes, not secrets).
    pub pins: Vec<PinFacts>,
}

/// A `<pin>` element.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PinFacts {
    /// `digest` (`SHA-256`).
    pub digest: String,
    /// The base64 hash of the public key.
    pub value: String,
}

/// The effective cleartext policy.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct CleartextPolicy {
    /// Whether plain HTTP is allowed to hosts no domain config names.
    pub permitted: bool,
    /// What decides it: `network-security-config` (its base-config), `manifest`
    /// (`usesCleartextTraffic`), or `default` (the platform default for the target SDK:
    /// allowed below API 28).
    pub decided_by: String,
    /// Domains a domain config explicitly allows plain HTTP to.
    pub domains: Vec<String>,
}

/// A hard-coded credential.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SecretFacts {
    /// Pattern id, e.g. `aws-access-key-id`.
    pub id: String,
    /// Whose credential it is, e.g. `Amazon Web Services`.
    pub vendor: String,
    /// `cloud`, `map`, `push`, `analytics`, `token` or `private-key`.
    pub kind: String,
    /// The value masked: its first four and last two characters.
    pub masked: String,
    /// Where: `classes.dex Lcom/example/Keys;`, `resources @string/name`, `meta-data name`
    /// or a native library's APK entry.
    pub location: String,
    /// Who holds it: an SDK id, `app` or `unattributed`.
    pub by: String,
    /// Whether it is an identifier the vendor expects every app to ship (an app key in
    /// meta-data, Firebase's `google_api_key` resource) rather than a credential: a fact, never
    /// a secret finding.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
}
