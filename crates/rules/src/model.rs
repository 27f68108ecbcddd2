//! The kinds of rule-file tables (`rules/README.md`), as typed values.
//!
//! Closed vocabularies (personal-information types, TC260 groups, special permissions, SDK
//! categories, severities, statuses, API kinds, check kinds) are enums: a misspelt value is a
//! load error (`E004`) pointing at the value, with the list of accepted spellings.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares a closed vocabulary: an enum whose serde spelling is the rule-file spelling.
macro_rules! vocab {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $var:ident = $s:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $s)] $var, )+
        }

        impl $name {
            /// Every value, in the order the format documents them.
            pub const ALL: &'static [Self] = &[$(Self::$var,)+];

            /// The spelling used in rule files.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$var => $s,)+
                }
            }

            /// Parses the rule-file spelling.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($s => Some(Self::$var),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocab! {
    /// A kind of personal information a permission guards or an API returns (`pi_types`).
    PiType {
        /// IMEI / MEID.
        Imei = "imei",
        /// Subscriber id.
        Imsi = "imsi",
        /// SIM serial number.
        Iccid = "iccid",
        /// Hardware serial number.
        Serial = "serial",
        /// `Settings.Secure.ANDROID_ID`.
        AndroidId = "android-id",
        /// MAC address.
        Mac = "mac",
        /// Open Anonymous Device Identifier (MSA).
        Oaid = "oaid",
        /// Google advertising id.
        AdvertisingId = "advertising-id",
        /// The list of installed apps.
        InstalledApps = "installed-apps",
        /// The list of running apps / processes.
        RunningApps = "running-apps",
        /// Location.
        Location = "location",
        /// Cell tower information.
        CellInfo = "cell-info",
        /// Wi-Fi information (SSID, BSSID, scan results).
        WifiInfo = "wifi-info",
        /// Contacts.
        Contacts = "contacts",
        /// Call log.
        CallLog = "call-log",
        /// SMS.
        Sms = "sms",
        /// Calendar.
        Calendar = "calendar",
        /// Clipboard.
        Clipboard = "clipboard",
        /// Microphone / audio recording.
        Microphone = "microphone",
        /// Camera.
        Camera = "camera",
        /// Photos, videos and other media files.
        Media = "media",
        /// Accounts on the device.
        Accounts = "accounts",
        /// Sensors.
        Sensors = "sensors",
        /// The device's phone number.
        PhoneNumber = "phone-number",
        /// Device information (model, build, configuration).
        DeviceInfo = "device-info",
        /// Network state.
        NetworkState = "network-state",
        /// Bluetooth.
        Bluetooth = "bluetooth",
    }
}

vocab! {
    /// One of the ten Android permission groups of the TC260 system-permission guide (§5).
    Tc260Group {
        /// Calendar.
        Calendar = "calendar",
        /// Call log.
        CallLog = "call-log",
        /// Camera.
        Camera = "camera",
        /// Contacts.
        Contacts = "contacts",
        /// Location.
        Location = "location",
        /// Microphone.
        Microphone = "microphone",
        /// Phone.
        Phone = "phone",
        /// Body sensors.
        BodySensors = "body-sensors",
        /// SMS.
        Sms = "sms",
        /// Storage.
        Storage = "storage",
    }
}

vocab! {
    /// A special permission: granted in system settings rather than by a runtime dialog.
    Special {
        /// Draw over other apps.
        Overlay = "overlay",
        /// Modify system settings.
        WriteSettings = "write-settings",
        /// Install unknown apps.
        InstallPackages = "install-packages",
        /// Usage access.
        UsageStats = "usage-stats",
        /// Accessibility service.
        Accessibility = "accessibility",
        /// Notification access.
        NotificationListener = "notification-listener",
        /// Device administrator.
        DeviceAdmin = "device-admin",
        /// Do-not-disturb access.
        DoNotDisturb = "do-not-disturb",
        /// VPN service.
        Vpn = "vpn",
        /// All-files access.
        AllFilesAccess = "all-files-access",
        /// Exact alarms.
        ExactAlarm = "exact-alarm",
        /// Ignore battery optimisation.
        BatteryOptimization = "battery-optimization",
    }
}

vocab! {
    /// What a third-party SDK is for.
    Category {
        /// Push notifications.
        Push = "push",
        /// Analytics.
        Analytics = "analytics",
        /// Advertising.
        Ads = "ads",
        /// Maps.
        Maps = "maps",
        /// Location services.
        Location = "location",
        /// Payment.
        Payment = "payment",
        /// Social sharing.
        Social = "social",
        /// Login / identity providers.
        Login = "login",
        /// Instant messaging.
        Im = "im",
        /// Risk control / anti-fraud.
        RiskControl = "risk-control",
        /// OAID providers.
        Oaid = "oaid",
        /// Crash reporting.
        CrashReporting = "crash-reporting",
        /// Web views / browser kernels.
        Webview = "webview",
        /// Speech.
        Speech = "speech",
        /// ID / face verification.
        Identification = "identification",
        /// Live streaming.
        LiveStreaming = "live-streaming",
        /// Customer support.
        CustomerSupport = "customer-support",
        /// Frameworks, hot-fix, build tooling.
        Development = "development",
        /// CDN and networking.
        CdnNetwork = "cdn-network",
        /// Game engines.
        GameEngine = "game-engine",
        /// Anything else.
        Other = "other",
    }
}

vocab! {
    /// How serious a finding is.
    Severity {
        /// Informational.
        Info = "info",
        /// Low.
        Low = "low",
        /// Medium.
        Medium = "medium",
        /// High.
        High = "high",
        /// Critical.
        Critical = "critical",
    }
}

impl Severity {
    /// One level lower (`info` stays `info`).
    #[must_use]
    pub const fn one_below(self) -> Self {
        match self {
            Self::Critical => Self::High,
            Self::High => Self::Medium,
            Self::Medium => Self::Low,
            Self::Low | Self::Info => Self::Info,
        }
    }
}

vocab! {
    /// Lifecycle of a check (ruff's convention: new checks start in preview).
    Status {
        /// New; may change.
        Preview = "preview",
        /// Stable.
        Stable = "stable",
        /// Deprecated; will be removed.
        Deprecated = "deprecated",
    }
}

vocab! {
    /// How a sensitive API is recognised in code.
    ApiKind {
        /// A smali method reference `Lcls;->name(params)ret`.
        Method = "method",
        /// A smali field reference `Lcls;->name:Type`.
        Field = "field",
        /// An exact `const-string`.
        String = "string",
        /// A `content://` URI prefix matched against `const-string`s.
        ContentUri = "content-uri",
    }
}

vocab! {
    /// The engine evaluator a check configures.
    CheckKind {
        /// Each requested permission that matches `groups`, `special` or `names`.
        PermissionRequested = "permission-requested",
        /// Requested permissions whose APIs no code references.
        PermissionUnused = "permission-unused",
        /// Each call site of a sensitive API, attributed to the app or an SDK.
        PiApiUsed = "pi-api-used",
        /// An `<application>` attribute with a given value.
        ManifestFlag = "manifest-flag",
        /// Exported components with no permission.
        ExportedUnprotected = "exported-unprotected",
        /// Each detected SDK.
        SdkPresent = "sdk-present",
        /// Each detected packer, protector or obfuscator.
        PackerPresent = "packer-present",
        /// A condition of the APK's signature schemes or signer certificates.
        Signing = "signing",
        /// A condition of the network security policy (cleartext, trust anchors, pinning).
        NetworkConfig = "network-config",
        /// Each hard-coded credential of the given kinds.
        SecretPresent = "secret-present",
        /// Obfuscation the bytecode shows (`code.obfuscation.verdicts`).
        Obfuscation = "obfuscation",
        /// What the call graph shows runs before the user can consent (`startup`).
        BeforeConsent = "before-consent",
        /// Manifest components bound to a system capability by their `android:permission`
        /// (an accessibility service, a notification listener, a device admin…).
        ComponentCapability = "component-capability",
        /// Manifest receivers that wake the app on system broadcasts (boot, network, package
        /// changes…), each action marked delivered or not for the app's targetSdk.
        SelfStart = "self-start",
        /// Runtime permission requests (`behaviour.permission_requests`) and how they ask.
        PermissionRequest = "permission-request",
        /// Starts of other apps' components, or components other apps start to wake this one.
        AssociatedStart = "associated-start",
        /// Receivers registered in code for wake-up broadcasts.
        RegisteredReceiver = "registered-receiver",
        /// What keeps the app running or brings it back (`behaviour.keep_alive`).
        KeepAlive = "keep-alive",
        /// Apps the code asks about by name (`behaviour.package_probes`).
        PackageProbe = "package-probe",
        /// SMS the code sends itself (`behaviour.sms_sends`).
        SmsSend = "sms-send",
        /// Camera or microphone use in services without the matching foreground service type
        /// (`behaviour.background_capture`).
        BackgroundCapture = "background-capture",
        /// System settings screens the code opens for the user to grant a special permission
        /// (`behaviour.settings_intents`).
        SettingsIntent = "settings-intent",
    }
}

vocab! {
    /// What a `permission-request` check reports.
    RequestCondition {
        /// One request asking for permissions of several TC260 groups at once.
        Bundled = "bundled",
        /// A request reached from startup or the launcher's first lifecycle methods, before
        /// any user action.
        Early = "early",
        /// A request in a lifecycle method that runs each time the screen comes back
        /// (`onResume`, `onStart`): it asks again after a refusal.
        ReAsk = "re-ask",
        /// An SDK's own code requesting permissions.
        BySdk = "by-sdk",
        /// A permission-result callback that closes the app (`finish`, `System.exit`,
        /// `killProcess`): perhaps on refusal, a lead for a dynamic test.
        DenialExit = "denial-exit",
    }
}

vocab! {
    /// Which way an `associated-start` check looks.
    StartDirection {
        /// This app's code starting, binding, broadcasting to or querying another app.
        Outbound = "outbound",
        /// Components this app exports for other apps (of the same SDK) to wake it.
        Inbound = "inbound",
    }
}

vocab! {
    /// What a `before-consent` check reports.
    ConsentCondition {
        /// Personal information reached before any UI or from the launcher activity's first
        /// lifecycle methods, with no stored-flag read on the way.
        PiCollected = "pi-collected",
        /// The same, where the entry reads a stored flag before the call (perhaps the consent
        /// flag): to confirm by a dynamic test.
        PiCollectedConditional = "pi-collected-conditional",
        /// An SDK's initialisation API called from a startup or launch entry point.
        SdkInitialised = "sdk-initialised",
        /// An SDK's privacy switch defined in the APK with no call site.
        PrivacySwitchUncalled = "privacy-switch-uncalled",
    }
}

vocab! {
    /// Obfuscation signals an `obfuscation` check looks for (`verdicts`), as the engine names
    /// them in `code.obfuscation.verdicts`.
    ObfuscationVerdict {
        /// Most of the app's own classes, methods or fields have 1–2 character names.
        ShortNames = "short-names",
        /// String constants decrypted at run time by a decryptor method.
        StringEncryption = "string-encryption",
        /// Heavy use of reflection (`Class.forName`, `Method.invoke`).
        Reflection = "reflection",
        /// Code loaded at run time (class loaders, libraries the APK does not ship).
        DynamicLoading = "dynamic-loading",
        /// The traits of `DexGuard` (flattened packages, non-ASCII names, encrypted strings).
        Dexguard = "dexguard",
    }
}

vocab! {
    /// What a `network-config` check looks for (`condition`).
    NetworkCondition {
        /// Plain HTTP is allowed to every host (base policy).
        CleartextPermitted = "cleartext-permitted",
        /// A domain config allows plain HTTP to named domains.
        CleartextDomains = "cleartext-domains",
        /// Release builds trust user-installed CA certificates.
        UserCertsTrusted = "user-certs-trusted",
        /// The config has `<debug-overrides>`.
        DebugOverrides = "debug-overrides",
        /// A pin set whose expiration date is before the reference date: its pins are no
        /// longer enforced.
        PinSetExpired = "pin-set-expired",
        /// The manifest names a config that cannot be resolved or read.
        ConfigUnreadable = "config-unreadable",
    }
}

vocab! {
    /// Kinds of hard-coded credentials (`secret-present` `kinds`).
    SecretKind {
        /// Cloud access keys and API keys (AWS, Google, Alibaba Cloud, Tencent Cloud).
        Cloud = "cloud",
        /// Personal or bot tokens (GitHub, Slack).
        Token = "token",
        /// PEM private keys.
        PrivateKey = "private-key",
        /// Map SDK keys in manifest meta-data.
        Map = "map",
        /// Push SDK app keys and secrets in manifest meta-data.
        Push = "push",
        /// Analytics SDK app keys in manifest meta-data.
        Analytics = "analytics",
    }
}

vocab! {
    /// The characters a `[[secret]]` value may hold after its prefix (`charset`).
    SecretCharset {
        /// `[0-9A-Z]`.
        UpperDigit = "upper-digit",
        /// `[0-9A-Za-z]`.
        Alnum = "alnum",
        /// `[0-9A-Za-z_-]` (URL-safe base64).
        UrlSafe = "url-safe",
        /// `[0-9A-Za-z-]`.
        AlnumDash = "alnum-dash",
        /// `[A-Z ]`, and the run must end in `PRIVATE KEY-----` (PEM private-key headers).
        PemLabel = "pem-label",
    }
}

impl SecretCharset {
    /// Whether `b` may appear in the run after the prefix.
    pub const fn accepts(self, b: u8) -> bool {
        match self {
            Self::UpperDigit => b.is_ascii_uppercase() || b.is_ascii_digit(),
            Self::Alnum => b.is_ascii_alphanumeric(),
            Self::UrlSafe => b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
            Self::AlnumDash => b.is_ascii_alphanumeric() || b == b'-',
            Self::PemLabel => b.is_ascii_uppercase() || b == b' ',
        }
    }
}

vocab! {
    /// What a `signing` check looks for (`condition`). apkscope reports signatures; it does not
    /// verify their digests.
    SigningCondition {
        /// No signature scheme at all.
        Unsigned = "unsigned",
        /// A signer certificate whose subject CN is `Android Debug`.
        DebugCertificate = "debug-certificate",
        /// A signer certificate whose validity ended before the reference date.
        CertificateExpired = "certificate-expired",
        /// A signer certificate whose validity starts after the reference date.
        CertificateNotYetValid = "certificate-not-yet-valid",
        /// A signer certificate whose validity ends before a fixed `date`.
        ValidityEndsBefore = "validity-ends-before",
        /// A signer certificate signed with MD2, MD5 or SHA-1.
        WeakSignatureAlgorithm = "weak-signature-algorithm",
        /// An RSA or DSA key under `min_key_bits` bits, or an EC key under 224 bits.
        WeakKey = "weak-key",
        /// Only the v1 (JAR) scheme while `minSdk` < 24: open to Janus (CVE-2017-13156).
        V1OnlyJanus = "v1-only-janus",
        /// A scheme the app's SDK levels need is absent (v1 below API 24, v2+ from target 30).
        MissingRequiredScheme = "missing-required-scheme",
    }
}

vocab! {
    /// What a `[[packer]]` entry does to the app's code.
    PackerKind {
        /// Encrypts or hides the real dex and loads it at run time from a stub.
        Packer = "packer",
        /// A commercial protection service (packing plus anti-tamper / anti-debug).
        Protector = "protector",
        /// Renames or encrypts code in place (no loader stub).
        Obfuscator = "obfuscator",
    }
}

vocab! {
    /// Who a `pi-api-used` check looks at.
    ApiUser {
        /// Call sites inside an SDK's classes.
        Sdk = "sdk",
        /// Call sites in the app's own classes (its manifest package, its Application class's
        /// package).
        App = "app",
        /// Call sites in a platform library (`[[library]]` of kind `platform`: `AndroidX`,
        /// Kotlin, Play-services internals).
        PlatformLibrary = "platform-library",
        /// Call sites in an open-source library (`[[library]]` of kind `open-source`).
        OpenSourceLibrary = "open-source-library",
        /// Call sites in code of no known SDK, library or app package.
        Unattributed = "unattributed",
        /// Every owner.
        Any = "any",
    }
}

vocab! {
    /// What kind of personal information a [`PiType`] is, for grading findings about it.
    PiClass {
        /// An identifier the user cannot change or reset (IMEI, IMSI, serial, MAC).
        UnchangeableIdentifier = "unchangeable-identifier",
        /// An identifier the user or the system can reset or that is scoped to an app (OAID,
        /// advertising id, Android ID).
        ResettableIdentifier = "resettable-identifier",
        /// Where the device is (location, cell towers, Wi-Fi networks).
        Location = "location",
        /// Communication content and records (contacts, SMS, call log, calendar).
        Communication = "communication",
        /// What else the user has installed or runs.
        AppUsage = "app-usage",
        /// What the user captures or stores (camera, microphone, media, clipboard).
        Content = "content",
        /// Who the user is to others (accounts, phone number).
        Account = "account",
        /// Facts about the device that do not identify the user on their own.
        DeviceState = "device-state",
    }
}

vocab! {
    /// What kind of code a `[[library]]` is.
    LibraryKind {
        /// Part of the platform or its official support libraries (`AndroidX`, Kotlin,
        /// Play-services base): code the app links, not a third party that receives data.
        Platform = "platform",
        /// An open-source library the app's developer chose and is responsible for.
        OpenSource = "open-source",
    }
}

vocab! {
    /// A manifest component kind.
    ComponentKind {
        /// `<activity>`.
        Activity = "activity",
        /// `<activity-alias>`.
        ActivityAlias = "activity-alias",
        /// `<service>`.
        Service = "service",
        /// `<receiver>`.
        Receiver = "receiver",
        /// `<provider>`.
        Provider = "provider",
    }
}

/// `[[permission]]`: a platform (or vendor) permission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    /// Full name, e.g. `android.permission.READ_PHONE_STATE`.
    pub name: String,
    /// Android protection level: a base (`normal`, `dangerous`, `signature`, …) and
    /// `|`-separated flags (`signature|privileged`).
    pub protection_level: String,
    /// API level that introduced it.
    pub added_in: u32,
    /// API level that deprecated it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated_in: Option<u32>,
    /// TC260 group (never together with `special`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Tc260Group>,
    /// Special-permission class (never together with `group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special: Option<Special>,
    /// Personal information the permission guards (may be empty).
    #[serde(default)]
    pub pi_types: Vec<PiType>,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

/// `[[sdk]]`: a third-party SDK and the signatures that reveal it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sdk {
    /// Stable id, lowercase `[a-z0-9-]`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Chinese display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// Who makes it. Optional: reference data such as the Exodus list often does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// What it is for.
    pub category: Category,
    /// One line, for the SDK list regulators ask apps to publish.
    pub purpose: String,
    /// The Exodus tracker id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exodus_id: Option<u32>,
    /// Dotted class-name prefixes; a package prefix ends with `.`.
    #[serde(default)]
    pub class_prefixes: Vec<String>,
    /// Manifest component class names (exact).
    #[serde(default)]
    pub components: Vec<String>,
    /// Intent-filter actions (exact).
    #[serde(default)]
    pub intent_actions: Vec<String>,
    /// Native library file names; `*` matches any run of characters.
    #[serde(default)]
    pub native_libs: Vec<String>,
    /// Network domains; a domain matches itself and its subdomains.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Manifest `<meta-data android:name>` keys the vendor's setup has the app declare
    /// (`UMENG_APPKEY`, exact). They stay when the SDK's code is renamed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meta_data: Vec<String>,
    /// Distinctive string constants of the SDK's code (exact dex strings): renaming keeps them.
    /// The SDK is found by them alone when at least `strings_min` of them are present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strings: Vec<String>,
    /// How many of `strings` must be present (default: all of them, at least 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strings_min: Option<u32>,
    /// Where the SDK's version is read, tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionSource>,
    /// Vendor homepage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// The SDK's privacy policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_policy: Option<String>,
    /// The company that provides the SDK, by its registered name (in Chinese for Chinese
    /// companies, as their privacy policies name them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<String>,
    /// The SDK's public initialisation APIs (method signatures, `Lcls;->name(params)ret`): a
    /// call to one from a startup entry is "the SDK is initialised before consent".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_apis: Vec<String>,
    /// The SDK's privacy switches (method signatures): the APIs its vendor documents for the
    /// app to tell it the user agreed (or to stop collection). Present in the APK with no call
    /// site is a finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub privacy_switches: Vec<String>,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

/// One place an SDK's version is read (`[[sdk]] versions`): exactly one of `field`,
/// `method`, `string_prefix`, `native_lib`; `pattern` picks the version out of the text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionSource {
    /// A static `String` field (`Lcls;->NAME:Ljava/lang/String;`): its initial value, or the
    /// constant its class initialiser stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A method (`Lcls;->name()Ljava/lang/String;`): a constant string it returns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A dex string starting with this text (`"Alipay SDK "`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_prefix: Option<String>,
    /// A regular expression over native-library file names (`^libjcore(\d)(\d)(\d)\.so$`):
    /// its capture groups, joined by `.`, are the version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native_lib: Option<String>,
    /// A regular expression the text must match (default `^v?(\d+(\.\d+){1,3})$`): its
    /// first capture group, else the whole match, is the version. Unused with `native_lib`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// `[[library]]`: code that is neither a third-party SDK nor the app's own: platform libraries
/// (`AndroidX`, Kotlin) and open-source libraries (`OkHttp`, Glide). Code under its prefixes is
/// owned by it, so it is neither blamed on the app nor reported as an unknown collector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Library {
    /// Stable id, lowercase `[a-z0-9-]`, unique across the pack.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Platform or open-source.
    pub kind: LibraryKind,
    /// Who makes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Dotted class-name prefixes, as for SDKs; the longest prefix of an SDK or a library wins.
    pub class_prefixes: Vec<String>,
    /// When set, its code belongs to the SDK of this category that the app embeds (the one
    /// first in id order when there are several): Play-services' advertising-id client is the
    /// ads SDK's, not Google's platform code. When the app embeds none, the library keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by_category: Option<Category>,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

/// `[[pi_type]]`: what the pack says of one personal-information type: its names in English
/// and Chinese, its class, whether it is personal (sensitive) information, and the severity of
/// a finding about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiTypeInfo {
    /// The type (one table per [`PiType`] value).
    pub id: PiType,
    /// English label, e.g. `IMEI (device identifier)`.
    pub name: String,
    /// Chinese label, e.g. `设备识别码（IMEI）`.
    pub name_zh: String,
    /// Its class.
    pub class: PiClass,
    /// Whether it is personal information at all: network state is a fact about the device
    /// and is kept as a fact, never a finding.
    pub personal: bool,
    /// Whether GB/T 35273-2020 annex B lists it as sensitive personal information.
    pub sensitive: bool,
    /// Severity of a finding that code collects it.
    pub severity: Severity,
    /// Why that severity, one line (shown with the finding).
    pub severity_reason: String,
    /// The same in Chinese.
    pub severity_reason_zh: String,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

vocab! {
    /// When an entry point runs, from the earliest.
    Trigger {
        /// When the process starts, before any UI: the Application, content providers,
        /// `androidx.startup` initialisers.
        Startup = "startup",
        /// When the user opens the app: the launcher activity's first lifecycle methods.
        Launch = "launch",
        /// When another component is started: activities, services, receivers.
        Component = "component",
        /// When the user acts: a click, a menu item, a dialog button.
        User = "user",
    }
}

vocab! {
    /// The kinds of manifest components (and startup initialisers) an `[[entry]]` names.
    EntryComponent {
        /// `<application android:name>`.
        Application = "application",
        /// Every `<provider>`.
        Provider = "provider",
        /// An `androidx.startup.Initializer` named in the initialisation provider's meta-data.
        Initializer = "initializer",
        /// The activity with a MAIN/LAUNCHER intent filter.
        LauncherActivity = "launcher-activity",
        /// Every other activity.
        Activity = "activity",
        /// Every service.
        Service = "service",
        /// Every receiver (manifest-declared).
        Receiver = "receiver",
    }
}

/// `[[entry]]`: methods the platform calls, and when: the roots of the call graph. With a
/// `component`, the methods of that manifest component's class (and the app-defined classes it
/// extends); without one, methods of any app class (user callbacks such as `onClick`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable id.
    pub id: String,
    /// When these methods run.
    pub trigger: Trigger,
    /// Which component's class defines them; none for callbacks of any class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<EntryComponent>,
    /// Method selectors: `name(params)ret`, e.g. `onCreate(Landroid/os/Bundle;)V`.
    pub methods: Vec<String>,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

/// `[[async]]`: a platform API that runs code later on another thread or component: a call
/// to one of `apis` in a method that creates (or names, with `const-class`) an app class
/// reaches that class's `callbacks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Async {
    /// Stable id.
    pub id: String,
    /// Method signatures (`Lcls;->name(params)ret`).
    pub apis: Vec<String>,
    /// The callbacks they run (selectors `name(params)ret`).
    pub callbacks: Vec<String>,
    /// Whether they run the callback again and again (a timer, a repeating schedule): sites
    /// reached through them are `periodic`.
    #[serde(default)]
    pub periodic: bool,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

/// `[[consent_gate]]`: APIs that read a stored flag (`SharedPreferences.getBoolean`): an entry
/// that reads one before a call on a path may be waiting for the user's consent, so the path
/// is `conditional`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentGate {
    /// Stable id.
    pub id: String,
    /// Method signatures.
    pub apis: Vec<String>,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

vocab! {
    /// What a `[[behaviour_api]]` call does, which says what its argument holds.
    BehaviourRole {
        /// Starts an activity (`arg`: the `Intent`).
        StartActivity = "start-activity",
        /// Starts a service (`arg`: the `Intent`).
        StartService = "start-service",
        /// Binds a service (`arg`: the `Intent`).
        BindService = "bind-service",
        /// Sends a broadcast (`arg`: the `Intent`).
        SendBroadcast = "send-broadcast",
        /// Calls another app's content provider (`arg`: the `Uri`).
        ProviderCall = "provider-call",
        /// Asks the user for runtime permissions (`arg`: the permission array, list or name).
        RequestPermissions = "request-permissions",
        /// Registers a broadcast receiver in code (`arg`: the `IntentFilter`).
        RegisterReceiver = "register-receiver",
        /// Schedules repeating work: a repeating alarm, a periodic job or periodic work (`arg`:
        /// what it runs, when known — the `PendingIntent`'s `Intent`, the worker class).
        RepeatingSchedule = "repeating-schedule",
        /// Asks whether a named app is installed (`arg`: the package name).
        PackageProbe = "package-probe",
        /// Sends an SMS itself (`arg`: the destination number).
        SendSms = "send-sms",
    }
}

/// `[[behaviour_api]]`: a platform or library API whose argument the collector rebuilds from
/// the calling method's constants (an `Intent`'s target, a permission array, an
/// `IntentFilter`'s actions), so behaviour checks can say what it starts, asks or listens for.
/// A framework API (`Landroid/…`) also matches calls through an app class that inherits it
/// (`MainActivity.requestPermissions`); a library API matches its own class only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourApi {
    /// Stable id.
    pub id: String,
    /// What the call does.
    pub role: BehaviourRole,
    /// Method signatures (`Lcls;->name(params)ret`).
    pub apis: Vec<String>,
    /// Which argument holds the value, counting the receiver of an instance method as 0.
    pub arg: u8,
    /// The wrapper library, for APIs that are not the platform's own (`XXPermissions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

/// `[[source]]`: a document findings cite: a regulation, a standard, a guide, documentation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Stable id, cited by `references` directly or through a `[[reference]]`.
    pub id: String,
    /// Title in English.
    pub title: String,
    /// Title in Chinese, for Chinese documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_zh: Option<String>,
    /// Who issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Document number (`国信办秘字〔2019〕191号`, `GB/T 35273-2020`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Date of issue, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A caveat (an unverified number, which version is meant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `[[reference]]`: one clause, article, item or anchor of a `[[source]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The id `references` lists cite, conventionally `<source>:<clause>` (`认定方法:2.1`).
    pub id: String,
    /// The `[[source]]` it is part of.
    pub source: String,
    /// The clause as the document numbers it (`2.1`, `appendix B`, `R.attr#debuggable`).
    pub clause: String,
    /// The clause's title (or gist) in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause_title: Option<String>,
    /// The clause's title in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause_title_zh: Option<String>,
    /// Where to read the clause, when it has its own address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A caveat: `by analogy`, inferred numbering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `[[packer]]`: a packer, protector or obfuscator and the traces its stub leaves in an APK.
///
/// A packed app's real code is encrypted or loaded at run time, so a static analysis of it is
/// incomplete: the engine reports every packer it recognises.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Packer {
    /// Stable id, lowercase `[a-z0-9-]`, unique across the pack.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Who makes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// What it does to the code.
    pub kind: PackerKind,
    /// Stub class names (exact, dotted) written as `<application android:name>` or
    /// `android:appComponentFactory`; a dex class of that name is evidence too.
    #[serde(default)]
    pub application_classes: Vec<String>,
    /// Dotted class-name prefixes, with the same specificity rules as `[[sdk]]`.
    #[serde(default)]
    pub class_prefixes: Vec<String>,
    /// Native library file names; `*` matches any run of characters.
    #[serde(default)]
    pub native_libs: Vec<String>,
    /// APK entry paths under `assets/`; `*` matches any run of characters.
    #[serde(default)]
    pub asset_files: Vec<String>,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

/// `[[secret]]`: a kind of hard-coded credential and how to recognise it.
///
/// Either `prefixes` with a shape (`charset`, `min_len`, `max_len`): a literal prefix, then
/// `min_len..=max_len` characters of `charset`, not preceded by an ASCII letter or digit nor
/// followed by another character of `charset` (one Aho-Corasick pass finds every prefix, the
/// shape is checked byte by byte: no regular expressions). Or `meta_data`: manifest
/// `<meta-data>` names whose value is the credential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// Stable id, lowercase `[a-z0-9-]`, unique across the pack; reported as `secrets[].id`.
    pub id: String,
    /// Whose credential it is.
    pub vendor: String,
    /// What kind of credential (the `secret-present` vocabulary).
    pub kind: SecretKind,
    /// Literal prefixes every value starts with (case-sensitive).
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Characters allowed after the prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<SecretCharset>,
    /// Shortest run of `charset` after the prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_len: Option<u32>,
    /// Longest run of `charset` after the prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
    /// Manifest `<meta-data android:name>` values (exact) whose `android:value` is the
    /// credential.
    #[serde(default)]
    pub meta_data: Vec<String>,
    /// An identifier the vendor expects every app to ship (an app key or app id in manifest
    /// meta-data): reported as a fact, never as a hard-coded secret.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
    /// String resources whose value of this shape is a public identifier (Firebase's
    /// `google_api_key`): found there, it is a fact, not a secret.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_in_resources: Vec<String>,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

/// A permission an API needs, optionally limited to a range of Android API levels (of the
/// device the app runs on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiPermission {
    /// Permission name.
    pub name: String,
    /// First API level where this permission applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sdk: Option<u32>,
    /// Last API level where this permission applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sdk: Option<u32>,
    /// Without the permission the API still answers, with less: package visibility filters
    /// the installed-app list an app without `QUERY_ALL_PACKAGES` gets. Such a permission
    /// never makes the API useless to the app.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub filters: bool,
}

/// `[[api]]`: a sensitive API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// Stable id, lowercase `[a-z0-9-]`.
    pub id: String,
    /// The personal information it returns.
    pub pi_type: PiType,
    /// How it is recognised.
    pub kind: ApiKind,
    /// Method or field reference, exact string, or content-URI prefix (per `kind`).
    pub signature: String,
    /// A string the calling method must also load for a call site to count: for APIs that
    /// return personal information only with a given argument
    /// (`Settings.Secure.getString(resolver, "android_id")`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_string: Option<String>,
    /// Strings whose loading by the calling method means the call site does not count: for
    /// values an app hands to another app rather than reads (a calendar `CONTENT_URI` set as the
    /// data of an `ACTION_INSERT` intent, which the calendar app handles).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub without_strings: Vec<String>,
    /// Permissions it needs.
    #[serde(default)]
    pub permissions: Vec<ApiPermission>,
    /// From this Android API level on, the platform returns a placeholder whatever the app
    /// does (`WifiInfo.getMacAddress()` returns `02:00:00:00:00:00` from Android 6.0): an app
    /// whose `minSdkVersion` is at least this never gets the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blanked_from_device_sdk: Option<u32>,
    /// For apps whose `targetSdkVersion` is at least this, the platform returns a placeholder
    /// (`Build.SERIAL` is `unknown` for apps targeting Android 8.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blanked_from_target_sdk: Option<u32>,
    /// Whether a call gives the app the personal information (default true). `false` for APIs
    /// that only use what a permission guards (sending an SMS uses `SEND_SMS` but reads no
    /// message): they count towards the permission's use, never as collection.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub collects: bool,
    /// Where the facts come from (non-empty).
    pub references: Vec<String>,
}

fn yes() -> bool {
    true
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if signature"
)]
fn is_true(b: &bool) -> bool {
    *b
}

/// `[[check]]`: a finding, configuring one of the engine's evaluators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Stable id, UPPER letters then digits (`PERM001`).
    pub id: String,
    /// Kebab-case name that reads as "allow `<name>`".
    pub name: String,
    /// The evaluator.
    pub kind: CheckKind,
    /// Severity of each finding.
    pub severity: Severity,
    /// Lifecycle.
    pub status: Status,
    /// Version that introduced it (`0.1`).
    pub since: String,
    /// One-line title.
    pub title: String,
    /// What it finds.
    pub what: String,
    /// Why that matters.
    pub why: String,
    /// An example that triggers it.
    pub example: String,
    /// How to fix it.
    pub remediation: String,
    /// Regulation clauses, standards, documentation (non-empty).
    pub references: Vec<String>,
    /// The title and explanations in Chinese (`[check.zh]`), for `--lang zh` reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<CheckText>,
    /// Evaluator parameters, as written; [`CheckParams::parse`] gives the typed form.
    #[serde(default)]
    pub params: toml::Table,
}

/// `[check.zh]`: a check's reader-facing texts in another language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckText {
    /// One-line title.
    pub title: String,
    /// What it finds.
    pub what: String,
    /// Why that matters.
    pub why: String,
    /// How to fix it.
    pub remediation: String,
}

/// `[[message]]`: the wording of a finding message, or of a part of one, that an evaluator
/// composes — in English and Chinese, so that a report's language is a table, not a code path.
///
/// Placeholders: `{name}` takes the argument `name`; `{name:one|other}` picks a word by the
/// count `name` (`{sites} {sites:site|sites}`). Both texts use the same names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Stable id the engine names (`pi.collects`).
    pub id: String,
    /// English text.
    pub text: String,
    /// Chinese text.
    pub text_zh: String,
}

/// `[[test]]`: a rule test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    /// Any id of the pack (SDK, API or check id, or a permission name).
    pub rule: String,
    /// Path relative to the repository root: an APK or a facts JSON.
    pub fixture: String,
    /// Whether the rule must match.
    pub expect: bool,
}

/// The value a `manifest-flag` check compares an attribute with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FlagValue {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
}

/// Typed parameters of a check, one variant per [`CheckKind`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum CheckParams {
    /// `permission-requested`: any of the groups, special classes or names.
    PermissionRequested {
        /// TC260 groups.
        groups: Vec<Tc260Group>,
        /// Special-permission classes.
        special: Vec<Special>,
        /// Exact permission names.
        names: Vec<String>,
    },
    /// `permission-unused`: restricted to these groups (empty: all).
    PermissionUnused {
        /// TC260 groups.
        groups: Vec<Tc260Group>,
    },
    /// `pi-api-used`.
    PiApiUsed {
        /// Whose call sites.
        by: ApiUser,
        /// Restricted to these types (empty: all).
        pi_types: Vec<PiType>,
    },
    /// `manifest-flag`.
    ManifestFlag {
        /// `<application>` attribute name.
        attribute: String,
        /// The value that triggers the finding.
        equals: FlagValue,
    },
    /// `exported-unprotected`: these component kinds (empty: all).
    ExportedUnprotected {
        /// Component kinds.
        kinds: Vec<ComponentKind>,
    },
    /// `sdk-present`: these categories (empty: all).
    SdkPresent {
        /// SDK categories.
        categories: Vec<Category>,
    },
    /// `packer-present`: these packer kinds (empty: all).
    PackerPresent {
        /// Packer kinds.
        kinds: Vec<PackerKind>,
    },
    /// `signing`: one condition of the signature schemes or signer certificates.
    Signing {
        /// What to look for.
        condition: SigningCondition,
        /// `validity-ends-before` only: the day (`YYYY-MM-DD`, UTC) a certificate must outlive.
        date: Option<String>,
        /// `weak-key` only: the smallest RSA or DSA key accepted (default 2048).
        min_key_bits: Option<u32>,
    },
    /// `network-config`: one condition of the network security policy.
    NetworkConfig {
        /// What to look for.
        condition: NetworkCondition,
    },
    /// `secret-present`: credentials of these kinds (empty: all).
    SecretPresent {
        /// Secret kinds.
        kinds: Vec<SecretKind>,
    },
    /// `obfuscation`: any of these verdicts (empty: any).
    Obfuscation {
        /// Obfuscation verdicts.
        verdicts: Vec<ObfuscationVerdict>,
    },
    /// `before-consent`: one condition of what runs before consent.
    BeforeConsent {
        /// What to look for.
        condition: ConsentCondition,
    },
    /// `self-start`: manifest receivers listening for these broadcast actions; Android 8
    /// (API 26) stopped delivering implicit broadcasts to the manifest receivers of apps that
    /// target it, except `exempt_actions`.
    SelfStart {
        /// Wake-up broadcast actions.
        actions: Vec<String>,
        /// Those still delivered to manifest receivers whatever the targetSdk.
        exempt_actions: Vec<String>,
    },
    /// `permission-request`: one condition of how permissions are requested.
    PermissionRequest {
        /// What to look for.
        condition: RequestCondition,
    },
    /// `associated-start`: outbound starts of other apps, or (inbound) exported components
    /// with these class names, which an SDK's copies in other apps start to wake this one.
    AssociatedStart {
        /// Which way.
        direction: StartDirection,
        /// Inbound: the SDKs' wake components (class names).
        components: Vec<String>,
        /// Outbound: packages of the platform and of device makers' system apps (each with
        /// its sub-packages; a provider's authority counts as its package): starting them
        /// opens the system's own screens and services, not another app.
        exempt_packages: Vec<String>,
    },
    /// `registered-receiver`: receivers registered in code for any of these actions.
    RegisteredReceiver {
        /// Wake-up broadcast actions.
        actions: Vec<String>,
    },
    /// `sms-send`: one finding per owner sending SMS itself.
    SmsSend {},
    /// `background-capture`: one finding per owner using the camera or the microphone in
    /// services without the matching foreground service type.
    BackgroundCapture {},
    /// `settings-intent`: one finding per owner opening a settings screen with one of these
    /// actions (where the user grants a special permission).
    SettingsIntent {
        /// Intent actions (`android.settings.action.MANAGE_OVERLAY_PERMISSION`…).
        actions: Vec<String>,
    },
    /// `package-probe`: one finding per owner asking whether at least `min_packages` other
    /// apps, named by constants, are installed.
    PackageProbe {
        /// The fewest probed apps that make a finding.
        min_packages: u32,
        /// Packages of the platform and system apps (each with its sub-packages) not counted:
        /// checking for Google Play services or the Play Store is no sniffing.
        exempt_packages: Vec<String>,
    },
    /// `keep-alive`: one finding per owner of `behaviour.keep_alive` entries of these
    /// mechanisms (empty: all); an owner whose only mechanism is `extra-process` is `info`.
    KeepAlive {
        /// Mechanisms (`restarting-service`, `foreground-from-receiver`, `sync-adapter`,
        /// `account-authenticator`, `extra-process`, `repeating-schedule`).
        mechanisms: Vec<String>,
    },
    /// `component-capability`: components protected by one of these permissions (the
    /// `BIND_…` permission the system holds to bind them), of these kinds (empty: all).
    ComponentCapability {
        /// Exact permission names.
        permissions: Vec<String>,
        /// Component kinds.
        kinds: Vec<ComponentKind>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionRequestedRaw {
    #[serde(default)]
    groups: Vec<Tc260Group>,
    #[serde(default)]
    special: Vec<Special>,
    #[serde(default)]
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupsRaw {
    #[serde(default)]
    groups: Vec<Tc260Group>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PiApiUsedRaw {
    by: ApiUser,
    #[serde(default)]
    pi_types: Vec<PiType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFlagRaw {
    attribute: String,
    equals: FlagValue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindsRaw {
    #[serde(default)]
    kinds: Vec<ComponentKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesRaw {
    #[serde(default)]
    categories: Vec<Category>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackerKindsRaw {
    #[serde(default)]
    kinds: Vec<PackerKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ObfuscationRaw {
    #[serde(default)]
    verdicts: Vec<ObfuscationVerdict>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkConfigRaw {
    condition: NetworkCondition,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentCapabilityRaw {
    permissions: Vec<String>,
    #[serde(default)]
    kinds: Vec<ComponentKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SelfStartRaw {
    actions: Vec<String>,
    #[serde(default)]
    exempt_actions: Vec<String>,
}

impl SelfStartRaw {
    fn parse(self) -> Result<CheckParams, String> {
        if self.actions.is_empty() {
            return Err("`actions` is empty: it must name at least one".to_owned());
        }
        if let Some(stray) = self
            .exempt_actions
            .iter()
            .find(|a| !self.actions.contains(a))
        {
            return Err(format!("exempt action `{stray}` is not in `actions`"));
        }
        Ok(CheckParams::SelfStart {
            actions: self.actions,
            exempt_actions: self.exempt_actions,
        })
    }
}

impl ComponentCapabilityRaw {
    fn parse(self) -> Result<CheckParams, String> {
        if self.permissions.is_empty() {
            return Err("`permissions` is empty: it must name at least one".to_owned());
        }
        Ok(CheckParams::ComponentCapability {
            permissions: self.permissions,
            kinds: self.kinds,
        })
    }
}

impl SigningRaw {
    fn parse(self) -> Result<CheckParams, String> {
        let dated = self.condition == SigningCondition::ValidityEndsBefore;
        match &self.date {
            None if dated => return Err("`validity-ends-before` needs `date`".to_owned()),
            Some(_) if !dated => {
                return Err("`date` applies only to `validity-ends-before`".to_owned());
            }
            Some(d) if !is_iso_day(d) => {
                return Err(format!("`date` {d:?} is not a day written YYYY-MM-DD"));
            }
            _ => {}
        }
        if self.min_key_bits.is_some() && self.condition != SigningCondition::WeakKey {
            return Err("`min_key_bits` applies only to `weak-key`".to_owned());
        }
        Ok(CheckParams::Signing {
            condition: self.condition,
            date: self.date,
            min_key_bits: self.min_key_bits,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionRequestRaw {
    condition: RequestCondition,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssociatedStartRaw {
    direction: StartDirection,
    #[serde(default)]
    components: Vec<String>,
    #[serde(default)]
    exempt_packages: Vec<String>,
}

impl AssociatedStartRaw {
    fn parse(self) -> Result<CheckParams, String> {
        match (self.direction, self.components.is_empty()) {
            (StartDirection::Inbound, true) => {
                Err("an inbound check needs `components`: the wake components".to_owned())
            }
            (StartDirection::Outbound, false) => {
                Err("`components` is for inbound checks only".to_owned())
            }
            (StartDirection::Inbound, false) if !self.exempt_packages.is_empty() => {
                Err("`exempt_packages` is for outbound checks only".to_owned())
            }
            _ => Ok(CheckParams::AssociatedStart {
                direction: self.direction,
                components: self.components,
                exempt_packages: self.exempt_packages,
            }),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyRaw {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackageProbeRaw {
    #[serde(default = "one")]
    min_packages: u32,
    #[serde(default)]
    exempt_packages: Vec<String>,
}

const fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeepAliveRaw {
    #[serde(default)]
    mechanisms: Vec<String>,
}

/// The `keep-alive` mechanisms the engine reports.
pub const KEEP_ALIVE_MECHANISMS: &[&str] = &[
    "restarting-service",
    "foreground-from-receiver",
    "sync-adapter",
    "account-authenticator",
    "extra-process",
    "repeating-schedule",
];

impl KeepAliveRaw {
    fn parse(self) -> Result<CheckParams, String> {
        if let Some(m) = self
            .mechanisms
            .iter()
            .find(|m| !KEEP_ALIVE_MECHANISMS.contains(&m.as_str()))
        {
            return Err(format!(
                "unknown mechanism `{m}`, expected one of {}",
                KEEP_ALIVE_MECHANISMS.join(", ")
            ));
        }
        Ok(CheckParams::KeepAlive {
            mechanisms: self.mechanisms,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisteredReceiverRaw {
    actions: Vec<String>,
}

impl RegisteredReceiverRaw {
    fn parse(self) -> Result<CheckParams, String> {
        if self.actions.is_empty() {
            return Err("`actions` is empty: it must name at least one".to_owned());
        }
        Ok(CheckParams::RegisteredReceiver {
            actions: self.actions,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BeforeConsentRaw {
    condition: ConsentCondition,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretKindsRaw {
    #[serde(default)]
    kinds: Vec<SecretKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SigningRaw {
    condition: SigningCondition,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    min_key_bits: Option<u32>,
}

/// Whether `s` is a calendar day written `YYYY-MM-DD`.
pub fn is_iso_day(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let number = |r: std::ops::Range<usize>| s.get(r).and_then(|d| d.parse::<u32>().ok());
    b.len() == 10
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && number(5..7).is_some_and(|m| (1..=12).contains(&m))
        && number(8..10).is_some_and(|d| (1..=31).contains(&d))
}

impl CheckParams {
    /// Reads the parameters of a check of `kind`; the error is serde's message (unknown or
    /// missing key, wrong type or value).
    pub fn parse(kind: CheckKind, params: &toml::Table) -> Result<Self, String> {
        let value = toml::Value::Table(params.clone());
        let err = |e: toml::de::Error| e.message().to_owned();
        Ok(match kind {
            CheckKind::PermissionRequested => {
                let r: PermissionRequestedRaw = value.try_into().map_err(err)?;
                if r.groups.is_empty() && r.special.is_empty() && r.names.is_empty() {
                    return Err("needs at least one of `groups`, `special`, `names`".to_owned());
                }
                Self::PermissionRequested {
                    groups: r.groups,
                    special: r.special,
                    names: r.names,
                }
            }
            CheckKind::PermissionUnused => {
                let r: GroupsRaw = value.try_into().map_err(err)?;
                Self::PermissionUnused { groups: r.groups }
            }
            CheckKind::PiApiUsed => {
                let r: PiApiUsedRaw = value.try_into().map_err(err)?;
                Self::PiApiUsed {
                    by: r.by,
                    pi_types: r.pi_types,
                }
            }
            CheckKind::ManifestFlag => {
                let r: ManifestFlagRaw = value.try_into().map_err(err)?;
                if r.attribute.trim().is_empty() {
                    return Err("`attribute` is empty".to_owned());
                }
                Self::ManifestFlag {
                    attribute: r.attribute,
                    equals: r.equals,
                }
            }
            CheckKind::ExportedUnprotected => {
                let r: KindsRaw = value.try_into().map_err(err)?;
                Self::ExportedUnprotected { kinds: r.kinds }
            }
            CheckKind::SdkPresent => {
                let r: CategoriesRaw = value.try_into().map_err(err)?;
                Self::SdkPresent {
                    categories: r.categories,
                }
            }
            CheckKind::PackerPresent => {
                let r: PackerKindsRaw = value.try_into().map_err(err)?;
                Self::PackerPresent { kinds: r.kinds }
            }
            CheckKind::Obfuscation => {
                let r: ObfuscationRaw = value.try_into().map_err(err)?;
                Self::Obfuscation {
                    verdicts: r.verdicts,
                }
            }
            CheckKind::Signing => SigningRaw::parse(value.try_into().map_err(err)?)?,
            CheckKind::NetworkConfig => {
                let r: NetworkConfigRaw = value.try_into().map_err(err)?;
                Self::NetworkConfig {
                    condition: r.condition,
                }
            }
            CheckKind::BeforeConsent => {
                let r: BeforeConsentRaw = value.try_into().map_err(err)?;
                Self::BeforeConsent {
                    condition: r.condition,
                }
            }
            CheckKind::ComponentCapability => {
                ComponentCapabilityRaw::parse(value.try_into().map_err(err)?)?
            }
            CheckKind::SelfStart => SelfStartRaw::parse(value.try_into().map_err(err)?)?,
            CheckKind::PermissionRequest
            | CheckKind::AssociatedStart
            | CheckKind::RegisteredReceiver
            | CheckKind::KeepAlive
            | CheckKind::SmsSend
            | CheckKind::BackgroundCapture
            | CheckKind::SettingsIntent
            | CheckKind::PackageProbe => Self::parse_behaviour(kind, value)?,
            CheckKind::SecretPresent => {
                let r: SecretKindsRaw = value.try_into().map_err(err)?;
                Self::SecretPresent { kinds: r.kinds }
            }
        })
    }

    /// The behaviour kinds' parameters (`permission-request`, `associated-start`, …).
    fn parse_behaviour(kind: CheckKind, value: toml::Value) -> Result<Self, String> {
        let err = |e: toml::de::Error| e.message().to_owned();
        Ok(match kind {
            CheckKind::PermissionRequest => {
                let r: PermissionRequestRaw = value.try_into().map_err(err)?;
                Self::PermissionRequest {
                    condition: r.condition,
                }
            }
            CheckKind::AssociatedStart => {
                AssociatedStartRaw::parse(value.try_into().map_err(err)?)?
            }
            CheckKind::RegisteredReceiver => {
                RegisteredReceiverRaw::parse(value.try_into().map_err(err)?)?
            }
            CheckKind::KeepAlive => KeepAliveRaw::parse(value.try_into().map_err(err)?)?,
            CheckKind::SmsSend => {
                let _: EmptyRaw = value.try_into().map_err(err)?;
                Self::SmsSend {}
            }
            CheckKind::BackgroundCapture => {
                let _: EmptyRaw = value.try_into().map_err(err)?;
                Self::BackgroundCapture {}
            }
            CheckKind::SettingsIntent => {
                let r: RegisteredReceiverRaw = value.try_into().map_err(err)?;
                if r.actions.is_empty() {
                    return Err("`actions` is empty: it must name at least one".to_owned());
                }
                Self::SettingsIntent { actions: r.actions }
            }
            CheckKind::PackageProbe => {
                let r: PackageProbeRaw = value.try_into().map_err(err)?;
                Self::PackageProbe {
                    min_packages: r.min_packages.max(1),
                    exempt_packages: r.exempt_packages,
                }
            }
            _ => return Err(format!("`{kind}` is not a behaviour check kind")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_round_trips() {
        for v in PiType::ALL {
            assert_eq!(PiType::parse(v.as_str()), Some(*v));
        }
        assert_eq!(PiType::ALL.len(), 27);
        assert_eq!(Tc260Group::ALL.len(), 10);
        assert_eq!(Special::ALL.len(), 12);
        assert_eq!(Category::ALL.len(), 21);
        assert_eq!(Category::parse("risk-control"), Some(Category::RiskControl));
        assert_eq!(CheckKind::parse("pi-api-used"), Some(CheckKind::PiApiUsed));
        assert_eq!(Severity::High.to_string(), "high");
        assert_eq!(Status::parse("beta"), None);
        assert_eq!(PackerKind::parse("protector"), Some(PackerKind::Protector));
        assert_eq!(
            CheckKind::parse("packer-present"),
            Some(CheckKind::PackerPresent)
        );
    }

    fn table(s: &str) -> toml::Table {
        s.parse().unwrap()
    }

    #[test]
    fn check_params_typed() {
        let p = CheckParams::parse(
            CheckKind::PiApiUsed,
            &table("by = 'sdk'\npi_types = ['imei']"),
        );
        assert_eq!(
            p,
            Ok(CheckParams::PiApiUsed {
                by: ApiUser::Sdk,
                pi_types: vec![PiType::Imei]
            })
        );
        let p = CheckParams::parse(
            CheckKind::ManifestFlag,
            &table("attribute = 'debuggable'\nequals = true"),
        );
        assert_eq!(
            p,
            Ok(CheckParams::ManifestFlag {
                attribute: "debuggable".into(),
                equals: FlagValue::Bool(true)
            })
        );
        let e = CheckParams::parse(CheckKind::PiApiUsed, &table("pi_types = []")).unwrap_err();
        assert!(e.contains("missing field `by`"), "{e}");
        let e = CheckParams::parse(CheckKind::SdkPresent, &table("colour = 1")).unwrap_err();
        assert!(e.contains("unknown field `colour`"), "{e}");
        let e = CheckParams::parse(CheckKind::PermissionRequested, &table("")).unwrap_err();
        assert!(e.contains("at least one"), "{e}");
        assert_eq!(
            CheckParams::parse(CheckKind::PackerPresent, &table("kinds = ['packer']")),
            Ok(CheckParams::PackerPresent {
                kinds: vec![PackerKind::Packer]
            })
        );
        assert!(
            CheckParams::parse(CheckKind::PackerPresent, &table("kinds = ['activity']")).is_err()
        );
        assert_eq!(
            CheckParams::parse(CheckKind::Obfuscation, &table("verdicts = ['dexguard']")),
            Ok(CheckParams::Obfuscation {
                verdicts: vec![ObfuscationVerdict::Dexguard]
            })
        );
        assert!(
            CheckParams::parse(CheckKind::Obfuscation, &table("verdicts = ['packer']")).is_err()
        );
        assert_eq!(
            CheckParams::parse(CheckKind::ExportedUnprotected, &table("")),
            Ok(CheckParams::ExportedUnprotected { kinds: vec![] })
        );
    }

    #[test]
    fn signing_params() {
        let parse = |s: &str| CheckParams::parse(CheckKind::Signing, &table(s));
        assert_eq!(
            parse("condition = 'weak-key'\nmin_key_bits = 3072"),
            Ok(CheckParams::Signing {
                condition: SigningCondition::WeakKey,
                date: None,
                min_key_bits: Some(3072)
            })
        );
        assert!(parse("condition = 'validity-ends-before'\ndate = '2033-10-22'").is_ok());
        let e = parse("condition = 'validity-ends-before'").unwrap_err();
        assert!(e.contains("needs `date`"), "{e}");
        let e = parse("condition = 'validity-ends-before'\ndate = '2033-13-01'").unwrap_err();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        let e = parse("condition = 'unsigned'\ndate = '2033-10-22'").unwrap_err();
        assert!(e.contains("only to `validity-ends-before`"), "{e}");
        let e = parse("condition = 'unsigned'\nmin_key_bits = 1").unwrap_err();
        assert!(e.contains("only to `weak-key`"), "{e}");
        assert!(parse("condition = 'self-signed'").is_err());
        assert!(parse("").is_err());
        assert!(is_iso_day("2024-02-29"));
        for bad in [
            "2024-2-29",
            "2024-00-01",
            "2024-01-32",
            "20240101",
            "2024-01-01T",
        ] {
            assert!(!is_iso_day(bad), "{bad}");
        }
    }
}
